from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import AmountInvalidError, allocate, format_cny, parse_amount, quantize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", Decimal("12.00")),
        ("12.3", Decimal("12.30")),
        ("12.34", Decimal("12.34")),
        ("1,234.50", Decimal("1234.50")),
        ("¥1,234.56", Decimal("1234.56")),
        (" 0.10 ", Decimal("0.10")),
        ("12.340", Decimal("12.34")),
        (Decimal("5.5"), Decimal("5.50")),
        (7, Decimal("7.00")),
    ],
    ids=[
        "integer",
        "one-place",
        "two-places",
        "thousands",
        "yuan-sign",
        "spaces",
        "trailing-zero",
        "decimal",
        "int",
    ],
)
def test_parse_amount_accepts_exact_cents(raw, expected):
    assert parse_amount(raw) == expected
    assert parse_amount(raw).as_tuple().exponent == -2


@pytest.mark.parametrize(
    "raw",
    ["12.345", "0.001", "abc", "", "NaN", "Infinity", "-1.00", 1.5, True, None],
    ids=[
        "third-decimal",
        "tenth-of-cent",
        "text",
        "empty",
        "nan",
        "infinity",
        "negative",
        "float",
        "bool",
        "none",
    ],
)
def test_parse_amount_refuses_what_is_not_exact_cents(raw):
    with pytest.raises(AmountInvalidError) as exc:
        parse_amount(raw)
    assert exc.value.code == "amount_invalid"


def test_parse_amount_allows_negative_only_when_asked():
    assert parse_amount("-3.50", allow_negative=True) == Decimal("-3.50")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.345", "2.35"), ("2.344", "2.34"), ("-2.345", "-2.35"), ("0.005", "0.01")],
)
def test_quantize_rounds_half_up(value, expected):
    assert quantize(Decimal(value)) == Decimal(expected)


def test_quantize_refuses_float():
    with pytest.raises(TypeError):
        quantize(1.1)  # type: ignore[arg-type]


def test_format_cny():
    assert format_cny(Decimal("1234.5")) == "¥1,234.50"
    assert format_cny(Decimal("-0.5")) == "-¥0.50"


@given(
    total=st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
        lambda w: sum(w) > 0
    ),
)
def test_allocate_parts_sum_exactly_to_the_total(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == quantize(total)
    assert len(parts) == len(weights)
    assert all(p.as_tuple().exponent == -2 for p in parts)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4))
def test_quantize_is_idempotent(value):
    assert quantize(quantize(value)) == quantize(value)


@pytest.mark.parametrize(
    "raw",
    [
        "1" * 30,
        "1" * 17,
        "9" * 16 + ".995",
        "1e30",
        "1E+400",
        "-" + "9" * 40,
        Decimal("1e30"),
        Decimal("-1E+999999"),
        10**30,
        "0." + "0" * 50 + "1",
        "1e-999999999",
    ],
    ids=[
        "30-digits",
        "17-digits",
        "rounds-past-18-digits",
        "exponent",
        "huge-exponent",
        "40-digits-negative",
        "decimal-30-digits",
        "decimal-huge-negative",
        "int-30-digits",
        "tiny-fraction",
        "tiny-exponent",
    ],
)
def test_parse_amount_refuses_what_a_money_column_cannot_hold(raw):
    with pytest.raises(AmountInvalidError):
        parse_amount(raw, allow_negative=True)


def test_parse_amount_accepts_the_largest_amount_a_money_column_holds():
    assert parse_amount("9" * 16 + ".99") == Decimal("9" * 16 + ".99")


@given(
    st.one_of(
        st.text(max_size=60),
        st.from_regex(r"\A-?[0-9]{0,40}(\.[0-9]{0,40})?([eE][+-]?[0-9]{1,12})?\Z"),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
    )
)
def test_parse_amount_only_ever_refuses_with_amount_invalid(raw):
    """Whatever arrives, the answer is an amount a money column holds or AmountInvalidError:
    never decimal.InvalidOperation or another exception that would be a 500."""
    try:
        amount = parse_amount(raw, allow_negative=True)
    except AmountInvalidError:
        return
    assert amount.as_tuple().exponent == -2
    assert len(amount.as_tuple().digits) <= 18
