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


# [R-LIST-OTHER] the 31 provincial-level divisions of the mainland (GB/T 2260, first two digits)
# whose platforms a product may already be listed on. Hong Kong, Macao and Taiwan run no
# medical-consumables procurement platform of this kind, so they are not offered.
MAINLAND_PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
