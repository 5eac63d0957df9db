"""Account pages: login and password, organisations, API clients, the security log."""

from __future__ import annotations

import base64
import secrets

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.choices import OrganizationKind, SecurityEventKind
from accounts.forms import ApiClientCreateForm
from core import clock, permissions
from core.clock import to_local
from core.exports import xlsx_response
from core.web import paginate, wants_xlsx


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        user.password_changed_at = clock.now()
        user.save(update_fields=["password_changed_at"])
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def organization_list(request):
    kind = request.GET.get("kind") or None
    q = request.GET.get("q") or None
    orgs = selectors.organization_list(actor=request.user, kind=kind, q=q)
    if wants_xlsx(request):
        return xlsx_response(
            "organizations.xlsx",
            [_("Name"), _("Kind"), _("Unified social credit code"), _("Region"), _("Tier")],
            (
                (o.name, o.get_kind_display(), o.uscc, o.region_display, o.get_tier_display())
                for o in orgs
            ),
            sheet=_("Organisations"),
        )
    return render(
        request,
        "accounts/organization_list.html",
        {
            "page": paginate(request, orgs),
            "kinds": OrganizationKind.choices,
            "kind": kind,
            "q": q or "",
        },
    )


@login_required
def organization_detail(request, pk: int):
    org = selectors.organization_get(actor=request.user, organization_id=pk)
    return render(request, "accounts/organization_detail.html", {"org": org})


# The key just issued survives the redirect after the POST for exactly one GET. The session
# (a database row) holds it sealed with a one-time pad that only the browser's cookie holds, so
# the plaintext is never written to the database.
ISSUED_SESSION_KEY = "api_client_issued"
ISSUED_PAD_COOKIE = "yg_issued_pad"


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def _issued_stash(request, response, issued) -> None:
    key = issued.key.encode()
    pad = secrets.token_bytes(len(key))
    request.session[ISSUED_SESSION_KEY] = {
        "name": issued.client.name,
        "sealed": base64.b64encode(_xor(key, pad)).decode(),
    }
    response.set_cookie(
        ISSUED_PAD_COOKIE,
        base64.b64encode(pad).decode(),
        max_age=600,
        path=request.path,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure(),
    )


def _issued_pop(request) -> dict | None:
    stash = request.session.pop(ISSUED_SESSION_KEY, None)
    pad = request.COOKIES.get(ISSUED_PAD_COOKIE)
    if not stash or not pad:
        return None
    try:
        key = _xor(base64.b64decode(stash["sealed"]), base64.b64decode(pad)).decode()
    except (ValueError, KeyError, TypeError):
        return None
    return {"name": stash.get("name", ""), "key": key}


@login_required
def api_client_list(request):
    if request.method == "POST":
        permissions.require(request.user, "api_client.manage", request=request)
    form = None
    if permissions.can(request.user, "api_client.manage"):
        hospitals = selectors.organization_list(actor=request.user, kind=OrganizationKind.HOSPITAL)
        form = ApiClientCreateForm(request.POST or None, organizations=hospitals)
        if request.method == "POST" and form.is_valid():
            issued = services.api_client_create(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                name=form.cleaned_data["name"],
            )
            # POST, redirect, GET: a reload cannot create a second client.
            response = redirect("accounts:api_client_list")
            _issued_stash(request, response, issued)
            return response
    if request.method == "GET":
        issued = _issued_pop(request)
        if issued is not None:
            # The key is shown once, on this response, and never again.
            response = render(request, "accounts/api_client_created.html", {"issued": issued})
            response.delete_cookie(ISSUED_PAD_COOKIE, path=request.path)
            response["Cache-Control"] = "no-store"
            return response
    clients = selectors.api_client_list(actor=request.user)
    return render(request, "accounts/api_client_list.html", {"clients": clients, "form": form})


@login_required
@require_POST
def api_client_revoke(request, pk: int):
    client = services.api_client_revoke(actor=request.user, client_id=pk)
    messages.success(request, _("API client %(name)s revoked.") % {"name": client.name})
    return redirect("accounts:api_client_list")


@login_required
def security_event_list(request):
    kind = request.GET.get("kind") or None
    events = selectors.security_event_list_unscoped(actor=request.user, kind=kind)
    if wants_xlsx(request):
        return xlsx_response(
            "security-events.xlsx",
            [
                _("Time"),
                _("Event"),
                _("Result"),
                _("Reason"),
                _("User"),
                _("Roles"),
                _("Organisation"),
                _("Address"),
                _("Path"),
                _("Request id"),
                _("Object"),
                _("Sequence number"),
            ],
            (
                (
                    to_local(e.at),
                    e.get_kind_display(),
                    e.get_result_display(),
                    e.reason,
                    e.username,
                    "、".join(e.role_labels),
                    str(e.organization or ""),
                    e.ip,
                    e.path,
                    e.request_id,
                    f"{e.object_type} {e.object_id}".strip(),
                    e.seq,
                )
                for e in events.iterator()
            ),
            sheet=_("Security log"),
        )
    return render(
        request,
        "accounts/security_event_list.html",
        {"page": paginate(request, events), "kinds": SecurityEventKind.choices, "kind": kind},
    )
