"""[R-VBP-COMPANION] a sealed bid's price with companion service (伴随服务): sealed in the same
envelope as the price, checked again at opening, written to the result and listed at the
final round as a second listing (docs/sealed-bids.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from procurement.choices import ListingStatus, PurchaseLabel, RoundStatus
from procurement.models import Listing, TenderResult
from procurement.services import bids as bid_services
from procurement.tests.bid_world import make_bid_world

pytestmark = pytest.mark.django_db


def _open(world):
    with world.at_opening():
        for position in (1, 2, 3):
            world.enter(position)
    assert world.refresh().status == RoundStatus.PUBLICITY


def test_a_sealed_companion_price_R_VBP_COMPANION_is_listed_beside_the_winning_price():
    """A wins at 80.00 and 95.00 with companion service; B wins at 85.00 without any."""
    world = make_bid_world()
    world.bid("A", "80.00", companion="95.00")
    world.bid("B", "85.00")
    world.bid("C", "99.00", companion="99.50")
    _open(world)
    results = {r.consumable_id: r for r in TenderResult.objects.filter(round=world.tender)}
    a, b, c = (results[world.products[key].pk] for key in "ABC")
    assert (a.price, a.companion_price, a.won) == (Decimal("80.00"), Decimal("95.00"), True)
    assert (b.price, b.companion_price, b.won) == (Decimal("85.00"), None, True)
    assert (c.price, c.companion_price, c.won) == (Decimal("99.00"), Decimal("99.50"), False)
    # The public results show it once the round is in publicity.
    page = Client().get(reverse("public:tender_round", args=[world.tender.pk]))
    assert "95.00" in page.content.decode()
    with world.after_publicity():
        bid_services.round_finalise(actor=world.officer, round_id=world.tender.pk)
    assert world.refresh().status == RoundStatus.FINAL
    listed = {
        (listing.consumable_id, listing.companion_service): (listing.price, listing.label)
        for listing in Listing.objects.filter(
            consumable__in=world.products.values(), status=ListingStatus.LISTED
        )
    }
    preferred = PurchaseLabel.PREFERRED
    assert listed[(world.products["A"].pk, False)] == (Decimal("80.00"), preferred)
    assert listed[(world.products["A"].pk, True)] == (Decimal("95.00"), preferred)
    assert listed[(world.products["B"].pk, False)] == (Decimal("85.00"), preferred)
    assert (world.products["B"].pk, True) not in listed
    # The non-winner's companion price lists nothing.
    assert (world.products["C"].pk, True) not in listed


def test_a_companion_price_above_the_group_maximum_makes_the_bid_invalid_at_opening():
    """The page checks it; a supplier's own system may not: the opening records why."""
    world = make_bid_world()
    world.bid("A", "80.00", companion="100.01")  # the group's maximum is 100.00
    world.bid("B", "85.00", companion="100.00")
    world.bid("C", "90.00")
    _open(world)
    results = {r.consumable_id: r for r in TenderResult.objects.filter(round=world.tender)}
    a, b, c = (results[world.products[key].pk] for key in "ABC")
    assert (a.valid, a.won, a.rank, a.price, a.companion_price) == (
        False,
        False,
        None,
        Decimal("80.00"),
        Decimal("100.01"),
    )
    assert "100.01" in a.invalid_reason
    assert "100.00" in a.invalid_reason
    # The invalid bid takes no rank: B and C are ranked without it.
    assert (b.valid, b.rank, b.won, b.companion_price) == (True, 1, True, Decimal("100.00"))
    assert (c.valid, c.rank) == (True, 2)
