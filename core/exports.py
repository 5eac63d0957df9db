"""Excel export for every list page: streaming-friendly (openpyxl write-only) and safe.

A cell that starts with = + - @ (or a tab / carriage return) would be run as a formula by Excel
or WPS when the file is opened (CSV/formula injection, OWASP); such text gets a leading
apostrophe-like quote so it stays text. Numbers and dates are written as real cells, amounts as
numbers with two decimals, so finance staff can sum them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS_PREFIXES) else value


def _cell(sheet, value):
    if value is None:
        return WriteOnlyCell(sheet, value="")
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value="是" if value else "否")
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, (int, float)):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return WriteOnlyCell(sheet, value=safe_text(str(value)))


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], sheet_title: str = "Sheet1"):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([_cell(sheet, str(h)) for h in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """An XLSX download. Datetimes should already be local (core.clock.to_local)."""
    response = HttpResponse(xlsx_bytes(headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
