"""Reads of volume-based procurement rounds: lists, one round, the products a group selects,
the checks the services and the pages share, what an actor may do now (``round_actions``) and
the bureau's dry run of the winning rules on hypothetical bids."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Consumable
from core import clock, permissions
from core.actions import Actions, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from core.money import AmountInvalidError, parse_amount
from procurement import winning_rules
from procurement.choices import ROUND_STATES, RoundAction
from procurement.errors import (
    DemandLockedError,
    DryRunBidsInvalidError,
    GroupFilterInvalidError,
    RoundDatesInvalidError,
    RoundIncompleteError,
)
from procurement.models import TenderAmendment, TenderGroup, TenderRound

# The product attributes a group may filter on (each a case-insensitive "contains").
GROUP_ATTRIBUTES = ("generic_name", "product_name", "material", "feature", "specification", "model")
PREFIX_PATTERN = re.compile(r"^[A-Z0-9]{1,27}$")
MAX_PREFIXES = 50
MAX_DRY_RUN_BIDS = 500
DATE_FIELDS = ("demand_deadline", "bid_deadline", "opening_at", "publicity_end")


def round_list(*, actor: User, status: Iterable[str] | None = None) -> QuerySet[TenderRound]:
    rounds = TenderRound.objects.visible_to(actor)
    if status:
        rounds = rounds.filter(status__in=list(status))
    return rounds.order_by("-created_at", "-id")


def round_get(*, actor: User, round_id: int) -> TenderRound:
    found = TenderRound.objects.visible_to(actor).filter(pk=round_id).first()
    if found is None:
        raise NotFoundError()
    return found


def round_groups(*, round: TenderRound) -> list[TenderGroup]:
    return list(round.groups.order_by("code", "id"))


def round_amendments(*, round: TenderRound) -> QuerySet[TenderAmendment]:
    return round.amendments.select_related("group", "created_by").order_by("created_at", "id")


# --- product groups -----------------------------------------------------------------------------


def group_filters_check(*, code_prefixes: object, attribute_filters: object) -> tuple[list, dict]:
    """The group's filters, normalised, or GroupFilterInvalidError."""
    if not isinstance(code_prefixes, list | tuple) or not code_prefixes:
        raise GroupFilterInvalidError(problem=_("give at least one national-code prefix."))
    prefixes = []
    for raw in code_prefixes:
        prefix = str(raw or "").strip().upper()
        if not PREFIX_PATTERN.match(prefix):
            raise GroupFilterInvalidError(
                problem=_("%(prefix)s is not the start of a national code.")
                % {"prefix": str(raw)[:30]}
            )
        prefixes.append(prefix)
    if len(prefixes) > MAX_PREFIXES:
        raise GroupFilterInvalidError(problem=_("at most 50 prefixes."))
    if not isinstance(attribute_filters, Mapping):
        raise GroupFilterInvalidError(problem=_("attribute filters are name: text pairs."))
    filters = {}
    for name, value in attribute_filters.items():
        if name not in GROUP_ATTRIBUTES:
            raise GroupFilterInvalidError(
                problem=_("unknown attribute %(name)s.") % {"name": str(name)[:30]}
            )
        text = str(value or "").strip()
        if text:
            filters[name] = text[:200]
    return sorted(dict.fromkeys(prefixes)), filters


def group_products_q(group: TenderGroup) -> Q:
    """The products competing in ``group``: a code starting with any prefix, every attribute
    filter matching."""
    by_code = Q(pk__in=[])
    for prefix in group.code_prefixes:
        by_code |= Q(code__startswith=prefix)
    condition = by_code
    for name, value in (group.attribute_filters or {}).items():
        condition &= Q(**{f"{name}__icontains": value})
    return condition


def group_products(*, group: TenderGroup) -> QuerySet[Consumable]:
    """The catalogue is public: any actor who sees the group may list its products."""
    return Consumable.objects.filter(group_products_q(group)).order_by("code")


def group_context(group: TenderGroup) -> winning_rules.GroupContext:
    return winning_rules.GroupContext(
        max_valid_price=group.max_valid_price, reference_price=group.reference_price
    )


# --- checks shared by services and actions --------------------------------------------------------


def round_dates_check(values: Mapping[str, Any], *, ahead: Iterable[str] = ()) -> None:
    """Dates in order (demand deadline <= bid deadline <= opening < publicity end; the cycle
    start before its end); the fields named in ``ahead`` must also lie in the future."""
    for earlier, later, strict in (
        ("demand_deadline", "bid_deadline", False),
        ("bid_deadline", "opening_at", False),
        ("opening_at", "publicity_end", True),
    ):
        a, b = values[earlier], values[later]
        if a > b or (strict and a == b):
            raise RoundDatesInvalidError(
                problem=_("%(earlier)s must come before %(later)s.")
                % {"earlier": _field_label(earlier), "later": _field_label(later)},
                field=earlier,
            )
    if values["cycle_start"] >= values["cycle_end"]:
        raise RoundDatesInvalidError(
            problem=_("the procurement cycle must start before it ends."), field="cycle_start"
        )
    now = clock.now()
    for name in ahead:
        if values[name] <= now:
            raise RoundDatesInvalidError(
                problem=_("%(field)s has already passed.") % {"field": _field_label(name)},
                field=name,
            )


def _field_label(name: str) -> str:
    return str(getattr(TenderRound._meta.get_field(name), "verbose_name", name))


def round_values(round: TenderRound) -> dict[str, Any]:
    return {name: getattr(round, name) for name in ("cycle_start", "cycle_end", *DATE_FIELDS)}


def round_publish_check(*, round: TenderRound, groups: Sequence[TenderGroup] | None = None) -> None:
    """What publication needs besides the state: groups, each with a rule it can satisfy,
    and every date ahead."""
    groups = round_groups(round=round) if groups is None else groups
    if not groups:
        raise RoundIncompleteError(problem=_("add at least one product group."))
    for group in groups:
        try:
            winning_rules.validate(group.winning_rule, group_context(group))
        except winning_rules.WinningRuleInvalidError as error:
            error.extra["group"] = group.code
            raise
    round_dates_check(round_values(round), ahead=DATE_FIELDS)


def _is_regulator_of(actor: User, round: TenderRound) -> bool:
    org = getattr(actor, "organization", None)
    return bool(
        org is not None and org.is_regulator and round.jurisdiction.startswith(org.jurisdiction)
    )


def round_party_check(*, actor: User, round: TenderRound, permission: str) -> None:
    """A round is run by the regulators of its region (the role table says which roles)."""
    if not _is_regulator_of(actor, round):
        raise PermissionDeniedError(action=permission)


def demand_open_check(*, round: TenderRound) -> None:
    """[R-VBP-VOLUME] hospitals report until the demand deadline; then volumes lock."""
    if clock.now() >= round.demand_deadline:
        raise DemandLockedError(
            deadline=clock.to_local(round.demand_deadline).strftime("%Y-%m-%d %H:%M")
        )


def demand_review_open_check(*, round: TenderRound) -> None:
    """The bureau reviews and adjusts until the bid deadline: suppliers bid on the volumes."""
    if clock.now() >= round.bid_deadline:
        raise DemandLockedError(
            deadline=clock.to_local(round.bid_deadline).strftime("%Y-%m-%d %H:%M")
        )


def demand_party_check(*, actor: User) -> None:
    org = getattr(actor, "organization", None)
    if org is None or not org.is_hospital:
        raise PermissionDeniedError(action="demand.report")


# --- allowed actions -------------------------------------------------------------------------------


def round_actions(*, actor: User, round: TenderRound) -> Actions:
    """What ``actor`` may do with ``round`` now, each with the refusal its service would give."""

    def state(action: RoundAction) -> Callable[[], None]:
        return lambda: ROUND_STATES.check(round, action)

    def party(permission: str) -> Callable[[], None]:
        return lambda: round_party_check(actor=actor, round=round, permission=permission)

    manage = role_check(actor, "round.manage")
    return Actions(
        [
            verdict(RoundAction.EDIT, manage, party("round.manage"), state(RoundAction.EDIT)),
            verdict(
                RoundAction.PUBLISH,
                manage,
                party("round.manage"),
                state(RoundAction.PUBLISH),
                lambda: round_publish_check(round=round),
            ),
            verdict(RoundAction.AMEND, manage, party("round.manage"), state(RoundAction.AMEND)),
            verdict(RoundAction.DRY_RUN, manage, party("round.manage"), state(RoundAction.DRY_RUN)),
            verdict(
                RoundAction.REPORT_DEMAND,
                role_check(actor, "demand.report"),
                lambda: demand_party_check(actor=actor),
                state(RoundAction.REPORT_DEMAND),
                lambda: demand_open_check(round=round),
            ),
            verdict(
                RoundAction.REVIEW_DEMAND,
                role_check(actor, "demand.review"),
                party("demand.review"),
                state(RoundAction.REVIEW_DEMAND),
                lambda: demand_review_open_check(round=round),
            ),
        ]
    )


# --- dry run ---------------------------------------------------------------------------------------


def dry_run_bids(raw: object) -> list[winning_rules.Bid]:
    """Hypothetical bids ``[{"label", "price"}]`` (or a text of ``label, price`` lines) as the
    evaluator takes them."""
    if isinstance(raw, str):
        rows = []
        for number, typed in enumerate(raw.splitlines(), start=1):
            if not typed.strip():
                continue
            text, sep, amount = typed.replace("，", ",").rpartition(",")
            if not sep:
                raise DryRunBidsInvalidError(
                    problem=_("line %(line)s: write a label, a comma and a price.")
                    % {"line": number},
                    line=number,
                )
            rows.append({"label": text.strip(), "price": amount.strip(), "line": number})
    elif isinstance(raw, list):
        rows = raw
    else:
        raise DryRunBidsInvalidError(problem=_("give a list of bids."))
    if not rows:
        raise DryRunBidsInvalidError(problem=_("give at least one bid."))
    if len(rows) > MAX_DRY_RUN_BIDS:
        raise DryRunBidsInvalidError(problem=_("at most 500 bids."))
    bids = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise DryRunBidsInvalidError(problem=_("give a list of bids."))
        line = row.get("line", index)
        label = str(row.get("label") or "").strip()[:100] or str(line)
        try:
            price = parse_amount(row.get("price"))
        except AmountInvalidError:
            raise DryRunBidsInvalidError(
                problem=_("line %(line)s: %(price)s is not an amount.")
                % {"line": line, "price": str(row.get("price"))[:30]},
                line=line,
            ) from None
        bids.append(winning_rules.Bid(label, price))
    return bids


def round_dry_run(
    *, actor: User, round_id: int, group_id: int, bids: object, winning_rule: object = None
) -> tuple[TenderGroup, winning_rules.Outcome]:
    """Who would win ``group`` with these hypothetical bids, at what price, and the payment
    standard that follows [R-PAY-STANDARD]. ``winning_rule`` tries another rule than the
    group's. Writes nothing."""
    round = round_get(actor=actor, round_id=round_id)
    permissions.require(actor, "round.manage")
    round_party_check(actor=actor, round=round, permission="round.manage")
    ROUND_STATES.check(round, RoundAction.DRY_RUN)
    group = round.groups.filter(pk=group_id).first()
    if group is None:
        raise NotFoundError()
    rule = group.winning_rule if winning_rule in (None, "", {}) else winning_rule
    return group, winning_rules.evaluate(
        cast(Mapping[str, Any], rule), dry_run_bids(bids), group_context(group)
    )


def now_local() -> dt.datetime:
    return clock.to_local(clock.now())


def round_group_get(*, round: TenderRound, group_id: int) -> TenderGroup:
    group = round.groups.filter(pk=group_id).first()
    if group is None:
        raise NotFoundError()
    return group


def dry_run_body(group: TenderGroup, outcome: winning_rules.Outcome) -> dict:
    """A dry run's outcome as the page and the API show it: each bid, valid or not, ranked,
    won or not, and the payment standard that would follow [R-PAY-STANDARD]."""
    standard = outcome.payment_standard
    return {
        "group": group.pk,
        "thin": outcome.thin,
        "valid_count": outcome.valid_count,
        "lowest_valid": outcome.lowest_valid,
        "payment_standard": standard,
        "bids": [
            {
                "key": result.key,
                "price": result.price,
                "valid": result.valid,
                "rank": result.rank,
                "won": result.won,
                "reason": result.reason,
                "payment_standard": standard.for_bid(result) if standard and result.valid else None,
            }
            for result in outcome.results
        ],
    }
