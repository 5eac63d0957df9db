"""Monthly monitoring per hospital [R-MONITOR] [R-PAY-30]: payment timeliness and agreed-volume
progress, with a hospital's contract lines (``?hospital=``) and XLSX export (``?export=xlsx``).
The same selectors as supervision/api/monitoring.py; refusals are rendered by core.middleware."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.exports import xlsx_response
from core.web import wants_xlsx
from supervision.selectors import monitoring as selectors


def _share(value) -> str:
    return "" if value is None else f"{value * 100:.2f}%"


@login_required
def monitoring(request):
    user = request.user
    params = request.GET
    month = selectors.parse_month(params.get("month"))
    table = selectors.monitoring_table(
        actor=user, month=month, district=params.get("district"), hospital=params.get("hospital")
    )
    hospital = params.get("hospital", "").strip()
    scope = selectors.monitoring_scope(
        actor=user, district=params.get("district"), hospital=hospital
    )
    contracts = []
    if hospital or scope.own:
        contracts = list(selectors.contract_progress_list(month=month, scope=scope))
        for c in contracts:
            c.elapsed_share = selectors.elapsed_share(c)
            c.done_share = selectors.done_share(c)
            c.is_lagging = selectors.is_lagging(c)
    if wants_xlsx(request):
        headers = [
            _("Hospital"),
            _("District"),
            _("Due (CNY)"),
            _("Invoices due"),
            _("Paid on time (CNY)"),
            _("Payment rate"),
            _("Overdue unpaid (CNY)"),
            _("Overdue invoices"),
            _("Average days to pay"),
            _("Contracts"),
            _("Agreed volume"),
            _("Done volume"),
            _("Done share"),
            _("Lagging contracts"),
        ]
        rows = [
            [
                r.name,
                r.region_code,
                r.payment.due_amount,
                r.payment.due_count,
                r.payment.on_time_amount,
                _share(r.payment.payment_rate),
                r.payment.overdue_amount,
                r.payment.overdue_count,
                r.payment.average_days_to_pay,
                r.volume.contracts,
                r.volume.agreed,
                r.volume.done,
                _share(r.volume.done_share),
                r.volume.lagging,
            ]
            for r in table.rows
        ]
        return xlsx_response(f"monitoring-{month:%Y-%m}.xlsx", headers, rows, sheet=_("Monitoring"))
    return render(
        request,
        "supervision/monitoring.html",
        {
            "table": table,
            "totals": table.totals,
            "month_value": f"{month:%Y-%m}",
            "current_month": f"{selectors.current_month():%Y-%m}",
            "district": table.district,
            "own": scope.own,
            "hospital": hospital,
            "contracts": contracts,
        },
    )
