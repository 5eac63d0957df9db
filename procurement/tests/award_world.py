"""A final round for the award, allocation and contract tests: the order world's hospital
(base volume 100 of group G1, agreed ratio 0.8: agreed volume 80) and the results of
three bids:

- A: the order world's listed product (manufacturer M, distributor D authorised for
  Nanjing), rank 1, won at 80.00 (95.00 with companion service);
- B: another manufacturer's product, rank 2, won at 85.00;
- C: a third manufacturer's product listed at 99.00, rank 3, not won (bid 99.00).

So: lowest winning price 80.00 (the winners' payment standard), highest 85.00 (the
non-winners' cap and C's stepped-target level).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import OrganizationFactory, UserFactory
from procurement.models import Listing, TenderResult, TenderRound
from procurement.tests import round_world
from procurement.tests.factories import ListingFactory
from procurement.tests.order_world import World, make_world


@dataclass
class AwardWorld:
    w: World
    officer: User
    tender: TenderRound
    a: TenderResult
    b: TenderResult
    c: TenderResult
    listing_b: Listing
    listing_c: Listing
    sales_b: User
    sales_c: User


def make_award_world(
    *, base: int = 100, cycle_start: dt.date | None = None, cycle_days: int = 365
) -> AwardWorld:
    w = make_world()
    officer = round_world.bureau_officer()
    maker_b, maker_c = OrganizationFactory(), OrganizationFactory()
    listing_b = ListingFactory(manufacturer=maker_b, price=Decimal("90.00"))
    listing_c = ListingFactory(manufacturer=maker_c, price=Decimal("99.00"))
    consumables = [w.listing.consumable, listing_b.consumable, listing_c.consumable]
    tender = round_world.final_round(
        officer, consumables=consumables, cycle_start=cycle_start, cycle_days=cycle_days
    )
    a = round_world.result(
        tender, w.listing.consumable, price="80.00", companion_price="95.00", rank=1, won=True
    )
    b = round_world.result(tender, listing_b.consumable, price="85.00", rank=2, won=True)
    c = round_world.result(tender, listing_c.consumable, price="99.00", rank=3, won=False)
    round_world.demand_row(tender, w.hospital, w.purchaser, base=base)
    return AwardWorld(
        w=w,
        officer=officer,
        tender=tender,
        a=a,
        b=b,
        c=c,
        listing_b=listing_b,
        listing_c=listing_c,
        sales_b=UserFactory(organization=maker_b, roles=[Role.SUPPLIER_SALES]),
        sales_c=UserFactory(organization=maker_c, roles=[Role.SUPPLIER_SALES]),
    )


def contracted(aw: AwardWorld):
    """Results applied, no choices, volume allocated: the hospital's one contract for A
    (80 units at 80.00, delivered by D), awaiting signatures."""
    import time_machine

    from procurement.services import awards

    award = awards.round_apply_results(actor=aw.officer, round_id=aw.tender.pk)
    with time_machine.travel(award.choice_deadline + dt.timedelta(minutes=1), tick=False):
        (contract,) = awards.round_allocate(actor=aw.officer, round_id=aw.tender.pk)
    return contract


def signed(aw: AwardWorld):
    """The contract in force: signed by the hospital, the manufacturer and the distributor."""
    from procurement.services import contracts

    contract = contracted(aw)
    for user in (aw.w.purchaser, aw.w.sales, aw.w.distributor_sales):
        contract = contracts.contract_sign(actor=user, contract_id=contract.pk)
    return contract


def bought(
    aw: AwardWorld, quantity: int, *, kept: int | None = None, listing=None, by_d: bool = True
):
    """An order of the hospital for A (or ``listing``), delivered by D (or, ``by_d`` off, by
    the manufacturer itself) and accepted: ``kept`` of ``quantity`` (the rest refused)."""
    from procurement.services import deliveries, orders
    from procurement.tests.order_world import gs1, promised

    w = aw.w
    listing = listing or w.listing
    (order,) = orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": listing.pk, "quantity": quantity}]
    )
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    line = order.lines.get()
    orders.order_respond(
        actor=w.sales,
        order_id=order.pk,
        answers=[{"line": line.pk, "decision": "confirm", "promised_on": promised()}],
        distributor_id=w.distributor.pk if by_d else None,
    )
    delivery = deliveries.delivery_create(
        actor=w.distributor_sales if by_d else w.sales,
        order_id=order.pk,
        lines=[{"order_line": line.pk, "quantity": quantity, "barcode": gs1(w.di)}],
    )
    kept = quantity if kept is None else kept
    deliveries.delivery_accept(
        actor=w.purchaser,
        delivery_id=delivery.pk,
        lines=[
            {
                "delivery_line": delivery.lines.get().pk,
                "accepted_quantity": kept,
                "refused_quantity": quantity - kept,
                "reason": "破损" if kept < quantity else "",
            }
        ],
    )
    return order


def contract_for(w: World, officer: User, listing: Listing, *, sign: bool = False, base=100):
    """A final round of its own whose only winner is ``listing`` (at 80.00), the world's
    hospital's agreed volume of it allocated: its contract, signed by the three parties
    when ``sign`` (the world's users: purchaser, manufacturer and distributor sales)."""
    import time_machine

    from procurement.services import awards, contracts

    tender = round_world.final_round(officer, consumables=[listing.consumable])
    round_world.result(tender, listing.consumable, price="80.00", rank=1, won=True)
    round_world.demand_row(tender, w.hospital, w.purchaser, base=base)
    award = awards.round_apply_results(actor=officer, round_id=tender.pk)
    with time_machine.travel(award.choice_deadline + dt.timedelta(minutes=1), tick=False):
        (contract,) = awards.round_allocate(actor=officer, round_id=tender.pk)
    if sign:
        for user in (w.purchaser, w.sales, w.distributor_sales):
            contract = contracts.contract_sign(actor=user, contract_id=contract.pk)
    return contract
