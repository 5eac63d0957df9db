"""The five rates' XLSX report [R-FIVE-RATES]: a sheet per slice kind, one row per slice, each
rate by amount and by count with its numerator and denominator; a rate below the region's
threshold is filled red and named in the last column."""

from __future__ import annotations

import datetime as dt
from copy import copy
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from core.exports import XLSX_TYPE, attachment, safe_text, sheet_name
from supervision.choices import Rate, SliceKind
from supervision.selectors import five_rates as selectors
from supervision.selectors.five_rates import SliceRates

BELOW_FILL = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
BELOW_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)
PERCENT = "0.00%"
MONEY = "#,##0.00"


def _headers() -> list[str]:
    headers = [_("Key"), _("Slice")]
    for rate in Rate:
        name = str(rate.label)
        headers += [
            _("%(rate)s by amount") % {"rate": name},
            _("%(rate)s: amount on time") % {"rate": name},
            _("%(rate)s: amount") % {"rate": name},
            _("%(rate)s by count") % {"rate": name},
            _("%(rate)s: count on time") % {"rate": name},
            _("%(rate)s: count") % {"rate": name},
            _("%(rate)s: threshold") % {"rate": name},
        ]
    headers.append(_("Below threshold"))
    return headers


class _Styles:
    """One prototype cell per style of a sheet (percent, money, below threshold): a cell takes
    its prototype's style array, instead of looking up each style part per cell."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.prototypes: dict[tuple[str, bool], WriteOnlyCell] = {}

    def cell(self, value: object, fmt: str, below: bool = False) -> WriteOnlyCell:
        prototype = self.prototypes.get((fmt, below))
        if prototype is None:
            prototype = WriteOnlyCell(self.sheet)
            prototype.number_format = fmt
            if below:
                prototype.fill = BELOW_FILL
                prototype.font = BELOW_FONT
            self.prototypes[fmt, below] = prototype
        written = WriteOnlyCell(self.sheet, value=value)
        written._style = copy(prototype._style)
        return written


def five_rates_xlsx(month: dt.date, tables: dict[str, list[SliceRates]]) -> bytes:
    """The month's report: one sheet per slice kind (region, district, hospital, supplier,
    product category). A write-only workbook (rows streamed, not kept as cell objects): the
    report of 10,000,000 order lines has some 250,000 cells."""
    workbook = Workbook(write_only=True)
    headers = _headers()
    labels = {rate.value: str(rate.label) for rate in Rate}
    for kind in SliceKind:
        sheet = workbook.create_sheet(sheet_name(f"{month:%Y-%m} {kind.label}"))
        sheet.freeze_panes = "C2"
        sheet.column_dimensions["B"].width = 30
        styles = _Styles(sheet)

        header_row = []
        for header in headers:
            written = WriteOnlyCell(sheet, value=header)
            written.font = HEADER_FONT
            header_row.append(written)
        sheet.append(header_row)
        for item in tables.get(kind, []):
            row: list[object] = [safe_text(item.key), safe_text(item.label)]
            for figures in item.figures():
                row += [
                    styles.cell(figures.amount_rate, PERCENT, figures.amount_below),
                    styles.cell(figures.amount_numerator, MONEY),
                    styles.cell(figures.amount_denominator, MONEY),
                    styles.cell(figures.count_rate, PERCENT, figures.count_below),
                    figures.count_numerator,
                    figures.count_denominator,
                    styles.cell(figures.threshold, PERCENT),
                ]
            row.append("、".join(labels[r] for r in item.below))
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def five_rates_report_response(actor, month_value: object) -> HttpResponse:
    """The download of a frozen month's report under the actor's jurisdiction, shared by the
    page and the API (the stored platform-wide report is the freezing run's own copy)."""
    month = selectors.parse_month(month_value)
    snapshot, figures = selectors.five_rates_snapshot_figures(actor=actor, month=month)
    org = actor.organization
    tables = selectors.five_rates_report_tables(
        figures=figures, policy_region=org.region_code if org is not None else ""
    )
    response = HttpResponse(five_rates_xlsx(snapshot.month, tables), content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment(f"five-rates-{snapshot.month:%Y-%m}.xlsx")
    return response
