"""Excel export for every list page: streaming-friendly (openpyxl write-only) and safe.

A cell that starts with = + - @ (or a tab / carriage return) would be run as a formula by Excel
or WPS when the file is opened (CSV/formula injection, OWASP); such text gets a leading
apostrophe-like quote so it stays text. Numbers and dates are written as real cells, amounts as
numbers with two decimals, so finance staff can sum them.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core.errors import DomainError

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
    """The value to append: a plain value where no format is needed (openpyxl then reuses one
    cell object for the row, the fast path), a formatted cell for money and dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return safe_text(str(value))


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


class ExportTooLargeError(DomainError):
    """More rows than the export may hold; the message says the limit and why."""

    code = "export_too_large"
    http_status = 400
    message_template = _(
        "This export has more than %(limit)s rows, the most it holds (%(reason)s). Narrow the "
        "filters and export again."
    )


# The most data rows an Excel sheet holds (1,048,576 rows with the header): the limit of the
# exports prepared in the background.
EXCEL_MAX_ROWS = 1_048_575
EXCEL_LIMIT_REASON = _("an Excel sheet holds no more")
# The exports built while the request waits are kept small: a request must answer within
# seconds, and a bigger file is prepared in the background instead (core.export_jobs).
SYNC_MAX_ROWS = 10_000
SYNC_LIMIT_REASON = _("it is built while you wait")


def write_xlsx(
    target: Any,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    sheet_title: str = "Sheet1",
    *,
    limit: int | None = None,
    limit_reason: Any = "",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> int:
    """Write one named sheet to ``target`` (a path or a binary file): the header row frozen,
    columns as wide as their content (bounded). Write-only (openpyxl streams the rows to a
    temporary file), so memory stays flat whatever the row count. Returns the rows written;
    more than ``limit`` raises ExportTooLargeError; ``progress(rows)`` is called every
    ``progress_every`` rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_name(sheet_title))
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    for index, width in enumerate(column_widths(headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, str(h)) for h in headers])
    written = 0
    try:
        for row in itertools.chain(sample, rows):
            if limit is not None and written >= limit:
                raise ExportTooLargeError(limit=f"{limit:,}", reason=str(limit_reason))
            sheet.append([_cell(sheet, value) for value in row])
            written += 1
            if progress is not None and written % progress_every == 0:
                progress(written)
    except BaseException:
        _discard(sheet)
        raise
    workbook.save(target)
    return written


def _discard(sheet) -> None:
    """An abandoned write-only sheet: close its row writer and delete the temporary file it
    streamed the rows to (openpyxl removes it only on save, or at exit)."""
    with suppress(Exception):
        sheet.close()
    with suppress(Exception):
        sheet._writer.cleanup()


def xlsx_bytes(
    headers: Sequence[str],
    rows: Iterable[Sequence],
    sheet_title: str = "Sheet1",
    *,
    limit: int | None = None,
    limit_reason: Any = "",
) -> bytes:
    """One named sheet, as bytes (see write_xlsx)."""
    buffer = BytesIO()
    write_xlsx(buffer, headers, rows, sheet_title, limit=limit, limit_reason=limit_reason)
    return buffer.getvalue()


def xlsx_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet: str,
    limit: int | None = None,
) -> HttpResponse:
    """An XLSX download whose one sheet is named ``sheet`` (the list's title, translated),
    built in the request: at most ``limit`` rows (SYNC_MAX_ROWS unless the caller states its
    own), more is a 400 export_too_large. Datetimes should already be local
    (core.clock.to_local)."""
    limit = SYNC_MAX_ROWS if limit is None else limit
    content = xlsx_bytes(headers, rows, sheet, limit=limit, limit_reason=SYNC_LIMIT_REASON)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment(filename)
    return response


CSV_TYPE = "text/csv; charset=utf-8"


class _Echo:
    """A file-like object whose ``write`` hands the line back (csv.writer into a stream)."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_text(str(value))


def csv_streaming_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A CSV download streamed row by row (memory stays flat): UTF-8 with a byte-order mark,
    so Excel and WPS open the Chinese text right; text that would run as a formula is quoted
    as in the XLSX exports. The caller caps the row count before (a stream cannot turn into
    an error once it has started)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([safe_text(str(h)) for h in headers])
        for row in rows:
            yield writer.writerow([_csv_value(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_TYPE)
    response["Content-Disposition"] = attachment(filename)
    return response


def attachment(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


# --- The exports prepared in the background (core.export_jobs) -------------------------------


@dataclass(frozen=True)
class ExportRows:
    """What an export writes: its headers, a count of the rows (for the progress bar and the
    limit, taken before writing) and the rows, read lazily."""

    headers: Sequence[Any]
    count: Callable[[], int]
    rows: Iterable[Sequence]


@dataclass(frozen=True)
class ExportDefinition:
    """A list page's export: ``filters(actor, params)`` turns the list's query string into the
    JSON-able filters stored on the job (a bad value raises core.errors.ValidationError, a
    4xx); ``rows(actor, filters)`` reads the same rows as the list, through the list's
    selector, scoped to the actor."""

    kind: str
    title: Any  # the sheet's name and the job's label, translated when shown
    filename: str
    permission: str
    list_url: str  # the list page's URL name, to go back to it with the same filters
    filters: Callable[[Any, Mapping[str, str]], dict[str, Any]]
    rows: Callable[[Any, dict[str, Any]], ExportRows]
    # The query-string names ``filters`` reads; the API refuses any other (a typo would
    # otherwise export the unfiltered list).
    filter_names: tuple[str, ...] = ()
    limit: int = EXCEL_MAX_ROWS
    limit_reason: Any = EXCEL_LIMIT_REASON


EXPORTS: dict[str, ExportDefinition] = {}


def register(definition: ExportDefinition) -> ExportDefinition:
    """Apps register their background exports in AppConfig.ready (core imports no app)."""
    EXPORTS[definition.kind] = definition
    return definition


def export_response(actor: Any, definition: ExportDefinition, params: Mapping[str, str]):
    """A background export's rows written in the request (``?export=xlsx`` of its list page),
    up to SYNC_MAX_ROWS: the same filters and rows as the job (core.export_jobs)."""
    data = definition.rows(actor, definition.filters(actor, params))
    return xlsx_response(
        definition.filename,
        [str(h) for h in data.headers],
        data.rows,
        sheet=str(definition.title),
    )
