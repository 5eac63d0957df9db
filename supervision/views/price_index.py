"""The price monitoring index page [R-PRICE-INDEX]: a chart per category and the table behind
it, exported as XLSX with ``?export=xlsx``. The same selector as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.exports import xlsx_response
from core.permissions import require
from core.web import wants_xlsx
from supervision.selectors import price_index as selectors


@login_required
def price_index_page(request):
    require(request.user, "price_index.view", request=request)
    params = request.GET
    query = selectors.index_query(
        level=params.get("level"), first=params.get("first"), last=params.get("last")
    )
    series = selectors.price_index(actor=request.user, query=query)
    wanted = params.getlist("category")
    if wanted:
        series = [s for s in series if s.code in wanted or s.code == selectors.ALL]
    quarters = [q.label() for q in query.quarters]
    if wants_xlsx(request):
        headers = [
            _("Category code"),
            _("Category"),
            _("Quarter"),
            _("Index"),
            _("Link to the previous quarter"),
            _("Matched products"),
            _("Products bought"),
            _("Amount (CNY)"),
        ]
        rows = [
            [
                s.code,
                s.name,
                p.quarter.label(),
                p.index_shown,
                p.link_shown,
                p.matched,
                p.products,
                p.amount,
            ]
            for s in series
            for p in s.points
        ]
        name = f"price-index-{query.first.label()}-{query.last.label()}.xlsx"
        return xlsx_response(name, headers, rows, sheet=_("Price index"))
    chart = {
        "quarters": quarters,
        "series": [
            {
                "name": f"{s.code} {s.name}" if s.code != selectors.ALL else s.name,
                "data": [float(p.index_shown) for p in s.points],
            }
            for s in series[:11]
        ],
    }
    return render(
        request,
        "supervision/price_index.html",
        {
            "query": query,
            "series": series,
            "quarters": quarters,
            "chart": chart,
            "levels": [1, 2, 3],
            "wanted": wanted,
        },
    )
