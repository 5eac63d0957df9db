"""The five rates' XLSX report [R-FIVE-RATES]: a sheet per slice kind, one row per slice, each
rate by amount and by count with its numerator and denominator; a rate below the region's
threshold is filled red and named in the last column."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core.exports import XLSX_TYPE, attachment, safe_text, sheet_name
from supervision.choices import Rate, SliceKind
from supervision.selectors import five_rates as selectors
from supervision.selectors.five_rates import SliceRates

BELOW_FILL = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
BELOW_FONT = Font(color="9C0006")
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


def five_rates_xlsx(month: dt.date, tables: dict[str, list[SliceRates]]) -> bytes:
    """The month's report: one sheet per slice kind (region, district, hospital, supplier,
    product category)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    headers = _headers()
    for kind in SliceKind:
        sheet = workbook.create_sheet(sheet_name(f"{month:%Y-%m} {kind.label}"))
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "C2"
        for item in tables.get(kind, []):
            row: list[object] = [safe_text(item.key), safe_text(item.label)]
            below_columns = []
            for figures in item.figures():
                start = len(row) + 1
                row += [
                    figures.amount_rate,
                    figures.amount_numerator,
                    figures.amount_denominator,
                    figures.count_rate,
                    figures.count_numerator,
                    figures.count_denominator,
                    figures.threshold,
                ]
                if figures.amount_below:
                    below_columns.append(start)
                if figures.count_below:
                    below_columns.append(start + 3)
            row.append("、".join(str(Rate(r).label) for r in item.below))
            sheet.append(row)
            line = sheet.max_row
            for index in range(3, len(row), 7):
                for offset, fmt in enumerate([PERCENT, MONEY, MONEY, PERCENT, "0", "0", PERCENT]):
                    sheet.cell(row=line, column=index + offset).number_format = fmt
            for column in below_columns:
                cell = sheet.cell(row=line, column=column)
                cell.fill = BELOW_FILL
                cell.font = BELOW_FONT
        sheet.column_dimensions["B"].width = 30
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
