"""Platform pages: home per role, health, change history, region policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET

from core import health, permissions, selectors, services
from core.errors import NotFoundError
from core.forms import HistoryFilterForm, RegionPolicyForm
from core.paging import CappedPaginator
from core.policy import RULES
from core.web import paginate

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


@login_required
def history(request):
    """Who changed what, when: filtered by object type and object (each object's page links
    here with both), person and Beijing day range; one page at a time."""
    form = HistoryFilterForm(request.GET or None, models=selectors.history_models())
    filters = form.filters()
    events = selectors.history_list(actor=request.user, **filters)
    # Every change of the platform is a long list: the count stops past a cap, as the
    # catalogue's does.
    page = paginate(request, events, paginator=CappedPaginator)
    page.object_list = selectors.history_describe(page.object_list)
    return render(request, "core/history.html", {"page": page, "form": form, **filters})


@login_required
def region_policy(request):
    """The region's figures. Saving takes two steps: the form shows what would change (old ->
    new) with a confirm button, and only the confirmed POST (``confirm=1``) saves; no script
    is needed. Each figure shows its own history below it."""
    policy = selectors.region_policy_get(actor=request.user)
    can_edit = permissions.can(request.user, "region_policy.edit")
    form = RegionPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST":
        permissions.require(request.user, "region_policy.edit", request=request)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("core:region_policy")
            if request.POST.get("confirm") != "1":
                return render(
                    request,
                    "core/region_policy_confirm.html",
                    {"form": form, "changes": changes, "policy": policy},
                )
            changed = {c["name"]: form.cleaned_data[c["name"]] for c in changes}
            services.region_policy_update(actor=request.user, changes=changed)
            messages.success(request, _("Region policy saved."))
            return redirect("core:region_policy")
    history = selectors.region_policy_history(actor=request.user, policy=policy)
    rows = [
        (
            form[f.name],
            RULES[f.name],
            form.display(f.name, getattr(policy, f.name)),
            history[f.name],
        )
        for f in policy.figures()
    ]
    return render(
        request,
        "core/region_policy.html",
        {"form": form, "rows": rows, "policy": policy, "can_edit": can_edit},
    )
