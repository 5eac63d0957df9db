"""The purchase plan page: a hospital's annual purchase total and the alternate-catalogue cap
it gives [R-LIST-ALT-CAP]; the same services as procurement/api/purchase_plans.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.errors import DomainError, PermissionDeniedError
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
    if request.method == "POST" and not can(user, "purchase_plan.set"):
        raise PermissionDeniedError(action="purchase_plan.set")
    form = None
    if can(user, "purchase_plan.set"):
        form = PurchasePlanForm(
            request.POST or None,
            hospitals=hospitals,
            initial={"hospital": hospital_id, "year": year},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            chosen = data.get("hospital")
            try:
                plan = purchase_plans.purchase_plan_set(
                    actor=user,
                    hospital_id=chosen.pk if chosen else None,
                    year=data["year"],
                    total=data["total"],
                )
            except DomainError as error:
                if error.http_status in (403, 404):
                    raise
                add_domain_error(form, error)
            else:
                messages.success(request, _("Annual purchase total saved."))
                query = f"?hospital={plan.hospital_id}&year={plan.year}"
                return redirect(reverse("procurement:purchase_plan") + query)
    hospital = cap = None
    if is_hospital or hospital_id is not None:
        hospital, cap = plan_selectors.alternate_cap_status_get(
            actor=user, hospital_id=hospital_id, year=year
        )
    plans = plan_selectors.purchase_plan_list(actor=user)
    if wants_xlsx(request):
        return xlsx_response(
            "purchase-plans.xlsx",
            [_("Hospital"), _("Year"), _("Annual purchase total")],
            ([p.hospital.name, p.year, p.total] for p in plans.iterator()),
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
            "year": year,
            "page": paginate(request, plans),
        },
    )
