"""Products cut in price this year against the target [R-CUTS-1000]: the list, one row per
product with its old and new price and the source, and XLSX export. The same selector as
supervision/api/price_cuts.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.exports import xlsx_response
from core.web import paginate, wants_xlsx
from supervision.selectors import monitoring as monitoring_selectors
from supervision.selectors import price_cuts as selectors


@login_required
def price_cut_list(request):
    params = request.GET
    year = monitoring_selectors.parse_year(params.get("year"))
    district = params.get("district", "")
    rows = selectors.price_cut_list(request.user, year, district=district)
    count, target = selectors.price_cut_progress(request.user, year, district)
    if wants_xlsx(request):
        headers = [
            _("National code"),
            _("Product"),
            _("Cut on"),
            _("Old price"),
            _("New price"),
            _("Source"),
        ]
        data = [
            [
                r.code,
                r.product_name,
                r.cut_on,
                r.old_price,
                r.new_price,
                str(selectors.SOURCES[r.cut_source]),
            ]
            for r in rows
        ]
        return xlsx_response(f"price-cuts-{year}.xlsx", headers, data, sheet=_("Price cuts"))
    page = paginate(request, rows)
    for r in page:
        r.source_label = selectors.SOURCES[r.cut_source]
    return render(
        request,
        "supervision/price_cuts.html",
        {
            "page": page,
            "year": year,
            "district": district,
            "count": count,
            "target": target,
            "share": (count * 100 // target) if target else None,
        },
    )
