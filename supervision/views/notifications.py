"""My notifications: each person their organisation's; opening one marks it read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import request_actor
from core.permissions import require
from core.web import paginate
from supervision.selectors import notifications as selectors
from supervision.services import notifications as services


@login_required
def notification_list(request):
    user = request_actor(request)
    require(user, "notification.view")
    unread = request.GET.get("unread") == "1"
    rows = selectors.notification_list(actor=user, unread=unread)
    return render(
        request,
        "supervision/notifications/list.html",
        {
            "page": paginate(request, rows),
            "unread": unread,
            "unread_count": selectors.notification_unread_count(actor=user),
        },
    )


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark it read and go where it links (a path of the platform), else back to the list."""
    found = services.notification_read(actor=request_actor(request), notification_id=pk)
    if found.link and url_has_allowed_host_and_scheme(found.link, allowed_hosts=None):
        return redirect(found.link)
    return redirect("supervision:notification_list")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_read_all(actor=request_actor(request))
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("supervision:notification_list")
