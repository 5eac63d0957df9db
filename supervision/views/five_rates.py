"""The five rates' pages [R-FIVE-RATES]: the bureau's table (month picker, slice picker, by
amount and by count, below-threshold marked, the frozen months' XLSX reports); a hospital's or
supplier's own rates with its rank among its peers. The same selectors as
supervision/api/five_rates.py (a refusal is shown as a message by core.middleware)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.permissions import can
from core.web import paginate
from supervision.choices import SliceKind
from supervision.reports import five_rates_report_response
from supervision.selectors import five_rates as selectors


@login_required
def five_rates(request):
    user = request.user
    params = request.GET
    month = selectors.parse_month(params.get("month"))
    scope = selectors.five_rates_scope(actor=user, kind=params.get("kind"), key=params.get("key"))
    table = selectors.five_rates_table(actor=user, month=month, scope=scope)
    can_report = can(user, "five_rates.report")
    months = selectors.five_rates_month_list(actor=user) if can_report else []
    return render(
        request,
        "supervision/five_rates.html",
        {
            "table": table,
            "rates": selectors.rate_thresholds(region_code=scope.policy_region),
            "month_value": f"{month:%Y-%m}",
            "current_month": f"{selectors.current_month():%Y-%m}",
            "kinds": [] if scope.own else SliceKind.choices,
            "kind": scope.kind,
            "key": params.get("key", ""),
            "own": scope.own,
            "can_report": can_report,
            "months": months,
            "month_frozen": any(m.month == month for m in months),
        },
    )


@login_required
def five_rates_report(request):
    """A frozen month's XLSX report (regulators: their jurisdiction)."""
    return five_rates_report_response(request.user, request.GET.get("month"))


@login_required
def five_rates_below(request):
    """[R-FIVE-RATES] the hospitals' and suppliers' rates below threshold in the last frozen
    month (the home card's list)."""
    rows = selectors.five_rates_below_list(actor=request.user)
    page = paginate(request, rows)
    labels = selectors.figure_labels(page.object_list)
    for figure in page:
        figure.label = labels.get((figure.kind, figure.key), figure.key)
    return render(request, "supervision/five_rates_below.html", {"page": page})
