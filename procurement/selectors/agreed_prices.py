"""Reads for agreed prices (议价): a hospital's lower price for a listed product, proposed by one
side and accepted by the other [R-LIST-PRICE-CAP]; always actor-scoped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Min, QuerySet

from accounts.models import User
from core import clock, permissions
from core.actions import Actions, Allowed, Check, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from core.policy import RegionPolicy, policy_for
from procurement.choices import (
    AGREED_PRICE_STATES,
    COUNTED_LINE_STATUSES,
    COUNTED_ORDER_STATUSES,
    LISTING_STATES,
    AgreedPriceAction,
    AgreedPriceStatus,
    ListingAction,
)
from procurement.errors import AgreedPriceOwnProposalError
from procurement.models import AgreedPrice, OrderLine
from procurement.selectors.reference_prices import confirmed_reference_subquery


def hospital_current_price_unscoped(
    *, hospital_id: int, consumable_id: int, on: dt.date, exclude_id: int | None = None
) -> tuple[Decimal, str] | None:
    """[R-LIST-PRICE-CAP] the hospital's own current purchase price for the product, and what
    it is (``"agreed"`` or ``"last_paid"``), or None when it never bought it:

    - the lowest price it agreed for the product that is in force on ``on`` (any listing of
      the product; ``exclude_id``: the agreed price being decided), else
    - the unit price of its latest purchase of the product on the platform (the lines that
      count against the cap: submitted, confirmed or completed orders; pending or confirmed
      lines; the latest by submission).

    Unscoped: a manufacturer proposing to a hospital learns the price of its own product to
    that hospital (a consumable has one manufacturer), which its orders show it anyway."""
    agreed = AgreedPrice.objects.filter(
        hospital_id=hospital_id,
        listing__consumable_id=consumable_id,
        status=AgreedPriceStatus.AGREED,
        valid_from__lte=on,
        valid_until__gte=on,
    )
    if exclude_id is not None:
        agreed = agreed.exclude(pk=exclude_id)
    lowest = agreed.aggregate(price=Min("price"))["price"]
    if lowest is not None:
        return lowest, "agreed"
    last = (
        OrderLine.objects.filter(
            order__hospital_id=hospital_id,
            consumable_id=consumable_id,
            order__status__in=COUNTED_ORDER_STATUSES,
            status__in=COUNTED_LINE_STATUSES,
        )
        .order_by("-order__submitted_at", "-pk")
        .values_list("unit_price", flat=True)
        .first()
    )
    return (last, "last_paid") if last is not None else None


def agreed_price_list(
    *, actor: User, status: str = "", listing_id: int | None = None, hospital_id: int | None = None
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


def agreed_price_get(*, actor: User, agreed_price_id: int) -> AgreedPrice:
    price = agreed_price_list(actor=actor).filter(pk=agreed_price_id).first()
    if price is None:
        raise NotFoundError()
    return price


def agreed_price_party_check(*, actor: User, agreed_price: AgreedPrice) -> int:
    """The actor's organisation, if it is one of the two parties (the hospital, the listing's
    manufacturer); regulators only watch (403)."""
    org_id = getattr(actor, "organization_id", None)
    if org_id is None or org_id not in (
        agreed_price.hospital_id,
        agreed_price.listing.manufacturer_id,
    ):
        raise PermissionDeniedError(action="agreed_price.negotiate")
    return org_id


def agreed_price_answer_check(*, actor: User, agreed_price: AgreedPrice, action: str) -> None:
    """[R-LIST-PRICE-CAP] the other side accepts or declines a proposal; the proposer may
    withdraw it (end), and either side may end an agreed price."""
    org_id = agreed_price_party_check(actor=actor, agreed_price=agreed_price)
    AGREED_PRICE_STATES.check(agreed_price, action)
    own = org_id == agreed_price.proposed_by_id
    if action in (AgreedPriceAction.ACCEPT, AgreedPriceAction.DECLINE) and own:
        raise AgreedPriceOwnProposalError()
    proposal = agreed_price.status == AgreedPriceStatus.PROPOSED
    if action == AgreedPriceAction.END and proposal and not own:
        # The other side answers a proposal with accept or decline, not by ending it.
        raise AGREED_PRICE_STATES.refusal(
            agreed_price, AgreedPriceAction.END, target=AgreedPriceStatus.ENDED
        )


def agreed_price_actions(*, actor: User, agreed_price: AgreedPrice) -> Actions:
    """What the actor may do with the agreed price now (core.actions), as
    procurement.services.agreed_prices checks: the role, the party, the state and who
    proposed it; accepting also needs the listing still listed."""

    def answer(action: str, *rules: Check) -> Allowed:
        return verdict(
            action,
            role_check(actor, "agreed_price.negotiate"),
            lambda: agreed_price_answer_check(
                actor=actor, agreed_price=agreed_price, action=action
            ),
            *rules,
        )

    def listed() -> None:
        LISTING_STATES.check(agreed_price.listing, ListingAction.AGREE_PRICE)

    return Actions(
        [
            answer(AgreedPriceAction.ACCEPT, listed),
            answer(AgreedPriceAction.DECLINE),
            answer(AgreedPriceAction.END),
        ]
    )


def agreed_prices_disclosed(
    *, listing_ids: Iterable[int], on: dt.date | None = None
) -> dict[int, list[AgreedPrice]]:
    """[R-DISCLOSE] The agreed prices in force on ``on`` (default today) of the given
    listings that the public may read: only those of hospitals whose region policy
    (core.policy.policy_for, the nearest enclosing region) sets
    ``disclose_hospital_agreed_prices``; by default none. Price, hospital and validity only:
    never the committed volume, who proposed it, or the hospital's orders."""
    on = on or clock.local_today()
    ids = list(listing_ids)
    if not ids or not RegionPolicy.objects.filter(disclose_hospital_agreed_prices=True).exists():
        return {}
    rows = list(
        AgreedPrice.objects.agreed()
        .filter(listing_id__in=ids, valid_from__lte=on, valid_until__gte=on)
        .select_related("hospital")
        .only(
            "listing_id",
            "price",
            "valid_from",
            "valid_until",
            "hospital__name",
            "hospital__region_code",
        )
        .order_by("listing_id", "price", "hospital__name", "pk")
    )
    regions = {row.hospital.region_code for row in rows}
    disclosed = {code for code in regions if policy_for(code).disclose_hospital_agreed_prices}
    out: dict[int, list[AgreedPrice]] = {}
    for row in rows:
        if row.hospital.region_code in disclosed:
            out.setdefault(row.listing_id, []).append(row)
    return out
