"""Procurement's reads of the catalogue's confirmed reference prices: the price cap every
listing, price change and agreed price answers to [R-LIST-PRICE-CAP]."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from catalog.choices import ReferencePriceStatus
from catalog.models import ReferencePrice
from procurement.models import Listing


def confirmed_reference_subquery(consumable_ref: str = "consumable_id") -> Subquery:
    confirmed = ReferencePrice.objects.filter(
        consumable_id=OuterRef(consumable_ref), status=ReferencePriceStatus.CONFIRMED
    )
    return Subquery(confirmed.values("price")[:1])


def with_reference_price(queryset: QuerySet) -> QuerySet:
    """Annotate ``reference_price``: the product's confirmed reference price, or None."""
    return queryset.annotate(reference_price=confirmed_reference_subquery())


def reference_price_for(*, consumable_id: int) -> Decimal | None:
    return (
        ReferencePrice.objects.filter(
            consumable_id=consumable_id, status=ReferencePriceStatus.CONFIRMED
        )
        .values_list("price", flat=True)
        .first()
    )


def listing_reference_price(listing: Listing) -> Decimal | None:
    """The annotated reference price when the listing came from ``with_reference_price``."""
    if hasattr(listing, "reference_price"):
        return listing.reference_price
    return reference_price_for(consumable_id=listing.consumable_id)
