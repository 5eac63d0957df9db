"""Helpers for negotiation tests [R-NEGOTIATION]: a negotiation drafted, invited, offered or
agreed through the real services, with dates relative to the (frozen) clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from procurement.choices import NegotiationOutcome
from procurement.models import Negotiation, NegotiationItem
from procurement.services import negotiations


def _cut(listing, share: Decimal) -> str:
    listing.refresh_from_db(fields=["price"])
    return str((listing.price * share).quantize(Decimal("0.01")))


def drafted(
    officer,
    listings,
    hospitals=(),
    *,
    target: str | None = None,
    outcome: str = NegotiationOutcome.HOSPITAL_PRICE,
    all_hospitals: bool = False,
    title: str = "冠脉球囊价格谈判",
    deadline_days: int = 5,
) -> Negotiation:
    today = clock.local_today()
    return negotiations.negotiation_open(
        actor=officer,
        title=title,
        items=[
            {
                "listing_id": listing.pk,
                "target_price": target
                or str((listing.price * Decimal("0.8")).quantize(Decimal("0.01"))),
            }
            for listing in listings
        ],
        hospital_ids=[h.pk for h in hospitals],
        all_hospitals=all_hospitals,
        outcome=outcome,
        deadline=today + dt.timedelta(days=deadline_days),
        effective_on=today + dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=375),
    )


def invited(officer, listings, hospitals=(), **kwargs) -> Negotiation:
    negotiation = drafted(officer, listings, hospitals, **kwargs)
    return negotiations.negotiation_invite(actor=officer, negotiation_id=negotiation.pk)


def item_of(negotiation: Negotiation, listing=None) -> NegotiationItem:
    items = negotiation.items.all()
    return items.get(listing=listing) if listing is not None else items.get()


def offered(officer, sales, listing, hospitals=(), *, price: str | None = None) -> Negotiation:
    """Round 1 with the manufacturer's offer in (default: 90% of the listed price)."""
    negotiation = invited(officer, [listing], hospitals)
    current = item_of(negotiation).listing.price
    price = price or str((current * Decimal("0.9")).quantize(Decimal("0.01")))
    negotiations.negotiation_offer(
        actor=sales, negotiation_id=negotiation.pk, item_id=item_of(negotiation).pk, price=price
    )
    return negotiation


def agreed(officer, sales, listing, hospitals=(), *, price: str | None = None) -> Negotiation:
    negotiation = offered(officer, sales, listing, hospitals, price=price)
    negotiations.negotiation_accept_offer(
        actor=officer, negotiation_id=negotiation.pk, item_id=item_of(negotiation).pk
    )
    return negotiation
