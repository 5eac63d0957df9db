"""The bureau's view of the fund [R-DIRECT] [R-ADVANCE] and the payment statement (XLSX): the
same selectors as settlement/api/reports.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.permissions import require
from core.web import paginate
from settlement.choices import PaymentLineStatus
from settlement.selectors import fund_view as selectors
from settlement.selectors import payments as payment_selectors
from settlement.selectors import statements


@login_required
def payment_statement(request):
    """The payments by invoice as XLSX (the status filter of the page applies)."""
    user = request.user
    require(user, "payment_request.view")
    value = request.GET.get("status", "")
    status = [value] if value in PaymentLineStatus.values else None
    return statements.payment_statement_response(
        payment_selectors.payment_line_list(actor=user, status=status)
    )


@login_required
def fund_view(request):
    """[R-DIRECT] the fund's accounts, the advances outstanding, the period's direct
    settlements (listed) and the direct-settlement ratio against the region's goal."""
    user = request.user
    require(user, "fund.view")
    period = selectors.period_parse(request.GET.get("start"), request.GET.get("end"))
    view = selectors.fund_view(actor=user, period=period)
    rows = selectors.direct_settlements_in(actor=user, period=period)
    return render(
        request,
        "settlement/fund/view.html",
        {"view": view, "period": period, "page": paginate(request, rows)},
    )
