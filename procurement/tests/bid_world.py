"""A round taking sealed bids, for the tests of bidding and the opening: the order world's
city bureau with five custodians (3 of 5, the fifth the discipline-inspection officer), one
group G1 (maximum 100.00, the two lowest win, at least two valid bids) holding three
manufacturers' products (A: the order world's, B, C), the hospital's base volume 100, every
share collected (``shares``: custodian position -> text, as each custodian wrote it down)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import OrganizationFactory, UserFactory
from core.sealed import seal_bid
from procurement.models import TenderBid, TenderGroup, TenderRound
from procurement.services import bids as bid_services
from procurement.services import demand as demand_services
from procurement.services import rounds
from procurement.tests import round_world
from procurement.tests.factories import ListingFactory
from procurement.tests.order_world import World, make_world


@dataclass
class BidWorld:
    w: World
    officer: User
    custodians: list[User]
    tender: TenderRound
    group: TenderGroup
    products: dict[str, object]  # "A", "B", "C" -> Consumable
    sellers: dict[str, User]
    shares: dict[int, str] = field(default_factory=dict)

    def seal(self, key: str, price: str, companion: str | None = None, **kw) -> str:
        return seal_bid(
            self.tender.public_jwk,
            price=Decimal(price),
            companion_price=None if companion is None else Decimal(companion),
            product=kw.get("product", self.products[key].pk),
            round_ref=kw.get("round_ref", self.tender.pk),
        )

    def bid(self, key: str, price: str, companion: str | None = None) -> TenderBid:
        return bid_services.bid_submit(
            actor=self.sellers[key],
            round_id=self.tender.pk,
            group_id=self.group.pk,
            product_id=self.products[key].pk,
            envelope=self.seal(key, price, companion),
        )

    def at_opening(self):
        return time_machine.travel(self.tender.opening_at + dt.timedelta(minutes=1), tick=False)

    def after_publicity(self):
        return time_machine.travel(self.tender.publicity_end + dt.timedelta(minutes=1), tick=False)

    def enter(self, position: int) -> TenderRound:
        return bid_services.share_enter(
            actor=self.custodians[position - 1],
            round_id=self.tender.pk,
            share=self.shares[position],
        )

    def refresh(self) -> TenderRound:
        self.tender.refresh_from_db()
        return self.tender


def make_bid_world(*, collect: bool = True, demand: bool = True) -> BidWorld:
    w = make_world()
    officer = round_world.bureau_officer()
    bureau = officer.organization
    custodians = [UserFactory(organization=bureau, roles=[Role.BUREAU_OFFICER]) for _ in range(5)]
    maker_b, maker_c = OrganizationFactory(), OrganizationFactory()
    listing_b = ListingFactory(manufacturer=maker_b, price=Decimal("90.00"))
    listing_c = ListingFactory(manufacturer=maker_c, price=Decimal("99.00"))
    products = {
        "A": w.listing.consumable,
        "B": listing_b.consumable,
        "C": listing_c.consumable,
    }
    sellers = {
        "A": w.sales,
        "B": UserFactory(organization=maker_b, roles=[Role.SUPPLIER_SALES]),
        "C": UserFactory(organization=maker_c, roles=[Role.SUPPLIER_SALES]),
    }
    tender = round_world.draft_round(officer, consumables=list(products.values()))
    bid_services.round_custodians_set(
        actor=officer,
        round_id=tender.pk,
        threshold=3,
        custodians=[
            {"user": user.pk, "discipline_inspection": index == 4}
            for index, user in enumerate(custodians)
        ],
    )
    group = round_world.first_group(tender)
    if demand:
        rounds.round_publish(actor=officer, round_id=tender.pk)
        demand_services.demand_report(
            actor=w.purchaser, round_id=tender.pk, lines=[{"group": group.pk, "volume": 100}]
        )
    else:
        rounds.round_publish(actor=officer, round_id=tender.pk)
    tender.refresh_from_db()
    world = BidWorld(w, officer, custodians, tender, group, products, sellers)
    if collect:
        for position, user in enumerate(custodians, start=1):
            _, text = bid_services.share_collect(actor=user, round_id=tender.pk)
            world.shares[position] = text
    return world
