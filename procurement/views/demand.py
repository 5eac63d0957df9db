"""Pages of hospitals' demand for volume-based procurement rounds [R-VBP-VOLUME]: a hospital's
list of rounds to report for and its pre-filled form; the bureau's review. The same services as
procurement/api/rounds.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.exports import xlsx_response
from core.permissions import require
from core.web import paginate, redirect_back, wants_xlsx
from procurement.choices import DemandStatus, RoundAction
from procurement.forms.rounds import DemandReviewForm
from procurement.selectors import demand as selectors
from procurement.selectors import rounds as round_selectors
from procurement.services import demand
from procurement.views.common import FIELD_ERROR_STATUS, is_hospital

T = "procurement/rounds/"


@login_required
def demand_list(request):
    """A hospital: the published rounds of its region, with what it reported. The bureau:
    the reports of its region, by status (the home card links to those awaiting review)."""
    user = request.user
    require(user, "demand.view")
    if is_hospital(user):
        todo = request.GET.get("todo") == "report"
        page = paginate(request, selectors.demand_rounds(actor=user, todo=todo))
        tenders = list(page.object_list)
        reported = set(
            selectors.demand_list(actor=user)
            .filter(round__in=[tender.pk for tender in tenders])
            .values_list("round_id", flat=True)
        )
        for tender in tenders:
            tender.reported = tender.pk in reported
            tender.report_action = round_selectors.round_actions(actor=user, round=tender)[
                RoundAction.REPORT_DEMAND
            ]
        page.object_list = tenders
        return render(request, T + "demand_rounds.html", {"page": page, "todo": todo})
    status = request.GET.get("status", "")
    rows = selectors.demand_list(
        actor=user, status=[status] if status in DemandStatus.values else None
    )
    return render(
        request,
        T + "demand_list.html",
        {
            "page": paginate(request, rows),
            "statuses": DemandStatus.choices,
            "params": {"status": status},
        },
    )


@login_required
def round_demand(request, pk: int):
    """A hospital's form (one row per group, pre-filled from its last 12 months of purchases);
    for the bureau, every report of the round with its review."""
    user = request.user
    require(user, "demand.report" if request.method == "POST" else "demand.view")
    tender = round_selectors.round_get(actor=user, round_id=pk)
    actions = round_selectors.round_actions(actor=user, round=tender)
    if not is_hospital(user):
        reports = list(selectors.demand_list(actor=user, round_id=tender.pk))
        for report in reports:
            setattr(report, "agreed", report.agreed_volume(tender.agreed_ratio))  # noqa: B010
        return render(
            request,
            T + "demand_review.html",
            {
                "round": tender,
                "rows": reports,
                "actions": actions,
                "totals": selectors.round_demand_totals(actor=user, round=tender),
            },
        )
    rows = selectors.demand_rows(actor=user, round=tender)
    if wants_xlsx(request):
        return xlsx_response(
            f"demand-{tender.number}.xlsx",
            [_("Group id"), _("Group code"), _("Name"), _("Last 12 months"), _("Base volume")],
            selectors.demand_xlsx_rows(rows),
            sheet=_("Demand"),
        )
    error_message = ""
    if request.method == "POST":
        try:
            upload = request.FILES.get("xlsx")
            if upload is not None:
                lines = selectors.demand_lines_from_xlsx(upload)
            else:
                lines = [
                    {"group": row.group.pk, "volume": raw}
                    for row in rows
                    if (raw := request.POST.get(f"volume_{row.group.pk}", "").strip()) != ""
                ]
            demand.demand_report(actor=user, round_id=tender.pk, lines=lines)
        except DomainError as error:
            if error.http_status not in (FIELD_ERROR_STATUS, 409):
                raise
            error_message = error.message
        else:
            messages.success(request, _("Demand reported; the bureau will review it."))
            return redirect(reverse("procurement:round_demand", args=[tender.pk]))
    return render(
        request,
        T + "demand_form.html",
        {
            "round": tender,
            "rows": rows,
            "actions": actions,
            "error_message": error_message,
            "posted": request.POST if request.method == "POST" else None,
        },
    )


@login_required
@require_POST
def demand_review(request, pk: int):
    row = selectors.demand_get(actor=request.user, demand_id=pk)
    form = DemandReviewForm(request.POST)
    back = reverse("procurement:round_demand", args=[row.round_id])
    if not form.is_valid():
        messages.error(request, _("The base volume is a whole number of units."))
        return redirect_back(request, back)
    try:
        demand.demand_review(
            actor=request.user,
            demand_id=pk,
            volume=form.cleaned_data.get("volume"),
            reason=form.cleaned_data.get("reason", ""),
        )
    except DomainError as error:
        if error.http_status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Demand reviewed."))
    return redirect_back(request, back)
