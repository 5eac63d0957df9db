"""What follows a final round: listings, payment standards, stepped targets, hospitals'
choices and the allocation (procurement.services.awards)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core import clock
from procurement.choices import (
    AllocationSource,
    ContractStatus,
    ListingStatus,
    PurchaseLabel,
    RoundStatus,
    TargetStatus,
)
from procurement.models import Allocation, Contract, Listing, ListingPriceChange, PaymentStandard
from procurement.selectors.awards import NON_WINNER, WINNER, group_winners, payment_standard_for
from procurement.services import awards, listings
from procurement.tests import round_world
from procurement.tests.award_world import make_award_world
from procurement.tests.order_world import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def aw():
    return make_award_world()


def _apply(aw):
    return awards.round_apply_results(actor=aw.officer, round_id=aw.tender.pk)


def _after_choices(aw):
    award = aw.tender.award
    return time_machine.travel(award.choice_deadline + dt.timedelta(minutes=1), tick=False)


def _choose_refused(aw, code, lines):
    return refused(
        awards.allocation_choose, code, actor=aw.w.purchaser, round_id=aw.tender.pk, lines=lines
    )


# --- applying the results -----------------------------------------------------------------


def test_winners_listed_preferred_at_winning_price_R_VBP_COMPANION_R_LABELS(aw):
    _apply(aw)
    plain = Listing.objects.get(pk=aw.w.listing.pk)
    assert (plain.price, plain.label, plain.companion_service) == (
        Decimal("80.00"),
        PurchaseLabel.PREFERRED,
        False,
    )
    companion = Listing.objects.get(
        manufacturer=aw.w.manufacturer, consumable=aw.w.listing.consumable, companion_service=True
    )
    assert (companion.price, companion.label, companion.status) == (
        Decimal("95.00"),
        PurchaseLabel.PREFERRED,
        ListingStatus.LISTED,
    )
    # The companion offer is delivered by the same authorised distributor.
    assert list(companion.distributors.values_list("distributor_id", flat=True)) == [
        aw.w.distributor.pk
    ]
    b = Listing.objects.get(pk=aw.listing_b.pk)
    assert (b.price, b.label) == (Decimal("85.00"), PurchaseLabel.PREFERRED)
    # B bid no companion price: no second listing.
    assert not Listing.objects.filter(consumable=aw.listing_b.consumable, companion_service=True)
    # The non-winner keeps its price and label.
    c = Listing.objects.get(pk=aw.listing_c.pk)
    assert (c.price, c.label) == (Decimal("99.00"), PurchaseLabel.NORMAL)


def test_apply_results_runs_once(aw):
    first = _apply(aw)
    second = _apply(aw)
    assert first.pk == second.pk
    assert PaymentStandard.objects.filter(round=aw.tender).count() == 1


def test_apply_results_refused_before_the_round_is_final(aw):
    aw.tender.status = RoundStatus.PUBLICITY
    aw.tender.save(update_fields=["status"])
    refused(awards.round_apply_results, "invalid_state", actor=aw.officer, round_id=aw.tender.pk)


def test_apply_results_refused_to_a_hospital(aw):
    refused(
        awards.round_apply_results, "permission_denied", actor=aw.w.purchaser, round_id=aw.tender.pk
    )


def test_apply_results_by_the_finalisation_task_without_actor(aw):
    award = awards.round_apply_results(actor=None, round_id=aw.tender.pk)
    assert award.round_id == aw.tender.pk


def test_payment_standard_winners_lowest_non_winners_capped_R_PAY_STANDARD(aw):
    _apply(aw)
    today = clock.local_today()
    a = payment_standard_for(consumable_id=aw.a.consumable_id, on=today)
    b = payment_standard_for(consumable_id=aw.b.consumable_id, on=today)
    c = payment_standard_for(consumable_id=aw.c.consumable_id, on=today)
    assert (a.kind, a.amount) == (WINNER, Decimal("80.00"))
    # B won at 85.00 but is paid the group's lowest winning price.
    assert (b.kind, b.amount) == (WINNER, Decimal("80.00"))
    assert (c.kind, c.amount) == (NON_WINNER, Decimal("85.00"))


def test_payment_standard_only_within_its_effective_dates_R_PAY_STANDARD(aw):
    _apply(aw)
    cid = aw.a.consumable_id
    assert payment_standard_for(consumable_id=cid, on=aw.tender.cycle_start) is not None
    assert payment_standard_for(consumable_id=cid, on=aw.tender.cycle_end) is not None
    before = aw.tender.cycle_start - dt.timedelta(days=1)
    after = aw.tender.cycle_end + dt.timedelta(days=1)
    assert payment_standard_for(consumable_id=cid, on=before) is None
    assert payment_standard_for(consumable_id=cid, on=after) is None


def test_payment_standard_of_a_product_that_did_not_bid_is_the_cap_R_PAY_STANDARD(aw):
    """A product the group's filters select is a non-winner even without a bid."""
    from catalog.tests.factories import ConsumableFactory

    _apply(aw)
    group = round_world.first_group(aw.tender)
    other = ConsumableFactory()
    group.code_prefixes = [*group.code_prefixes, other.code]
    group.save(update_fields=["code_prefixes"])
    answer = payment_standard_for(consumable_id=other.pk, on=clock.local_today())
    assert (answer.kind, answer.amount) == (NON_WINNER, Decimal("85.00"))


# --- stepped targets --------------------------------------------------------------------------


def test_non_winner_gets_stepped_targets_down_to_the_winning_level_R_VBP_STEPPED(aw):
    _apply(aw)
    target = aw.c.stepped_target
    assert (target.level, target.start_price, target.status) == (
        Decimal("85.00"),
        Decimal("99.00"),
        TargetStatus.PENDING,
    )
    start = aw.tender.cycle_start
    assert [(s.due_on, s.price) for s in target.steps.all()] == [
        (start + dt.timedelta(days=90), Decimal("94.33")),
        (start + dt.timedelta(days=180), Decimal("89.67")),
        (start + dt.timedelta(days=270), Decimal("85.00")),
    ]
    assert [w.result.pk for w in group_winners(group=target.group)] == [aw.a.pk, aw.b.pk]


def _cut_price(aw, price):
    change = listings.listing_price_change_request(
        actor=aw.sales_c, listing_id=aw.listing_c.pk, new_price=price, reason="集采梯度降价"
    )
    return listings.listing_price_change_approve(actor=aw.officer, price_change_id=change.pk)


def test_price_cut_to_the_winning_level_counts_as_winner_R_VBP_STEPPED(aw):
    _apply(aw)
    _cut_price(aw, "85.00")
    target = aw.c.stepped_target
    target.refresh_from_db()
    assert (target.status, target.reached_price) == (TargetStatus.REACHED, Decimal("85.00"))
    assert [w.result.pk for w in group_winners(group=target.group)] == [aw.a.pk, aw.b.pk, aw.c.pk]
    assert Listing.objects.get(pk=aw.listing_c.pk).label == PurchaseLabel.PREFERRED
    answer = payment_standard_for(consumable_id=aw.c.consumable_id, on=clock.local_today())
    assert (answer.kind, answer.amount) == (WINNER, Decimal("80.00"))


def test_price_cut_above_the_winning_level_does_not_reach_it_R_VBP_STEPPED(aw):
    _apply(aw)
    _cut_price(aw, "85.01")
    target = aw.c.stepped_target
    target.refresh_from_db()
    assert target.status == TargetStatus.PENDING
    assert Listing.objects.get(pk=aw.listing_c.pk).label == PurchaseLabel.NORMAL


def test_listing_already_at_the_level_reaches_it_when_results_apply_R_VBP_STEPPED(aw):
    Listing.objects.filter(pk=aw.listing_c.pk).update(price=Decimal("84.00"))
    _apply(aw)
    assert aw.c.stepped_target.status == TargetStatus.REACHED
    assert ListingPriceChange.objects.count() == 0


# --- choices and allocation ------------------------------------------------------------------


def test_allocation_rest_goes_to_the_best_ranked_winner_R_VBP_VOLUME(aw):
    """Agreed volume 80 (100 x 0.8); the hospital chose 30 of B; A (rank 1) gets the rest."""
    _apply(aw)
    awards.allocation_choose(
        actor=aw.w.purchaser, round_id=aw.tender.pk, lines=[{"result": aw.b.pk, "quantity": 30}]
    )
    with _after_choices(aw):
        contracts = awards.round_allocate(actor=aw.officer, round_id=aw.tender.pk)
    got = sorted(
        Allocation.objects.values_list("result_id", "quantity", "source"), key=lambda r: r[0]
    )
    assert got == [(aw.a.pk, 50, AllocationSource.RANK), (aw.b.pk, 30, AllocationSource.CHOSEN)]
    assert sorted((c.consumable_id, c.agreed_quantity, c.price) for c in contracts) == sorted(
        [
            (aw.a.consumable_id, 50, Decimal("80.00")),
            (aw.b.consumable_id, 30, Decimal("85.00")),
        ]
    )


def test_allocation_without_choices_all_to_rank_one_R_VBP_VOLUME(aw):
    _apply(aw)
    with _after_choices(aw):
        (contract,) = awards.round_allocate(actor=aw.officer, round_id=aw.tender.pk)
    assert (contract.consumable_id, contract.agreed_quantity) == (aw.a.consumable_id, 80)
    # A's manufacturer authorised D for Nanjing: D delivers and signs.
    assert contract.distributor_id == aw.w.distributor.pk
    assert contract.status == ContractStatus.AWAITING
    assert (contract.cycle_start, contract.cycle_end) == (
        aw.tender.cycle_start,
        aw.tender.cycle_end,
    )


def test_allocation_all_chosen_leaves_no_rest_R_VBP_VOLUME(aw):
    _apply(aw)
    awards.allocation_choose(
        actor=aw.w.purchaser,
        round_id=aw.tender.pk,
        lines=[{"result": aw.a.pk, "quantity": 20}, {"result": aw.b.pk, "quantity": 60}],
    )
    with _after_choices(aw):
        awards.round_allocate(actor=aw.officer, round_id=aw.tender.pk)
    assert set(Allocation.objects.values_list("source", flat=True)) == {AllocationSource.CHOSEN}
    assert sorted(Contract.objects.values_list("agreed_quantity", flat=True)) == [20, 60]


def test_choice_above_the_agreed_volume_refused_R_VBP_VOLUME(aw):
    _apply(aw)
    error = _choose_refused(
        aw,
        "choice_exceeds_volume",
        [{"result": aw.a.pk, "quantity": 41}, {"result": aw.b.pk, "quantity": 40}],
    )
    assert (error.extra["chosen"], error.extra["agreed"]) == (81, 80)


def test_choice_of_a_non_winner_refused(aw):
    _apply(aw)
    _choose_refused(aw, "choice_not_winner", [{"result": aw.c.pk, "quantity": 1}])


@pytest.mark.parametrize(
    "quantity", [-1, "5", 1.5, True], ids=["negative", "text", "float", "bool"]
)
def test_choice_quantity_must_be_a_whole_number(aw, quantity):
    _apply(aw)
    _choose_refused(aw, "choice_quantity_invalid", [{"result": aw.a.pk, "quantity": quantity}])


def test_choice_refused_before_results_are_applied(aw):
    _choose_refused(aw, "results_not_applied", [])


def test_choice_refused_after_the_deadline(aw):
    _apply(aw)
    with _after_choices(aw):
        _choose_refused(aw, "choice_window_closed", [{"result": aw.a.pk, "quantity": 1}])


def test_allocation_refused_while_hospitals_may_choose(aw):
    _apply(aw)
    refused(awards.round_allocate, "choice_window_open", actor=aw.officer, round_id=aw.tender.pk)


def test_allocation_refused_twice(aw):
    _apply(aw)
    with _after_choices(aw):
        awards.round_allocate(actor=aw.officer, round_id=aw.tender.pk)
        refused(awards.round_allocate, "already_allocated", actor=aw.officer, round_id=aw.tender.pk)


def test_another_regions_bureau_gets_404_for_the_allocation(aw):
    _apply(aw)
    stranger = round_world.bureau_officer("110100")
    with _after_choices(aw):
        refused(awards.round_allocate, "not_found", actor=stranger, round_id=aw.tender.pk)


def test_choices_replace_the_earlier_ones(aw):
    _apply(aw)
    for quantity in (10, 25):
        awards.allocation_choose(
            actor=aw.w.purchaser,
            round_id=aw.tender.pk,
            lines=[{"result": aw.b.pk, "quantity": quantity}],
        )
    from procurement.models import AllocationChoice

    assert list(AllocationChoice.objects.values_list("quantity", flat=True)) == [25]


def test_a_supplier_sees_only_its_own_stepped_targets_R_VBP_STEPPED(aw):
    from procurement.models import SteppedTarget

    _apply(aw)
    assert list(SteppedTarget.objects.visible_to(aw.sales_c)) == [aw.c.stepped_target]
    assert list(SteppedTarget.objects.visible_to(aw.sales_b)) == []
    assert list(SteppedTarget.objects.visible_to(aw.officer)) == [aw.c.stepped_target]


def test_a_product_that_reached_its_target_may_be_chosen_R_VBP_STEPPED(aw):
    _apply(aw)
    _cut_price(aw, "84.00")
    awards.allocation_choose(
        actor=aw.w.purchaser, round_id=aw.tender.pk, lines=[{"result": aw.c.pk, "quantity": 20}]
    )
    with _after_choices(aw):
        contracts = awards.round_allocate(actor=aw.officer, round_id=aw.tender.pk)
    by_product = {c.consumable_id: (c.agreed_quantity, c.price) for c in contracts}
    # C is contracted at the price that reached the level; the rest (60) goes to rank 1.
    assert by_product == {
        aw.c.consumable_id: (20, Decimal("84.00")),
        aw.a.consumable_id: (60, Decimal("80.00")),
    }
