"""The purchase plan page: a hospital's annual purchase total and the alternate-catalogue cap
it gives [R-LIST-ALT-CAP]: the default (last year's platform purchases), finance's proposal of
another figure, the bureau's approval or rejection, and the plan's history; the same services
as procurement/api/purchase_plans.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.exports import xlsx_response
from core.forms import add_domain_error
from core.permissions import can
from core.tenancy import OVERSEER_ROLES
from core.web import paginate, parse_id, wants_xlsx
from procurement.forms.purchase_plans import PurchasePlanForm
from procurement.selectors import purchase_plans as plan_selectors
from procurement.services import purchase_plans

T = "procurement/listings/"


@login_required
def purchase_plan(request):
    user = request.user
    org = user.organization
    is_hospital = org is not None and org.is_hospital
    if not is_hospital and not set(user.roles) & OVERSEER_ROLES:
        raise PermissionDeniedError(action="purchase_plan.view")
    hospitals = None if is_hospital else plan_selectors.plan_hospital_list(actor=user)
    hospital_id = parse_id(request.GET.get("hospital"))
    if hospitals is not None and hospital_id is None:
        first = hospitals.first()
        hospital_id = first.pk if first else None
    year = parse_id(request.GET.get("year")) or clock.local_today().year
    if request.method == "POST" and not can(user, "purchase_plan.propose"):
        raise PermissionDeniedError(action="purchase_plan.propose")
    form = None
    if can(user, "purchase_plan.propose"):
        form = PurchasePlanForm(request.POST or None, initial={"year": year})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                plan = purchase_plans.purchase_plan_propose(
                    actor=user, year=data["year"], total=data["total"], reason=data["reason"]
                )
            except DomainError as error:
                if error.http_status in (403, 404):
                    raise
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Annual purchase total proposed: the bureau decides on it.")
                )
                query = f"?year={plan.year}"
                return redirect(reverse("procurement:purchase_plan") + query)
    hospital = cap = plan = actions = None
    history = []
    if is_hospital or hospital_id is not None:
        hospital, cap = plan_selectors.alternate_cap_status_get(
            actor=user, hospital_id=hospital_id, year=year
        )
        plan = plan_selectors.purchase_plan_get(actor=user, hospital_id=hospital.pk, year=year)
        actions = plan_selectors.purchase_plan_actions(actor=user, plan=plan)
        if plan is not None:
            history = list(plan_selectors.purchase_plan_history(plan=plan)[:50])
    if form is not None and actions is not None and not actions["propose"]:
        form = None  # a proposal awaits the bureau's decision
    status = plan_selectors.plan_status_param(request.GET.get("status", ""))
    plans = plan_selectors.purchase_plan_list(actor=user, status=status)
    if wants_xlsx(request):
        return xlsx_response(
            "purchase-plans.xlsx",
            [
                _("Hospital"),
                _("Year"),
                _("Status"),
                _("Approved annual purchase total"),
                _("Proposed annual purchase total"),
                _("Reason"),
            ],
            (
                [
                    p.hospital.name,
                    p.year,
                    p.get_status_display(),
                    p.total,
                    p.proposed_total,
                    p.reason,
                ]
                for p in plans.iterator()
            ),
            sheet=_("Purchase plan"),
        )
    return render(
        request,
        T + "purchase_plan.html",
        {
            "form": form,
            "hospital": hospital,
            "hospitals": hospitals,
            "cap": cap,
            "plan": plan,
            "actions": actions,
            "history": history,
            "year": year,
            "status": status,
            "page": paginate(request, plans),
        },
    )


@login_required
@require_POST
def purchase_plan_decide(request, pk: int, action: str):
    """[R-LIST-ALT-CAP] the bureau approves or rejects a proposed total (reason required to
    reject; a refusal is shown as a message by core.middleware)."""
    services = {
        "approve": purchase_plans.purchase_plan_approve,
        "reject": purchase_plans.purchase_plan_reject,
    }
    if action not in services:
        raise NotFoundError()
    plan = services[action](actor=request.user, plan_id=pk, reason=request.POST.get("reason", ""))
    messages.success(
        request,
        _("Annual purchase total %(year)s of %(hospital)s: %(status)s.")
        % {"year": plan.year, "hospital": plan.hospital.name, "status": plan.get_status_display()},
    )
    query = f"?hospital={plan.hospital_id}&year={plan.year}"
    return redirect(reverse("procurement:purchase_plan") + query)
