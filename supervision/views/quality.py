"""The quality report pages [R-QUALITY]: a hospital files a report and reads its own and the
lot notices addressed to it; a supplier reads the reports on its products; the bureau reads
its region's by product and by supplier and confirms or dismisses them. The same services
and selectors as supervision/api/quality.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import request_actor
from core.errors import DomainError, NotFoundError
from core.forms import add_domain_error
from core.permissions import can, require
from core.web import paginate
from supervision.choices import QualityAction
from supervision.forms.quality import QualityReportForm, QualitySearchForm
from supervision.selectors import quality as selectors
from supervision.services import quality as services

T = "supervision/quality/"


def _products(user) -> list[tuple[int, str]]:
    org = user.organization
    if org is None or not org.is_hospital:
        return []
    return selectors.received_products_unscoped(hospital_id=org.pk)


@login_required
def quality_report_list(request):
    user = request_actor(request)
    require(user, "quality_report.view")
    form = QualitySearchForm(request.GET or None)
    filters = form.filters()
    rows = selectors.quality_report_list(
        actor=user,
        status=[filters["status"]] if filters.get("status") else None,
        severity=filters.get("severity") or "",
        consumable_id=filters.get("product"),
        supplier_id=filters.get("supplier"),
    )
    return render(
        request,
        T + "report_list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "by_product": selectors.quality_report_counts(actor=user, by="product", rows=rows),
            "by_supplier": selectors.quality_report_counts(actor=user, by="supplier", rows=rows),
            "can_file": can(user, "quality_report.file"),
        },
    )


@login_required
def quality_report_new(request):
    user = request_actor(request)
    require(user, "quality_report.file")
    form = QualityReportForm(request.POST or None, products=_products(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.quality_report_file(
                    actor=user,
                    consumable_id=data["consumable"],
                    lot=data["lot"],
                    severity=data["severity"],
                    occurred_on=data["occurred_on"],
                    description=data["description"],
                )
            except DomainError as error:
                if error.http_status != 400:
                    raise
                add_domain_error(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Quality report %(report)s filed; %(count)s other hospitals were told.")
                    % {"report": report.pk, "count": report.lot_notices.count()},
                )
                return redirect("supervision:quality_report_detail", pk=report.pk)
        else:
            status = 400
    return render(request, T + "report_new.html", {"form": form}, status=status)


@login_required
def quality_report_detail(request, pk: int):
    user = request_actor(request)
    report = selectors.quality_report_get(actor=user, report_id=pk)
    org = user.organization
    # The supplier reads the report, never the names of the hospital's staff.
    show_people = org is None or org.is_regulator or org.pk == report.hospital_id
    return render(
        request,
        T + "report_detail.html",
        {
            "report": report,
            "actions": selectors.quality_report_actions(actor=user, report=report),
            "show_people": show_people,
            "notices": report.lot_notices.count(),
        },
    )


@login_required
@require_POST
def quality_report_decide(request, pk: int, action: str):
    """[R-QUALITY] the bureau confirms or dismisses a report, with a reason."""
    decisions = {
        QualityAction.CONFIRM.value: services.quality_report_confirm,
        QualityAction.DISMISS.value: services.quality_report_dismiss,
    }
    if action not in decisions:
        raise NotFoundError()
    report = decisions[action](
        actor=request_actor(request), report_id=pk, reason=request.POST.get("reason", "")
    )
    messages.success(
        request,
        _("Quality report %(report)s: %(status)s.")
        % {"report": report.pk, "status": report.get_status_display()},
    )
    return redirect("supervision:quality_report_detail", pk=report.pk)


@login_required
def lot_notice_list(request):
    user = request_actor(request)
    rows = selectors.lot_notice_list(actor=user)
    return render(request, T + "notice_list.html", {"page": paginate(request, rows)})


@login_required
def lot_notice_detail(request, pk: int):
    notice = selectors.lot_notice_get(actor=request_actor(request), notice_id=pk)
    return render(request, T + "notice_detail.html", {"notice": notice, "report": notice.report})
