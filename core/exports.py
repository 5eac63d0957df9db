"""Excel export for every list page: streaming-friendly (openpyxl write-only) and safe.

A cell that starts with = + - @ (or a tab / carriage return) would be run as a formula by Excel
or WPS when the file is opened (CSV/formula injection, OWASP); such text gets a leading
apostrophe-like quote so it stays text. Numbers and dates are written as real cells, amounts as
numbers with two decimals, so finance staff can sum them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column widths are fitted to the header and the first rows (a write-only sheet must be given
# its widths before the first row is written), within these bounds, in Excel's character units.
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH = 6
MAX_WIDTH = 50
# Characters Excel forbids in a sheet name.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


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


def _shown(value) -> str:
    """The text a cell shows, roughly, to size its column."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return "0000-00-00 00:00"
    if isinstance(value, dt.date):
        return "0000-00-00"
    return str(value)


def text_width(text: str) -> int:
    """Width in Excel character units: a Chinese (wide) character takes two."""
    longest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        longest = max(longest, width)
    return longest


def column_widths(headers: Sequence[str], sample: Sequence[Sequence]) -> list[int]:
    widths = [text_width(str(h)) for h in headers]
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], text_width(_shown(value)))
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widths]


def sheet_name(title: str) -> str:
    name = str(title).translate(_SHEET_FORBIDDEN).strip(" '")[:31]
    return name or "Sheet1"


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], sheet_title: str = "Sheet1"):
    """One named sheet: the header row frozen, columns as wide as their content (bounded)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_name(sheet_title))
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    for index, width in enumerate(column_widths(headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, str(h)) for h in headers])
    for row in itertools.chain(sample, rows):
        sheet.append([_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence], *, sheet: str
) -> HttpResponse:
    """An XLSX download whose one sheet is named ``sheet`` (the list's title, translated).
    Datetimes should already be local (core.clock.to_local)."""
    response = HttpResponse(xlsx_bytes(headers, rows, sheet), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
