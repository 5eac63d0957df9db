import datetime as dt

import pytest

from catalog.errors import RegistrationNumberInvalidError
from catalog.registration import (
    NATIONAL,
    RegistrationNumber,
    is_valid_registration_number,
    parse_registration_number,
)

TODAY = dt.date(2026, 6, 1)


def parse(value: str) -> RegistrationNumber:
    return parse_registration_number(value, today=TODAY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "国械注准20153460789",
            RegistrationNumber(
                value="国械注准20153460789",
                kind="registration",
                legacy=False,
                origin="domestic",
                device_class=3,
                year=2015,
                category="46",
                serial="0789",
                authority=NATIONAL,
            ),
            id="national-domestic-class3",
        ),
        pytest.param(
            "国械注进20163131234",
            RegistrationNumber(
                value="国械注进20163131234",
                kind="registration",
                legacy=False,
                origin="imported",
                device_class=3,
                year=2016,
                category="13",
                serial="1234",
                authority=NATIONAL,
            ),
            id="imported-class3",
        ),
        pytest.param(
            "国械注进20232070066",
            RegistrationNumber(
                value="国械注进20232070066",
                kind="registration",
                legacy=False,
                origin="imported",
                device_class=2,
                year=2023,
                category="07",
                serial="0066",
                authority=NATIONAL,
            ),
            id="imported-class2",
        ),
        pytest.param(
            "国械注许20183460001",
            RegistrationNumber(
                value="国械注许20183460001",
                kind="registration",
                legacy=False,
                origin="hk_mo_tw",
                device_class=3,
                year=2018,
                category="46",
                serial="0001",
                authority=NATIONAL,
            ),
            id="hk-mo-tw",
        ),
        pytest.param(
            "苏械注准20192140123",
            RegistrationNumber(
                value="苏械注准20192140123",
                kind="registration",
                legacy=False,
                origin="domestic",
                device_class=2,
                year=2019,
                category="14",
                serial="0123",
                authority="苏",
            ),
            id="provincial-class2",
        ),
        pytest.param(
            "苏宁械备20180012",
            RegistrationNumber(
                value="苏宁械备20180012",
                kind="filing",
                legacy=False,
                origin="domestic",
                device_class=1,
                year=2018,
                category=None,
                serial="0012",
                authority="苏",
                city="宁",
            ),
            id="city-filing",
        ),
        pytest.param(
            "沪械备20150001",
            RegistrationNumber(
                value="沪械备20150001",
                kind="filing",
                legacy=False,
                origin="domestic",
                device_class=1,
                year=2015,
                category=None,
                serial="0001",
                authority="沪",
            ),
            id="municipality-filing",
        ),
        pytest.param(
            "国械备20190001",
            RegistrationNumber(
                value="国械备20190001",
                kind="filing",
                legacy=False,
                origin="imported",
                device_class=1,
                year=2019,
                category=None,
                serial="0001",
                authority=NATIONAL,
            ),
            id="imported-filing",
        ),
        pytest.param(
            "国食药监械(准)字2013第3460123号",
            RegistrationNumber(
                value="国食药监械(准)字2013第3460123",
                kind="registration",
                legacy=True,
                origin="domestic",
                device_class=3,
                year=2013,
                category="46",
                serial="0123",
                authority=NATIONAL,
            ),
            id="legacy-national",
        ),
        pytest.param(
            "国食药监械(进)字2012第3461234号",
            RegistrationNumber(
                value="国食药监械(进)字2012第3461234",
                kind="registration",
                legacy=True,
                origin="imported",
                device_class=3,
                year=2012,
                category="46",
                serial="1234",
                authority=NATIONAL,
            ),
            id="legacy-imported",
        ),
        pytest.param(
            "苏宁食药监械(准)字2012第1640001号",
            RegistrationNumber(
                value="苏宁食药监械(准)字2012第1640001",
                kind="registration",
                legacy=True,
                origin="domestic",
                device_class=1,
                year=2012,
                category="64",
                serial="0001",
                authority="苏",
                city="宁",
            ),
            id="legacy-city-class1",
        ),
        pytest.param(
            "国药管械(进)字2002第2260123号",
            RegistrationNumber(
                value="国药管械(进)字2002第2260123",
                kind="registration",
                legacy=True,
                origin="imported",
                device_class=2,
                year=2002,
                category="26",
                serial="0123",
                authority=NATIONAL,
            ),
            id="legacy-sda-era",
        ),
    ],
)
def test_valid_numbers_are_parsed(value, expected):
    assert parse(value) == expected


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        pytest.param(" 国械注准 2015 346 0789 ", "国械注准20153460789", id="spaces"),
        pytest.param(
            "国械注准２０１５３４６０７８９", "国械注准20153460789", id="full-width-digits"
        ),
        pytest.param("浙温械备20140027号", "浙温械备20140027", id="trailing-hao"),
        pytest.param(
            "国食药监械（准）字2013第3460123号",
            "国食药监械(准)字2013第3460123",
            id="full-width-brackets",
        ),
        pytest.param(
            "国食药监械(进)字2010第3460850号(更)",
            "国食药监械(进)字2010第3460850",
            id="legacy-changed",
        ),
    ],
)
def test_input_is_normalised(value, normalised):
    assert parse(value).value == normalised


def test_province_alone_could_register_class_1_and_2_in_legacy_rules():
    # Municipalities had no city level, so their class-1 numbers carry the province alone.
    assert parse("京药监械(准)字2010第1640001号").device_class == 1
    assert parse("京药监械(准)字2010第2640001号").device_class == 2


def test_is_national():
    assert parse("国械注准20153460789").is_national
    assert not parse("苏械注准20192140123").is_national


def test_year_may_be_next_year_but_not_later():
    assert parse("国械注准20273460789").year == 2027


def test_default_today_comes_from_the_clock():
    assert parse_registration_number("国械注准20153460789").year == 2015


@pytest.mark.parametrize(
    ("value", "reason", "extra"),
    [
        pytest.param("", "empty", {}, id="empty"),
        pytest.param("  号 ", "empty", {}, id="only-hao"),
        pytest.param("20153460789", "bad_prefix", {}, id="digits-only"),
        pytest.param("国药准字H20153460", "bad_prefix", {}, id="drug-approval"),
        pytest.param("京械注进20163131234", "bad_prefix", {}, id="provincial-import"),
        pytest.param("苏械注许20183460001", "bad_prefix", {}, id="provincial-hk"),
        pytest.param("美械注准20192140123", "bad_prefix", {}, id="not-a-province"),
        pytest.param("美宁械备20180012", "bad_prefix", {}, id="filing-not-a-province"),
        pytest.param(
            "苏食药监械(进)字2012第3461234号", "bad_prefix", {}, id="legacy-provincial-import"
        ),
        pytest.param(
            "国械注准2015346078",
            "bad_length",
            {"length": 10, "expected": 11, "prefix": "国械注准"},
            id="registration-10-digits",
        ),
        pytest.param(
            "国械注准201534607890",
            "bad_length",
            {"length": 12, "expected": 11},
            id="registration-12-digits",
        ),
        pytest.param("苏宁械备2018001", "bad_length", {"length": 7, "expected": 8}, id="filing-7"),
        pytest.param(
            "国食药监械(准)字2013第346012号",
            "bad_length",
            {"length": 6, "expected": 7},
            id="legacy-6",
        ),
        pytest.param(
            "国食药监械(准)字13第3460123号",
            "bad_length",
            {"length": 2, "expected": 4},
            id="legacy-year",
        ),
        pytest.param("国械注准2015346078X", "bad_characters", {}, id="letter"),
        pytest.param("国械注准 2015-346-0789", "bad_characters", {}, id="dashes"),
        pytest.param("国械注准", "bad_length", {"length": 0}, id="prefix-only"),
        pytest.param(
            "国械注准19993460789", "bad_year", {"year": 1999, "min_year": 2000}, id="before-2000"
        ),
        pytest.param(
            "国械注准20283460789",
            "bad_year",
            {"year": 2028, "max_year": 2027},
            id="after-next-year",
        ),
        pytest.param("国械备19990001", "bad_year", {"year": 1999}, id="filing-year"),
        pytest.param(
            "国食药监械(准)字1998第3460123号", "bad_year", {"year": 1998}, id="legacy-year-old"
        ),
        pytest.param(
            "国械注准20152460789",
            "bad_class",
            {"device_class": 2, "allowed": "3", "prefix": "国械注准"},
            id="national-class2",
        ),
        pytest.param(
            "苏械注准20193140123",
            "bad_class",
            {"device_class": 3, "allowed": "2"},
            id="provincial-class3",
        ),
        pytest.param(
            "苏械注准20191140123", "bad_class", {"device_class": 1}, id="provincial-class1"
        ),
        pytest.param(
            "国械注进20161131234",
            "bad_class",
            {"device_class": 1, "allowed": "2/3"},
            id="imported-class1",
        ),
        pytest.param("国械注许20185460001", "bad_class", {"device_class": 5}, id="class5"),
        pytest.param(
            "国食药监械(准)字2013第2460123号", "bad_class", {"allowed": "3"}, id="legacy-national-2"
        ),
        pytest.param(
            "苏宁食药监械(准)字2012第2640001号",
            "bad_class",
            {"allowed": "1"},
            id="legacy-city-class2",
        ),
        pytest.param(
            "国食药监械(进)字2012第0461234号", "bad_class", {"device_class": 0}, id="legacy-0"
        ),
    ],
)
def test_invalid_numbers_name_the_reason(value, reason, extra):
    with pytest.raises(RegistrationNumberInvalidError) as caught:
        parse(value)

    assert caught.value.code == "registration_number_invalid"
    assert caught.value.extra["reason"] == reason
    for key, expected in extra.items():
        assert caught.value.extra[key] == expected


def test_is_valid_registration_number():
    assert is_valid_registration_number("国械注准20153460789", today=TODAY)
    assert not is_valid_registration_number("国械注准20152460789", today=TODAY)
