"""Sealed bids and the opening (issue #12 items 4-5), at the service level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.errors import DomainError
from core.sealed import commitment, key_ceremony, seal_bid
from core.tests.helpers import client_for
from procurement.choices import RoundStatus
from procurement.models import PaymentStandard, RoundAward, RoundCustodian, TenderBid, TenderResult
from procurement.selectors.labels import CreditStanding
from procurement.services import bids as bid_services
from procurement.tasks import rounds_close_bidding_due_task, rounds_finalise_due_task
from procurement.tests.bid_world import make_bid_world
from procurement.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_a_round_opens_with_k_shares_and_ranks_its_bids():
    """k of n shares open every bid; each result matches its receipt; the rule applies."""
    world = make_bid_world()
    bids = {key: world.bid(key, price) for key, price in (("A", "80.00"), ("B", "85.00"))}
    bids["C"] = world.bid("C", "99.00")
    with world.at_opening():
        world.enter(1)
        world.enter(5)
        assert world.refresh().status == RoundStatus.BIDDING_CLOSED
        assert not TenderResult.objects.filter(round=world.tender).exists()
        world.enter(3)
    assert world.refresh().status == RoundStatus.PUBLICITY
    results = {r.bid_id: r for r in TenderResult.objects.filter(round=world.tender)}
    assert {
        key: (results[b.pk].price, results[b.pk].rank, results[b.pk].won) for key, b in bids.items()
    } == {
        "A": (Decimal("80.00"), 1, True),
        "B": (Decimal("85.00"), 2, True),
        "C": (Decimal("99.00"), 3, False),
    }
    for bid in bids.values():
        assert bid.commitment == commitment(
            bid.envelope,
            round_fingerprint=world.tender.key_fingerprint,
            supplier=bid.supplier_id,
            product=bid.consumable_id,
        )
    assert not RoundCustodian.objects.filter(
        round=world.tender, entered_share__isnull=False
    ).exists()
    assert TenderBid.objects.filter(round=world.tender).count() == 3


# --- Bad input: refused with a clear code, nothing changes, the supplier sees the refusal ----


def _state(world):
    world.tender.refresh_from_db()
    return (
        world.tender.status,
        TenderBid.objects.count(),
        TenderResult.objects.count(),
        list(
            RoundCustodian.objects.filter(round=world.tender).values_list("entered_at", flat=True)
        ),
    )


def _refused(call, code):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def _shown_to(world, key, code):
    client = client_for(world.sellers[key])
    url = reverse("api:procurement:round_bid_refusals", args=[world.tender.pk])
    return [r["code"] for r in client.get(url).json()["results"]].count(code)


def _submit(world, key, envelope, product=None):
    return lambda: bid_services.bid_submit(
        actor=world.sellers[key],
        round_id=world.tender.pk,
        group_id=world.group.pk,
        product_id=product or world.products[key].pk,
        envelope=envelope,
    )


def _foreign_envelope(world):
    other = key_ceremony(threshold=2, custodians=3)
    return seal_bid(
        other.public_jwk,
        price=Decimal("50.00"),
        product=world.products["A"].pk,
        round_ref=world.tender.pk,
    )


BAD_BIDS = {
    "malformed": (lambda world: "not.a.jwe", "sealed_envelope_malformed"),
    "foreign_key": (_foreign_envelope, "sealed_envelope_foreign_key"),
}


@pytest.mark.parametrize("case", BAD_BIDS)
def test_a_bad_envelope_is_refused_and_shown_to_its_supplier(case):
    world = make_bid_world()
    make, code = BAD_BIDS[case]
    before = _state(world)
    _refused(_submit(world, "A", make(world)), code)
    assert _state(world) == before
    assert _shown_to(world, "A", code) == 1
    assert _shown_to(world, "B", code) == 0


def test_a_bid_after_the_deadline_is_refused():
    world = make_bid_world()
    envelope = world.seal("A", "80.00")
    before = _state(world)
    with time_machine.travel(world.tender.bid_deadline + dt.timedelta(seconds=1), tick=False):
        _refused(_submit(world, "A", envelope), "bid_deadline_passed")
    assert _state(world) == before
    assert _shown_to(world, "A", "bid_deadline_passed") == 1


def test_a_bid_for_a_product_outside_the_group_is_refused():
    world = make_bid_world()
    outside = ListingFactory(manufacturer=world.w.manufacturer).consumable
    envelope = world.seal("A", "80.00", product=outside.pk)
    before = _state(world)
    _refused(_submit(world, "A", envelope, product=outside.pk), "bid_product_not_in_group")
    assert _state(world) == before
    assert _shown_to(world, "A", "bid_product_not_in_group") == 1


def test_a_bid_for_another_suppliers_product_is_refused():
    world = make_bid_world()
    envelope = world.seal("B", "80.00")
    _refused(_submit(world, "A", envelope, product=world.products["B"].pk), "bid_product_not_own")


def test_a_barred_supplier_is_refused(monkeypatch):
    world = make_bid_world()
    monkeypatch.setattr(
        bid_services, "supplier_credit_for", lambda **kw: CreditStanding.BLACKLISTED
    )
    before = _state(world)
    _refused(_submit(world, "A", world.seal("A", "80.00")), "bid_supplier_barred")
    assert _state(world) == before
    assert _shown_to(world, "A", "bid_supplier_barred") == 1


def test_no_bid_is_taken_while_a_share_is_uncollected():
    """No bid exists while the server could still rebuild the key."""
    world = make_bid_world(collect=False)
    for user in world.custodians[:4]:
        bid_services.share_collect(actor=user, round_id=world.tender.pk)
    _refused(_submit(world, "A", world.seal("A", "80.00")), "shares_not_collected")
    assert not TenderBid.objects.exists()


def test_a_share_is_collected_once_and_erased():
    world = make_bid_world(collect=False)
    custodian, text = bid_services.share_collect(
        actor=world.custodians[0], round_id=world.tender.pk
    )
    assert text.startswith("YGS-")
    custodian.refresh_from_db()
    assert custodian.wrapped_share is None
    _refused(
        lambda: bid_services.share_collect(actor=world.custodians[0], round_id=world.tender.pk),
        "share_already_collected",
    )
    _refused(
        lambda: bid_services.share_collect(actor=world.officer, round_id=world.tender.pk),
        "not_custodian",
    )


def test_shares_are_refused_before_the_opening_time():
    world = make_bid_world()
    world.bid("A", "80.00")
    before = _state(world)
    _refused(lambda: world.enter(1), "opening_too_early")
    with time_machine.travel(world.tender.opening_at - dt.timedelta(seconds=1), tick=False):
        _refused(lambda: world.enter(1), "opening_too_early")
        _refused(
            lambda: bid_services.round_open(actor=world.officer, round_id=world.tender.pk),
            "opening_too_early",
        )
    assert _state(world) == before


def test_k_minus_1_shares_do_not_open_the_round():
    world = make_bid_world()
    world.bid("A", "80.00")
    world.bid("B", "85.00")
    with world.at_opening():
        world.enter(2)
        world.enter(4)
        before = _state(world)
        _refused(
            lambda: bid_services.round_open(actor=world.officer, round_id=world.tender.pk),
            "sealed_shares_insufficient",
        )
        assert _state(world) == before
        assert world.tender.status == RoundStatus.BIDDING_CLOSED


def test_another_custodians_share_is_refused():
    world = make_bid_world()
    with world.at_opening():
        _refused(
            lambda: bid_services.share_enter(
                actor=world.custodians[0], round_id=world.tender.pk, share=world.shares[2]
            ),
            "sealed_share_rejected",
        )
        _refused(
            lambda: bid_services.share_enter(
                actor=world.custodians[0], round_id=world.tender.pk, share="YGS-NOPE"
            ),
            "sealed_share_rejected",
        )
        world.enter(1)
        _refused(lambda: world.enter(1), "share_already_entered")


def test_a_price_above_the_group_maximum_is_invalid_at_opening():
    """The page checks the maximum; a supplier's own system may not: the opening records it."""
    world = make_bid_world()
    world.bid("A", "80.00")
    world.bid("B", "120.00")
    with world.at_opening():
        for position in (1, 2, 3):
            world.enter(position)
    invalid = TenderResult.objects.get(round=world.tender, consumable=world.products["B"])
    assert (invalid.valid, invalid.won, invalid.price) == (False, False, Decimal("120.00"))
    assert invalid.invalid_reason
    # One valid bid is fewer than the rule's two: the group has no winner (thin).
    assert not TenderResult.objects.filter(round=world.tender, won=True).exists()


def test_a_replaced_and_a_withdrawn_bid_are_not_opened():
    world = make_bid_world()
    first = world.bid("A", "70.00")
    world.bid("A", "80.00")
    withdrawn = world.bid("C", "60.00")
    bid_services.bid_withdraw(
        actor=world.sellers["C"], round_id=world.tender.pk, bid_id=withdrawn.pk
    )
    _refused(
        lambda: bid_services.bid_withdraw(
            actor=world.sellers["C"], round_id=world.tender.pk, bid_id=withdrawn.pk
        ),
        "bid_not_live",
    )
    world.bid("B", "85.00")
    with world.at_opening():
        for position in (1, 2, 3):
            world.enter(position)
    results = {r.consumable_id: r.price for r in TenderResult.objects.filter(round=world.tender)}
    assert results == {
        world.products["A"].pk: Decimal("80.00"),
        world.products["B"].pk: Decimal("85.00"),
    }
    assert not TenderResult.objects.filter(bid=first).exists()


def test_the_beat_closes_bidding_and_finalises_after_publicity():
    world = make_bid_world()
    world.bid("A", "80.00")
    world.bid("B", "85.00")
    with time_machine.travel(world.tender.bid_deadline + dt.timedelta(minutes=1), tick=False):
        assert rounds_close_bidding_due_task.delay().get() == {"closed": 1}
    assert world.refresh().status == RoundStatus.BIDDING_CLOSED
    with world.at_opening():
        for position in (1, 2, 3):
            world.enter(position)
    with time_machine.travel(world.tender.publicity_end - dt.timedelta(minutes=1), tick=False):
        assert rounds_finalise_due_task.delay().get() == {"finalised": 0}
    with world.after_publicity():
        assert rounds_finalise_due_task.delay().get() == {"finalised": 1}
    assert world.refresh().status == RoundStatus.FINAL
    assert RoundAward.objects.filter(round=world.tender).exists()
    assert PaymentStandard.objects.get(round=world.tender).winner_price == Decimal("80.00")
