"""Bulk imports: the national code database export and the NMPA UDI database export.

File layouts, validation rules and the rejection report are documented in
docs/catalog-import.md; this module is the one implementation of them.

How an import runs, and why:

1. The file is opened and its header checked before anything touches the database, so a wrong
   header or an empty file changes nothing (``ImportFileInvalidError``).
2. Rows are streamed (``csv.reader`` over a decoding wrapper, or openpyxl's read-only
   ``iter_rows``), validated one by one and written with COPY into a TEMP staging table. Nothing
   per row is kept in Python: rejected rows go straight to the report file (only the first
   ``KEEP_REJECTIONS`` stay in memory for the caller), so memory does not grow with the file.
   COPY runs in batches so that the ``progress`` callback can run between them, on the same
   connection: outside a transaction each batch commits, so an ImportJob's ``rows_done`` written
   by the callback is visible to the progress page while the import runs.
3. One transaction then does everything set-based: duplicate codes in the file are found and
   rejected, and unless ``partial`` any rejection refuses the whole file; otherwise the
   categories are added and ONE ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... IS DISTINCT
   FROM`` writes the rows. Rows that did not change are not touched (``updated_at`` keeps its
   value), which is also what makes a re-import a no-op. ``RETURNING (xmax = 0)`` tells inserted
   from updated rows.

Services take the actor like every other service; ``actor=None`` is a trusted operator at the
command line (``manage.py import_catalog``), a user needs the "catalog.import" permission.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import operator
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from biip.checksums import gs1_standard_check_digit
from django.db import connection, transaction

from accounts.models import User
from catalog.barcodes import parse_barcode
from catalog.choices import ConsumableStatus, ImportKind, IssuingAgency
from catalog.codes import (
    BASE_LENGTH,
    FULL_CODE_RE,
    FULL_LENGTH,
    LEVEL1_CATEGORIES,
    LEVEL1_CODES,
    normalize_nhsa_code,
    parse_nhsa_code,
)
from catalog.errors import (
    BarcodeInvalidError,
    ImportFileInvalidError,
    ImportRowInvalidError,
    NhsaCodeInvalidError,
    RegistrationNumberInvalidError,
)
from catalog.models import (
    Category,
    Consumable,
    ConsumableCodeAlias,
    CrosswalkConflict,
    DeviceIdentifier,
)
from catalog.registration import parse_registration_number
from core.clock import local_today
from core.permissions import require

Progress = Callable[[int], None]

# "noqa: S608" below: SQL text here is assembled only from module constants (table and column
# names); values always travel as parameters.

# Rows per COPY statement: the progress callback runs between two batches.
COPY_BATCH = 10_000
# Rejections kept in memory for the caller (all of them are in the report file).
KEEP_REJECTIONS = 1_000
# Bounds of the per-import caches (registration numbers, name bigrams, category paths): real
# exports repeat these values across the specifications of one product, and a bound keeps a
# file of all-distinct values from growing memory.
CACHE_LIMIT = 50_000
# The bigram cache holds a frozenset per text (about 2 KB): a smaller bound.
BIGRAM_CACHE_LIMIT = 20_000
# Bytes read to detect the encoding of a CSV file.
ENCODING_SAMPLE = 1 << 20
# A CSV line longer than this (bytes; a catalogue row has a few hundred) is not an export: the
# file is refused before csv.reader would read the whole line into memory. Checked per block
# of this size, so lines up to twice as long may pass.
MAX_LINE_BYTES = 1 << 20

REPORT_HEADER = ("row", "column", "value", "code", "reason", "message")


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str  # the header as written in the file ("" when the whole row is at fault)
    value: str
    code: str  # the error's stable code, e.g. "nhsa_code_invalid"
    reason: str  # the error's stable reason, e.g. "bad_length"
    message: str  # translated, names the value and what is wrong


@dataclass
class ImportResult:
    kind: str  # ImportKind
    file_format: str  # "csv" or "xlsx"
    encoding: str  # "utf-8", "utf-8-bom", "gbk", "gb18030"; xlsx is always "utf-8"
    rows: int = 0  # data rows read (blank rows are skipped)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    conflicts: int = 0  # UDI: DIs already linked to another national code (kept as they are)
    unlinked: int = 0  # UDI: DIs whose national code is not (yet) in the catalogue
    layout: str = ""  # national code database: "export" or "release" (CATALOG_LAYOUTS)
    aliases: int = 0  # release: previous codes (原27位码) recorded or changed
    retired: int = 0  # release: products whose code the release retired (原码状态 停用)
    refused: bool = False  # all-or-nothing and something was rejected: nothing was written
    report_path: Path | None = None  # written only when something was rejected
    rejections: list[Rejection] = field(default_factory=list)  # the first KEEP_REJECTIONS

    @property
    def committed(self) -> bool:
        return not self.refused


# --- File layouts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the canonical (documented) header
    aliases: tuple[str, ...] = ()
    required: bool = True  # the column must be in the header (its cells may still be empty)


CATALOG_COLUMNS: tuple[Column, ...] = (
    Column("code", "医用耗材代码", ("医保医用耗材代码", "耗材代码", "code", "nhsa_code")),
    # The national export names this column either way, depending on the release.
    Column(
        "registration_number",
        "注册证编号",
        ("注册备案证号", "注册/备案证号", "registration_number"),
    ),
    Column("registered_name", "注册备案产品名称", ("注册/备案产品名称", "registered_name")),
    Column("registrant", "注册/备案人", ("注册备案人", "注册人", "registrant")),
    Column("category", "耗材分类", ("category",), required=False),
    Column("product_name", "单件产品名称", ("product_name",)),
    Column("company_name", "耗材企业", ("company_name",)),
    Column("specification", "规格", ("specification",)),
    Column("model", "型号", ("model",)),
    Column("spec_serial", "规格型号编号", ("spec_serial",), required=False),
    Column("udi_di", "UDI-DI", ("udi_di", "UDIDI"), required=False),
    Column("generic_name", "通用名", ("generic_name",), required=False),
    Column("material", "材质", ("material",), required=False),
    Column("unit", "单位", ("unit",), required=False),
    Column("high_value", "高值", ("是否高值", "high_value", "is_high_value"), required=False),
)

# The national release as the NHSA publishes it (医保医用耗材分类与代码数据库, one file per
# level-1 category, "全量规格型号信息"). Its category, generic-name, material and feature
# cells carry the code's segment number and its name ("11-接骨板", "02-纯钛"). It has no
# registrant; some releases add 注册备案产品名称 and 注册备案人, read when present.
RELEASE_COLUMNS: tuple[Column, ...] = (
    Column("goods_id", "GOODS_ID", required=False),
    Column("udi", "UDI", required=False),
    Column("previous_code", "原27位码", required=False),
    Column("previous_status", "原码状态", required=False),
    Column("code", "27位码"),
    Column("change_type", "类型", required=False),
    Column("base_code", "20位码", required=False),
    Column("level1", "一级分类", ("一级分类(学科、品类)",), required=False),
    Column("level2", "二级分类", ("二级分类(用途、品目)",), required=False),
    Column("level3", "三级分类", ("三级分类(部位、功能、品种)",), required=False),
    Column("generic_group", "医保通用名分类", required=False),
    Column("material", "材质", ("耗材材质",), required=False),
    Column("feature", "特征", required=False),
    Column("registration_number", "注册备案号", ("注册证编号", "注册备案证号", "注册/备案证号")),
    Column("registered_name", "注册备案产品名称", ("注册/备案产品名称",), required=False),
    Column("registrant", "注册备案人", ("注册/备案人", "注册人"), required=False),
    Column("product_name", "单件产品名称"),
    Column("company_name", "耗材企业"),
    Column("spec_count", "规格型号数", required=False),
    Column("specification", "规格"),
    Column("model", "型号"),
    Column("generic_name_code", "医保通用名编号", required=False),
    Column("generic_name", "医保通用名", required=False),
)

# The NMPA UDI database names its fields in pinyin initials in its downloads (zxxsdycpbs =
# 最小销售单元产品标识, ...); those names are accepted as aliases.
UDI_COLUMNS: tuple[Column, ...] = (
    Column("di", "最小销售单元产品标识", ("产品标识", "UDI-DI", "DI", "zxxsdycpbs")),
    Column(
        "agency",
        "发码机构",
        ("产品标识编码体系名称", "编码体系", "agency", "cpbsbmtxmc"),
        required=False,
    ),
    Column("nhsa_code", "医保编码", ("ybbm", "医保医用耗材代码", "nhsa_code")),
    Column(
        "registration_number",
        "注册证编号",
        ("注册备案证号", "注册证编号或者备案凭证编号", "registration_number", "zczbhhzbapzbh"),
    ),
    Column("product_name", "产品名称", ("产品名称/通用名称", "product_name", "cpmctymc")),
    Column("specification", "规格型号", ("specification", "ggxh")),
    Column(
        "company_name",
        "注册人名称",
        ("注册/备案人", "医疗器械注册人/备案人名称", "company_name", "ylqxzcrbarmc"),
    ),
    Column(
        "packaging_level", "包装层级", ("产品包装级别", "packaging_level", "cpbzjb"), required=False
    ),
    Column(
        "packaging_quantity",
        "包装内含数量",
        ("包装内含下一级产品标识数量", "packaging_quantity", "bznhxyjcpbssl"),
        required=False,
    ),
)


def _header_key(text: Any) -> str:
    """Compare headers leniently: full-width forms, spaces, case and a BOM do not matter."""
    text = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "")
    return "".join(text.split()).casefold()


def _max_length(model: Any, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- Opening a file ----------------------------------------------------------------------------


@dataclass
class _Source:
    name: str
    file_format: str
    encoding: str
    header_row: int
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number, cells), blank rows included


_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@contextmanager
def _open_source(path: Path) -> Iterator[_Source]:
    """Open a CSV or XLSX file and read its header row, or raise ImportFileInvalidError."""
    name = path.name
    if not path.is_file():
        raise ImportFileInvalidError("not_found", value=str(path))
    with path.open("rb") as raw:
        magic = raw.read(8)
        raw.seek(0)
        if magic.startswith(_XLSX_MAGIC):
            records, file_format, encoding, closer = _xlsx_records(raw, name)
        elif magic.startswith(_OLE_MAGIC) or path.suffix.lower() in (".xls", ".xlsx"):
            raise ImportFileInvalidError("unknown_format", value=name)
        else:
            records, file_format, encoding, closer = _csv_records(raw, name)
        try:
            header_row, header = _first_record(records, name)
            yield _Source(
                name=name,
                file_format=file_format,
                encoding=encoding,
                header_row=header_row,
                header=header,
                rows=records,
            )
        finally:
            closer()


def _first_record(records: Iterator[tuple[int, list[str]]], name: str) -> tuple[int, list[str]]:
    for row_no, cells in records:
        if any(cell.strip() for cell in cells):
            return row_no, [cell.strip() for cell in cells]
    raise ImportFileInvalidError("empty", value=name)


def _detect_encoding(raw: Any, sample: bytes, *, complete: bool, name: str) -> tuple[str, str]:
    """(label, codec) of a CSV file from its first bytes.

    A BOM decides; otherwise strict UTF-8 is tried first (GBK text is practically never valid
    UTF-8), then GBK and GB18030. GB18030 decodes every GBK byte sequence to the same text
    (checked for all two-byte sequences), so both are read with the gb18030 codec, which also
    accepts the four-byte sequences a "GBK" export may contain further down; the label says
    which one the sample showed.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-bom", "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileInvalidError("bad_encoding", value=name, encoding="UTF-16", line=1)
    for label, codec in (("utf-8", "utf-8"), ("gbk", "gbk"), ("gb18030", "gb18030")):
        try:
            # final=False: the sample may end in the middle of a character.
            codecs.getincrementaldecoder(codec)().decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return label, ("utf-8" if label == "utf-8" else "gb18030")
    # Name the encoding that reads furthest: a UTF-8 file with one stray Latin-1 byte is
    # reported at that byte's line, not at line 1 where GB18030 gives up.
    line, encoding = max(
        (_undecodable_line(raw, "utf-8"), "UTF-8"), (_undecodable_line(raw, "gb18030"), "GB18030")
    )
    raise ImportFileInvalidError("bad_encoding", value=name, encoding=encoding, line=line)


def _undecodable_line(raw: Any, codec: str) -> int:
    """The first line of the file that ``codec`` cannot decode (the error path only: the
    decoder reports no position in the file, and a row number would be off by the read-ahead).
    A newline byte never occurs inside a UTF-8 or GB18030 character, so lines decode alone."""
    raw.seek(0)
    decoder = codecs.getincrementaldecoder(codec)()
    number = 0
    for number, line in enumerate(raw, start=1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError:
            return number
    return number + 1  # a character cut off by the end of the file


def _csv_records(raw: Any, name: str):
    sample = raw.read(ENCODING_SAMPLE)
    if b"\x00" in sample:
        # NUL bytes: a binary file (or UTF-16 without BOM), not a CSV export.
        raise ImportFileInvalidError("unknown_format", value=name)
    label, codec = _detect_encoding(raw, sample, complete=len(sample) < ENCODING_SAMPLE, name=name)
    ends_mid_line = _scan_lines(raw, name)
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding=codec, errors="strict", newline="")
    # strict: a quoted value still open at the end of the file (a file cut inside it) and a
    # stray character after a closing quote are errors instead of silently read text.
    reader = csv.reader(text, strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        row_no = 1
        line = 0  # the physical lines read up to the end of the previous row
        width = 0  # the header's cell count, once the header row has gone by
        cells: list[str] = []
        count = 0
        try:
            for cells in reader:
                count = len(cells)
                if not width and any(cell.strip() for cell in cells):
                    width = count
                yield row_no, cells
                line = reader.line_num
                row_no += 1
        except UnicodeDecodeError:
            raise ImportFileInvalidError(
                "bad_encoding", value=name, encoding=label, line=_undecodable_line(raw, codec)
            ) from None
        except csv.Error as exc:
            if str(exc) == "unexpected end of data":
                # The file ends inside a quoted value: it was cut off there (or a quote was
                # never closed, which reads the same way).
                raise ImportFileInvalidError(
                    "cut_in_quote", value=name, row=row_no, line=line + 1
                ) from None
            raise ImportFileInvalidError(
                "unreadable", value=name, detail=f"row {row_no} (line {line + 1}): {exc}"
            ) from None
        # The last row without its line break and with fewer cells than the header: the file
        # was cut in the middle of it. (Its cells are checked as read: a loader may have
        # padded the list since.)
        if ends_mid_line and count < width and any(cell.strip() for cell in cells[:count]):
            raise ImportFileInvalidError(
                "cut_mid_row",
                value=name,
                row=row_no - 1,
                line=reader.line_num,
                count=count,
                width=width,
            )

    return records(), "csv", label, text.detach


def _scan_lines(raw: Any, name: str) -> bool:
    """Refuse a line over MAX_LINE_BYTES (with its line number); return whether the file's
    last byte is not a line break. One binary pass (memchr-fast, about 0.1 s per 100 MB)."""
    raw.seek(0)
    lines = 0
    last = b""
    while block := raw.read(MAX_LINE_BYTES):
        if len(block) == MAX_LINE_BYTES and b"\n" not in block and b"\r" not in block:
            # A whole block inside one line.
            raise ImportFileInvalidError(
                "line_too_long", value=name, line=lines + 1, limit=MAX_LINE_BYTES
            )
        lines += block.count(b"\n")
        last = block
    return bool(last) and last[-1:] not in (b"\n", b"\r")


def _xlsx_records(raw: Any, name: str):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(raw, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileInvalidError("unreadable", value=name, detail=str(exc)) from None
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileInvalidError("empty", value=name)
    sheet = workbook.worksheets[0]

    def records() -> Iterator[tuple[int, list[str]]]:
        row_no = 0
        try:
            for row_no, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield row_no, [_cell_text(value) for value in values]
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, SyntaxError) as exc:
            # A damaged or cut-off workbook fails while its sheet is read (XML parse errors
            # are SyntaxError subclasses; a cut zip member raises BadZipFile or zlib.error).
            raise ImportFileInvalidError(
                "unreadable", value=name, detail=f"row {row_no + 1}: {exc}"
            ) from None

    return records(), "xlsx", "utf-8", workbook.close


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would carry."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _map_header(source: _Source, columns: Sequence[Column]) -> dict[str, int]:
    """Column key -> index in the file's rows; raise naming every missing required column."""
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_name[_header_key(name)] = column
    mapping: dict[str, int] = {}
    for index, header in enumerate(source.header):
        found = by_name.get(_header_key(header))
        if found is None:
            continue  # extra columns are allowed and ignored
        column = found
        if column.key in mapping:
            raise ImportFileInvalidError(
                "duplicate_columns",
                value=source.name,
                column=f"{source.header[mapping[column.key]]} / {header}",
            )
        mapping[column.key] = index
    missing = [c.header for c in columns if c.required and c.key not in mapping]
    if missing:
        raise ImportFileInvalidError(
            "missing_columns",
            value=source.name,
            columns=", ".join(missing),
            header=", ".join(h for h in source.header if h),
        )
    return mapping


@dataclass(frozen=True)
class Layout:
    """One file layout of an import: its columns and the loader that reads its rows."""

    name: str  # ImportResult.layout
    columns: tuple[Column, ...]
    build: Callable[[_Source, dict[str, int]], _Loader]
    signature: str = "code"  # the key of the column whose header identifies the layout


def _choose_layout(source: _Source, layouts: Sequence[Layout]) -> Layout:
    """The first layout whose signature column is in the header; else the first layout,
    whose missing columns the error then names."""
    found = {_header_key(header) for header in source.header}
    for layout in layouts:
        column = next(c for c in layout.columns if c.key == layout.signature)
        if any(_header_key(name) in found for name in (column.header, *column.aliases)):
            return layout
    return layouts[0]


# --- Rejections --------------------------------------------------------------------------------


class _Rejected(Exception):
    """A row parser rejects its row: caught by the COPY loop, never leaves this module."""

    def __init__(self, column: str, error: Any) -> None:
        self.column = column
        self.error = error


class _Report:
    """Streams rejections to a CSV file (opened on the first one); keeps the first few."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.kept: list[Rejection] = []
        self._handle: Any = None
        self._writer: Any = None

    def add(self, row: int, column: str, error: Any) -> None:
        extra = getattr(error, "extra", {})
        rejection = Rejection(
            row=row,
            column=column,
            value=str(extra.get("value", "")),
            code=getattr(error, "code", "invalid"),
            reason=str(extra.get("reason", "")),
            message=str(getattr(error, "message", error)),
        )
        self.count += 1
        if len(self.kept) < KEEP_REJECTIONS:
            self.kept.append(rejection)
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # utf-8-sig: Excel, the tool people open this with, needs the BOM to show Chinese.
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(REPORT_HEADER)
        self._writer.writerow(
            (
                rejection.row,
                rejection.column,
                rejection.value,
                rejection.code,
                rejection.reason,
                rejection.message,
            )
        )

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def default_report_path(path: Path) -> Path:
    """Where the rejection report goes unless told: next to the input, ``<name>.rejected.csv``."""
    return path.with_name(f"{path.stem}.rejected.csv")


# --- Row validation helpers --------------------------------------------------------------------

_BOOLEANS = {
    "": False,
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "true": True,
    "false": False,
}


class _Registrations:
    """parse_registration_number with a bounded cache: the specifications of one product share
    one certificate, so a release has far fewer numbers than rows."""

    def __init__(self) -> None:
        self.today = local_today()
        self.cache: dict[str, Any] = {}

    def get(self, raw: str) -> str:
        """The normalised number, or raise RegistrationNumberInvalidError."""
        result = self.cache.get(raw)
        if result is None:
            try:
                result = parse_registration_number(raw, today=self.today).value
            except RegistrationNumberInvalidError as exc:
                result = exc
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            self.cache[raw] = result
        if isinstance(result, RegistrationNumberInvalidError):
            # Drop the traceback of the previous raise: re-raising the cached error would
            # otherwise grow its traceback row after row.
            raise result.with_traceback(None)
        return result


class _SearchTerms:
    """``catalog.search.consumable_search_terms`` as the space-joined text COPY carries.

    Same definition (white space removed, case-folded, single characters and character bigrams
    of each field, sorted by code point), computed faster: each field's terms are cached (names
    repeat across a
    product's specifications), and the sorted list is joined with spaces, which cannot occur
    in a term because white space is removed first; SQL splits it with string_to_array.
    A test checks equality with consumable_search_terms.
    """

    def __init__(self) -> None:
        self.cache: dict[str, frozenset[str]] = {}

    def __call__(self, texts: Sequence[str]) -> str:
        cache = self.cache
        terms: set[str] = set()
        for text in texts:
            grams = cache.get(text)
            if grams is None:
                # "".join(text.split()) removes exactly what search.normalise's \s+ removes.
                folded = "".join(text.split()).casefold()
                grams = frozenset(folded) | frozenset(map(operator.add, folded, folded[1:]))
                if len(cache) >= BIGRAM_CACHE_LIMIT:
                    cache.clear()
                cache[text] = grams
            terms |= grams
        return " ".join(sorted(terms))


_CATEGORY_PART = re.compile(r"^\s*([0-9]{2,6})\s*[-_:：、.\s]\s*(.+?)\s*$")
_CATEGORY_SPLIT = re.compile(r"[/／>＞|｜\\]")


@dataclass(frozen=True)
class _CategoryPart:
    level: int  # 1, 2 or 3
    number: str  # as written: local ("11") or cumulative ("0311")
    name: str
    text: str  # the part as written, for the rejection report


def _category_parts(text: str) -> list[_CategoryPart]:
    """The parts of an 耗材分类 path that name a category, such as
    "03-骨科材料/11-接骨板/16-小儿接骨板" (each level numbered locally, as real files write it)
    or "03-骨科材料/0311-接骨板/031116-小儿接骨板" (cumulative codes). A cumulative number
    gives its level by its length; a 2-digit number is the level of its place in the path (the
    first part level 1, the second level 2, the third level 3). Leniently: any separator of
    / > | \\, and parts that do not look like "<number>-<name>" are skipped."""
    parts = []
    for place, part in enumerate(_CATEGORY_SPLIT.split(text), start=1):
        match = _CATEGORY_PART.match(part)
        if not match:
            continue
        number, name = match.groups()
        if len(number) in (4, 6):
            level = len(number) // 2
        elif len(number) == 2 and place <= 3:
            level = place
        else:
            continue
        parts.append(_CategoryPart(level=level, number=number, name=name, text=part.strip()))
    return parts


def _category_segment(code: str, level: int, number: str) -> tuple[str, str]:
    """(what ``number`` must equal, the cumulative category code) for a category of ``level``
    of the national ``code``: a local number is compared with that level's two digits, a
    cumulative one with the code's digits up to that level."""
    cumulative = code[1 : 1 + 2 * level]
    return (cumulative[-2:] if len(number) == 2 else cumulative), cumulative


# --- Shared import machinery -------------------------------------------------------------------


def _stream_into_staging(
    *,
    cursor: Any,
    source: _Source,
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    parse_row: Callable[[int, list[str]], tuple | None],
    report: _Report,
    progress: Progress | None,
) -> int:
    """Validate every row and COPY the valid ones into ``table``; return the rows read."""
    copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    rows_iter = source.rows
    rows_read = 0
    finished = False
    failure: ImportFileInvalidError | None = None
    while not finished:
        finished = True
        # psycopg's default writer: its threaded QueuedLibpqWriter measured no faster here (the
        # parsing thread, the writer thread and the server's COPY compete for the same cores).
        with cursor.copy(copy_sql) as copy:
            copy.set_types(types)
            write_row = copy.write_row
            try:
                for row_no, cells in itertools.islice(rows_iter, COPY_BATCH):
                    finished = False
                    try:
                        values = parse_row(row_no, cells)
                    except _Rejected as rejected:
                        rows_read += 1
                        report.add(row_no, rejected.column, rejected.error)
                        continue
                    if values is None:  # a blank row
                        continue
                    rows_read += 1
                    write_row(values)
            except ImportFileInvalidError as exc:
                # The file turned out unusable further down (cut off, undecodable): end this
                # COPY cleanly, so that a caller's transaction is not left aborted, then
                # refuse the file. The staging rows are dropped with their table.
                failure = exc
        if failure is not None:
            raise failure
        if progress is not None:
            progress(rows_read)
    return rows_read


@contextmanager
def _staging(cursor: Any, table: str, ddl: str) -> Iterator[None]:
    # TEMP: private to this connection, never WAL-logged, gone if the process dies.
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TEMP TABLE {table} ({ddl})")
    try:
        yield
    finally:
        try:
            with transaction.atomic():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
        except Exception:  # noqa: S110 (the connection is broken; the session takes it along)
            pass


def _reject_duplicates(
    cursor: Any, *, table: str, key: str, column: str, reason: str, report: _Report
) -> None:
    """Reject every row whose key already appeared earlier in the file (not last-wins)."""
    cursor.execute(
        f"CREATE TEMP TABLE {table}_dups ON COMMIT DROP AS "  # noqa: S608
        f"SELECT s.row_no, s.{key} AS value, f.first_row FROM {table} s JOIN ("
        f"  SELECT {key}, min(row_no) AS first_row FROM {table} GROUP BY {key} HAVING count(*) > 1"
        f") f ON f.{key} = s.{key} AND s.row_no > f.first_row"
    )
    cursor.execute(f"SELECT count(*) FROM {table}_dups")  # noqa: S608
    if not cursor.fetchone()[0]:
        cursor.execute(f"DROP TABLE {table}_dups")
        return
    cursor.execute(f"DELETE FROM {table} s USING {table}_dups d WHERE s.row_no = d.row_no")  # noqa: S608
    last = 0
    while True:
        # Keyset pages: a file that is all duplicates does not come back in one result.
        cursor.execute(
            f"SELECT row_no, value, first_row FROM {table}_dups WHERE row_no > %s "  # noqa: S608
            "ORDER BY row_no LIMIT 5000",
            [last],
        )
        page = cursor.fetchall()
        if not page:
            break
        for row_no, value, first_row in page:
            report.add(row_no, column, ImportRowInvalidError(reason, value, first_row=first_row))
        last = page[-1][0]
    cursor.execute(f"DROP TABLE {table}_dups")


def _run(
    *,
    kind: str,
    actor: User | None,
    path: Path | str,
    partial: bool,
    report_path: Path | str | None,
    progress: Progress | None,
    layouts: Sequence[Layout],
) -> ImportResult:
    if actor is not None:
        require(actor, "catalog.import")
    path = Path(path)
    report = _Report(Path(report_path) if report_path else default_report_path(path))
    with ExitStack() as stack:
        source = stack.enter_context(_open_source(path))
        layout = _choose_layout(source, layouts)
        loader = layout.build(source, _map_header(source, layout.columns))
        stack.callback(report.close)
        result = ImportResult(
            kind=kind,
            file_format=source.file_format,
            encoding=source.encoding,
            layout=layout.name if len(layouts) > 1 else "",
        )
        connection.ensure_connection()
        with connection.cursor() as cursor:
            stack.enter_context(_staging(cursor, loader.table, loader.ddl))
            result.rows = _stream_into_staging(
                cursor=cursor.cursor,
                source=source,
                table=loader.table,
                columns=loader.columns,
                types=loader.types,
                parse_row=loader.parse_row,
                report=report,
                progress=progress,
            )
            if result.rows == 0:
                raise ImportFileInvalidError("no_rows", value=source.name)
            # All writes in one transaction: with everything set-based it is short, and a
            # failure leaves the catalogue exactly as it was.
            with transaction.atomic(durable=True):
                # The set-based statements hash the staging table against the catalogue; the
                # default 4 MB would spill those joins to disk batch by batch.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                # A killed client is noticed within seconds even mid-statement (PostgreSQL 14+):
                # the abandoned transaction rolls back and frees the job's lock for a rerun.
                cursor.execute("SET LOCAL client_connection_check_interval = '2s'")
                loader.reject_duplicates(cursor, report)
                result.rejected = report.count
                if report.count and not partial:
                    result.refused = True
                else:
                    loader.write(cursor, result)
                    valid = result.rows - result.rejected
                    result.unchanged = valid - result.inserted - result.updated - result.conflicts
    result.rejections = report.kept
    result.report_path = report.path if report.count else None
    return result


class _Loader:
    """What one kind of import adds to the shared machinery."""

    table: str
    ddl: str
    columns: Sequence[str]
    types: Sequence[str]

    def parse_row(self, row_no: int, cells: list[str]) -> tuple | None:
        """The COPY row (row number first) for a valid row, None for a blank one; raises
        _Rejected for an invalid one."""
        raise NotImplementedError

    def reject_duplicates(self, cursor: Any, report: _Report) -> None:
        raise NotImplementedError

    def write(self, cursor: Any, result: ImportResult) -> None:
        raise NotImplementedError


def _prepare_cells(cells: list[str], width: int, *, pad: bool) -> bool:
    """Refuse a row with fewer or more cells than the header; False for a blank row.

    ``pad`` (workbooks): a short row is padded instead, because a spreadsheet does not store
    the empty cells at the end of a row. A CSV row has every separator, so a short one was cut
    off or lost a separator, and reading it padded would blank the values it lacks.

    One empty cell is appended: the index of every optional column missing from the file
    points at it, so the row getter needs no special case.
    """
    n = len(cells)
    if n != width:
        if n < width:
            if not any(cells):
                return False
            if not pad:
                raise _Rejected(
                    "",
                    ImportRowInvalidError(
                        "missing_cells", "|".join(cells)[:200], count=n, width=width
                    ),
                )
            cells.extend([""] * (width - n))
        else:
            if any(cell.strip() for cell in cells[width:]):
                raise _Rejected(
                    "",
                    ImportRowInvalidError(
                        "extra_cells", "|".join(cells[width:])[:200], count=n, width=width
                    ),
                )
            del cells[width:]
    if not any(cells):
        return False
    cells.append("")
    return True


# --- The national code database ------------------------------------------------------------

_CONSUMABLE_TEXT_FIELDS = (
    "generic_name",
    "product_name",
    "registered_name",
    "material",
    "specification",
    "model",
    "unit",
    "registrant",
    "company_name",
)


class _CatalogLoader(_Loader):
    table = "catalog_import_stage"
    columns: tuple[str, ...] = (
        "row_no",
        "code",
        "generic_name",
        "product_name",
        "registered_name",
        "material",
        "specification",
        "model",
        "unit",
        "registration_number",
        "registrant",
        "company_name",
        "is_high_value",
        "search_terms",
    )
    types = ("int4", *["text"] * 11, "bool", "text")
    ddl = (
        "row_no int4 NOT NULL, code text NOT NULL, generic_name text, product_name text, "
        "registered_name text, material text, specification text, model text, unit text, "
        "registration_number text, registrant text, company_name text, is_high_value bool, "
        "search_terms text"
    )

    def __init__(self, source: _Source, mapping: dict[str, int]) -> None:
        self.source = source
        width = len(source.header)
        self.width = width
        self.pad = source.file_format == "xlsx"
        header = {c.key: c.header for c in CATALOG_COLUMNS}
        # The column names the report uses: as the file writes them.
        self.headers = {key: source.header[index] for key, index in mapping.items()}
        for key, canonical in header.items():
            self.headers.setdefault(key, canonical)
        # Order of the getter: what parse_row unpacks.
        self.get = operator.itemgetter(
            *(
                mapping.get(key, width)
                for key in (
                    "code",
                    "registration_number",
                    "registered_name",
                    "registrant",
                    "product_name",
                    "company_name",
                    "specification",
                    "model",
                    "generic_name",
                    "material",
                    "unit",
                    "high_value",
                    "spec_serial",
                    "category",
                )
            )
        )
        self.limits = {name: _max_length(Consumable, name) for name in _CONSUMABLE_TEXT_FIELDS}
        self.smallest_limit = min(v for k, v in self.limits.items() if k != "unit")
        self.unit_limit = self.limits["unit"]
        self.registrations = _Registrations()
        self.search_terms = _SearchTerms()
        self.category_names: dict[str, str] = {}
        self.category_name_limit = _max_length(Category, "name")
        # 耗材分类 path -> the level-3 category it was last found to agree with: the paths
        # repeat across a product's specifications, so most rows compare two strings.
        self.category_checked: dict[str, str] = {}
        self.category_parts: dict[str, list[_CategoryPart]] = {}

    # The hot loop: one call per row of a file of up to millions of rows. Everything common
    # is a plain comparison; the slower checks run only when a fast one fails.
    def parse_row(self, row_no: int, cells: list[str]) -> tuple | None:
        if len(cells) == self.width and any(cells):
            cells.append("")
        elif not _prepare_cells(cells, self.width, pad=self.pad):
            return None
        (
            code,
            registration,
            registered_name,
            registrant,
            product_name,
            company_name,
            specification,
            model,
            generic_name,
            material,
            unit,
            high_value,
            spec_serial,
            category,
        ) = map(str.strip, self.get(cells))

        if not (
            len(code) == FULL_LENGTH and FULL_CODE_RE.match(code) and code[1:3] in LEVEL1_CODES
        ):
            code = self._full_code(code, spec_serial)
        elif spec_serial and spec_serial != code[20:]:
            self._check_spec_serial(code, spec_serial)
        try:
            registration = self.registrations.get(registration)
        except RegistrationNumberInvalidError as exc:
            raise _Rejected(self.headers["registration_number"], exc) from None
        if not product_name:
            raise _Rejected(
                self.headers["product_name"],
                ImportRowInvalidError("required", "", column=self.headers["product_name"]),
            )
        # One length check for the common case: every text within the smallest limit but
        # the unit's; the per-column checks run only when that fails.
        if (
            len(product_name)
            + len(registered_name)
            + len(specification)
            + len(model)
            + len(registrant)
            + len(company_name)
            + len(generic_name)
            + len(material)
            > self.smallest_limit
            or len(unit) > self.unit_limit
        ):
            self._too_long(
                {
                    "product_name": product_name,
                    "registered_name": registered_name,
                    "specification": specification,
                    "model": model,
                    "registrant": registrant,
                    "company_name": company_name,
                    "generic_name": generic_name,
                    "material": material,
                    "unit": unit,
                }
            )
        is_high_value = _BOOLEANS.get(high_value)
        if is_high_value is None:
            is_high_value = _BOOLEANS.get(high_value.casefold())
            if is_high_value is None:
                raise _Rejected(
                    self.headers["high_value"],
                    ImportRowInvalidError(
                        "bad_boolean", high_value, column=self.headers["high_value"]
                    ),
                )
        if category and self.category_checked.get(category) != code[1:7]:
            self._check_category(category, code)
        return (
            row_no,
            code,
            generic_name,
            product_name,
            registered_name,
            material,
            specification,
            model,
            unit,
            registration,
            registrant,
            company_name,
            is_high_value,
            self.search_terms(
                (generic_name, product_name, registered_name, specification, model, company_name)
            ),
        )

    def _full_code(self, code: str, spec_serial: str) -> str:
        column = self.headers["code"]
        try:
            parsed = parse_nhsa_code(code)
        except NhsaCodeInvalidError as exc:
            raise _Rejected(column, exc) from None
        if parsed.is_full:
            if spec_serial and spec_serial != parsed.value[20:]:
                self._check_spec_serial(parsed.value, spec_serial)
            return parsed.value
        # A 20-character base code: the national export may give the serial in its own column.
        serial_column = self.headers["spec_serial"]
        if not spec_serial:
            raise _Rejected(
                column, ImportRowInvalidError("base_code_only", parsed.value, column=serial_column)
            )
        return parsed.value + self._serial(spec_serial)

    def _serial(self, spec_serial: str) -> str:
        # A spreadsheet may have turned "0000016" into the number 16: pad it back.
        if spec_serial.isascii() and spec_serial.isdigit() and len(spec_serial) <= 7:
            return spec_serial.zfill(7)
        column = self.headers["spec_serial"]
        raise _Rejected(
            column, ImportRowInvalidError("bad_spec_serial", spec_serial, column=column)
        )

    def _check_spec_serial(self, code: str, spec_serial: str) -> None:
        if self._serial(spec_serial) != code[20:]:
            column = self.headers["spec_serial"]
            raise _Rejected(
                column,
                ImportRowInvalidError(
                    "spec_serial_mismatch",
                    spec_serial,
                    code=code,
                    expected=code[20:],
                    column=column,
                ),
            )

    def _too_long(self, values: dict[str, Any]) -> None:
        """Reject the row for its first value over its column's limit (none: nothing to do)."""
        for name, limit in self.limits.items():
            value = values.get(name, "")
            if len(value) > limit:
                column = self.headers[name]
                raise _Rejected(
                    column,
                    ImportRowInvalidError(
                        "too_long", value[:50] + "…", column=column, length=len(value), limit=limit
                    ),
                )

    def _check_category(self, category: str, code: str) -> None:
        """Each numbered part of the 耗材分类 path must agree with the row's code (or the row
        is rejected); its name then names that category (the first name seen for a code)."""
        parts = self.category_parts.get(category)
        if parts is None:
            if len(self.category_parts) >= CACHE_LIMIT:
                self.category_parts.clear()
            parts = self.category_parts[category] = _category_parts(category)
        for part in parts:
            expected, cumulative = _category_segment(code, part.level, part.number)
            if part.number != expected:
                column = self.headers["category"]
                raise _Rejected(
                    column,
                    ImportRowInvalidError(
                        "code_segment_mismatch",
                        part.text,
                        column=column,
                        code=code,
                        expected=expected,
                    ),
                )
            self.category_names.setdefault(cumulative, part.name[: self.category_name_limit])
        if len(self.category_checked) >= CACHE_LIMIT:
            self.category_checked.clear()
        self.category_checked[category] = code[1:7]

    def reject_duplicates(self, cursor: Any, report: _Report) -> None:
        _reject_duplicates(
            cursor,
            table=self.table,
            key="code",
            column=self.headers["code"],
            reason="duplicate_code",
            report=report,
        )

    def write(self, cursor: Any, result: ImportResult) -> None:
        self._write_categories(cursor)
        result.inserted, result.updated = _upsert_consumables(
            cursor, self.table, _CONSUMABLE_VALUES
        )

    def _write_categories(self, cursor: Any) -> None:
        cursor.execute(f"SELECT DISTINCT substr(code, 2, 6) FROM {self.table}")  # noqa: S608
        level3 = sorted(row[0] for row in cursor.fetchall())
        level2 = sorted({code[:4] for code in level3})
        level1 = sorted({code[:2] for code in level3})
        # The file's names fill blank names; the confirmed level-1 names of catalog/codes.py
        # win over a file's (a file names the other level-1 categories).
        names = {**self.category_names, **LEVEL1_CATEGORIES}
        for level, codes in ((1, level1), (2, level2), (3, level3)):
            parent_length = {1: 0, 2: 2, 3: 4}[level]
            cursor.execute(
                "INSERT INTO catalog_category (code, level, parent_id, name) "
                "SELECT n.code, %s, p.id, n.name "
                "FROM unnest(%s::text[], %s::text[]) AS n(code, name) "
                "LEFT JOIN catalog_category p ON p.code = left(n.code, %s) "
                "ORDER BY n.code "
                # Fill a blank name, never overwrite one (someone may have corrected it).
                "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name "
                "WHERE catalog_category.name = '' AND EXCLUDED.name <> ''",
                [level, codes, [names.get(code, "") for code in codes], parent_length],
            )


# What the upsert writes for each compared column, from the staging row ``s``, the existing
# row ``t`` (NULL for a new code) and the manufacturers matched by name. Listed once so that the
# pre-filter, the insert and the update cannot disagree.
_CONSUMABLE_VALUES: dict[str, str] = {
    "generic_name": "s.generic_name",
    "product_name": "s.product_name",
    "registered_name": "s.registered_name",
    "material": "s.material",
    "specification": "s.specification",
    "model": "s.model",
    "unit": "s.unit",
    "registration_number": "s.registration_number",
    "registrant": "s.registrant",
    "company_name": "s.company_name",
    "is_high_value": "s.is_high_value",
    # A product in the national release is active (again).
    "status": f"'{ConsumableStatus.ACTIVE.value}'",
    "search_terms": "string_to_array(s.search_terms, ' ')::varchar(2)[]",
    # A registrant or enterprise name that is exactly one manufacturer's name links the
    # product; otherwise an existing link (perhaps set by hand) stays.
    "manufacturer_id": "coalesce(m1.id, m2.id, t.manufacturer_id)",
}


def _upsert_consumables(cursor: Any, table: str, columns: dict[str, str]) -> tuple[int, int]:
    """The one set-based upsert; returns (inserted, updated).

    The SELECT leaves out rows equal to the stored ones before they reach ON CONFLICT: an
    unchanged row is then neither locked nor dirtied (ON CONFLICT DO UPDATE locks the
    conflicting row even when its WHERE is false), so a re-import does not hold row locks on
    the whole catalogue. The WHERE of the DO UPDATE repeats the comparison for rows that
    changed in between.
    """
    names = list(columns)
    values = list(columns.values())
    # statement_timestamp(), not now(): the time of this write even when a caller's transaction
    # started long before.
    cursor.execute(
        f"""
        WITH makers AS (
            SELECT name, min(id) AS id FROM accounts_organization
            WHERE kind = 'manufacturer' GROUP BY name HAVING count(*) = 1
        ), upserted AS (
            INSERT INTO catalog_consumable AS c (
                code, base_code, category_l1, category_l2, category_l3, generic_group,
                material_code, feature_code, company_code, spec_serial,
                {", ".join(names)}, created_at, updated_at
            )
            SELECT
                s.code, left(s.code, 20), substr(s.code, 2, 2), substr(s.code, 2, 4),
                substr(s.code, 2, 6), substr(s.code, 8, 3), substr(s.code, 11, 2),
                substr(s.code, 13, 3), substr(s.code, 16, 5), substr(s.code, 21, 7),
                {", ".join(values)}, statement_timestamp(), statement_timestamp()
            FROM {table} s
            LEFT JOIN catalog_consumable t ON t.code = s.code
            LEFT JOIN makers m1 ON m1.name = s.registrant
            LEFT JOIN makers m2 ON m2.name = s.company_name
            WHERE t.id IS NULL
               OR ({", ".join(f"t.{name}" for name in names)})
                  IS DISTINCT FROM ({", ".join(values)})
            ON CONFLICT (code) DO UPDATE SET
                {", ".join(f"{name} = EXCLUDED.{name}" for name in names)},
                updated_at = EXCLUDED.updated_at
            WHERE ({", ".join(f"c.{name}" for name in names)})
                IS DISTINCT FROM ({", ".join(f"EXCLUDED.{name}" for name in names)})
            RETURNING (c.xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
        FROM upserted
        """  # noqa: S608
    )
    inserted, updated = cursor.fetchone()
    return inserted, updated


# --- The national release as published (RELEASE_COLUMNS) -------------------------------------

# "11-接骨板", "02-纯钛", "007-肱骨/普通": a segment number and its name.
_NUMBERED = re.compile(r"^([0-9]{1,6})\s*[-_:：、.\s]\s*(.*?)$")
# 原码状态 of a previous code that the release retired.
_RETIRED_STATUS = "停用"

# The release's columns of the upsert: what the file carries, and what it cannot carry (单位
# and 高值, the platform's own columns) kept as stored.
_RELEASE_VALUES: dict[str, str] = {
    **_CONSUMABLE_VALUES,
    "unit": "coalesce(t.unit, '')",
    "is_high_value": "coalesce(t.is_high_value, false)",
    "feature": "s.feature",
    "generic_name_code": "s.generic_name_code",
}


def _split_numbered(text: str) -> tuple[str, str]:
    """("11", "接骨板") of "11-接骨板"; ("", text) for a name without a number."""
    if text.isascii() and text.isdigit():
        return text, ""
    match = _NUMBERED.match(text)
    if match and match.group(2):
        return match.group(1), match.group(2)
    return "", text


class _ReleaseLoader(_CatalogLoader):
    """The national release: the same checks and upsert as the export, plus the numbered
    names of the code's segments (each checked against the code) and previous codes."""

    table = "catalog_release_stage"
    columns = (
        "row_no",
        "code",
        "generic_name",
        "product_name",
        "registered_name",
        "material",
        "specification",
        "model",
        "registration_number",
        "registrant",
        "company_name",
        "search_terms",
        "feature",
        "generic_name_code",
        "previous_code",
        "previous_status",
        "change_type",
        "retire_previous",
    )
    types = ("int4", *["text"] * 16, "bool")
    ddl = (
        "row_no int4 NOT NULL, code text NOT NULL, generic_name text, product_name text, "
        "registered_name text, material text, specification text, model text, "
        "registration_number text, registrant text, company_name text, search_terms text, "
        "feature text, generic_name_code text, previous_code text, previous_status text, "
        "change_type text, retire_previous bool"
    )
    # (key, level or None, first character of the segment in the code, its length)
    segments = (
        ("level1", 1, 1, 2),
        ("level2", 2, 3, 2),
        ("level3", 3, 5, 2),
        ("generic_group", None, 7, 3),
        ("material", None, 10, 2),
        ("feature", None, 12, 3),
    )

    def __init__(self, source: _Source, mapping: dict[str, int]) -> None:
        self.source = source
        width = len(source.header)
        self.width = width
        self.pad = source.file_format == "xlsx"
        self.headers = {key: source.header[index] for key, index in mapping.items()}
        for column in RELEASE_COLUMNS:
            self.headers.setdefault(column.key, column.header)
        self.get = operator.itemgetter(
            *(
                mapping.get(key, width)
                for key in (
                    "code",
                    "base_code",
                    "registration_number",
                    "registered_name",
                    "registrant",
                    "product_name",
                    "company_name",
                    "specification",
                    "model",
                    "generic_name",
                    "generic_name_code",
                    "previous_code",
                    "previous_status",
                    "change_type",
                    *(key for key, *_ in self.segments),
                )
            )
        )
        self.limits = {
            **{name: _max_length(Consumable, name) for name in _CONSUMABLE_TEXT_FIELDS},
            "feature": _max_length(Consumable, "feature"),
            "generic_name_code": _max_length(Consumable, "generic_name_code"),
            "previous_status": _max_length(ConsumableCodeAlias, "previous_status"),
            "change_type": _max_length(ConsumableCodeAlias, "change_type"),
        }
        self.registrations = _Registrations()
        self.search_terms = _SearchTerms()
        self.category_names: dict[str, str] = {}
        self.category_name_limit = _max_length(Category, "name")
        self.numbered: dict[str, tuple[str, str]] = {}
        self.source_name = source.name[: _max_length(ConsumableCodeAlias, "source")]

    def parse_row(self, row_no: int, cells: list[str]) -> tuple | None:
        if not _prepare_cells(cells, self.width, pad=self.pad):
            return None
        (
            code,
            base_code,
            registration,
            registered_name,
            registrant,
            product_name,
            company_name,
            specification,
            model,
            generic_name,
            generic_name_code,
            previous_code,
            previous_status,
            change_type,
            *numbered,
        ) = map(str.strip, self.get(cells))
        headers = self.headers
        code = self._code("code", code)
        if base_code and normalize_nhsa_code(base_code) != code[:BASE_LENGTH]:
            column = headers["base_code"]
            raise _Rejected(
                column,
                ImportRowInvalidError(
                    "base_code_mismatch",
                    base_code,
                    column=column,
                    code=code,
                    expected=code[:BASE_LENGTH],
                ),
            )
        if previous_code:
            previous_code = self._code("previous_code", previous_code)
            if previous_code == code:
                previous_code = ""  # kept as it was (类型 保留): nothing to resolve
        try:
            registration = self.registrations.get(registration)
        except RegistrationNumberInvalidError as exc:
            raise _Rejected(headers["registration_number"], exc) from None
        if not product_name:
            raise _Rejected(
                headers["product_name"],
                ImportRowInvalidError("required", "", column=headers["product_name"]),
            )
        names = self._segment_names(code, numbered)
        generic_group, material, feature = names
        # 医保通用名; a release that leaves it empty still names the code's generic-name
        # segment (医保通用名分类, e.g. 080-固定板).
        generic_name = generic_name or generic_group
        self._too_long(
            {
                "product_name": product_name,
                "registered_name": registered_name,
                "specification": specification,
                "model": model,
                "registrant": registrant,
                "company_name": company_name,
                "generic_name": generic_name,
                "material": material,
                "feature": feature,
                "generic_name_code": generic_name_code,
                "previous_status": previous_status,
                "change_type": change_type,
            }
        )
        return (
            row_no,
            code,
            generic_name,
            product_name,
            registered_name,
            material,
            specification,
            model,
            registration,
            registrant,
            company_name,
            self.search_terms(
                (generic_name, product_name, registered_name, specification, model, company_name)
            ),
            feature,
            generic_name_code,
            previous_code,
            previous_status if previous_code else "",
            change_type if previous_code else "",
            bool(previous_code) and _RETIRED_STATUS in previous_status,
        )

    def _code(self, key: str, text: str) -> str:
        """A 27-character national code from column ``key``, or reject the row."""
        if len(text) == FULL_LENGTH and FULL_CODE_RE.match(text) and text[1:3] in LEVEL1_CODES:
            return text
        column = self.headers[key]
        try:
            parsed = parse_nhsa_code(text)
        except NhsaCodeInvalidError as exc:
            raise _Rejected(column, exc) from None
        if not parsed.is_full:
            raise _Rejected(
                column, ImportRowInvalidError("not_full_code", parsed.value, column=column)
            )
        return parsed.value

    def _segment_names(self, code: str, cells: Sequence[str]) -> tuple[str, str, str]:
        """Check each numbered cell against its segment of ``code`` and collect the category
        names; return the names of the generic-name group, the material and the feature."""
        names = []
        cache = self.numbered
        for (key, level, start, length), text in zip(self.segments, cells, strict=True):
            if not text:
                names.append("")
                continue
            split = cache.get(text)
            if split is None:
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                split = cache[text] = _split_numbered(text)
            number, name = split
            if level is None:
                expected = code[start : start + length]
            else:
                expected, cumulative = _category_segment(code, level, number or "00")
            if number and number != expected:
                column = self.headers[key]
                raise _Rejected(
                    column,
                    ImportRowInvalidError(
                        "code_segment_mismatch", text, column=column, code=code, expected=expected
                    ),
                )
            if level is None:
                names.append(name)
            elif name:
                self.category_names.setdefault(cumulative, name[: self.category_name_limit])
        return names[0], names[1], names[2]

    def write(self, cursor: Any, result: ImportResult) -> None:
        self._write_categories(cursor)
        result.inserted, result.updated = _upsert_consumables(cursor, self.table, _RELEASE_VALUES)
        result.aliases, result.retired = self._write_previous_codes(cursor)

    def _write_previous_codes(self, cursor: Any) -> tuple[int, int]:
        """Record each previous code as an alias of the product that replaced it, and retire
        a previous code's product the release retired (原码状态 停用), unless the file lists
        that code as current itself."""
        table = self.table
        cursor.execute(
            f"""
            WITH aliased AS (
                INSERT INTO catalog_consumablecodealias AS a (
                    code, consumable_id, previous_status, change_type, source,
                    created_at, updated_at
                )
                SELECT s.previous_code, c.id, s.previous_status, s.change_type, %s,
                       statement_timestamp(), statement_timestamp()
                FROM {table} s JOIN catalog_consumable c ON c.code = s.code
                WHERE s.previous_code <> ''
                ON CONFLICT (code, consumable_id) DO UPDATE SET
                    previous_status = EXCLUDED.previous_status,
                    change_type = EXCLUDED.change_type,
                    source = EXCLUDED.source,
                    updated_at = EXCLUDED.updated_at
                WHERE (a.previous_status, a.change_type)
                    IS DISTINCT FROM (EXCLUDED.previous_status, EXCLUDED.change_type)
                RETURNING 1
            )
            SELECT count(*) FROM aliased
            """,  # noqa: S608
            [self.source_name],
        )
        aliases = cursor.fetchone()[0]
        cursor.execute(
            f"""
            UPDATE catalog_consumable o
            SET status = %s, updated_at = statement_timestamp()
            WHERE o.status <> %s
              AND o.code IN (SELECT previous_code FROM {table} WHERE retire_previous)
              AND NOT EXISTS (SELECT FROM {table} s WHERE s.code = o.code)
            """,  # noqa: S608
            [ConsumableStatus.RETIRED.value, ConsumableStatus.RETIRED.value],
        )
        return aliases, cursor.rowcount


CATALOG_LAYOUTS: tuple[Layout, ...] = (
    Layout("export", CATALOG_COLUMNS, _CatalogLoader),
    Layout("release", RELEASE_COLUMNS, _ReleaseLoader),
)


def consumable_import(
    *,
    actor: User | None,
    path: Path | str,
    partial: bool = False,
    report_path: Path | str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a national code database export (CSV or XLSX) into the catalogue.

    Upserts Consumable by national code and adds the categories its codes use. All-or-nothing
    unless ``partial``: one rejected row and nothing is written (the result says ``refused``;
    the report lists every rejection). Raises ImportFileInvalidError for a file that cannot be
    imported at all (wrong header, empty, undecodable).
    """
    return _run(
        kind=ImportKind.CATALOG,
        actor=actor,
        path=path,
        partial=partial,
        report_path=report_path,
        progress=progress,
        layouts=CATALOG_LAYOUTS,
    )


# --- The NMPA UDI database (crosswalk UDI-DI <-> national code <-> registration) ------------

_AGENCY_WORDS = (
    # Matched against the case-folded, NFKC-normalised cell, in this order.
    (IssuingAgency.GS1.value, ("gs1", "物品编码")),
    (IssuingAgency.AHM.value, ("ahm", "阿里", "码上放心")),
    (IssuingAgency.MA.value, ("idcode", "ma", "二维码", "工信")),
)
_AGENCY_LABELS = {"gs1": "GS1", "ma": "MA", "ahm": "AHM"}
_CODE_SEPARATORS = re.compile(r"[,;，；、\s]+")


def _agency(text: str) -> str | None:
    folded = unicodedata.normalize("NFKC", text).casefold()
    for agency, words in _AGENCY_WORDS:
        if any(folded.startswith(word) if word == "ma" else word in folded for word in words):
            return agency
    return None


def parse_device_identifier(value: str) -> tuple[str, str]:
    """(agency, DI) of a bare UDI-DI, validated by its issuing agency's shape.

    GS1: a GTIN (8, 12, 13 or 14 digits, stored as GTIN-14) with a correct check digit. MA and
    AHM: the DI shapes catalog.barcodes reads from scanned codes. A value that carries
    production identifiers (a whole UDI) is refused: the database lists device identifiers.
    Raises BarcodeInvalidError or ImportRowInvalidError.
    """
    text = value.strip()
    if not text:
        raise BarcodeInvalidError("empty", value="")
    if text.isascii() and text.isdigit():
        if len(text) not in (8, 12, 13, 14):
            raise BarcodeInvalidError("unknown_structure", value=text)
        expected = gs1_standard_check_digit(text[:-1])
        if int(text[-1]) != expected:
            raise BarcodeInvalidError(
                "bad_check_digit", value=text, gtin=text, actual=text[-1], expected=expected
            )
        return IssuingAgency.GS1.value, text.zfill(14)
    if not text.startswith(("MA.", "MF")):
        # Only a GTIN, an MA or an AHM DI can be a device identifier; anything else (a GS1
        # element string with AIs, a URL) is refused by shape, without parsing it as a scan.
        raise BarcodeInvalidError("unknown_structure", value=text)
    barcode = parse_barcode(text)
    if barcode.di != text or barcode.has_production_identifiers:
        raise ImportRowInvalidError("not_a_di", text, di=barcode.di)
    return barcode.agency, barcode.di


def _replacement(code: str) -> str:
    """SQL: the product that replaced the national code ``code`` (an SQL expression) in a
    release, when exactly one did (ConsumableCodeAlias); NULL otherwise."""
    # The expression is ours (a column or a subquery), never a value.
    return (
        "(SELECT min(a.consumable_id) FROM catalog_consumablecodealias a "  # noqa: S608
        f"WHERE a.code = {code} HAVING count(*) = 1)"
    )


class _UdiLoader(_Loader):
    table = "udi_import_stage"
    columns = (
        "row_no",
        "di",
        "agency",
        "nhsa_code",
        "registration_number",
        "product_name",
        "specification",
        "company_name",
        "packaging_level",
        "packaging_quantity",
    )
    types = ("int4", *["text"] * 8, "int4")
    ddl = (
        "row_no int4 NOT NULL, di text NOT NULL, agency text, nhsa_code text, "
        "registration_number text, product_name text, specification text, company_name text, "
        "packaging_level text, packaging_quantity int4, conflict bool NOT NULL DEFAULT false"
    )

    def __init__(self, source: _Source, mapping: dict[str, int]) -> None:
        self.source = source
        self.width = len(source.header)
        self.pad = source.file_format == "xlsx"
        self.headers = {key: source.header[index] for key, index in mapping.items()}
        for column in UDI_COLUMNS:
            self.headers.setdefault(column.key, column.header)
        self.get = operator.itemgetter(
            *(mapping.get(column.key, self.width) for column in UDI_COLUMNS)
        )
        self.registrations = _Registrations()
        self.limits = {
            name: _max_length(DeviceIdentifier, name)
            for name in (
                "di",
                "registration_number",
                "product_name",
                "specification",
                "company_name",
                "packaging_level",
            )
        }
        self.source_name = source.name[: _max_length(CrosswalkConflict, "source")]

    def parse_row(self, row_no: int, cells: list[str]) -> tuple | None:
        if not _prepare_cells(cells, self.width, pad=self.pad):
            return None
        (
            di_text,
            agency_text,
            code_text,
            registration,
            product_name,
            specification,
            company_name,
            level_text,
            quantity_text,
        ) = map(str.strip, self.get(cells))
        headers = self.headers
        try:
            agency, di = parse_device_identifier(di_text)
        except (BarcodeInvalidError, ImportRowInvalidError) as exc:
            raise _Rejected(headers["di"], exc) from None
        if agency_text:
            given = _agency(agency_text)
            if given is None:
                raise _Rejected(
                    headers["agency"], ImportRowInvalidError("agency_unknown", agency_text)
                )
            if given != agency:
                raise _Rejected(
                    headers["agency"],
                    ImportRowInvalidError(
                        "agency_mismatch", agency_text, di=di, detected=_AGENCY_LABELS[agency]
                    ),
                )
        nhsa_code = self._nhsa_code(code_text)
        if registration:
            try:
                registration = self.registrations.get(registration)
            except RegistrationNumberInvalidError as exc:
                raise _Rejected(headers["registration_number"], exc) from None
        values = {
            "di": di,
            "registration_number": registration,
            "product_name": product_name,
            "specification": specification,
            "company_name": company_name,
            # 包装级别 is text in the NMPA data (盒, 箱, 袋); a number some exports write is
            # kept as written too.
            "packaging_level": level_text,
        }
        for name, limit in self.limits.items():
            value = values[name]
            if len(value) > limit:
                raise _Rejected(
                    headers[name],
                    ImportRowInvalidError(
                        "too_long",
                        value[:50] + "…",
                        column=headers[name],
                        length=len(value),
                        limit=limit,
                    ),
                )
        quantity = self._integer(
            "packaging_quantity", quantity_text, default=1, minimum=1, maximum=2**31 - 1
        )
        return (
            row_no,
            di,
            agency,
            nhsa_code,
            registration,
            product_name,
            specification,
            company_name,
            level_text,
            quantity,
        )

    def _nhsa_code(self, text: str) -> str:
        """The ybbm: empty (not yet mapped) or one valid national code of 20 or 27 characters."""
        if not text:
            return ""
        column = self.headers["nhsa_code"]
        if len(_CODE_SEPARATORS.split(text)) > 1:
            raise _Rejected(column, ImportRowInvalidError("multiple_codes", text, column=column))
        try:
            return parse_nhsa_code(text).value
        except NhsaCodeInvalidError as exc:
            raise _Rejected(column, exc) from None

    def _integer(self, key: str, text: str, *, default: int, minimum: int, maximum: int) -> int:
        if not text:
            return default
        if text.isascii() and text.isdigit() and minimum <= int(text) <= maximum:
            return int(text)
        column = self.headers[key]
        raise _Rejected(
            column, ImportRowInvalidError("bad_integer", text, column=column, minimum=minimum)
        )

    def reject_duplicates(self, cursor: Any, report: _Report) -> None:
        _reject_duplicates(
            cursor,
            table=self.table,
            key="di",
            column=self.headers["di"],
            reason="duplicate_di",
            report=report,
        )

    def write(self, cursor: Any, result: ImportResult) -> None:
        table = self.table
        # A DI already linked to another national code: record the conflict (once while it
        # is open), keep the existing link and leave that DI's row alone.
        # Two codes of one product, an old one a release replaced and the new one, are no
        # conflict: the UDI database may still list a DI under either.
        cursor.execute(
            f"UPDATE {table} s SET conflict = true FROM catalog_deviceidentifier d "  # noqa: S608
            "WHERE d.di = s.di AND s.nhsa_code <> '' AND d.nhsa_code <> '' "
            "AND d.nhsa_code <> s.nhsa_code AND NOT EXISTS ("
            "  SELECT FROM catalog_consumablecodealias a "
            "  JOIN catalog_consumable c ON c.id = a.consumable_id "
            "  WHERE (a.code = s.nhsa_code AND c.code = d.nhsa_code) "
            "     OR (a.code = d.nhsa_code AND c.code = s.nhsa_code))"
        )
        result.conflicts = cursor.rowcount
        if result.conflicts:
            cursor.execute(
                "INSERT INTO catalog_crosswalkconflict "  # noqa: S608
                "(di, current_code, claimed_code, source, row_number, detected_at) "
                f"SELECT s.di, d.nhsa_code, s.nhsa_code, %s, s.row_no, statement_timestamp() FROM {table} s "
                "JOIN catalog_deviceidentifier d ON d.di = s.di WHERE s.conflict "
                "ON CONFLICT (di, current_code, claimed_code) WHERE resolved_at IS NULL "
                "DO NOTHING",
                [self.source_name],
            )
        compared = (
            "agency",
            "nhsa_code",
            "consumable_id",
            "registration_number",
            "product_name",
            "specification",
            "company_name",
            "packaging_level",
            "packaging_quantity",
        )
        # An empty ybbm does not clear a known code; the link follows the (final) code and
        # keeps a hand-made link when the code is not in the catalogue.
        final = {
            name: f"EXCLUDED.{name}"
            for name in compared
            if name not in ("nhsa_code", "consumable_id")
        }
        final["nhsa_code"] = "coalesce(nullif(EXCLUDED.nhsa_code, ''), d.nhsa_code)"
        final["consumable_id"] = (
            "coalesce((SELECT id FROM catalog_consumable WHERE code = "  # noqa: S608
            f"{final['nhsa_code']}), {_replacement(final['nhsa_code'])}, d.consumable_id)"
        )
        cursor.execute(
            f"""
            WITH upserted AS (
                INSERT INTO catalog_deviceidentifier AS d (
                    di, agency, nhsa_code, consumable_id, registration_number, product_name,
                    specification, company_name, packaging_level, packaging_quantity,
                    created_at, updated_at
                )
                SELECT s.di, s.agency, s.nhsa_code,
                       coalesce(c.id, {_replacement("s.nhsa_code")}), s.registration_number,
                       s.product_name, s.specification, s.company_name, s.packaging_level,
                       s.packaging_quantity, statement_timestamp(), statement_timestamp()
                FROM {table} s LEFT JOIN catalog_consumable c ON c.code = s.nhsa_code
                WHERE NOT s.conflict
                ON CONFLICT (di) DO UPDATE SET
                    {", ".join(f"{name} = {expr}" for name, expr in final.items())},
                    updated_at = EXCLUDED.updated_at
                WHERE ({", ".join(f"d.{name}" for name in final)})
                    IS DISTINCT FROM ({", ".join(final.values())})
                RETURNING (d.xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
            FROM upserted
            """  # noqa: S608
        )
        result.inserted, result.updated = cursor.fetchone()
        cursor.execute(
            f"SELECT count(*) FROM {table} s JOIN catalog_deviceidentifier d ON d.di = s.di "  # noqa: S608
            "WHERE d.consumable_id IS NULL"
        )
        result.unlinked = cursor.fetchone()[0]


def device_identifier_import(
    *,
    actor: User | None,
    path: Path | str,
    partial: bool = False,
    report_path: Path | str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import an NMPA UDI database export: UDI-DIs and their crosswalk to national codes.

    A DI is linked to the Consumable whose code is its ybbm; a ybbm not in the catalogue is
    kept (``DeviceIdentifier.nhsa_code``, counted as unlinked) and linked by a later import
    once the catalogue has it. A DI already linked to a different code is a
    CrosswalkConflict: reported, the existing link kept. All-or-nothing unless ``partial``.
    """
    return _run(
        kind=ImportKind.UDI,
        actor=actor,
        path=path,
        partial=partial,
        report_path=report_path,
        progress=progress,
        layouts=(Layout("udi", UDI_COLUMNS, _UdiLoader, signature="di"),),
    )


IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    ImportKind.CATALOG: consumable_import,
    ImportKind.UDI: device_identifier_import,
}


def import_row_estimate(path: Path | str) -> int | None:
    """Roughly how many data rows a file has, for a progress bar (None when unknown).

    CSV: the line count less the header, read in binary (a newline byte never occurs inside a
    GBK or UTF-8 multi-byte character); a quoted value spanning lines makes it a little high.
    XLSX: the sheet's recorded dimensions, when the writer recorded them.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            if handle.read(4) == _XLSX_MAGIC:
                import openpyxl

                workbook = openpyxl.load_workbook(handle, read_only=True)
                try:
                    rows = workbook.worksheets[0].max_row if workbook.worksheets else None
                finally:
                    workbook.close()
                return max(rows - 1, 0) if rows else None
            handle.seek(0)
            lines = 0
            last = b""
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk
            if last and not last.endswith(b"\n"):
                lines += 1
            return max(lines - 1, 0)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return None
