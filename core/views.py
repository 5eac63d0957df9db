"""Platform pages: home per role, health, change history, region policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from core import health, permissions, selectors, services
from core.errors import NotFoundError
from core.forms import RegionPolicyForm
from core.policy import RULES

HOME_PANELS = {
    "hospital_purchaser": ["orders", "deliveries", "demand"],
    "hospital_finance": ["invoices", "payments"],
    "supplier_sales": ["listings", "incoming_orders", "bids"],
    "bureau_officer": ["reviews", "alerts", "five_rates"],
    "agency_finance": ["settlement", "advances"],
    "platform_admin": ["organizations", "security"],
}


@login_required
def home(request):
    panels: list[str] = []
    for role in request.user.roles:
        panels.extend(p for p in HOME_PANELS.get(role, []) if p not in panels)
    return render(request, "core/home.html", {"panels": panels})


def not_found(request, exception):
    """handler404. An address under /api/ that no route matches (``/api/v1/orders/x/`` where
    an id belongs) is answered in the API's error format; pages keep the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(NotFoundError().as_dict(), status=404)
    return defaults.page_not_found(request, exception)


@require_GET
def healthz(request):
    result = health.health()
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    """/favicon.ico, which browsers ask for by that address whatever the page links: the
    platform's icon from static/ (the pages link its static copy)."""
    return FileResponse(open(finders.find("favicon.ico"), "rb"), content_type="image/x-icon")


@login_required
def history(request):
    model = request.GET.get("model") or None
    events = selectors.history_list_unscoped(actor=request.user, model=model)
    return render(
        request,
        "core/history.html",
        {"events": events, "models": selectors.history_models(), "model": model},
    )


@login_required
def region_policy(request):
    policy = selectors.region_policy_get(actor=request.user)
    can_edit = permissions.can(request.user, "region_policy.edit")
    form = RegionPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST":
        permissions.require(request.user, "region_policy.edit", request=request)
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            if changed:
                services.region_policy_update(actor=request.user, changes=changed)
            messages.success(request, _("Region policy saved."))
            return redirect("core:region_policy")
    rows = [(form[f.name], RULES[f.name]) for f in policy.figures()]
    return render(
        request,
        "core/region_policy.html",
        {"form": form, "rows": rows, "policy": policy, "can_edit": can_edit},
    )
