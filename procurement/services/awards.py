"""What follows a final round (issue #12 items 5-6): its results become listings, payment
standards and stepped targets; hospitals choose among the winners; the agreed volume is
allocated and contracts are drawn up.

``round_apply_results`` runs once, when the round becomes final (the opening's finalisation
calls it; a bureau officer may run it too, and it does nothing the second time):

- [R-VBP-COMPANION] [R-LABELS] each winning product is listed by its supplier at its
  winning price, labelled 优先 (preferred): the supplier's live listing without companion
  service (伴随服务) gets the winning price; when the bid named a price with companion service,
  a second listing (``companion_service`` on) carries that price. A product without a live
  listing is listed by the award itself (approved by the round's result). A suspended listing
  stays suspended (a sanction is not lifted by a tender).
- [R-PAY-STANDARD] each group with winners gets a payment standard for the round's cycle:
  the lowest winning price for winners, the highest as the cap for non-winners.
- [R-VBP-STEPPED] each non-winning bid gets a stepped price-cut target: the winning price
  level (the group's highest winning price), reached in three equal steps due 90, 180 and 270
  days into the cycle, from its bid price (or the group's maximum valid price when the bid
  was invalid). A listing already at or below the level reaches it at once.
- Hospitals may choose among the winners for ``CHOICE_DAYS`` days.

Allocation (``round_allocate``, by the bureau after the choice deadline) [R-VBP-VOLUME]:
each hospital's agreed volume of a group (base volume x agreed ratio) goes first where the
hospital chose (its choices never exceed it); **the rest goes to the best-ranked winner**
(rank 1: the lowest valid bid), because the lowest price is what the tender rewards and one
remainder keeps contracts few. Then one contract per hospital x winning product x
distributor [R-VBP-CONTRACT], at the winning price, for the round's cycle; the distributor is
the one the manufacturer authorised for the hospital's region on the winning listing (the
lowest id when several), else the manufacturer delivering itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock
from core.money import quantize
from core.permissions import require
from procurement.choices import (
    AWARD_STATES,
    AllocationSource,
    AwardAction,
    Catalogue,
    ListingStatus,
    PurchaseLabel,
    TargetStatus,
)
from procurement.errors import (
    ChoiceExceedsVolumeError,
    ChoiceNotWinnerError,
    ChoiceQuantityInvalidError,
)
from procurement.locks import lock_round, locked
from procurement.models import (
    Allocation,
    AllocationChoice,
    Contract,
    Listing,
    ListingDistributor,
    PaymentStandard,
    RoundAward,
    SteppedTarget,
    SteppedTargetStep,
    TenderDemand,
    TenderGroup,
    TenderResult,
    TenderRound,
)
from procurement.selectors import awards as selectors
from procurement.selectors.rounds import round_party_check
from procurement.services.listings import history_context
from procurement.services.numbering import next_number
from procurement.services.stepped import stepped_targets_reach

CHOICE_DAYS = 10
STEP_DAYS = (90, 180, 270)
CONTRACT_PREFIX = "CT"


# ---------------------------------------------------------------------------------------------
# Applying the results


def round_apply_results(*, actor: User | None, round_id: int) -> RoundAward:
    """[R-VBP-COMPANION] [R-VBP-STEPPED] [R-PAY-STANDARD] [R-LABELS] apply a final round's
    results (see the module docstring). ``actor`` None: the finalisation task. Idempotent:
    a round already applied returns its award unchanged."""
    with transaction.atomic():
        if actor is None:
            tender = locked(TenderRound.objects.all()).get(pk=round_id)
        else:
            tender = lock_round(actor=actor, round_id=round_id, action="award.manage")
            round_party_check(actor=actor, round=tender, permission="award.manage")
        existing = selectors.round_award(round=tender)
        if existing is not None:
            return existing
        AWARD_STATES.check(tender, AwardAction.APPLY)
        now = clock.now()
        with history_context(actor, "round_apply_results", round=tender.pk):
            for group in tender.groups.order_by("code", "id"):
                _apply_group(actor=actor, tender=tender, group=group)
            return RoundAward.objects.create(
                round=tender,
                applied_at=now,
                choice_deadline=now + dt.timedelta(days=CHOICE_DAYS),
            )


def _apply_group(*, actor: User | None, tender: TenderRound, group: TenderGroup) -> None:
    prices = selectors.winning_prices(group=group)
    if prices is None:
        return  # no winner: the group is tendered anew (nothing to list, no standard)
    lowest, highest = prices
    reason = _("Winner of volume-based procurement round %(round)s.") % {"round": tender.number}
    results = list(
        TenderResult.objects.filter(group=group).select_related("consumable").order_by("pk")
    )
    for result in results:
        if result.won:
            _list_winner(result, price=result.price, companion=False, reason=reason)
            if result.companion_price is not None:
                _list_winner(result, price=result.companion_price, companion=True, reason=reason)
    PaymentStandard.objects.create(
        round=tender,
        group=group,
        winner_price=lowest,
        non_winner_cap=highest,
        valid_from=tender.cycle_start,
        valid_to=tender.cycle_end,
        reason=_("Results of round %(round)s.") % {"round": tender.number},
    )
    for result in results:
        if not result.won:
            _target_create(actor=actor, tender=tender, group=group, result=result, level=highest)


def _list_winner(result: TenderResult, *, price: Decimal, companion: bool, reason: str) -> Listing:
    listing = selectors.winner_listing(result=result, companion=companion)
    if listing is None:
        listing = Listing.objects.create(
            manufacturer_id=result.supplier_id,
            consumable_id=result.consumable_id,
            price=price,
            companion_service=companion,
            registration_number=result.consumable.registration_number,
            catalogue=Catalogue.CAPPED,
            status=ListingStatus.LISTED,
            label=PurchaseLabel.PREFERRED,
            label_reason=reason,
            review_reason=reason,
            reviewed_at=clock.now(),
        )
        if companion:
            # The companion offer is delivered as the plain one is.
            plain = selectors.winner_listing(result=result, companion=False)
            if plain is not None:
                ListingDistributor.objects.bulk_create(
                    [
                        ListingDistributor(
                            listing=listing,
                            distributor_id=grant.distributor_id,
                            region_code=grant.region_code,
                        )
                        for grant in plain.distributors.all()
                    ]
                )
        return listing
    listing = locked(Listing.objects.all()).get(pk=listing.pk)
    listing.price = price
    listing.label = PurchaseLabel.PREFERRED
    listing.label_reason = reason
    fields = ["price", "label", "label_reason"]
    if listing.status in (ListingStatus.DRAFT, ListingStatus.SUBMITTED, ListingStatus.REJECTED):
        # The round's result is the review: the winner is listed at its winning price.
        listing.status = ListingStatus.LISTED
        listing.review_reason = reason
        listing.reviewed_at = clock.now()
        fields += ["status", "review_reason", "reviewed_at"]
    listing.save(update_fields=fields)
    return listing


def target_steps(*, start: Decimal, level: Decimal, cycle_start: dt.date) -> list[tuple]:
    """[R-VBP-STEPPED] the (due date, price) levels from ``start`` down to ``level``: equal
    cuts at ``STEP_DAYS`` into the cycle; one step when the start is at the level already."""
    if start <= level:
        return [(cycle_start + dt.timedelta(days=STEP_DAYS[0]), level)]
    count = len(STEP_DAYS)
    steps = []
    for index, days in enumerate(STEP_DAYS, start=1):
        price = level if index == count else quantize(start - (start - level) * index / count)
        steps.append((cycle_start + dt.timedelta(days=days), price))
    return steps


def _target_create(
    *,
    actor: User | None,
    tender: TenderRound,
    group: TenderGroup,
    result: TenderResult,
    level: Decimal,
) -> SteppedTarget:
    start = result.price if result.price is not None else group.max_valid_price
    target = SteppedTarget.objects.create(
        round=tender,
        group=group,
        result=result,
        consumable_id=result.consumable_id,
        supplier_id=result.supplier_id,
        start_price=start,
        level=level,
        status=TargetStatus.PENDING,
    )
    SteppedTargetStep.objects.bulk_create(
        [
            SteppedTargetStep(target=target, due_on=due, price=price)
            for due, price in target_steps(start=start, level=level, cycle_start=tender.cycle_start)
        ]
    )
    listing = selectors.winner_listing(result=result, companion=False)
    if listing is not None and listing.status == ListingStatus.LISTED and listing.price <= level:
        # The round has to be final for a target to count; it is (AWARD_STATES checked).
        stepped_targets_reach(actor=actor, listing=locked(Listing.objects.all()).get(pk=listing.pk))
    return target


# ---------------------------------------------------------------------------------------------
# Hospitals' choices


@transaction.atomic
def allocation_choose(
    *, actor: User, round_id: int, lines: Sequence[Mapping[str, Any]]
) -> list[AllocationChoice]:
    """[R-VBP-VOLUME] a hospital's choice among the winners, ``{"result": id, "quantity":
    n}`` per winning product; it replaces the hospital's earlier choices in the round. The
    choices of a group add up to at most the hospital's agreed volume of it; what it does not
    choose is allocated by rank."""
    tender = lock_round(actor=actor, round_id=round_id, action="allocation.choose")
    require(actor, "allocation.choose")
    hospital = selectors.hospital_party_check(actor=actor, round=tender)
    AWARD_STATES.check(tender, AwardAction.CHOOSE)
    award = selectors.award_applied_check(round=tender)
    selectors.choice_open_check(award=award)
    groups = {
        g.group.pk: g for g in selectors.hospital_choice_groups(hospital=hospital, round=tender)
    }
    winners = {
        winner.result.pk: (group_id, winner)
        for group_id, group in groups.items()
        for winner in group.winners
    }
    wanted: dict[int, int] = {}
    for index, line in enumerate(lines, start=1):
        result_id = line.get("result")
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise ChoiceQuantityInvalidError(line=index)
        if result_id not in winners:
            raise ChoiceNotWinnerError(line=index, product=str(result_id)[:40])
        if quantity:
            wanted[result_id] = wanted.get(result_id, 0) + quantity
    totals: dict[int, int] = {}
    for result_id, quantity in wanted.items():
        group_id = winners[result_id][0]
        totals[group_id] = totals.get(group_id, 0) + quantity
    for group_id, total in totals.items():
        if total > groups[group_id].agreed:
            raise ChoiceExceedsVolumeError(
                group=groups[group_id].group.code, chosen=total, agreed=groups[group_id].agreed
            )
    now = clock.now()
    with history_context(actor, "allocation_choose", round=tender.pk):
        AllocationChoice.objects.filter(round=tender, hospital=hospital).delete()
        return AllocationChoice.objects.bulk_create(
            [
                AllocationChoice(
                    round=tender,
                    group_id=winners[result_id][0],
                    hospital=hospital,
                    result_id=result_id,
                    quantity=quantity,
                    chosen_by=actor,
                    chosen_at=now,
                )
                for result_id, quantity in sorted(wanted.items())
            ]
        )


# ---------------------------------------------------------------------------------------------
# Allocation and contracts


@transaction.atomic
def round_allocate(*, actor: User, round_id: int) -> list[Contract]:
    """[R-VBP-VOLUME] [R-VBP-CONTRACT] allocate every hospital's agreed volume (its choices,
    the rest to the best-ranked winner) and draw up the contracts, awaiting the three
    parties' signatures. Once per round."""
    tender = lock_round(actor=actor, round_id=round_id, action="award.manage")
    round_party_check(actor=actor, round=tender, permission="award.manage")
    AWARD_STATES.check(tender, AwardAction.ALLOCATE)
    award = locked(RoundAward.objects.all()).filter(round=tender).first()
    if award is None:
        award = selectors.award_applied_check(round=tender)
    selectors.allocate_check(award=award)
    winners_by_group = {
        group.pk: selectors.group_winners(group=group) for group in tender.groups.all()
    }
    choices: dict[tuple[int, int], list[AllocationChoice]] = {}
    for choice in AllocationChoice.objects.filter(round=tender).order_by("pk"):
        choices.setdefault((choice.hospital_id, choice.group_id), []).append(choice)
    allocations: list[Allocation] = []
    demand = (
        TenderDemand.objects.filter(round=tender)
        .select_related("hospital")
        .order_by("group_id", "hospital_id")
    )
    totals: dict[tuple[int, int], int] = {}  # (hospital, result) -> quantity
    hospitals = {}
    for row in demand:
        winners = winners_by_group.get(row.group_id) or []
        agreed = row.agreed_volume(tender.agreed_ratio)
        if not winners or agreed <= 0:
            continue
        hospitals[row.hospital_id] = row.hospital
        left = agreed
        for choice in choices.get((row.hospital_id, row.group_id), []):
            quantity = min(choice.quantity, left)
            if quantity <= 0:
                continue
            left -= quantity
            allocations.append(
                Allocation(
                    round=tender,
                    group_id=row.group_id,
                    hospital_id=row.hospital_id,
                    result_id=choice.result_id,
                    quantity=quantity,
                    source=AllocationSource.CHOSEN,
                )
            )
            key = (row.hospital_id, choice.result_id)
            totals[key] = totals.get(key, 0) + quantity
        if left > 0:
            best = winners[0].result
            allocations.append(
                Allocation(
                    round=tender,
                    group_id=row.group_id,
                    hospital_id=row.hospital_id,
                    result_id=best.pk,
                    quantity=left,
                    source=AllocationSource.RANK,
                )
            )
            key = (row.hospital_id, best.pk)
            totals[key] = totals.get(key, 0) + left
    winner_of = {
        winner.result.pk: winner for winners in winners_by_group.values() for winner in winners
    }
    contracts = []
    with history_context(actor, "round_allocate", round=tender.pk):
        Allocation.objects.bulk_create(allocations)
        for (hospital_id, result_id), quantity in sorted(totals.items()):
            winner = winner_of[result_id]
            listing = selectors.winner_listing(result=winner.result, companion=False)
            if listing is None:
                continue  # the winner's listing was delisted since: nothing to contract
            contracts.append(
                contract_create(
                    tender=tender,
                    group_id=winner.result.group_id,
                    hospital=hospitals[hospital_id],
                    listing=listing,
                    quantity=quantity,
                    price=winner.price,
                    cycle_start=tender.cycle_start,
                    cycle_end=tender.cycle_end,
                )
            )
        award.allocated_at = clock.now()
        award.allocated_by = actor
        award.save(update_fields=["allocated_at", "allocated_by"])
    return contracts


def contract_create(
    *,
    tender: TenderRound,
    group_id: int,
    hospital: Organization,
    listing: Listing,
    quantity: int,
    price: Decimal,
    cycle_start: dt.date,
    cycle_end: dt.date,
    renewed_from: Contract | None = None,
) -> Contract:
    """A contract awaiting signatures (inside the caller's transaction)."""
    pk, number = next_number(Contract, CONTRACT_PREFIX)
    return Contract.objects.create(
        pk=pk,
        number=number,
        round=tender,
        group_id=group_id,
        hospital=hospital,
        manufacturer_id=listing.manufacturer_id,
        distributor_id=selectors.contract_distributor_id(listing=listing, hospital=hospital),
        consumable_id=listing.consumable_id,
        listing=listing,
        agreed_quantity=quantity,
        price=price,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
        renewed_from=renewed_from,
    )
