"""Winning rules on hand-made groups with known answers: ties, thin groups, invalid bids, the
payment standard [R-PAY-STANDARD], and the validation of the rule's structure."""

from decimal import Decimal

import pytest

from procurement.errors import WinningRuleInvalidError
from procurement.winning_rules import Bid, GroupContext, evaluate, validate

D = Decimal
CTX = GroupContext(max_valid_price=D("100.00"), reference_price=D("80.00"))


def bids(*prices, keys=None):
    keys = keys or [chr(ord("A") + i) for i in range(len(prices))]
    return [Bid(key, D(price)) for key, price in zip(keys, prices, strict=True)]


def winners(outcome):
    return [(r.key, r.rank, r.price) for r in outcome.winners]


def rule(condition, **extra):
    return {"condition": condition, **extra}


def test_n_lowest_takes_the_n_cheapest():
    outcome = evaluate(rule({"op": "n_lowest", "n": 2}), bids("50", "40", "60", "45"), CTX)
    assert winners(outcome) == [("B", 1, D("40")), ("D", 2, D("45"))]
    assert [(r.key, r.rank, r.won) for r in outcome.results] == [
        ("B", 1, True),
        ("D", 2, True),
        ("A", 3, False),
        ("C", 4, False),
    ]


def test_a_tie_at_the_nth_place_admits_every_tied_bid():
    """Equal prices share a rank (1, 2, 2, 4): n=2 admits both bids at 45."""
    outcome = evaluate(rule({"op": "n_lowest", "n": 2}), bids("45", "40", "45", "60"), CTX)
    assert winners(outcome) == [("B", 1, D("40")), ("A", 2, D("45")), ("C", 2, D("45"))]
    assert [r.rank for r in outcome.results] == [1, 2, 2, 4]


def test_a_tie_for_first_place_skips_the_next_rank():
    outcome = evaluate(rule({"op": "n_lowest", "n": 2}), bids("40", "40", "41"), CTX)
    assert [(r.key, r.rank, r.won) for r in outcome.results] == [
        ("A", 1, True),
        ("B", 1, True),
        ("C", 3, False),
    ]


def test_price_at_most_k_times_lowest():
    outcome = evaluate(
        rule({"op": "price_at_most_k_times_lowest", "k": "1.5"}),
        bids("40", "60", "60.01", "55"),
        CTX,
    )
    assert winners(outcome) == [("A", 1, D("40")), ("D", 2, D("55")), ("B", 3, D("60"))]


def test_min_cut_against_the_maximum_valid_price():
    """A cut of at least 40% against 100.00: at most 60.00 wins."""
    outcome = evaluate(
        rule({"op": "min_cut_vs", "base": "max_valid", "ratio": "0.4"}), bids("60", "61"), CTX
    )
    assert winners(outcome) == [("A", 1, D("60"))]


def test_min_cut_against_the_reference_price():
    """A cut of at least 25% against the reference 80.00: at most 60.00 wins."""
    outcome = evaluate(
        rule({"op": "min_cut_vs", "base": "reference", "ratio": "0.25"}), bids("59", "60.5"), CTX
    )
    assert winners(outcome) == [("A", 1, D("59"))]


def test_any_of_wins_by_either_condition():
    """National practice: at most 1.8x the lowest, or a cut of 50% against the maximum."""
    condition = {
        "op": "any_of",
        "of": [
            {"op": "price_at_most_k_times_lowest", "k": "1.8"},
            {"op": "min_cut_vs", "base": "max_valid", "ratio": "0.5"},
        ],
    }
    # lowest 20 -> 1.8x = 36; cut 50% of 100 -> 50. So 36 and 50 win, 50.01 does not.
    outcome = evaluate(rule(condition), bids("20", "36", "50", "50.01"), CTX)
    assert [r.key for r in outcome.winners] == ["A", "B", "C"]


def test_all_of_needs_every_condition():
    condition = {
        "op": "all_of",
        "of": [{"op": "n_lowest", "n": 3}, {"op": "price_at_most_k_times_lowest", "k": "1.2"}],
    }
    outcome = evaluate(rule(condition), bids("50", "55", "70", "52"), CTX)
    assert [r.key for r in outcome.winners] == ["A", "D", "B"]  # 70 is 4th and above 1.2x


def test_bids_above_the_maximum_valid_price_are_invalid_and_take_no_rank():
    outcome = evaluate(rule({"op": "n_lowest", "n": 2}), bids("100.01", "0", "90", "95"), CTX)
    by_key = {r.key: r for r in outcome.results}
    assert (by_key["A"].valid, by_key["A"].rank, by_key["A"].won) == (False, None, False)
    assert by_key["A"].reason
    assert (by_key["B"].valid, by_key["B"].won) == (False, False)
    assert winners(outcome) == [("C", 1, D("90")), ("D", 2, D("95"))]
    assert outcome.valid_count == 2
    assert outcome.lowest_valid == D("90")


def test_the_lowest_valid_price_ignores_invalid_bids():
    """k x lowest is measured from the lowest *valid* bid: the 0.00 bid does not count."""
    outcome = evaluate(
        rule({"op": "price_at_most_k_times_lowest", "k": "1.1"}), bids("0", "50", "55", "56"), CTX
    )
    assert [r.key for r in outcome.winners] == ["B", "C"]


def test_a_thin_group_has_no_winner():
    """Fewer valid bids than min_valid_bids: the group fails (流标), nobody wins."""
    outcome = evaluate(
        rule({"op": "n_lowest", "n": 3}, min_valid_bids=3), bids("40", "50", "120"), CTX
    )
    assert outcome.thin is True
    assert outcome.winners == []
    assert outcome.payment_standard is None


def test_n_above_the_number_of_valid_bids_admits_them_all():
    outcome = evaluate(rule({"op": "n_lowest", "n": 5}, min_valid_bids=2), bids("40", "50"), CTX)
    assert outcome.thin is False
    assert [r.key for r in outcome.winners] == ["A", "B"]


def test_a_group_without_bids_has_no_winner():
    outcome = evaluate(rule({"op": "n_lowest", "n": 1}), [], CTX)
    assert (outcome.thin, outcome.winners, outcome.payment_standard) == (True, [], None)


def test_payment_standard_r_pay_standard():
    """[R-PAY-STANDARD] winners at the lowest winning price, non-winners capped at the highest."""
    outcome = evaluate(rule({"op": "n_lowest", "n": 3}), bids("40", "44.5", "47", "60"), CTX)
    standard = outcome.payment_standard
    assert (standard.winner_price, standard.non_winner_cap) == (D("40.00"), D("47.00"))
    assert [standard.for_bid(r) for r in outcome.results] == [
        D("40.00"),
        D("40.00"),
        D("40.00"),
        D("47.00"),
    ]


def test_evaluation_is_pure_and_keeps_the_input_order_for_equal_prices():
    given = bids("45", "45", "45", keys=["x", "y", "z"])
    first = evaluate(rule({"op": "n_lowest", "n": 1}), given, CTX)
    second = evaluate(rule({"op": "n_lowest", "n": 1}), given, CTX)
    assert first == second
    assert [r.key for r in first.winners] == ["x", "y", "z"]


@pytest.mark.parametrize(
    ("label", "bad", "path"),
    [
        ("not an object", [], "rule"),
        ("no condition", {"min_valid_bids": 2}, "rule"),
        ("unknown top key", {"condition": {"op": "n_lowest", "n": 1}, "x": 1}, "rule"),
        ("unknown op", {"condition": {"op": "cheapest"}}, "condition.op"),
        ("n zero", {"condition": {"op": "n_lowest", "n": 0}}, "condition.n"),
        ("n text", {"condition": {"op": "n_lowest", "n": "2"}}, "condition.n"),
        (
            "k below 1",
            {"condition": {"op": "price_at_most_k_times_lowest", "k": "0.9"}},
            "condition.k",
        ),
        ("k float", {"condition": {"op": "price_at_most_k_times_lowest", "k": 1.5}}, "condition.k"),
        ("k missing", {"condition": {"op": "price_at_most_k_times_lowest"}}, "condition"),
        (
            "bad base",
            {"condition": {"op": "min_cut_vs", "base": "x", "ratio": "0.1"}},
            "condition.base",
        ),
        (
            "ratio 1",
            {"condition": {"op": "min_cut_vs", "base": "max_valid", "ratio": "1"}},
            "condition.ratio",
        ),
        ("empty any_of", {"condition": {"op": "any_of", "of": []}}, "condition.of"),
        (
            "bad child",
            {"condition": {"op": "all_of", "of": [{"op": "n_lowest", "n": 1}, {"op": "n_lowest"}]}},
            "condition.of[1]",
        ),
        (
            "min_valid_bids 0",
            {"condition": {"op": "n_lowest", "n": 1}, "min_valid_bids": 0},
            "min_valid_bids",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_validate_refuses_a_malformed_rule_and_says_where(label, bad, path):
    with pytest.raises(WinningRuleInvalidError) as error:
        validate(bad)
    assert error.value.code == "winning_rule_invalid"
    assert error.value.extra["path"] == path


def test_validate_refuses_nesting_too_deep():
    node = {"op": "n_lowest", "n": 1}
    for _ in range(6):
        node = {"op": "any_of", "of": [node]}
    with pytest.raises(WinningRuleInvalidError):
        validate({"condition": node})


def test_a_cut_against_a_missing_reference_price_cannot_be_satisfied():
    no_reference = GroupContext(max_valid_price=D("100"))
    bad = {"condition": {"op": "min_cut_vs", "base": "reference", "ratio": "0.2"}}
    validate(bad)  # well-formed on its own
    with pytest.raises(WinningRuleInvalidError) as error:
        validate(bad, no_reference)
    assert error.value.extra["path"] == "condition.base"


def test_validate_normalises_numbers_to_text():
    normal = validate({"condition": {"op": "price_at_most_k_times_lowest", "k": 2}})
    assert normal == {
        "condition": {"op": "price_at_most_k_times_lowest", "k": "2"},
        "min_valid_bids": 1,
    }
