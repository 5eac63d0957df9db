"""The price a hospital pays for a listing: computed here, never taken from the client.

[R-LIST-PRICE-CAP] the lowest applicable price: the listed price, or a lower price the hospital
agreed with the supplier that is valid on the day. [R-VBP-PRIORITY] a product the hospital
holds a purchase contract for (awaiting signatures or in force, its cycle covering the day) is
priced at the contract's winning price, also beyond the agreed quantity (the listing with
companion service keeps its own price, which includes the service). The listed price itself never exceeds the
confirmed reference price (checked when the listing is approved or its price changes).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from procurement.choices import AgreedPriceStatus, ContractStatus
from procurement.models import AgreedPrice, Contract, Listing


def unit_price_for(*, listing: Listing, hospital_id: int, on: dt.date) -> Decimal:
    return unit_prices_for(listings=[listing], hospital_id=hospital_id, on=on)[listing.pk]


def with_agreed_price(listings: QuerySet, *, hospital_id: int, on: dt.date) -> QuerySet:
    """``listings`` annotated with ``agreed_price``: the lowest price ``hospital_id`` agreed
    for each that is valid on ``on``, or None. Read the price with :func:`lowest_price`; it
    saves a query where the listings are being fetched anyway (an HIS creating an order).

    Written as SQL: compiling the same condition as an ORM Subquery cost more than the
    query it produced, on the path every order takes (make bench: api_order_create)."""
    agreed = AgreedPrice._meta
    contract = Contract._meta
    listing = Listing._meta.db_table
    return listings.annotate(
        agreed_price=RawSQL(  # noqa: S611  bound values; names from our models
            # LEAST ignores NULLs: the lower of an agreed price and a contract's price.
            f"SELECT LEAST((SELECT min(a.price) FROM {agreed.db_table} a "  # noqa: S608
            f"WHERE a.listing_id = {listing}.id AND a.hospital_id = %s "
            "AND a.status = %s AND a.valid_from <= %s AND a.valid_until >= %s), "
            f"(SELECT min(c.price) FROM {contract.db_table} c "
            f"WHERE c.hospital_id = %s AND c.consumable_id = {listing}.consumable_id "
            f"AND c.manufacturer_id = {listing}.manufacturer_id "
            f"AND NOT {listing}.companion_service AND c.status IN (%s, %s) "
            "AND c.cycle_start <= %s AND c.cycle_end >= %s))",
            [
                hospital_id,
                AgreedPriceStatus.AGREED.value,
                on,
                on,
                hospital_id,
                ContractStatus.AWAITING.value,
                ContractStatus.ACTIVE.value,
                on,
                on,
            ],
            output_field=AgreedPrice._meta.get_field("price"),
        )
    )


def lowest_price(listing: Listing) -> Decimal:
    """The price of a listing fetched through :func:`with_agreed_price`."""
    return _lower(listing.price, listing.agreed_price)


def unit_prices_for(
    *, listings: list[Listing], hospital_id: int, on: dt.date
) -> dict[int, Decimal]:
    """The same for listings already loaded (a submission re-prices its lines): one query."""
    agreed = dict(
        with_agreed_price(
            Listing.objects.filter(pk__in=[listing.pk for listing in listings]),
            hospital_id=hospital_id,
            on=on,
        ).values_list("pk", "agreed_price")
    )
    return {listing.pk: _lower(listing.price, agreed.get(listing.pk)) for listing in listings}


def _lower(price: Decimal, agreed: Decimal | None) -> Decimal:
    return min(price, agreed) if agreed is not None else price
