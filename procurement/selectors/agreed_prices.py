"""Reads for agreed prices (议价): a hospital's lower price for a listed product, proposed by one
side and accepted by the other [R-LIST-PRICE-CAP]; always actor-scoped."""

from __future__ import annotations

from django.db.models import QuerySet

from core import permissions
from core.errors import NotFoundError
from procurement.choices import AgreedPriceStatus
from procurement.models import AgreedPrice
from procurement.selectors.listings import confirmed_reference_subquery


def agreed_price_list(
    *, actor, status: str = "", listing_id: int | None = None, hospital_id: int | None = None
) -> QuerySet:
    permissions.require(actor, "agreed_price.view")
    qs = AgreedPrice.objects.visible_to(actor).select_related(
        "listing__consumable", "listing__manufacturer", "hospital", "proposed_by"
    )
    qs = qs.annotate(reference_price=confirmed_reference_subquery("listing__consumable_id"))
    if status:
        qs = qs.filter(status=status)
    if listing_id:
        qs = qs.filter(listing_id=listing_id)
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    return qs.order_by("-created_at", "-pk")


def agreed_price_get(*, actor, agreed_price_id: int) -> AgreedPrice:
    price = agreed_price_list(actor=actor).filter(pk=agreed_price_id).first()
    if price is None:
        raise NotFoundError()
    return price


def agreed_price_awaits(*, actor, agreed_price: AgreedPrice) -> bool:
    """Whether the actor's side is the one to answer this proposal."""
    return (
        agreed_price.status == AgreedPriceStatus.PROPOSED
        and actor.organization_id is not None
        and agreed_price.proposed_by_id != actor.organization_id
        and actor.organization_id
        in (agreed_price.hospital_id, agreed_price.listing.manufacturer_id)
    )
