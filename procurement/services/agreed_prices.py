"""Hospital-agreed prices [R-LIST-PRICE-CAP]: a hospital and the listing's manufacturer agree a
volume-linked price no higher than the listed price, the confirmed reference price and the
hospital's own current purchase price for the product (an agreed price in force, else the
price it last paid), where it has one.

    proposed --accept (the other side)--> agreed --end (either side)--> ended
    proposed --decline (the other side)--> declined
    proposed --end (the proposer withdraws)--> ended

Either the hospital's purchaser or the manufacturer's sales staff propose; the other side
answers. Orders pay the lowest applicable price (procurement.selectors.pricing.unit_price_for),
so an agreed price only ever lowers what a hospital pays. The bounds are checked when proposed
and again when accepted, since the listed or reference price may have fallen in between.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from core.errors import NotFoundError, ValidationError
from core.money import format_cny
from core.permissions import require
from procurement.choices import (
    LISTING_STATES,
    AgreedPriceAction,
    AgreedPriceStatus,
    ListingAction,
)
from procurement.errors import (
    AgreedPriceDatesInvalidError,
    AgreedPriceExistsError,
    PriceAboveCapError,
)
from procurement.locks import lock_agreed_price, lock_listing
from procurement.models import AgreedPrice, Listing
from procurement.selectors.agreed_prices import (
    agreed_price_answer_check,
    hospital_current_price_unscoped,
)
from procurement.selectors.listings import hospital_list_unscoped, listing_negotiator_check
from procurement.selectors.reference_prices import reference_price_for
from procurement.services.listings import _positive_price, history_context


def _check_bounds(
    listing: Listing, price: Decimal, *, hospital_id: int, exclude_id: int | None = None
) -> None:
    """[R-LIST-PRICE-CAP] no higher than the listed price, the confirmed reference price and
    the hospital's own current purchase price for the product where it has one (an agreed
    price in force, else the price it last paid: hospital_current_price_unscoped)."""
    if price > listing.price:
        raise PriceAboveCapError(
            price=format_cny(price),
            cap=format_cny(listing.price),
            cap_kind=_("listed price"),
            cap_amount=str(listing.price),
        )
    reference = reference_price_for(consumable_id=listing.consumable_id)
    if reference is not None and price > reference:
        raise PriceAboveCapError(
            price=format_cny(price),
            cap=format_cny(reference),
            cap_kind=_("reference price"),
            cap_amount=str(reference),
        )
    current = hospital_current_price_unscoped(
        hospital_id=hospital_id,
        consumable_id=listing.consumable_id,
        on=clock.local_today(),
        exclude_id=exclude_id,
    )
    if current is not None and price > current[0]:
        kinds = {
            "agreed": _("the hospital's agreed price in force"),
            "last_paid": _("the price the hospital last paid"),
        }
        raise PriceAboveCapError(
            price=format_cny(price),
            cap=format_cny(current[0]),
            cap_kind=kinds[current[1]],
            cap_amount=str(current[0]),
        )


@transaction.atomic
def agreed_price_propose(
    *,
    actor: User,
    listing_id: int,
    price: Decimal | str,
    valid_from: dt.date,
    valid_until: dt.date,
    annual_volume: int = 0,
    hospital_id: int | None = None,
) -> AgreedPrice:
    """A hospital proposes to the listing's manufacturer, or the manufacturer to a hospital
    (``hospital_id``)."""
    require(actor, "agreed_price.negotiate")
    org = actor.organization
    listing = Listing.objects.visible_to(actor).filter(pk=listing_id).first()
    if listing is None or org is None:
        raise NotFoundError()
    if org.is_hospital:
        if hospital_id not in (None, org.pk):
            raise NotFoundError()
        hospital = org
    else:
        listing_negotiator_check(actor=actor, listing=listing)
        if hospital_id is None:
            raise ValidationError(fields={"hospital": [_("Choose a hospital.")]})
        found = hospital_list_unscoped(actor=actor).filter(pk=hospital_id).first()
        if found is None:
            raise NotFoundError()
        hospital = found
    LISTING_STATES.check(listing, ListingAction.AGREE_PRICE)
    amount = _positive_price(price)
    _check_bounds(listing, amount, hospital_id=hospital.pk)
    if valid_until < valid_from or valid_until < clock.local_today():
        raise AgreedPriceDatesInvalidError(valid_from=valid_from.isoformat())
    if isinstance(annual_volume, bool) or not isinstance(annual_volume, int) or annual_volume < 0:
        raise ValidationError(fields={"annual_volume": [_("Give a whole number, 0 or more.")]})
    pending = AgreedPrice.objects.filter(
        listing=listing, hospital=hospital, status=AgreedPriceStatus.PROPOSED
    ).first()
    if pending is not None:
        raise AgreedPriceExistsError(agreed_price=pending.pk)
    with history_context(actor, "agreed_price_propose"):
        return AgreedPrice.objects.create(
            listing=listing,
            hospital=hospital,
            price=amount,
            annual_volume=annual_volume,
            valid_from=valid_from,
            valid_until=valid_until,
            proposed_by=org,
        )


def _answer(actor: User, agreed_price_id: int, action: str) -> AgreedPrice:
    """Lock the agreed price, then the rule of who answers (the role, one of the two
    parties, the state, the proposer or the other side: agreed_price_answer_check)."""
    agreed = lock_agreed_price(actor=actor, agreed_price_id=agreed_price_id)
    require(actor, "agreed_price.negotiate")
    agreed_price_answer_check(actor=actor, agreed_price=agreed, action=action)
    return agreed


@transaction.atomic
def agreed_price_accept(*, actor: User, agreed_price_id: int) -> AgreedPrice:
    agreed = _answer(actor, agreed_price_id, AgreedPriceAction.ACCEPT)
    listing = lock_listing(actor=actor, listing_id=agreed.listing_id)
    LISTING_STATES.check(listing, ListingAction.AGREE_PRICE)
    _check_bounds(listing, agreed.price, hospital_id=agreed.hospital_id, exclude_id=agreed.pk)
    agreed.status = AgreedPriceStatus.AGREED
    agreed.decided_at = clock.now()
    with history_context(actor, "agreed_price_accept"):
        agreed.save(update_fields=["status", "decided_at"])
    return agreed


@transaction.atomic
def agreed_price_decline(*, actor: User, agreed_price_id: int) -> AgreedPrice:
    agreed = _answer(actor, agreed_price_id, AgreedPriceAction.DECLINE)
    agreed.status = AgreedPriceStatus.DECLINED
    agreed.decided_at = clock.now()
    with history_context(actor, "agreed_price_decline"):
        agreed.save(update_fields=["status", "decided_at"])
    return agreed


@transaction.atomic
def agreed_price_end(*, actor: User, agreed_price_id: int) -> AgreedPrice:
    """Either side ends an agreed price; only the proposer withdraws a proposal. Orders
    placed before keep their price (order lines store it)."""
    agreed = _answer(actor, agreed_price_id, AgreedPriceAction.END)
    agreed.status = AgreedPriceStatus.ENDED
    with history_context(actor, "agreed_price_end"):
        agreed.save(update_fields=["status"])
    return agreed
