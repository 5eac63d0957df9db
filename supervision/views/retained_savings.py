"""Retained savings per hospital from VBP budgets [R-RETAINED], with the contract lines behind
them and XLSX export. The same selector as supervision/api/retained_savings.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.exports import xlsx_response
from core.web import wants_xlsx
from supervision.selectors import monitoring as monitoring_selectors
from supervision.selectors import retained_savings as selectors


@login_required
def retained_savings(request):
    params = request.GET
    year = monitoring_selectors.parse_year(params.get("year"))
    table = selectors.retained_savings_table(
        actor=request.user,
        year=year,
        district=params.get("district"),
        hospital=params.get("hospital"),
        with_contracts=True,
    )
    if wants_xlsx(request):
        headers = [
            _("Hospital"),
            _("Product"),
            _("Agreed volume"),
            _("Pre-tender price"),
            _("Price source"),
            _("Contract price"),
            _("Budget (CNY)"),
            _("Actual spend (CNY)"),
            _("Savings (CNY)"),
        ]
        rows = [
            [
                c.hospital.name,
                c.consumable.product_name,
                c.agreed_quantity,
                c.pre_price,
                str(selectors.PRICE_SOURCES[c.price_source]),
                c.price,
                c.budget,
                c.spend,
                c.savings,
            ]
            for c in table.contracts
        ]
        return xlsx_response(
            f"retained-savings-{year}.xlsx", headers, rows, sheet=_("Retained savings")
        )
    for c in table.contracts:
        c.source_label = selectors.PRICE_SOURCES[c.price_source]
    return render(
        request,
        "supervision/retained_savings.html",
        {
            "table": table,
            "totals": table.totals,
            "year": year,
            "district": params.get("district", ""),
            "hospital": params.get("hospital", ""),
        },
    )
