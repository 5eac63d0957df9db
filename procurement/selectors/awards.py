"""Reads of what follows a final round: its winners (by bid, and by a reached stepped target),
the payment standard of a product on a day, the hospitals' choices and the round's
allocation, and what an actor may do with a round's award now (``award_actions``).

Winners [R-VBP-STEPPED]: a group's winners are its winning bids, by rank, then the products
whose stepped price-cut target was reached, in the order they reached it. The winning price
level a non-winner must reach is the group's highest winning price.

Payment standard [R-PAY-STANDARD]: per group, winners are paid the lowest winning price,
non-winners at most the highest winning price. ``payment_standard_for`` answers for one
product and day, from the newest version in force; it is what settlement and supervision
read. Standards are published with the results [R-DISCLOSE], so the read needs no actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from catalog.models import Consumable
from core import clock
from core.actions import Actions, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from procurement.choices import AWARD_STATES, AwardAction, RoundStatus, TargetStatus
from procurement.errors import (
    AlreadyAllocatedError,
    ChoiceWindowClosedError,
    ChoiceWindowOpenError,
    ResultsNotAppliedError,
)
from procurement.models import (
    AllocationChoice,
    Listing,
    PaymentStandard,
    RoundAward,
    SteppedTarget,
    TenderDemand,
    TenderGroup,
    TenderResult,
    TenderRound,
)
from procurement.models.results import RESULTS_PUBLIC
from procurement.selectors.listings import LIVE_STATUSES, distributors_authorised
from procurement.selectors.rounds import group_products_q, round_party_check

WINNER = "winner"
NON_WINNER = "non_winner"


@dataclass(frozen=True)
class Winner:
    """One winning product of a group: by its bid (``via`` "bid", with its rank) or by a
    reached stepped target (``via`` "stepped")."""

    result: TenderResult
    price: Decimal
    via: str

    @property
    def consumable(self) -> Consumable:
        return self.result.consumable

    @property
    def supplier(self) -> Organization:
        return self.result.supplier


def group_winners(*, group: TenderGroup) -> list[Winner]:
    """[R-VBP-STEPPED] the winning bids by rank, then the reached targets by when."""
    won = list(
        TenderResult.objects.filter(group=group, won=True)
        .select_related("consumable", "supplier")
        .order_by("rank", "id")
    )
    winners = [Winner(result=r, price=r.price, via="bid") for r in won if r.price is not None]
    reached = (
        SteppedTarget.objects.filter(group=group, status=TargetStatus.REACHED)
        .select_related("result__consumable", "result__supplier")
        .order_by("reached_at", "id")
    )
    winners += [
        Winner(result=t.result, price=t.reached_price or t.level, via="stepped") for t in reached
    ]
    return winners


def winning_prices(*, group: TenderGroup) -> tuple[Decimal, Decimal] | None:
    """The lowest and highest winning bid prices of the group, or None without a winner."""
    prices = [
        r.price
        for r in TenderResult.objects.filter(group=group, won=True).only("price")
        if r.price is not None
    ]
    if not prices:
        return None
    return min(prices), max(prices)


def winner_listing(*, result: TenderResult, companion: bool = False) -> Listing | None:
    """The winner's live listing of the product, without (or with) companion service."""
    return (
        Listing.objects.filter(
            manufacturer_id=result.supplier_id,
            consumable_id=result.consumable_id,
            companion_service=companion,
            status__in=sorted(LIVE_STATUSES),
        )
        .order_by("pk")
        .first()
    )


def contract_distributor_id(*, listing: Listing, hospital: Organization) -> int:
    """The distributor a contract names: the lowest-id distributor the manufacturer authorised
    for the hospital's region on the listing, else the manufacturer itself (it delivers)."""
    grant = (
        distributors_authorised(listing_ids=[listing.pk], region_code=hospital.region_code)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return grant if grant is not None else listing.manufacturer_id


# --- payment standard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentStandardAnswer:
    """[R-PAY-STANDARD] what the fund pays for one product on one day: ``amount`` is the
    standard for a winner, the cap for a non-winner (the fund pays the price, at most this)."""

    standard: PaymentStandard
    kind: str
    amount: Decimal

    @property
    def valid_from(self) -> dt.date:
        return self.standard.valid_from

    @property
    def valid_to(self) -> dt.date:
        return self.standard.valid_to


def standards_in_force(*, on: dt.date) -> list[PaymentStandard]:
    """The version in force on ``on`` of each group: the newest created covering the day."""
    rows = (
        PaymentStandard.objects.filter(valid_from__lte=on, valid_to__gte=on)
        .select_related("group")
        .order_by("group_id", "-id")
        .distinct("group_id")
    )
    return list(rows)


def is_group_winner(*, group: TenderGroup, consumable_id: int) -> bool:
    if TenderResult.objects.filter(group=group, consumable_id=consumable_id, won=True).exists():
        return True
    return SteppedTarget.objects.filter(
        group=group, consumable_id=consumable_id, status=TargetStatus.REACHED
    ).exists()


def payment_standard_for(*, consumable_id: int, on: dt.date) -> PaymentStandardAnswer | None:
    """[R-PAY-STANDARD] the payment standard of a product on a day, or None when no group
    in force holds it. A product in a group (it bid, or the group's filters select it) is
    paid the lowest winning price if it won (or reached its stepped target), else at most the
    highest winning price."""
    standards = standards_in_force(on=on)
    if not standards:
        return None
    by_group = {standard.group_id: standard for standard in standards}
    bid_in = set(
        TenderResult.objects.filter(
            consumable_id=consumable_id, group_id__in=list(by_group)
        ).values_list("group_id", flat=True)
    )
    candidates = [by_group[g] for g in sorted(bid_in)] or [
        standard
        for standard in standards
        if Consumable.objects.filter(pk=consumable_id)
        .filter(group_products_q(standard.group))
        .exists()
    ]
    if not candidates:
        return None
    # A product in several groups in force (rare: overlapping filters): the newest version.
    standard = max(candidates, key=lambda s: s.pk)
    if is_group_winner(group=standard.group, consumable_id=consumable_id):
        return PaymentStandardAnswer(standard=standard, kind=WINNER, amount=standard.winner_price)
    return PaymentStandardAnswer(standard=standard, kind=NON_WINNER, amount=standard.non_winner_cap)


def payment_standard_list(
    *, actor: User, round_id: int | None = None, group_id: int | None = None
) -> QuerySet[PaymentStandard]:
    rows = PaymentStandard.objects.visible_to(actor).select_related("group", "round")
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    if group_id is not None:
        rows = rows.filter(group_id=group_id)
    return rows.order_by("group__code", "valid_from", "id")


def payment_standard_public_list(*, round_id: int | None = None) -> QuerySet[PaymentStandard]:
    """[R-DISCLOSE] [R-PAY-STANDARD] Every version of the payment standards of the rounds
    whose results are public (in publicity or final): anyone may read them."""
    rows = PaymentStandard.objects.filter(round__status__in=RESULTS_PUBLIC)
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    return rows.select_related("group", "round").order_by(
        "round_id", "group__code", "valid_from", "id"
    )


# --- the round's award page -------------------------------------------------------------------


def round_award(*, round: TenderRound) -> RoundAward | None:
    return RoundAward.objects.filter(round=round).first()


@dataclass
class GroupAward:
    group: TenderGroup
    winners: list[Winner]
    standards: list[PaymentStandard]
    targets: list[SteppedTarget]
    results: list[TenderResult] = field(default_factory=list)
    # For the bureau's page: its renewal form and how many contracts the group has.
    renewal_form: object = None
    contracts: int = 0


def round_award_groups(*, actor: User, round: TenderRound) -> list[GroupAward]:
    """Per group: its winners, payment standard versions and stepped targets (a supplier
    sees its own targets; everyone who sees the results sees the rest)."""
    groups = list(round.groups.order_by("code", "id"))
    standards: dict[int, list[PaymentStandard]] = {}
    for standard in PaymentStandard.objects.filter(round=round).order_by("valid_from", "id"):
        standards.setdefault(standard.group_id, []).append(standard)
    targets: dict[int, list[SteppedTarget]] = {}
    seen_targets = (
        SteppedTarget.objects.visible_to(actor)
        .filter(round=round)
        .select_related("consumable", "supplier")
        .prefetch_related("steps")
    )
    for target in seen_targets:
        targets.setdefault(target.group_id, []).append(target)
    results: dict[int, list[TenderResult]] = {}
    for result in (
        TenderResult.objects.visible_to(actor)
        .filter(round=round)
        .select_related("consumable", "supplier")
    ):
        results.setdefault(result.group_id, []).append(result)
    return [
        GroupAward(
            group=group,
            winners=group_winners(group=group),
            standards=standards.get(group.pk, []),
            targets=targets.get(group.pk, []),
            results=results.get(group.pk, []),
        )
        for group in groups
    ]


def round_award_get(*, actor: User, round_id: int) -> TenderRound:
    """A final round the actor sees (its award page), else 404."""
    found = (
        TenderRound.objects.visible_to(actor).filter(pk=round_id, status=RoundStatus.FINAL).first()
    )
    if found is None:
        raise NotFoundError()
    return found


def awarded_round_list(*, actor: User) -> QuerySet[TenderRound]:
    """The final rounds the actor sees whose results were applied."""
    return (
        TenderRound.objects.visible_to(actor)
        .filter(status=RoundStatus.FINAL, award__isnull=False)
        .order_by("-cycle_start", "-id")
    )


# --- hospitals' choices -------------------------------------------------------------------------


@dataclass
class ChoiceGroup:
    """One group of a hospital's choice form: its agreed volume, the winners and what it
    chose so far (result id -> quantity)."""

    group: TenderGroup
    agreed: int
    winners: list[Winner]
    chosen: dict[int, int]
    rows: list = field(default_factory=list)  # (winner, typed quantity) for the page

    @property
    def chosen_total(self) -> int:
        return sum(self.chosen.values())


def hospital_choice_groups(*, hospital: Organization, round: TenderRound) -> list[ChoiceGroup]:
    """[R-VBP-VOLUME] the groups the hospital has an agreed volume in, with their winners."""
    demand = {
        row.group_id: row.agreed_volume(round.agreed_ratio)
        for row in TenderDemand.objects.filter(round=round, hospital=hospital)
    }
    chosen: dict[int, dict[int, int]] = {}
    for choice in AllocationChoice.objects.filter(round=round, hospital=hospital):
        chosen.setdefault(choice.group_id, {})[choice.result_id] = choice.quantity
    out = []
    for group in round.groups.order_by("code", "id"):
        agreed = demand.get(group.pk, 0)
        winners = group_winners(group=group)
        if agreed <= 0 or not winners:
            continue
        out.append(
            ChoiceGroup(
                group=group, agreed=agreed, winners=winners, chosen=chosen.get(group.pk, {})
            )
        )
    return out


def award_applied_check(*, round: TenderRound) -> RoundAward:
    award = round_award(round=round)
    if award is None:
        raise ResultsNotAppliedError(round=round.number)
    return award


def _deadline_text(award: RoundAward) -> str:
    return clock.to_local(award.choice_deadline).strftime("%Y-%m-%d %H:%M")


def choice_open_check(*, award: RoundAward) -> None:
    if award.allocated_at is not None or clock.now() >= award.choice_deadline:
        raise ChoiceWindowClosedError(deadline=_deadline_text(award))


def allocate_check(*, award: RoundAward) -> None:
    if award.allocated_at is not None:
        raise AlreadyAllocatedError(
            at=clock.to_local(award.allocated_at).strftime("%Y-%m-%d %H:%M")
        )
    if clock.now() < award.choice_deadline:
        raise ChoiceWindowOpenError(deadline=_deadline_text(award))


def hospital_party_check(*, actor: User, round: TenderRound) -> Organization:
    """Choices are made by a hospital of the round's region that has demand in it."""
    org = actor.organization
    if org is None or not org.is_hospital:
        raise PermissionDeniedError(action="allocation.choose")
    return org


def award_actions(*, actor: User, round: TenderRound) -> Actions:
    """What the actor may do with the round's award now, and why not."""
    award = round_award(round=round)

    def applied() -> None:
        if award is None:
            raise ResultsNotAppliedError(round=round.number)

    def not_applied() -> None:
        if award is not None:
            raise AlreadyAllocatedError(
                at=clock.to_local(award.applied_at).strftime("%Y-%m-%d %H:%M")
            )

    return Actions(
        [
            verdict(
                AwardAction.APPLY,
                role_check(actor, "award.manage"),
                lambda: round_party_check(actor=actor, round=round, permission="award.manage"),
                lambda: AWARD_STATES.check(round, AwardAction.APPLY),
                not_applied,
            ),
            verdict(
                AwardAction.CHOOSE,
                role_check(actor, "allocation.choose"),
                lambda: hospital_party_check(actor=actor, round=round),
                lambda: AWARD_STATES.check(round, AwardAction.CHOOSE),
                applied,
                lambda: choice_open_check(award=award),  # type: ignore[arg-type]
            ),
            verdict(
                AwardAction.ALLOCATE,
                role_check(actor, "award.manage"),
                lambda: round_party_check(actor=actor, round=round, permission="award.manage"),
                lambda: AWARD_STATES.check(round, AwardAction.ALLOCATE),
                applied,
                lambda: allocate_check(award=award),  # type: ignore[arg-type]
            ),
        ]
    )


def winners_q(*, round: TenderRound) -> Q:
    """Results of the round that count as winners (won, or a reached stepped target)."""
    return Q(round=round) & (Q(won=True) | Q(stepped_target__status=TargetStatus.REACHED))


def choice_deadline_label(award: RoundAward | None) -> str:
    return _deadline_text(award) if award is not None else _("not yet")
