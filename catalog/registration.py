"""NMPA device registration certificate numbers (注册证编号) and filing numbers (备案编号).

Current formats, unchanged from 医疗器械注册管理办法 (CFDA Order No. 4, 2014) into
医疗器械注册与备案管理办法 (SAMR Order No. 47, 2021):

* Registration ``×1械注×2××××3×4××5××××6``: ×1 the issuing authority, 国 for domestic class 3
  and for every imported or Hong Kong/Macao/Taiwan device, the province abbreviation for
  domestic class 2; ×2 the form, 准 domestic, 进 imported, 许 Hong Kong/Macao/Taiwan; ××××3 the
  year of first registration; ×4 the management class; ××5 the product category code; ××××6 the
  serial. E.g. 国械注准20153460789, 国械注进20163131234, 苏械注准20192140123.
* Filing (class 1) ``×1械备××××2××××3``: ×1 国 for imported class 1, otherwise the province
  abbreviation plus the city abbreviation (only the province where there is no city level);
  ××××2 year; ××××3 serial. E.g. 国械备20151134, 浙温械备20140027.

Legacy registrations (before October 2014) read ``×(×)1(食)药监械(×2)字××××3第×4××5××××6号``,
e.g. 国食药监械(准)字2013第3460123号; under those rules class 1 was registered too, by the city
(province + city abbreviation, the province alone where there is no city level). Such numbers
are still printed on old stock and old catalogue rows, so they are accepted and marked legacy.
(Sources: the format paragraphs quoted in several public explainers of both orders; the order
texts themselves were not in our reference corpus.)

The product category code is not checked against a list: before 2018 it came from the 2002
catalogue (e.g. 46 for 6846 implants), after that from the 2017 catalogue (01..22, IVD 40).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from catalog.errors import RegistrationNumberInvalidError
from core.clock import local_today

Origin = Literal["domestic", "imported", "hk_mo_tw"]
Kind = Literal["registration", "filing"]

NATIONAL = "national"
MIN_YEAR = 2000

# Province-level abbreviations used on certificates, including the alternative ones some
# provinces print (黔 Guizhou, 滇 Yunnan, 陇 Gansu, 秦 Shaanxi, 蜀 Sichuan).
PROVINCES: frozenset[str] = frozenset(
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新" + "黔滇陇秦蜀"
)

_FORMS: dict[str, Origin] = {"准": "domestic", "进": "imported", "许": "hk_mo_tw"}

_CJK = "\u4e00-\u9fff"
_CURRENT_RE = re.compile(rf"^(?P<issuer>[{_CJK}])械注(?P<form>[{''.join(_FORMS)}])(?P<rest>.*)$")
_FILING_RE = re.compile(rf"^(?P<issuer>[{_CJK}]{{1,2}})械备(?P<rest>.*)$")
_LEGACY_RE = re.compile(
    rf"^(?P<issuer>[{_CJK}]{{1,2}}?)食?药[监管]械\((?P<form>[{''.join(_FORMS)}])\)字"
    r"(?P<year>[^第]*)第(?P<rest>.*)$"
)
# Legacy certificates changed after issue are commonly written with a trailing (更) ("changed");
# it is not part of the number.
_LEGACY_CHANGE_SUFFIX = "(更)"


@dataclass(frozen=True)
class RegistrationNumber:
    value: str  # normalised: half-width, no spaces, no trailing 号
    kind: Kind
    legacy: bool
    origin: Origin  # 国械备 filings cover imported and HK/Macao/Taiwan alike: "imported"
    device_class: int
    year: int
    category: str | None  # product category code; filings have none
    serial: str
    authority: str  # "national" or the province abbreviation
    city: str | None = None  # city abbreviation of class-1 filings and legacy registrations

    @property
    def is_national(self) -> bool:
        return self.authority == NATIONAL

    def __str__(self) -> str:
        return self.value


def normalize_registration_number(value: str) -> str:
    """Half-width digits and brackets, no whitespace, no trailing 号 (as typed or OCR'd)."""
    text = unicodedata.normalize("NFKC", value or "")
    text = "".join(text.split())
    text = text.removesuffix(_LEGACY_CHANGE_SUFFIX)
    return text.removesuffix("号")


def parse_registration_number(value: str, *, today: dt.date | None = None) -> RegistrationNumber:
    """Parse a registration certificate or filing number, or raise the reason it is invalid."""
    text = normalize_registration_number(value)
    if not text:
        raise RegistrationNumberInvalidError("empty", value=text)
    if today is None:
        today = local_today()
    if match := _FILING_RE.match(text):
        return _parse_filing(text, match, today)
    if match := _CURRENT_RE.match(text):
        return _parse_current(text, match, today)
    if match := _LEGACY_RE.match(text):
        return _parse_legacy(text, match, today)
    raise RegistrationNumberInvalidError("bad_prefix", value=text)


def is_valid_registration_number(value: str, *, today: dt.date | None = None) -> bool:
    try:
        parse_registration_number(value, today=today)
    except RegistrationNumberInvalidError:
        return False
    return True


def _parse_current(text: str, match: re.Match[str], today: dt.date) -> RegistrationNumber:
    issuer, form = match["issuer"], match["form"]
    prefix = f"{issuer}械注{form}"
    national = issuer == "国"
    if not national and (issuer not in PROVINCES or form != "准"):
        # Provinces register only domestic class 2; imports are always national.
        raise RegistrationNumberInvalidError("bad_prefix", value=text)
    digits = _digits(text, prefix, match["rest"], expected=11)
    year = _year(text, digits[:4], today)
    device_class = int(digits[4])
    # National 准 is domestic class 3, provincial 准 domestic class 2; imports are class 2 or 3
    # (imported class 1 is filed, 国械备).
    allowed = ((3,) if national else (2,)) if form == "准" else (2, 3)
    _check_class(text, prefix, device_class, allowed)
    return RegistrationNumber(
        value=text,
        kind="registration",
        legacy=False,
        origin=_FORMS[form],
        device_class=device_class,
        year=year,
        category=digits[5:7],
        serial=digits[7:11],
        authority=NATIONAL if national else issuer,
    )


def _parse_filing(text: str, match: re.Match[str], today: dt.date) -> RegistrationNumber:
    issuer = match["issuer"]
    prefix = f"{issuer}械备"
    authority, city = _split_issuer(text, issuer)
    digits = _digits(text, prefix, match["rest"], expected=8)
    year = _year(text, digits[:4], today)
    return RegistrationNumber(
        value=text,
        kind="filing",
        legacy=False,
        origin="imported" if authority == NATIONAL else "domestic",
        device_class=1,
        year=year,
        category=None,
        serial=digits[4:8],
        authority=authority,
        city=city,
    )


def _parse_legacy(text: str, match: re.Match[str], today: dt.date) -> RegistrationNumber:
    issuer, form = match["issuer"], match["form"]
    prefix = text[: match.start("year")]
    authority, city = _split_issuer(text, issuer)
    if authority != NATIONAL and form != "准":
        raise RegistrationNumberInvalidError("bad_prefix", value=text)
    year_text = match["year"]
    if not _all_digits(year_text):
        raise RegistrationNumberInvalidError("bad_characters", value=text, prefix=prefix)
    if len(year_text) != 4:
        raise RegistrationNumberInvalidError(
            "bad_length", value=text, prefix=prefix, length=len(year_text), expected=4
        )
    year = _year(text, year_text, today)
    digits = _digits(text, prefix + year_text + "第", match["rest"], expected=7)
    device_class = int(digits[0])
    if form != "准":
        allowed: tuple[int, ...] = (1, 2, 3)
    elif authority == NATIONAL:
        allowed = (3,)
    elif city is None:
        # Municipalities registered class 1 under the province abbreviation alone.
        allowed = (1, 2)
    else:
        allowed = (1,)
    _check_class(text, prefix, device_class, allowed)
    return RegistrationNumber(
        value=text,
        kind="registration",
        legacy=True,
        origin=_FORMS[form],
        device_class=device_class,
        year=year,
        category=digits[1:3],
        serial=digits[3:7],
        authority=authority,
        city=city,
    )


def _split_issuer(text: str, issuer: str) -> tuple[str, str | None]:
    """国 alone, or a province abbreviation optionally followed by one city abbreviation."""
    if issuer == "国":
        return NATIONAL, None
    if issuer[0] not in PROVINCES:
        raise RegistrationNumberInvalidError("bad_prefix", value=text)
    return issuer[0], (issuer[1] if len(issuer) == 2 else None)


def _digits(text: str, prefix: str, rest: str, *, expected: int) -> str:
    if not _all_digits(rest):
        raise RegistrationNumberInvalidError("bad_characters", value=text, prefix=prefix)
    if len(rest) != expected:
        raise RegistrationNumberInvalidError(
            "bad_length", value=text, prefix=prefix, length=len(rest), expected=expected
        )
    return rest


def _all_digits(text: str) -> bool:
    """ASCII digits only (an empty string passes: that is a length problem, not a character one)."""
    return text.isascii() and (text == "" or text.isdigit())


def _year(text: str, digits: str, today: dt.date) -> int:
    year = int(digits)
    # A number can be issued in late December and printed with next year's date; no later.
    max_year = today.year + 1
    if not MIN_YEAR <= year <= max_year:
        raise RegistrationNumberInvalidError(
            "bad_year", value=text, year=year, min_year=MIN_YEAR, max_year=max_year
        )
    return year


def _check_class(text: str, prefix: str, device_class: int, allowed: tuple[int, ...]) -> None:
    if device_class not in allowed:
        raise RegistrationNumberInvalidError(
            "bad_class",
            value=text,
            prefix=prefix,
            device_class=device_class,
            allowed="/".join(str(c) for c in allowed),
        )
