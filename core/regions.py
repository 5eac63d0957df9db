"""Administrative division codes (GB/T 2260) as plain data.

python-stdnum ships the full table (with the years each code was in use) for validating resident
identity numbers; we reuse it rather than keep a second copy. A region code is 6 digits:
province (2) + prefecture/city (2) + county/district (2).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_LINE = re.compile(r'^(\s*)(\d+) \w+="(?:\[(\d*)-(\d*)\])?(.*)"$')


@cache
def _table() -> dict[str, str]:
    """Current codes -> names; retired codes (with an end year) are left out."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    province = ""
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        indent, digits, _start, end, name = match.groups()
        if not indent:
            province = digits
            continue
        if end:
            continue
        table[province + digits] = name
    return table


def is_valid_region(code: str) -> bool:
    return code in _table()


def region_name(code: str) -> str:
    return _table().get(code, code)


def region_full_name(code: str) -> str:
    """江苏省 南京市 鼓楼区, from the province down to the code's own level."""
    parts = []
    for level_code in (code[:2] + "0000", code[:4] + "00", code):
        name = _table().get(level_code)
        if name and name not in parts and name != "市辖区":
            parts.append(name)
    return " ".join(parts)


def region_level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"


def jurisdiction_prefix(code: str) -> str:
    """The code prefix an authority at ``code`` oversees: 32 for a province, 3201 for a city."""
    level = region_level(code)
    if level == "province":
        return code[:2]
    if level == "city":
        return code[:4]
    return code


def districts_of(city_code: str) -> list[tuple[str, str]]:
    prefix = city_code[:4]
    return [
        (code, name)
        for code, name in _table().items()
        if code.startswith(prefix) and not code.endswith("00")
    ]
