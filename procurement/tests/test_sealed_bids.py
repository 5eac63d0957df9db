"""Sealed bids and the opening (issue #12 items 4-5), at the service level."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.sealed import commitment
from procurement.choices import RoundStatus
from procurement.models import RoundCustodian, TenderBid, TenderResult
from procurement.tests.bid_world import make_bid_world

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
