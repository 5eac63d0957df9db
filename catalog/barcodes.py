"""Turn a scanned UDI carrier into its device identifier (DI) and production identifiers (PI).

China accepts three UDI issuing agencies (domain.md, "Catalogue and codes"):

* GS1 (GS1 China): GTIN in AI 01 plus AIs 10 lot, 11 production date, 17 expiry, 21 serial.
  Element strings with FNC1/GS separators (with or without a symbology identifier such as
  ``]d2``/``]C1``), human-readable ``(01)…(17)…`` text and GS1 Digital Link URIs are all read
  with ``biip``; nothing here re-implements GS1 syntax.
* MA (IDcode, 中关村工信二维码技术研究院): see :func:`_parse_ma`.
* AHM (阿里健康 码上放心): see :func:`_parse_ahm`.

Every failure raises :class:`BarcodeInvalidError` with a stable ``reason``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import biip
from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.symbology import SymbologyIdentifier

from catalog.errors import BarcodeInvalidError

Agency = Literal["gs1", "ma", "ahm"]

GS = "\x1d"


@dataclass(frozen=True)
class ScannedBarcode:
    agency: Agency
    di: str  # GS1: the 14-digit GTIN; MA: MA.156.M0.<registrant>.<product>; AHM: MF<digits>
    lot: str | None = None
    production_date: dt.date | None = None
    expiry_date: dt.date | None = None
    serial: str | None = None
    raw: str = ""  # the scanned text, surrounding whitespace removed
    sterilisation_lot: str | None = None  # MA only (.D)

    @property
    def has_production_identifiers(self) -> bool:
        return any((self.lot, self.serial, self.production_date, self.expiry_date))


def parse_barcode(value: str) -> ScannedBarcode:
    """Parse any scanned UDI string; raise BarcodeInvalidError with a reason if it is unusable."""
    # str.strip() also drops a trailing GS (it counts as whitespace), which some scanners append.
    text = (value or "").strip()
    if not text:
        raise BarcodeInvalidError("empty", value="")
    body = text
    symbology: SymbologyIdentifier | None = None
    if text.startswith("]"):
        try:
            symbology = SymbologyIdentifier.extract(text)
        except (ParseError, IndexError):
            raise BarcodeInvalidError("unknown_structure", value=_display(text)) from None
        body = text[len(symbology) :]
    if body.startswith("MA."):
        barcode = _parse_ma(text, body)
    elif body.startswith("MF"):
        barcode = _parse_ahm(text, body)
    else:
        barcode = _parse_gs1(text, body, symbology)
    _check_dates_order(barcode)
    return barcode


# --- GS1 -------------------------------------------------------------------------------------

# AIs whose value biip turns into a date (see biip.gs1_element_strings); a failure on one of them
# is an impossible date rather than bad syntax.
_GS1_DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17"}) | frozenset(
    {"4324", "4325", "4326", "7003", "7006", "7007", "7011", "8008"}  # dates with times
)
_BIIP_AI_RE = re.compile(r"GS1 AI \((\d+)\)")
_BIIP_QUOTED_RE = re.compile(r"'([^']*)'")
_GTIN_LENGTHS = (8, 12, 13, 14)


def _parse_gs1(text: str, body: str, symbology: SymbologyIdentifier | None) -> ScannedBarcode:
    if body.startswith("("):
        try:
            message = GS1Message.parse_hri(body)
        except ParseError as exc:
            raise _gs1_error(text, exc, looks_like_gs1=True) from None
        return _from_element_strings(text, message.element_strings)

    try:
        result = biip.parse(text)
    except (ParseError, ValueError, IndexError) as exc:
        # biip reports most failures in the result; these are the odd inputs it raises on.
        raise _gs1_error(text, ParseError(str(exc)), looks_like_gs1=body[:1].isdigit()) from None
    if result.gs1_digital_link_uri is not None:
        return _from_element_strings(text, result.gs1_digital_link_uri.element_strings)
    if result.gs1_message is not None and _element(result.gs1_message.element_strings, "01"):
        return _from_element_strings(text, result.gs1_message.element_strings)
    if result.gtin is not None:
        # A bare GTIN (EAN-13 on a box, ITF-14 on a case): the DI alone, no production data.
        return ScannedBarcode(agency="gs1", di=result.gtin.as_gtin_14(), raw=text)
    if body.isascii() and body.isdigit() and len(body) in _GTIN_LENGTHS:
        _check_gtin_digit(text, body)  # raises when the check digit is wrong
    if result.gs1_message is not None:
        # Valid GS1 data without a GTIN: e.g. a lot label (10) alone, or an SSCC (00) pallet.
        raise BarcodeInvalidError("missing_di", value=_display(text))

    if body.startswith(("http://", "https://")):
        # Only a URI with a GTIN path segment is a (broken) GS1 Digital Link; any other URL is
        # simply not a UDI carrier.
        looks_like_gs1 = "/01/" in urlsplit(body).path
        error = result.gs1_digital_link_uri_error
    else:
        # GS1 element strings always start with a numeric AI; a GS1 symbology identifier also
        # tells us the scanner read GS1 data.
        looks_like_gs1 = body[:1].isdigit() or (
            symbology is not None and symbology.gs1_symbology is not None
        )
        error = result.gs1_message_error
    raise _gs1_error(text, ParseError(error or ""), looks_like_gs1=looks_like_gs1)


def _gs1_error(text: str, exc: ParseError, *, looks_like_gs1: bool) -> BarcodeInvalidError:
    """Name the reason for a biip failure.

    biip reports failures only as text, e.g. "Failed to parse GS1 AI (17) date/time from
    '250230'." or "Failed to match '17251332' with GS1 AI (17) pattern ...". The AI number is the
    one stable part: when it is a date AI the value is an impossible date. Anything else is GS1
    syntax we cannot accept. The tests pin this against the installed biip.
    """
    if not looks_like_gs1:
        return BarcodeInvalidError("unknown_structure", value=_display(text))
    message = str(exc)
    ai_match = _BIIP_AI_RE.search(message)
    if ai_match and ai_match.group(1) in _GS1_DATE_AIS:
        ai = ai_match.group(1)
        quoted = _BIIP_QUOTED_RE.search(message)
        date_text = quoted.group(1) if quoted else ""
        if date_text.startswith(ai) and len(date_text) > 6:
            date_text = date_text[len(ai) :]
        return BarcodeInvalidError(
            "bad_date", value=_display(text), field=f"({ai})", date=date_text[:6], agency="GS1"
        )
    return BarcodeInvalidError("bad_gs1_syntax", value=_display(text), detail=message)


def _element(elements: Iterable[GS1ElementString], ai: str) -> GS1ElementString | None:
    # Exact match: biip's own .get(ai=...) matches by prefix.
    return next((element for element in elements if element.ai.ai == ai), None)


def _from_element_strings(text: str, elements: Iterable[GS1ElementString]) -> ScannedBarcode:
    elements = list(elements)
    gtin_element = _element(elements, "01")
    if gtin_element is None:
        raise BarcodeInvalidError("missing_di", value=_display(text))
    if gtin_element.gtin is None:
        _check_gtin_digit(text, gtin_element.value)
        raise BarcodeInvalidError(
            "bad_gs1_syntax", value=_display(text), detail=gtin_element.gtin_error or ""
        )
    lot = _element(elements, "10")
    serial = _element(elements, "21")
    production = _element(elements, "11")
    expiry = _element(elements, "17")
    return ScannedBarcode(
        agency="gs1",
        di=gtin_element.gtin.as_gtin_14(),
        lot=lot.value if lot else None,
        serial=serial.value if serial else None,
        production_date=production.date if production else None,
        expiry_date=expiry.date if expiry else None,
        raw=text,
    )


def _check_gtin_digit(text: str, gtin: str) -> None:
    expected = gs1_standard_check_digit(gtin[:-1])
    actual = int(gtin[-1])
    if expected != actual:
        raise BarcodeInvalidError(
            "bad_check_digit", value=_display(text), gtin=gtin, actual=actual, expected=expected
        )


# --- MA (IDcode) -----------------------------------------------------------------------------

# DI: issuing agency "MA", country code (3 digits, 156 China), industry code (M0 for medical
# devices), registrant code (6 digits), product code (1 packaging digit + 6-digit item + 1 check
# character in the MA (IDcode) handbook). The product code is only required to be alphanumeric
# and at least packaging + check long, because real codes in circulation are longer than 8
# (e.g. "01004YA10017") and use lower case ("2cscp023").
_MA_DI_RE = re.compile(
    r"^MA\.(?P<country>[0-9]{3})\.(?P<industry>[0-9A-Z]{2})\.(?P<registrant>[0-9]{6})"
    r"\.(?P<product>[0-9A-Za-z]{2,})$"
)
_MA_DI_EXPECTED = "MA.<country>.<industry>.<6-digit registrant>.<product code>"
# PI segments follow the DI, each ".<letter><value>": S serial, M production date (P on some
# codes, e.g. from 2019), L lot, D sterilisation lot, E expiry (失效期), V validity date
# (有效期), C check character. Dates are YYMMDD or YYYYMMDD.
_MA_FIELDS = {
    "S": "serial",
    "M": "production_date",
    "P": "production_date",
    "L": "lot",
    "D": "sterilisation_lot",
    "E": "expiry_date",
    "V": "validity_date",
    "C": "check",
}
_MA_DATE_FIELDS = frozenset({"production_date", "expiry_date", "validity_date"})
# Documented as alphanumeric; any printable ASCII but the separator is accepted so that a real lot
# such as "A-12" is not refused over a rule we cannot verify the issuer enforces.
_MA_TEXT_RE = re.compile(r"^[!-~]+$")
_MA_CHECK_RE = re.compile(r"^[0-9A-Za-z]$")


def _parse_ma(text: str, body: str) -> ScannedBarcode:
    """MA (IDcode) UDI: ``MA.156.M0.<registrant>.<product>[.S…][.M…][.L…][.D…][.E…][.V…][.C…]``.

    Sources: the MA coding rules as published by an MA service centre (udi.cp-sy.cn:
    separators .L lot, .S serial, .M production date, .D sterilisation lot, .V validity date,
    .E expiry date; dates 6 or 8 digits), the DI layout quoted from the "医疗器械唯一标识 MA(IDcode)
    编码手册" in a public UDI FAQ, and real codes such as
    MA.156.M0.100350.01004YA10017.SLMSAGAAAC.M210628.LAY21062803.E220628.V220627.C3 (.P for the
    production date appears on some codes). The trailing check character (.C) is not verified:
    its algorithm is not published (the issuer computes it through its coding service), so only
    its shape is checked. The validity date (.V) is checked but not reported as the expiry,
    which is .E (失效期).
    """
    parts = body.split(".")
    di = ".".join(parts[:5])
    if len(parts) < 5 or not _MA_DI_RE.match(di):
        raise BarcodeInvalidError(
            "bad_di", value=_display(text), agency="MA", di=di, expected=_MA_DI_EXPECTED
        )
    fields: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    for segment in parts[5:]:
        field = _MA_FIELDS.get(segment[:1])
        data = segment[1:]
        if field is None or not data:
            raise BarcodeInvalidError(
                "bad_segment", value=_display(text), agency="MA", segment=segment or "."
            )
        if field in fields:
            raise BarcodeInvalidError(
                "duplicate_segment", value=_display(text), agency="MA", field=segment[:1]
            )
        if field in _MA_DATE_FIELDS:
            dates[field] = _ma_date(text, segment[:1], data)
        elif field == "check":
            if not _MA_CHECK_RE.match(data):
                raise BarcodeInvalidError(
                    "bad_segment", value=_display(text), agency="MA", segment=segment
                )
        elif not _MA_TEXT_RE.match(data):
            raise BarcodeInvalidError(
                "bad_segment", value=_display(text), agency="MA", segment=segment
            )
        fields[field] = data
    return ScannedBarcode(
        agency="ma",
        di=di,
        lot=fields.get("lot"),
        serial=fields.get("serial"),
        sterilisation_lot=fields.get("sterilisation_lot"),
        production_date=dates.get("production_date"),
        expiry_date=dates.get("expiry_date"),
        raw=text,
    )


def _ma_date(text: str, key: str, data: str) -> dt.date:
    if not (data.isascii() and data.isdigit() and len(data) in (6, 8)):
        raise BarcodeInvalidError(
            "bad_segment", value=_display(text), agency="MA", segment=key + data
        )
    return _date(text, data, field=key, agency="MA")


# --- AHM (阿里健康 码上放心) ---------------------------------------------------------------------

# The AHM coding specification is not public. What could be confirmed, from the source of a
# public UDI decoding service and a UDI FAQ: the DI is "MF" + a product code of at most 13
# characters, followed by PI fields named by two letters: BA lot (the FAQ writes BN, so both are
# read), SN serial, MD production date, BD best-before date (保质日期), ED expiry (有效期), PL
# packaging level; dates are YYMMDD. That decoder splits the lot from what follows at "*", so
# variable-length fields (lot, serial) are read up to "*" or the end. The product code must be
# digits here: nothing else marks where the DI ends, and no example with letters was found.
# Anything else is refused rather than guessed at.
_AHM_DI_RE = re.compile(r"^MF[0-9]+")
_AHM_DI_MAX_DIGITS = 13
_AHM_VARIABLE = {"BA": "lot", "BN": "lot", "SN": "serial"}
_AHM_DATES = {"MD": "production_date", "BD": "best_before_date", "ED": "expiry_date"}
_AHM_PACKAGING = "PL"
_AHM_TERMINATOR = "*"
_AHM_VALUE_RE = re.compile(r"^[!-~]+$")


def _parse_ahm(text: str, body: str) -> ScannedBarcode:
    match = _AHM_DI_RE.match(body)
    if match is None or len(match.group()) - 2 > _AHM_DI_MAX_DIGITS:
        di = match.group() if match else body[:15]
        raise BarcodeInvalidError(
            "bad_di", value=_display(text), agency="AHM", di=di, expected="MF + 1 to 13 digits"
        )
    di = match.group()
    rest = body[match.end() :]
    fields: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    position = 0
    while position < len(rest):
        if rest[position] == _AHM_TERMINATOR:
            position += 1
            continue
        key = rest[position : position + 2]
        start = position + 2
        if key in _AHM_VARIABLE:
            end = rest.find(_AHM_TERMINATOR, start)
            end = len(rest) if end == -1 else end
            field, data = _AHM_VARIABLE[key], rest[start:end]
            if not _AHM_VALUE_RE.match(data):
                raise BarcodeInvalidError(
                    "bad_segment", value=_display(text), agency="AHM", segment=key + data
                )
        elif key in _AHM_DATES:
            end = start + 6
            field, data = _AHM_DATES[key], rest[start:end]
            if not (data.isascii() and data.isdigit() and len(data) == 6):
                raise BarcodeInvalidError(
                    "bad_segment", value=_display(text), agency="AHM", segment=key + data
                )
            dates[field] = _date(text, data, field=key, agency="AHM")
        elif key == _AHM_PACKAGING:
            end = start + 1
            field, data = "packaging_level", rest[start:end]
            if not (data.isascii() and data.isdigit()):
                raise BarcodeInvalidError(
                    "bad_segment", value=_display(text), agency="AHM", segment=key + data
                )
        else:
            raise BarcodeInvalidError(
                "bad_segment", value=_display(text), agency="AHM", segment=rest[position:][:12]
            )
        if field in fields:
            raise BarcodeInvalidError(
                "duplicate_segment", value=_display(text), agency="AHM", field=key
            )
        fields[field] = data
        position = end
    return ScannedBarcode(
        agency="ahm",
        di=di,
        lot=fields.get("lot"),
        serial=fields.get("serial"),
        production_date=dates.get("production_date"),
        expiry_date=dates.get("expiry_date"),
        raw=text,
    )


# --- shared ----------------------------------------------------------------------------------


def _date(text: str, digits: str, *, field: str, agency: str) -> dt.date:
    """YYMMDD (20YY: these agencies started in 2019) or YYYYMMDD, as printed, to a date."""
    yyyymmdd = "20" + digits if len(digits) == 6 else digits
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise BarcodeInvalidError(
            "bad_date", value=_display(text), field=field, date=digits, agency=agency
        ) from None


def _check_dates_order(barcode: ScannedBarcode) -> None:
    produced, expires = barcode.production_date, barcode.expiry_date
    if produced is not None and expires is not None and expires < produced:
        raise BarcodeInvalidError(
            "expiry_before_production",
            value=_display(barcode.raw),
            production_date=produced.isoformat(),
            expiry_date=expires.isoformat(),
        )


_DISPLAY_LIMIT = 200


def _display(text: str) -> str:
    """The scanned value as shown in messages: control characters made visible, length capped."""
    shown = text.replace(GS, "<GS>")
    shown = "".join(char if char.isprintable() else "?" for char in shown)
    if len(shown) > _DISPLAY_LIMIT:
        shown = shown[: _DISPLAY_LIMIT - 1] + "…"
    return shown
