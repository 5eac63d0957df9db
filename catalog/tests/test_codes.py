import pytest

from catalog.codes import (
    LEVEL1_CATEGORIES,
    LEVEL1_CODES,
    NhsaCode,
    is_valid_nhsa_code,
    parse_nhsa_code,
)
from catalog.errors import NhsaCodeInvalidError

EXAMPLE = "C15011121200000107660000016"  # domain.md: C|15|01|11|212|00|000|10766|0000016


def test_example_code_splits_into_its_segments():
    code = parse_nhsa_code(EXAMPLE)

    assert code == NhsaCode(
        value=EXAMPLE,
        level1="15",
        level2="01",
        level3="11",
        generic_group="212",
        material="00",
        feature="000",
        company="10766",
        spec_serial="0000016",
    )
    assert code.is_full
    assert code.base_code == "C1501112120000010766"
    assert code.category_level1 == "15"
    assert code.category_level2 == "1501"
    assert code.category_level3 == "150111"
    assert str(code) == EXAMPLE


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("C0101010010100104744", id="base-01-non-vascular-stent"),
        pytest.param("C0311160800200706410", id="base-03-orthopaedic-plate"),
        pytest.param("C09010101000000066260000001", id="full-09-extracorporeal"),
        pytest.param("C09100100000000211790000049", id="full-level2-10"),
        pytest.param(EXAMPLE, id="full-domain-example"),
    ],
)
def test_real_codes_are_accepted(value):
    code = parse_nhsa_code(value)

    assert code.value == value
    assert code.base_code == value[:20]
    assert code.is_full is (len(value) == 27)


def test_base_code_has_no_spec_serial():
    code = parse_nhsa_code("C0101010010100104744")

    assert code.spec_serial is None
    assert not code.is_full
    assert code.base_code == code.value
    assert code.company == "04744"


def test_surrounding_whitespace_and_a_lowercase_c_are_normalised():
    assert parse_nhsa_code("  c15011121200000107660000016\n").value == EXAMPLE


def test_level2_and_level3_00_are_accepted_because_no_rule_forbids_them():
    code = parse_nhsa_code("C0100000010100104744")

    assert code.category_level3 == "010000"


def test_level1_names_are_known_only_where_confirmed():
    assert parse_nhsa_code("C0311160800200706410").level1_name == "骨科材料"
    assert parse_nhsa_code("C0101010010100104744").level1_name == "非血管介入治疗类材料"
    assert parse_nhsa_code(EXAMPLE).level1_name is None


def test_level1_tables_are_consistent():
    assert len(LEVEL1_CODES) == 17
    assert min(LEVEL1_CODES) == "01"
    assert max(LEVEL1_CODES) == "17"
    assert set(LEVEL1_CATEGORIES) <= LEVEL1_CODES


@pytest.mark.parametrize(
    ("value", "reason", "extra"),
    [
        pytest.param("", "empty", {}, id="empty"),
        pytest.param("   ", "empty", {}, id="blank"),
        pytest.param("C0101", "bad_length", {"length": 5}, id="too-short"),
        pytest.param("C01010100101001047441", "bad_length", {"length": 21}, id="21-chars"),
        pytest.param("C0901010100000006626000000", "bad_length", {"length": 26}, id="26-chars"),
        pytest.param("D0101010010100104744", "bad_prefix", {"char": "D"}, id="letter-not-c"),
        pytest.param("00101010010100104744", "bad_prefix", {"char": "0"}, id="digit-first"),
        pytest.param(
            "C01010100101001047A4",
            "bad_character",
            {"char": "A", "position": 19},
            id="letter-inside",
        ),
        pytest.param(
            "C0101010010100104744 000001",
            "bad_character",
            {"char": " ", "position": 21},
            id="space-inside",
        ),
        pytest.param(
            "C０101010010100104744",
            "bad_character",
            {"char": "０", "position": 2},
            id="full-width-digit",
        ),
        pytest.param("C0001010010100104744", "bad_level1", {"level1": "00"}, id="level1-00"),
        pytest.param("C1801010010100104744", "bad_level1", {"level1": "18"}, id="level1-18"),
        pytest.param("C9901010010100104744", "bad_level1", {"level1": "99"}, id="level1-99"),
    ],
)
def test_invalid_codes_name_the_reason(value, reason, extra):
    with pytest.raises(NhsaCodeInvalidError) as caught:
        parse_nhsa_code(value)

    assert caught.value.code == "nhsa_code_invalid"
    assert caught.value.extra["reason"] == reason
    assert caught.value.reason == reason
    assert caught.value.extra["value"] == value.strip()
    for key, expected in extra.items():
        assert caught.value.extra[key] == expected


def test_is_valid_nhsa_code():
    assert is_valid_nhsa_code(EXAMPLE)
    assert not is_valid_nhsa_code("C18")


def test_an_unknown_reason_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown reason"):
        NhsaCodeInvalidError("no_such_reason", value="x")


def test_error_is_a_400_validation_error():
    with pytest.raises(NhsaCodeInvalidError) as caught:
        parse_nhsa_code("C18")

    assert caught.value.http_status == 400
    assert caught.value.as_dict()["code"] == "nhsa_code_invalid"
