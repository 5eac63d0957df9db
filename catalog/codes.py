"""The national medical-insurance consumables code (医保医用耗材代码).

Structure (domain.md, "Catalogue and codes"; the NHSA specification itself is not public, this
is the layout published in provincial mapping documents and seen on real codes)::

    C | level 1 (2) | level 2 (2) | level 3 (2) | generic-name group (3) | material (2)
      | feature (3) | company (5) [ | spec/model serial (7) ]

    C15011121200000107660000016 = C|15|01|11|212|00|000|10766|0000016

The 20-character base code identifies a product group of one company; the 27-character code adds
the serial of one specification/model (规格型号编号).

Validation rejects only what is certainly wrong: the shape (C + digits, 20 or 27 long) and a
first-level category outside 01..17 (the national classification has exactly 17). Level 2 and
level 3 are not checked against "00": no published rule says 00 cannot occur, and real codes use
00 in the neighbouring material (00 不区分) and feature (000 常规) fields, so a wrong guess here
would block genuine products. Membership of a code in the national database is a separate check
against the imported release, not something the syntax can tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.errors import NhsaCodeInvalidError

BASE_LENGTH = 20
FULL_LENGTH = 27

BASE_CODE_RE = re.compile(r"^C[0-9]{19}$")
FULL_CODE_RE = re.compile(r"^C[0-9]{26}$")

# The 17 first-level categories (一级分类, 学科/品类) are numbered 01..17.
LEVEL1_CODES: frozenset[str] = frozenset(f"{n:02d}" for n in range(1, 18))

# First-level names confirmed from real national-database rows (category column "NN-名称" next
# to a code of that category) found in public repositories:
#   01 e.g. C0101010010100104744 "01-非血管介入治疗类材料"
#   02 an import report listing a national release's files: "C02 血管介入治疗类材料"
#   03 e.g. C0311160800200706410 "03-骨科材料"
#   09 e.g. C09010101000000066260000001 "09-体外循环材料"
# Note the order: 01 is NON-vascular, 02 vascular. The other 13 names could not be confirmed
# against a primary source (candidates seen include 心脏外科类材料 under both C05 and C14), so they
# are left out rather than guessed; fill them in from the NHSA release's category sheet.
LEVEL1_CATEGORIES: dict[str, str] = {
    "01": "非血管介入治疗类材料",
    "02": "血管介入治疗类材料",
    "03": "骨科材料",
    "09": "体外循环材料",
}


@dataclass(frozen=True)
class NhsaCode:
    """A syntactically valid national consumables code, split into its segments."""

    value: str
    level1: str
    level2: str
    level3: str
    generic_group: str
    material: str
    feature: str
    company: str
    spec_serial: str | None  # only in the 27-character form

    @property
    def is_full(self) -> bool:
        return self.spec_serial is not None

    @property
    def base_code(self) -> str:
        """The 20-character code: what the 27-character code refines by specification."""
        return self.value[:BASE_LENGTH]

    @property
    def category_level1(self) -> str:
        return self.level1

    @property
    def category_level2(self) -> str:
        return self.level1 + self.level2

    @property
    def category_level3(self) -> str:
        return self.level1 + self.level2 + self.level3

    @property
    def level1_name(self) -> str | None:
        return LEVEL1_CATEGORIES.get(self.level1)

    def __str__(self) -> str:
        return self.value


def normalize_nhsa_code(value: str) -> str:
    """Strip surrounding whitespace and uppercase a leading 'c' (hand-typed codes)."""
    value = value.strip()
    if value.startswith("c"):
        value = "C" + value[1:]
    return value


def parse_nhsa_code(value: str) -> NhsaCode:
    """Parse a 20- or 27-character national consumables code, or raise NhsaCodeInvalidError."""
    code = normalize_nhsa_code(value or "")
    if not code:
        raise NhsaCodeInvalidError("empty", value=code)
    if len(code) not in (BASE_LENGTH, FULL_LENGTH):
        raise NhsaCodeInvalidError("bad_length", value=code, length=len(code))
    if code[0] != "C":
        raise NhsaCodeInvalidError("bad_prefix", value=code, char=code[0])
    for index, char in enumerate(code[1:], start=2):
        # isdigit() would accept full-width and other Unicode digits; the code is ASCII only.
        if char not in "0123456789":
            raise NhsaCodeInvalidError("bad_character", value=code, char=char, position=index)
    level1 = code[1:3]
    if level1 not in LEVEL1_CODES:
        raise NhsaCodeInvalidError("bad_level1", value=code, level1=level1)
    return NhsaCode(
        value=code,
        level1=level1,
        level2=code[3:5],
        level3=code[5:7],
        generic_group=code[7:10],
        material=code[10:12],
        feature=code[12:15],
        company=code[15:20],
        spec_serial=code[20:27] if len(code) == FULL_LENGTH else None,
    )


def is_valid_nhsa_code(value: str) -> bool:
    try:
        parse_nhsa_code(value)
    except NhsaCodeInvalidError:
        return False
    return True
