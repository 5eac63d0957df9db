"""Negotiation (价格谈判, SZ 5.2.2, NJ 2.2-2.4) [R-NEGOTIATION]: the bureau negotiates the
price of listed products with their manufacturers for a group of hospitals (or the region).

    (none) --open (bureau)--> draft --invite--> open --conclude--> concluded (published)
                                  \\--cancel--> cancelled   open --cancel--> cancelled

Per product, while the negotiation is open (procurement.choices NEGOTIATION_ITEM_STATES):

    awaiting --offer (its manufacturer, by the round's deadline)--> offered
    offered --accept_offer (bureau)--> agreed           offered --offer again--> offered
    awaiting --accept_counter (its manufacturer: the round's target)--> agreed
    offered/awaiting --counter (bureau: a new round, deadline, targets)--> awaiting
    (not agreed when concluded) --> no_agreement

An agreement is never above the listing's current price nor the product's confirmed
reference price (procurement.selectors.negotiations.negotiation_price_check). Concluding
publishes the agreements and applies them from the effective date: as agreed prices of the
negotiation's hospitals (orders pay the lowest applicable price:
procurement.selectors.pricing), or as the new listed price through the listing price-change
service (on the effective day: ``negotiation_listed_prices_apply``, run daily).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock
from core.errors import DomainError, NotFoundError, ValidationError
from core.money import AmountInvalidError, parse_amount, quantize
from core.permissions import require
from procurement.choices import (
    NEGOTIATION_ITEM_STATES,
    NEGOTIATION_STATES,
    AgreedPriceStatus,
    ListingStatus,
    NegotiationAction,
    NegotiationItemStatus,
    NegotiationKind,
    NegotiationOfferKind,
    NegotiationOutcome,
    NegotiationStatus,
    PriceChangeStatus,
)
from procurement.errors import (
    NegotiationDeadlineInvalidError,
    NegotiationHospitalsRequiredError,
    NegotiationNothingAgreedError,
    NegotiationProductsRequiredError,
)
from procurement.locks import (
    lock_negotiation,
    lock_negotiation_items,
    lock_negotiations_to_apply_unscoped,
)
from procurement.models import (
    AgreedPrice,
    Listing,
    ListingPriceChange,
    Negotiation,
    NegotiationHospital,
    NegotiationItem,
    NegotiationOffer,
    NegotiationRound,
)
from procurement.selectors.negotiations import (
    negotiation_deadline_check,
    negotiation_hospitals,
    negotiation_invited_check,
    negotiation_price_check,
)
from procurement.services.listings import (
    history_context,
    listing_price_change_approve,
    listing_price_change_reject,
    require_reason,
)

MAX_ITEMS = 500


def _price(value: object, field: str) -> Decimal:
    try:
        amount = parse_amount(value)
    except AmountInvalidError as error:
        raise ValidationError(fields={field: [error.message]}) from None
    if amount <= 0:
        raise ValidationError(fields={field: [_("The price must be greater than zero.")]})
    return amount


def negotiation_day(value: object, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(fields={field: [_("A date, YYYY-MM-DD.")]})


def negotiation_deadline(value: object) -> dt.date:
    """A round's deadline: a date, today or later (Asia/Shanghai)."""
    day = negotiation_day(value, "deadline")
    if day < clock.local_today():
        raise NegotiationDeadlineInvalidError(deadline=day.isoformat())
    return day


def _regulator_org(actor: User) -> Organization:
    require(actor, "negotiation.manage")
    org = actor.organization
    if org is None or not org.is_regulator:
        raise NotFoundError()
    return org


def _listings_in_scope(actor: User) -> QuerySet[Listing]:
    return Listing.objects.visible_to(actor).filter(status=ListingStatus.LISTED)


def _targets(
    actor: User,
    *,
    items: Iterable[Mapping[str, object]] | None,
    manufacturer_id: int | None,
    cut_ratio: object,
    kind: str,
) -> tuple[list[tuple[Listing, Decimal]], Organization | None, Decimal | None]:
    """The products and their first targets: those chosen, or (NJ 2.2) every listed product
    of one manufacturer, each target its listed price cut by ``cut_ratio``."""
    listed = _listings_in_scope(actor).order_by("pk")
    if kind == NegotiationKind.PORTFOLIO:
        maker = Organization.objects.filter(pk=manufacturer_id).first() if manufacturer_id else None
        if maker is None:
            raise ValidationError(fields={"manufacturer": [_("Choose a manufacturer.")]})
        try:
            ratio = Decimal(str(cut_ratio))
        except (ArithmeticError, ValueError):
            ratio = Decimal(-1)
        if not Decimal(0) < ratio < 1 or ratio != ratio.quantize(Decimal("0.0001")):
            raise ValidationError(fields={"cut_ratio": [_("A share above 0 and below 1.")]})
        chosen = [
            (listing, quantize(listing.price * (1 - ratio)))
            for listing in listed.filter(manufacturer=maker).select_related("consumable")
        ]
        if not chosen:
            raise NegotiationProductsRequiredError()
        return chosen, maker, ratio
    rows = list(items or [])
    if not rows:
        raise NegotiationProductsRequiredError()
    if len(rows) > MAX_ITEMS:
        raise ValidationError(fields={"items": [_("At most %(count)s.") % {"count": MAX_ITEMS}]})
    ids = [row.get("listing_id") for row in rows if isinstance(row, Mapping)]
    found = listed.select_related("consumable").in_bulk(
        [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    )
    # The page names products by their national code (the first listing of it, by pk).
    codes = [
        code.strip()
        for row in rows
        if isinstance(row, Mapping) and isinstance(code := row.get("consumable_code"), str)
    ]
    by_code: dict[str, Listing] = {}
    for listing in listed.filter(consumable__code__in=codes).select_related("consumable"):
        by_code.setdefault(listing.consumable.code, listing)
    errors: dict[str, list[str]] = {}
    chosen = []
    seen: set[int] = set()
    for number, row in enumerate(rows, start=1):
        found_listing: Listing | None = None
        if isinstance(row, Mapping):
            raw_id = row.get("listing_id")
            found_listing = found.get(raw_id) if isinstance(raw_id, int) else None
            code = row.get("consumable_code")
            if found_listing is None and isinstance(code, str):
                found_listing = by_code.get(code.strip())
        if found_listing is None or found_listing.pk in seen:
            field = "listing_id" if "listing_id" in row else "consumable_code"
            errors[f"items.{number}.{field}"] = [_("No such listed product (or twice).")]
            continue
        listing = found_listing
        seen.add(listing.pk)
        try:
            target = _price(row.get("target_price"), f"items.{number}.target_price")
        except ValidationError as error:
            errors.update(error.extra.get("fields", {}))
            continue
        if target > listing.price:
            errors[f"items.{number}.target_price"] = [_("The target is above the listed price.")]
            continue
        chosen.append((listing, target))
    if errors:
        raise ValidationError(fields=errors)
    return chosen, None, None


def _hospitals(actor: User, org: Organization, hospital_ids: Iterable[int]) -> list[Organization]:
    ids = sorted({i for i in hospital_ids if isinstance(i, int) and not isinstance(i, bool)})
    found = list(
        Organization.objects.hospitals().filter(
            pk__in=ids, is_active=True, region_code__startswith=org.jurisdiction
        )
    )
    if not ids:
        raise NegotiationHospitalsRequiredError()
    if len(found) != len(ids):
        raise ValidationError(fields={"hospitals": [_("A hospital outside your region.")]})
    return found


@transaction.atomic
def negotiation_open(
    *,
    actor: User,
    title: str,
    deadline: object,
    effective_on: object,
    valid_until: object,
    kind: str = NegotiationKind.PRODUCTS,
    items: Iterable[Mapping[str, object]] | None = None,
    manufacturer_id: int | None = None,
    cut_ratio: object = None,
    hospital_ids: Iterable[int] = (),
    all_hospitals: bool = False,
    outcome: str = NegotiationOutcome.HOSPITAL_PRICE,
    period: str = "",
    source_note: str = "",
) -> Negotiation:
    """[R-NEGOTIATION] the bureau drafts a negotiation: the products with a target each (or,
    NJ 2.2, one manufacturer's portfolio cut by a share), the hospitals (or all of the
    region's), what the agreement becomes and from when, the first round's deadline."""
    org = _regulator_org(actor)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(fields={"title": [_("A title of at most 200 characters.")]})
    if kind not in NegotiationKind.values:
        raise ValidationError(fields={"kind": [", ".join(NegotiationKind.values)]})
    if outcome not in NegotiationOutcome.values:
        raise ValidationError(fields={"outcome": [", ".join(NegotiationOutcome.values)]})
    day = negotiation_deadline(deadline)
    start = negotiation_day(effective_on, "effective_on")
    end = negotiation_day(valid_until, "valid_until")
    if start <= day:
        raise ValidationError(
            fields={"effective_on": [_("The agreement takes effect after the deadline.")]}
        )
    if end < start:
        raise ValidationError(fields={"valid_until": [_("Not before the effective date.")]})
    chosen, maker, ratio = _targets(
        actor, items=items, manufacturer_id=manufacturer_id, cut_ratio=cut_ratio, kind=kind
    )
    hospitals = [] if all_hospitals else _hospitals(actor, org, hospital_ids)
    with history_context(actor, "negotiation_open"):
        return negotiation_create(
            region_code=org.region_code,
            opened_by=actor,
            title=title,
            kind=kind,
            chosen=chosen,
            manufacturer=maker,
            cut_ratio=ratio,
            hospitals=hospitals,
            all_hospitals=all_hospitals,
            outcome=outcome,
            deadline=day,
            effective_on=start,
            valid_until=end,
            period=period,
            source_note=source_note,
        )


def negotiation_create(
    *,
    region_code: str,
    opened_by: User | None,
    title: str,
    kind: str,
    chosen: list[tuple[Listing, Decimal]],
    deadline: dt.date,
    effective_on: dt.date,
    valid_until: dt.date,
    outcome: str = NegotiationOutcome.HOSPITAL_PRICE,
    manufacturer: Organization | None = None,
    cut_ratio: Decimal | None = None,
    hospitals: Iterable[Organization] = (),
    all_hospitals: bool = False,
    period: str = "",
    source_note: str = "",
) -> Negotiation:
    """The rows of a draft negotiation, its input already checked (by negotiation_open, or
    by the scheduled and imported negotiations of negotiation_sources); inside the caller's
    transaction and history context."""
    negotiation = Negotiation.objects.create(
        title=title[:200],
        kind=kind,
        region_code=region_code,
        manufacturer=manufacturer,
        cut_ratio=cut_ratio,
        all_hospitals=all_hospitals,
        outcome=outcome,
        effective_on=effective_on,
        valid_until=valid_until,
        deadline=deadline,
        period=period,
        source_note=source_note[:300],
        opened_by=opened_by,
        opened_at=clock.now(),
    )
    NegotiationHospital.objects.bulk_create(
        NegotiationHospital(negotiation=negotiation, hospital=h) for h in hospitals
    )
    NegotiationItem.objects.bulk_create(
        NegotiationItem(
            negotiation=negotiation,
            listing=listing,
            listed_price=listing.price,
            target_price=target,
        )
        for listing, target in chosen
    )
    return negotiation


def negotiation_round_open(negotiation: Negotiation, *, actor: User | None) -> Negotiation:
    """Round 1 opens (the invitations): inside the caller's transaction, the row locked."""
    now = clock.now()
    negotiation.status = NegotiationStatus.OPEN
    negotiation.invited_at = now
    negotiation.save(update_fields=["status", "invited_at"])
    NegotiationRound.objects.create(
        negotiation=negotiation,
        number=negotiation.round_number,
        deadline=negotiation.deadline,
        opened_by=actor,
        opened_at=now,
    )
    return negotiation


@transaction.atomic
def negotiation_invite(*, actor: User, negotiation_id: int) -> Negotiation:
    """[R-NEGOTIATION] send the invitations: round 1 opens; the products' manufacturers see
    the negotiation and offer by its deadline."""
    require(actor, "negotiation.manage")
    negotiation = lock_negotiation(actor=actor, negotiation_id=negotiation_id)
    NEGOTIATION_STATES.check(negotiation, NegotiationAction.INVITE)
    negotiation_deadline(negotiation.deadline)
    with history_context(actor, "negotiation_invite"):
        return negotiation_round_open(negotiation, actor=actor)


def _supplier_item(
    actor: User, negotiation_id: int, item_id: int, action: str
) -> tuple[Negotiation, NegotiationItem]:
    require(actor, "negotiation.offer")
    negotiation = lock_negotiation(actor=actor, negotiation_id=negotiation_id)
    items = lock_negotiation_items(negotiation=negotiation, item_ids=[item_id])
    if not items:
        raise NotFoundError()
    item = items[0]
    negotiation_invited_check(actor=actor, item=item)
    NEGOTIATION_STATES.check(negotiation, action)
    NEGOTIATION_ITEM_STATES.check(item, action)
    negotiation_deadline_check(negotiation=negotiation)
    return negotiation, item


@transaction.atomic
def negotiation_offer(
    *, actor: User, negotiation_id: int, item_id: int, price: object
) -> NegotiationItem:
    """[R-NEGOTIATION] the product's manufacturer offers a price in the current round, by its
    deadline, no higher than its listed price and the reference price. A later offer in the
    same round replaces it for the bureau (both stay on record)."""
    negotiation, item = _supplier_item(actor, negotiation_id, item_id, NegotiationAction.OFFER)
    amount = _price(price, "price")
    negotiation_price_check(listing=item.listing, price=amount)
    with history_context(actor, "negotiation_offer"):
        NegotiationOffer.objects.create(
            item=item,
            round_number=negotiation.round_number,
            price=amount,
            target_price=item.target_price,
            offered_by=actor,
            offered_at=clock.now(),
        )
        item.offered_price = amount
        item.status = NegotiationItemStatus.OFFERED
        item.save(update_fields=["offered_price", "status"])
    return item


def _agree(item: NegotiationItem, negotiation: Negotiation, price: Decimal) -> None:
    item.agreed_price = price
    item.agreed_at = clock.now()
    item.agreed_round = negotiation.round_number
    item.status = NegotiationItemStatus.AGREED
    item.save(update_fields=["agreed_price", "agreed_at", "agreed_round", "status"])


@transaction.atomic
def negotiation_accept_counter(
    *, actor: User, negotiation_id: int, item_id: int
) -> NegotiationItem:
    """[R-NEGOTIATION] the manufacturer accepts the round's target: the product is agreed at
    it (no higher than the listed and the reference price)."""
    negotiation, item = _supplier_item(
        actor, negotiation_id, item_id, NegotiationAction.ACCEPT_COUNTER
    )
    negotiation_price_check(listing=item.listing, price=item.target_price)
    with history_context(actor, "negotiation_accept_counter"):
        NegotiationOffer.objects.create(
            item=item,
            round_number=negotiation.round_number,
            kind=NegotiationOfferKind.ACCEPT_COUNTER,
            price=item.target_price,
            target_price=item.target_price,
            offered_by=actor,
            offered_at=clock.now(),
        )
        _agree(item, negotiation, item.target_price)
    return item


@transaction.atomic
def negotiation_accept_offer(*, actor: User, negotiation_id: int, item_id: int) -> NegotiationItem:
    """[R-NEGOTIATION] the bureau accepts the manufacturer's offer; checked again against the
    listing's current price and the reference price, which may have fallen since."""
    require(actor, "negotiation.manage")
    negotiation = lock_negotiation(actor=actor, negotiation_id=negotiation_id)
    items = lock_negotiation_items(negotiation=negotiation, item_ids=[item_id])
    if not items:
        raise NotFoundError()
    item = items[0]
    NEGOTIATION_STATES.check(negotiation, NegotiationAction.ACCEPT_OFFER)
    NEGOTIATION_ITEM_STATES.check(item, NegotiationAction.ACCEPT_OFFER)
    assert item.offered_price is not None  # noqa: S101 (offered)
    negotiation_price_check(listing=item.listing, price=item.offered_price)
    with history_context(actor, "negotiation_accept_offer"):
        _agree(item, negotiation, item.offered_price)
    return item


@transaction.atomic
def negotiation_counter(
    *,
    actor: User,
    negotiation_id: int,
    deadline: object,
    targets: Mapping[int, object] | None = None,
    note: str = "",
) -> Negotiation:
    """[R-NEGOTIATION] the bureau counters: a new round with its deadline and new targets
    (``targets``: product id -> price; the others keep theirs); every product not agreed
    awaits a new offer."""
    require(actor, "negotiation.manage")
    negotiation = lock_negotiation(actor=actor, negotiation_id=negotiation_id)
    NEGOTIATION_STATES.check(negotiation, NegotiationAction.COUNTER)
    day = negotiation_deadline(deadline)
    if day >= negotiation.effective_on:
        raise ValidationError(
            fields={"deadline": [_("The round closes before the effective date.")]}
        )
    items = lock_negotiation_items(negotiation=negotiation)
    by_id = {item.pk: item for item in items}
    errors: dict[str, list[str]] = {}
    new: dict[int, Decimal] = {}
    for raw_id, raw_price in (targets or {}).items():
        item_found = by_id.get(raw_id)
        if item_found is None or item_found.status == NegotiationItemStatus.AGREED:
            errors[f"targets.{raw_id}"] = [_("No such product awaiting agreement.")]
            continue
        try:
            price = _price(raw_price, f"targets.{raw_id}")
        except ValidationError as error:
            errors.update(error.extra.get("fields", {}))
            continue
        if price > item_found.listing.price:
            errors[f"targets.{raw_id}"] = [_("The target is above the listed price.")]
            continue
        new[raw_id] = price
    if errors:
        raise ValidationError(fields=errors)
    with history_context(actor, "negotiation_counter"):
        negotiation.round_number += 1
        negotiation.deadline = day
        negotiation.save(update_fields=["round_number", "deadline"])
        NegotiationRound.objects.create(
            negotiation=negotiation,
            number=negotiation.round_number,
            deadline=day,
            note=(note or "").strip(),
            opened_by=actor,
            opened_at=clock.now(),
        )
        for item in items:
            if item.status == NegotiationItemStatus.AGREED:
                continue
            item.target_price = new.get(item.pk, item.target_price)
            item.status = NegotiationItemStatus.AWAITING_OFFER
            item.offered_price = None
            item.save(update_fields=["target_price", "status", "offered_price"])
    return negotiation


@transaction.atomic
def negotiation_conclude(*, actor: User, negotiation_id: int) -> Negotiation:
    """[R-NEGOTIATION] [R-DISCLOSE] the bureau concludes: the agreements are published; the
    products not agreed close without one. The hospitals' prices are agreed prices from the
    effective date; a new listed price applies on the effective date."""
    require(actor, "negotiation.manage")
    negotiation = lock_negotiation(actor=actor, negotiation_id=negotiation_id)
    NEGOTIATION_STATES.check(negotiation, NegotiationAction.CONCLUDE)
    items = lock_negotiation_items(negotiation=negotiation)
    agreed = [item for item in items if item.status == NegotiationItemStatus.AGREED]
    if not agreed:
        raise NegotiationNothingAgreedError()
    now = clock.now()
    with history_context(actor, "negotiation_conclude"):
        for item in items:
            if item.status != NegotiationItemStatus.AGREED:
                item.status = NegotiationItemStatus.NO_AGREEMENT
                item.save(update_fields=["status"])
        negotiation.status = NegotiationStatus.CONCLUDED
        negotiation.concluded_by = actor
        negotiation.concluded_at = now
        negotiation.published_at = now
        negotiation.save(update_fields=["status", "concluded_by", "concluded_at", "published_at"])
        if negotiation.outcome == NegotiationOutcome.HOSPITAL_PRICE:
            org = actor.organization
            assert org is not None  # noqa: S101 (a regulator)
            hospitals = list(negotiation_hospitals(negotiation=negotiation).order_by("pk"))
            AgreedPrice.objects.bulk_create(
                AgreedPrice(
                    listing=item.listing,
                    hospital=hospital,
                    price=item.agreed_price,
                    valid_from=negotiation.effective_on,
                    valid_until=negotiation.valid_until,
                    status=AgreedPriceStatus.AGREED,
                    proposed_by=org,
                    decided_at=now,
                )
                for item in agreed
                for hospital in hospitals
            )
    if (
        negotiation.outcome == NegotiationOutcome.LISTED_PRICE
        and negotiation.effective_on <= clock.local_today()
    ):
        _apply_listed_prices(negotiation)
    return negotiation


@transaction.atomic
def negotiation_cancel(*, actor: User, negotiation_id: int, reason: str) -> Negotiation:
    """The bureau cancels a negotiation not concluded, with a reason; nothing is agreed."""
    reason = require_reason(reason)
    require(actor, "negotiation.manage")
    negotiation = lock_negotiation(actor=actor, negotiation_id=negotiation_id)
    NEGOTIATION_STATES.check(negotiation, NegotiationAction.CANCEL)
    with history_context(actor, "negotiation_cancel", reason=reason):
        negotiation.status = NegotiationStatus.CANCELLED
        negotiation.concluded_by = actor
        negotiation.concluded_at = clock.now()
        negotiation.save(update_fields=["status", "concluded_by", "concluded_at"])
        for item in lock_negotiation_items(negotiation=negotiation):
            if item.status != NegotiationItemStatus.AGREED:
                item.status = NegotiationItemStatus.NO_AGREEMENT
                item.save(update_fields=["status"])
    return negotiation


def _apply_listed_prices(negotiation: Negotiation) -> None:
    """A listed-price agreement becomes each product's listed price through the listing
    price-change service, approved by the officer who concluded it; a pending request of the
    supplier's is superseded (rejected with the reason)."""
    officer = negotiation.concluded_by
    assert officer is not None  # noqa: S101 (concluded)
    agreed = NegotiationItem.objects.filter(
        negotiation=negotiation, status=NegotiationItemStatus.AGREED
    ).select_related("listing")
    for item in agreed.order_by("pk"):
        listing = item.listing
        if item.agreed_price is None or item.agreed_price >= listing.price:
            continue
        note = _("Agreed in negotiation %(number)s") % {"number": negotiation.pk}
        try:
            # One savepoint per product: a listing suspended or delisted since the agreement
            # refuses its change (invalid_state) and keeps its price; the others apply.
            with transaction.atomic(), history_context(officer, "negotiation_listed_price_apply"):
                for pending in listing.price_changes.filter(status=PriceChangeStatus.PENDING):
                    listing_price_change_reject(
                        actor=officer, price_change_id=pending.pk, reason=note
                    )
                change = ListingPriceChange.objects.create(
                    listing=listing,
                    old_price=listing.price,
                    new_price=item.agreed_price,
                    reason=note,
                    requested_by=officer,
                )
                listing_price_change_approve(actor=officer, price_change_id=change.pk, reason=note)
        except DomainError:
            continue
    negotiation.applied_at = clock.now()
    with history_context(officer, "negotiation_listed_price_apply"):
        negotiation.save(update_fields=["applied_at"])


def negotiation_listed_prices_apply(*, today: dt.date | None = None) -> int:
    """[R-NEGOTIATION] daily: concluded listed-price negotiations whose effective date came
    apply their prices (each in its own transaction; idempotent: ``applied_at`` marks it)."""
    day = today or clock.local_today()
    applied = 0
    while True:
        with transaction.atomic():
            due = lock_negotiations_to_apply_unscoped(today=day)[:1]
            if not due:
                break
            _apply_listed_prices(due[0])
            applied += 1
    return applied
