"""Winning rules as data: a JSON structure of composable conditions, its validation, and a
pure evaluator. No database, no clock: the dry run, the opening (issue #12 item 5) and the
tests call the same ``evaluate``.

The rule of a group::

    {
      "condition": <condition>,
      "min_valid_bids": 2          # optional, default 1: the thin-group rule below
    }

A condition is one of::

    {"op": "price_at_most_k_times_lowest", "k": "1.8"}   price <= k x the lowest valid price
    {"op": "n_lowest", "n": 3}                            rank <= n (ranks as below)
    {"op": "min_cut_vs", "base": "reference" | "max_valid", "ratio": "0.5"}
                                                          price <= base x (1 - ratio)
    {"op": "any_of", "of": [<condition>, ...]}            at least one holds
    {"op": "all_of", "of": [<condition>, ...]}            every one holds

Numbers may be given as strings or integers (never floats: a float is refused, as money is).
Conditions nest up to ``MAX_DEPTH`` levels.

Decisions, stated once here and in the bureau's help text:

- **Valid bids.** A bid is valid when its price is above zero and at most the group's
  maximum valid bid price (最高有效申报价); an invalid bid takes no rank, wins nothing and is
  returned with its reason. The lowest valid price is the lowest of the valid bids.
- **Ties.** Valid bids are ranked by price, lowest first; equal prices share a rank and the
  next price takes the rank after all of them (1, 1, 3: "competition" ranking). So a tie at
  the n-th place admits every tied bid to ``n_lowest``: the group may get more than n winners,
  never fewer because of a tie.
- **Thin groups.** When a group has fewer valid bids than ``min_valid_bids``, nobody wins
  (the group fails, 流标) and the result says so (``thin``). Otherwise the conditions apply to
  the bids there are: ``n_lowest`` with n above the number of valid bids admits them all.
- **Reference price.** ``min_cut_vs`` with ``base: reference`` needs the group's reference
  price; a group without one cannot be published with such a rule (``validate`` with the
  group's context refuses it), because the rule could not be satisfied.
- **Payment standard [R-PAY-STANDARD].** Winners are paid at the lowest winning price;
  non-winners are capped at the highest winning price. A group without winners has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.money import quantize
from procurement.errors import WinningRuleInvalidError

MAX_DEPTH = 5
MAX_CHILDREN = 20
BASES = ("reference", "max_valid")
OPS = ("price_at_most_k_times_lowest", "n_lowest", "min_cut_vs", "any_of", "all_of")


@dataclass(frozen=True)
class GroupContext:
    """What a rule reads about the group besides the bids."""

    max_valid_price: Decimal
    reference_price: Decimal | None = None


@dataclass(frozen=True)
class Bid:
    """A bid as the rule sees it: who (any hashable key: a bid id, a product label) and the
    price."""

    key: Any
    price: Decimal


@dataclass(frozen=True)
class BidResult:
    key: Any
    price: Decimal
    valid: bool
    rank: int | None  # among valid bids; None for an invalid bid
    won: bool
    reason: str = ""  # why a bid is invalid


@dataclass(frozen=True)
class Outcome:
    results: list[BidResult]
    thin: bool = False  # fewer valid bids than the rule needs: the group has no winner
    valid_count: int = 0
    lowest_valid: Decimal | None = None
    payment_standard: PaymentStandard | None = None

    @property
    def winners(self) -> list[BidResult]:
        return [result for result in self.results if result.won]


@dataclass(frozen=True)
class PaymentStandard:
    """[R-PAY-STANDARD] winners at the lowest winning price; non-winners capped at the highest."""

    winner_price: Decimal
    non_winner_cap: Decimal

    def for_bid(self, result: BidResult) -> Decimal:
        return self.winner_price if result.won else self.non_winner_cap


# --- validation ------------------------------------------------------------------------------


def _refuse(path: str, problem: str) -> WinningRuleInvalidError:
    return WinningRuleInvalidError(problem=problem, path=path)


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, (bool, float)):
        raise _refuse(path, _("Give numbers as text or whole numbers, not as floats."))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise _refuse(path, _("Not a number.")) from None
    if not number.is_finite():
        raise _refuse(path, _("Not a number."))
    return number


def _check_keys(node: Mapping, allowed: set[str], path: str) -> None:
    unknown = sorted(set(node) - allowed)
    if unknown:
        raise _refuse(path, _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
    missing = sorted(allowed - set(node))
    if missing:
        raise _refuse(path, _("Missing keys: %(keys)s.") % {"keys": ", ".join(missing)})


def _condition(node: Any, path: str, depth: int, context: GroupContext | None) -> dict:
    """Validate one condition; return it normalised (numbers as strings)."""
    if depth > MAX_DEPTH:
        raise _refuse(path, _("Conditions nest at most %(depth)s levels.") % {"depth": MAX_DEPTH})
    if not isinstance(node, Mapping) or "op" not in node:
        raise _refuse(path, _("A condition is an object with an 'op'."))
    op = node["op"]
    if op not in OPS:
        raise _refuse(f"{path}.op", _("Unknown condition %(op)s.") % {"op": str(op)[:50]})
    if op == "price_at_most_k_times_lowest":
        _check_keys(node, {"op", "k"}, path)
        k = _decimal(node["k"], f"{path}.k")
        if k < 1:
            raise _refuse(f"{path}.k", _("k must be at least 1."))
        return {"op": op, "k": str(k)}
    if op == "n_lowest":
        _check_keys(node, {"op", "n"}, path)
        n = node["n"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise _refuse(f"{path}.n", _("n must be a whole number of at least 1."))
        return {"op": op, "n": n}
    if op == "min_cut_vs":
        _check_keys(node, {"op", "base", "ratio"}, path)
        if node["base"] not in BASES:
            raise _refuse(f"{path}.base", _("The base is 'reference' or 'max_valid'."))
        ratio = _decimal(node["ratio"], f"{path}.ratio")
        if not Decimal(0) < ratio < Decimal(1):
            raise _refuse(f"{path}.ratio", _("The cut is a share between 0 and 1."))
        if node["base"] == "reference" and context is not None and context.reference_price is None:
            raise _refuse(
                f"{path}.base",
                _("The group has no reference price, so a cut against it cannot be met."),
            )
        return {"op": op, "base": node["base"], "ratio": str(ratio)}
    _check_keys(node, {"op", "of"}, path)
    children = node["of"]
    if not isinstance(children, list) or not children:
        raise _refuse(f"{path}.of", _("List at least one condition."))
    if len(children) > MAX_CHILDREN:
        raise _refuse(f"{path}.of", _("List at most %(n)s conditions.") % {"n": MAX_CHILDREN})
    return {
        "op": op,
        "of": [
            _condition(child, f"{path}.of[{index}]", depth + 1, context)
            for index, child in enumerate(children)
        ],
    }


def validate(rule: Any, context: GroupContext | None = None) -> dict:
    """Check ``rule`` and return it normalised; raise WinningRuleInvalidError (code
    ``winning_rule_invalid``, ``extra.path`` where) otherwise. With the group's ``context``
    it also refuses what that group cannot satisfy (a cut against a missing reference price)."""
    if not isinstance(rule, Mapping):
        raise _refuse("rule", _("A winning rule is an object with a 'condition'."))
    unknown = sorted(set(rule) - {"condition", "min_valid_bids"})
    if unknown:
        raise _refuse("rule", _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
    if "condition" not in rule:
        raise _refuse("rule", _("A winning rule is an object with a 'condition'."))
    normal: dict[str, Any] = {"condition": _condition(rule["condition"], "condition", 1, context)}
    minimum = rule.get("min_valid_bids", 1)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise _refuse("min_valid_bids", _("min_valid_bids must be a whole number of at least 1."))
    normal["min_valid_bids"] = minimum
    return normal


# --- evaluation ------------------------------------------------------------------------------


@dataclass
class _Ranked:
    lowest: Decimal
    ranks: dict[int, int] = field(default_factory=dict)  # index of the bid -> rank


def _holds(node: Mapping, price: Decimal, rank: int, ranked: _Ranked, ctx: GroupContext) -> bool:
    op = node["op"]
    if op == "price_at_most_k_times_lowest":
        return price <= Decimal(node["k"]) * ranked.lowest
    if op == "n_lowest":
        return rank <= node["n"]
    if op == "min_cut_vs":
        base = ctx.reference_price if node["base"] == "reference" else ctx.max_valid_price
        if base is None:
            return False
        return price <= base * (Decimal(1) - Decimal(node["ratio"]))
    results = (_holds(child, price, rank, ranked, ctx) for child in node["of"])
    return any(results) if op == "any_of" else all(results)


def _invalid_reason(price: Decimal, ctx: GroupContext) -> str:
    if price <= 0:
        return _("The price must be above zero.")
    if price > ctx.max_valid_price:
        return _("Above the maximum valid bid price %(max)s.") % {"max": ctx.max_valid_price}
    return ""


def evaluate(rule: Mapping, bids: Iterable[Bid], ctx: GroupContext) -> Outcome:
    """Apply ``rule`` (validated first) to ``bids`` of one group: each bid's validity, rank
    and whether it wins, in the order of price (then the order given), with the payment
    standard that follows. Pure: same input, same answer."""
    rule = validate(rule, ctx)
    listed: Sequence[Bid] = list(bids)
    order = sorted(range(len(listed)), key=lambda i: (listed[i].price, i))
    valid = [i for i in order if not _invalid_reason(listed[i].price, ctx)]
    ranks: dict[int, int] = {}
    for position, index in enumerate(valid, start=1):
        previous = valid[position - 2] if position > 1 else None
        if previous is not None and listed[previous].price == listed[index].price:
            ranks[index] = ranks[previous]
        else:
            ranks[index] = position
    thin = len(valid) < rule["min_valid_bids"]
    lowest = listed[valid[0]].price if valid else None
    ranked = _Ranked(lowest=lowest if lowest is not None else Decimal(0), ranks=ranks)
    results = []
    for index in order:
        bid = listed[index]
        reason = _invalid_reason(bid.price, ctx)
        if reason:
            results.append(BidResult(bid.key, bid.price, False, None, False, reason))
            continue
        won = not thin and _holds(rule["condition"], bid.price, ranks[index], ranked, ctx)
        results.append(BidResult(bid.key, bid.price, True, ranks[index], won))
    winning = [result.price for result in results if result.won]
    standard = (
        PaymentStandard(winner_price=quantize(min(winning)), non_winner_cap=quantize(max(winning)))
        if winning
        else None
    )
    return Outcome(
        results=results,
        thin=thin,
        valid_count=len(valid),
        lowest_valid=lowest,
        payment_standard=standard,
    )
