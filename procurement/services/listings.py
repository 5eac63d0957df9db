"""Listing (挂网): a manufacturer applies, the bureau reviews, prices change under review.

    draft --submit--> submitted --approve--> listed --suspend--> suspended --reinstate--> listed
      ^                  |                     |                    |
      +--(edit)-- rejected <--reject--+        +------delist--------+--> delisted
    draft / rejected --delist (the manufacturer withdraws its application)--> delisted

Who does what: the manufacturer's sales staff create, edit, submit, withdraw, set authorised
distributors and request price changes; the bureau (``listing.review``) approves, rejects,
suspends, reinstates, delists and decides price changes. Each transition is one function: it
locks the row, checks ``LISTING_STATES`` (procurement.choices: the table and the statuses each
action starts from), writes with ``update_fields`` and names itself in the history context
(pghistory writes the rows).

[R-LIST-CATALOGUES] approval puts a product with a confirmed reference price in the capped
catalogue, any other in the alternate one. [R-LIST-PRICE-CAP] a listed price never exceeds the
confirmed reference price: checked on create, edit, submit, approval and every price change;
when a reference price is cut below a listed price, ``listing_reference_cuts_process`` gives the
supplier ``listing_price_cut_grace_days`` to follow and ``listing_overdue_restrict`` labels the
listing Restricted after that. [R-LIST-GREEN] [R-LIST-OTHER] an alternate-catalogue product
needs a green channel, listings in enough provinces or enough emergency purchases (the criteria
live in ``procurement.selectors.listings.listing_criteria``).

Registration certificate: the number given must parse (catalog.registration) and, when the
national database records one for the product, be the same certificate (compared after
normalisation), since a listing under another product's certificate is a false document
[R-MISCONDUCT]. When the database has none, the parsed number given is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pghistory
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind
from accounts.models import Organization, User
from catalog.choices import ConsumableStatus
from catalog.models import Consumable
from catalog.registration import normalize_registration_number, parse_registration_number
from core import clock
from core.errors import NotFoundError, PermissionDeniedError, ValidationError
from core.money import AmountInvalidError, format_cny, parse_amount
from core.permissions import require
from core.policy import system_region_policy
from core.regions import MAINLAND_PROVINCES, is_valid_region
from procurement.choices import (
    LISTING_STATES,
    PRICE_CHANGE_STATES,
    Catalogue,
    GreenChannel,
    ListingAction,
    ListingStatus,
    PriceChangeAction,
    PriceChangeStatus,
    PurchaseLabel,
)
from procurement.errors import (
    ConsumableNotListableError,
    DistributorInvalidError,
    ListingCriteriaNotMetError,
    ListingExistsError,
    PriceAboveCapError,
    PriceChangePendingError,
    PriceUnchangedError,
    ProvincesNotCheckedError,
    ReasonRequiredError,
    RegionInvalidError,
    RegistrationNumberMismatchError,
)
from procurement.locks import (
    lock_listing,
    lock_next_reference_cut_unscoped,
    lock_overdue_listings_unscoped,
    lock_price_change,
)
from procurement.models import Listing, ListingDistributor, ListingPriceChange, ListingProvince
from procurement.selectors.listings import (
    LIVE_STATUSES,
    ListingCriteria,
    distributors_unscoped,
    listing_criteria,
    listing_owner_check,
    reviewer_policy,
)
from procurement.selectors.reference_prices import confirmed_reference_subquery, reference_price_for
from procurement.services.stepped import stepped_targets_reach

# Fields a draft or rejected application may change (listing_update); the provinces last.
EDITABLE_FIELDS = (
    "price",
    "companion_service",
    "registration_number",
    "green_channel",
    "provinces",
)
EVIDENCE_MAX = 300


@dataclass(frozen=True)
class ProvinceEvidence:
    """[R-LIST-OTHER] a province whose platform lists the product, and the supplier's evidence
    (the platform, its listing number, a link)."""

    code: str
    evidence: str


@dataclass(frozen=True)
class DistributorGrant:
    distributor_id: int
    region_code: str


# ---------------------------------------------------------------------------------------------
# Helpers shared by the listing services (labels.py uses them too)


def history_context(actor: User | None, action: str, **extra: Any) -> pghistory.context:
    """Name the service in the history rows; without a request (tasks, shell) also the actor."""
    if actor is None:
        return pghistory.context(action=action, actor="system", **extra)
    return pghistory.context(
        action=action, user=actor.pk, organization=getattr(actor, "organization_id", None), **extra
    )


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    return reason


def _require_manufacturer(actor: User) -> Organization:
    """Only a manufacturer's sales staff apply: distributors deliver, they do not list."""
    require(actor, "listing.apply")
    org = actor.organization
    if org is None or org.kind != OrganizationKind.MANUFACTURER:
        raise PermissionDeniedError(action="listing.apply")
    return org


def _require_owner(actor: User, listing: Listing) -> None:
    """The role, then (visible to an authorised distributor, but not its own) 403: the rule
    listing_actions shares (procurement.selectors.listings.listing_owner_check)."""
    require(actor, "listing.apply")
    listing_owner_check(actor=actor, listing=listing)


def _positive_price(value: object, field: str = "price") -> Decimal:
    try:
        amount = parse_amount(value)
    except AmountInvalidError as error:
        raise ValidationError(fields={field: [error.message]}) from None
    if amount <= 0:
        raise ValidationError(fields={field: [_("The price must be greater than zero.")]})
    return amount


def _check_price_cap(consumable_id: int, price: Decimal) -> Decimal | None:
    """[R-LIST-PRICE-CAP] refuse a price above the confirmed reference price."""
    reference = reference_price_for(consumable_id=consumable_id)
    if reference is not None and price > reference:
        raise PriceAboveCapError(
            price=format_cny(price),
            cap=format_cny(reference),
            cap_kind=_("reference price"),
            cap_amount=str(reference),
        )
    return reference


def _registration(consumable: Consumable, value: str) -> str:
    parsed = parse_registration_number(value)
    recorded = normalize_registration_number(consumable.registration_number)
    if recorded and recorded != parsed.value:
        raise RegistrationNumberMismatchError(given=parsed.value, expected=recorded)
    return parsed.value


def _green_channel(value: str | None) -> str:
    value = value or ""
    if value not in GreenChannel.values:
        raise ValidationError(fields={"green_channel": [_("Unknown green channel.")]})
    return value


def _provinces(value: object) -> list[ProvinceEvidence]:
    """[R-LIST-OTHER] each a mainland province (GB/T 2260 two-digit code), once, with its
    evidence; mappings ``{"code", "evidence"}`` or ProvinceEvidence."""

    def refuse(message: str) -> ValidationError:
        return ValidationError(fields={"provinces": [message]})

    if value is None:
        value = []
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
        raise refuse(_("Give a list of provinces, each with its evidence."))
    found: dict[str, ProvinceEvidence] = {}
    for item in value:
        if isinstance(item, ProvinceEvidence):
            code, evidence = item.code, item.evidence
        elif isinstance(item, dict):
            code, evidence = str(item.get("code") or ""), str(item.get("evidence") or "")
        else:
            raise refuse(_("Give a list of provinces, each with its evidence."))
        code = str(code or "").strip()
        evidence = str(evidence or "").strip()
        if code not in MAINLAND_PROVINCES:
            raise refuse(
                _("%(code)s is not a mainland province's two-digit code (GB/T 2260).")
                % {"code": code}
            )
        name = MAINLAND_PROVINCES[code]
        if code in found:
            raise refuse(_("%(province)s is named twice.") % {"province": name})
        if not evidence:
            raise refuse(
                _(
                    "Give the evidence that %(province)s lists the product (platform, listing "
                    "number or link)."
                )
                % {"province": name}
            )
        if len(evidence) > EVIDENCE_MAX:
            raise refuse(
                _("The evidence for %(province)s is longer than %(max)s characters.")
                % {"province": name, "max": EVIDENCE_MAX}
            )
        found[code] = ProvinceEvidence(code=code, evidence=evidence)
    return [found[code] for code in sorted(found)]


def _provinces_replace(listing: Listing, provinces: list[ProvinceEvidence]) -> None:
    """The listing's provinces become ``provinces``; its count follows."""
    current = {row.province_code: row for row in listing.provinces.all()}
    wanted = {p.code: p for p in provinces}
    stale = [row.pk for code, row in current.items() if code not in wanted]
    if stale:
        ListingProvince.objects.filter(pk__in=stale).delete()
        # A province no longer named takes its evidence files along.
        listing.evidence_files.exclude(province_code__in=list(wanted)).delete()
    for code, item in wanted.items():
        row = current.get(code)
        if row is None:
            ListingProvince.objects.create(
                listing=listing, province_code=code, evidence=item.evidence
            )
        elif row.evidence != item.evidence:
            row.evidence = item.evidence
            row.save(update_fields=["evidence"])
    if listing.provinces_listed != len(wanted):
        listing.provinces_listed = len(wanted)
        listing.save(update_fields=["provinces_listed"])


def _listable_consumable(org: Organization, consumable_id: int) -> Consumable:
    consumable = Consumable.objects.filter(pk=consumable_id).first()
    if consumable is None:
        raise NotFoundError()
    if consumable.status != ConsumableStatus.ACTIVE:
        raise ConsumableNotListableError(
            product=str(consumable), reason=_("it is retired from the catalogue")
        )
    if consumable.manufacturer_id is not None and consumable.manufacturer_id != org.pk:
        raise ConsumableNotListableError(
            product=str(consumable), reason=_("it is another manufacturer's product")
        )
    return consumable


# ---------------------------------------------------------------------------------------------
# Applications


@transaction.atomic
def listing_create(
    *,
    actor: User,
    consumable_id: int,
    price: Decimal | str,
    registration_number: str,
    companion_service: bool = False,
    green_channel: str = "",
    provinces: Iterable[ProvinceEvidence | dict] = (),
    distributors: Iterable[DistributorGrant] = (),
) -> Listing:
    """A manufacturer's draft application to list one of its products."""
    org = _require_manufacturer(actor)
    consumable = _listable_consumable(org, consumable_id)
    amount = _positive_price(price)
    number = _registration(consumable, registration_number)
    green = _green_channel(green_channel)
    provinces = _provinces(provinces)
    reference = _check_price_cap(consumable.pk, amount)
    existing = (
        Listing.objects.filter(
            manufacturer=org, consumable=consumable, companion_service=bool(companion_service)
        )
        .exclude(status=ListingStatus.DELISTED)
        .first()
    )
    if existing is not None:
        raise ListingExistsError(listing=existing.pk)
    with history_context(actor, "listing_create"):
        try:
            with transaction.atomic():
                listing = Listing.objects.create(
                    manufacturer=org,
                    consumable=consumable,
                    price=amount,
                    companion_service=bool(companion_service),
                    registration_number=number,
                    green_channel=green,
                    # A preview; approval decides with the reference price of that day.
                    catalogue=Catalogue.CAPPED if reference is not None else Catalogue.ALTERNATE,
                )
        except IntegrityError:
            # A concurrent duplicate won the unique constraint (one live listing per product).
            raise ListingExistsError(listing="") from None
        _distributors_replace(listing, distributors)
        _provinces_replace(listing, provinces)
    return listing


@transaction.atomic
def listing_update(*, actor: User, listing_id: int, **changes: Any) -> Listing:
    """Change a draft or rejected application (``EDITABLE_FIELDS``)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            fields={name: [_("This field cannot be changed.")] for name in unknown}
        )
    listing = lock_listing(actor=actor, listing_id=listing_id)
    _require_owner(actor, listing)
    LISTING_STATES.check(listing, ListingAction.EDIT)
    if "price" in changes:
        listing.price = _positive_price(changes["price"])
        _check_price_cap(listing.consumable_id, listing.price)
    if "registration_number" in changes:
        listing.registration_number = _registration(
            listing.consumable, changes["registration_number"]
        )
    if "companion_service" in changes:
        listing.companion_service = bool(changes["companion_service"])
        # [R-VBP-COMPANION] one live listing per product and offer (with or without the
        # service): the other offer may exist already.
        twin = (
            Listing.objects.filter(
                manufacturer_id=listing.manufacturer_id,
                consumable_id=listing.consumable_id,
                companion_service=listing.companion_service,
            )
            .exclude(pk=listing.pk)
            .exclude(status=ListingStatus.DELISTED)
            .first()
        )
        if twin is not None:
            raise ListingExistsError(listing=twin.pk)
    if "green_channel" in changes:
        listing.green_channel = _green_channel(changes["green_channel"])
    provinces = _provinces(changes.pop("provinces")) if "provinces" in changes else None
    with history_context(actor, "listing_update"):
        if changes:
            listing.save(update_fields=list(changes))
        if provinces is not None:
            _provinces_replace(listing, provinces)
    return listing


@transaction.atomic
def listing_submit(*, actor: User, listing_id: int) -> Listing:
    listing = lock_listing(actor=actor, listing_id=listing_id)
    _require_owner(actor, listing)
    LISTING_STATES.check(listing, ListingAction.SUBMIT)
    _check_price_cap(listing.consumable_id, listing.price)
    # [R-LIST-GREEN] [R-LIST-OTHER] an application no criterion supports is refused now, with
    # the figures, rather than after the bureau's review (the manufacturer's region's policy).
    criteria = listing_criteria(listing=listing, policy=reviewer_policy(actor))
    if criteria.reference_price is None and not criteria.alternate_met:
        raise _criteria_not_met(criteria)
    listing.status = ListingStatus.SUBMITTED
    listing.submitted_at = clock.now()
    with history_context(actor, "listing_submit"):
        listing.save(update_fields=["status", "submitted_at"])
    return listing


# ---------------------------------------------------------------------------------------------
# The bureau's review


def _review(listing: Listing, actor: User, target: str, reason: str, fields: list[str]) -> None:
    listing.status = target
    listing.review_reason = reason
    listing.reviewed_at = clock.now()
    listing.reviewed_by = actor
    listing.save(update_fields=["status", "review_reason", "reviewed_at", "reviewed_by", *fields])


@transaction.atomic
def listing_approve(
    *, actor: User, listing_id: int, reason: str = "", provinces_checked: bool = False
) -> Listing:
    """[R-LIST-CATALOGUES] [R-LIST-PRICE-CAP] [R-LIST-GREEN] [R-LIST-OTHER] list the product:
    capped catalogue at no more than the confirmed reference price, else alternate catalogue
    if a listing criterion is met. When only the provinces already listing it qualify it,
    ``provinces_checked`` is the officer's confirmation that their evidence was checked."""
    listing = lock_listing(actor=actor, listing_id=listing_id)
    require(actor, "listing.review")
    LISTING_STATES.check(listing, ListingAction.APPROVE)
    criteria = listing_criteria(listing=listing, policy=reviewer_policy(actor))
    if criteria.reference_price is not None:
        _check_price_cap(listing.consumable_id, listing.price)
    elif not criteria.alternate_met:
        raise _criteria_not_met(criteria)
    fields = ["catalogue"]
    if criteria.reference_price is None and criteria.provinces_only:
        # [R-LIST-OTHER] the provinces are the only ground: the officer confirms having
        # checked their evidence, and the listing records who did and when.
        if not provinces_checked:
            raise ProvincesNotCheckedError(provinces=criteria.provinces_listed)
        listing.provinces_checked_by = actor
        listing.provinces_checked_at = clock.now()
        fields += ["provinces_checked_by", "provinces_checked_at"]
        # Each evidence file attached records the same check (who, when).
        listing.evidence_files.update(checked_by=actor, checked_at=listing.provinces_checked_at)
    listing.catalogue = criteria.catalogue
    with history_context(actor, "listing_approve"):
        _review(listing, actor, ListingStatus.LISTED, (reason or "").strip(), fields)
    return listing


def _criteria_not_met(criteria: ListingCriteria) -> ListingCriteriaNotMetError:
    return ListingCriteriaNotMetError(
        provinces=criteria.provinces_listed,
        min_provinces=criteria.min_provinces,
        emergency_hospitals=criteria.emergency.hospitals,
        emergency_tier3=criteria.emergency.tier3_hospitals,
        min_emergency_hospitals=criteria.min_emergency_hospitals,
        min_emergency_tier3=criteria.min_emergency_tier3,
    )


@transaction.atomic
def listing_reject(*, actor: User, listing_id: int, reason: str) -> Listing:
    listing = lock_listing(actor=actor, listing_id=listing_id)
    require(actor, "listing.review")
    LISTING_STATES.check(listing, ListingAction.REJECT)
    reason = require_reason(reason)
    with history_context(actor, "listing_reject"):
        _review(listing, actor, ListingStatus.REJECTED, reason, [])
    return listing


@transaction.atomic
def listing_suspend(*, actor: User, listing_id: int, reason: str) -> Listing:
    """A sanction (暂停挂网, [R-CREDIT]): the product cannot be ordered until reinstated."""
    listing = lock_listing(actor=actor, listing_id=listing_id)
    require(actor, "listing.review")
    LISTING_STATES.check(listing, ListingAction.SUSPEND)
    reason = require_reason(reason)
    with history_context(actor, "listing_suspend"):
        _review(listing, actor, ListingStatus.SUSPENDED, reason, [])
    return listing


@transaction.atomic
def listing_reinstate(*, actor: User, listing_id: int, reason: str = "") -> Listing:
    listing = lock_listing(actor=actor, listing_id=listing_id)
    require(actor, "listing.review")
    LISTING_STATES.check(listing, ListingAction.REINSTATE)
    with history_context(actor, "listing_reinstate"):
        _review(listing, actor, ListingStatus.LISTED, (reason or "").strip(), [])
    return listing


@transaction.atomic
def listing_delist(*, actor: User, listing_id: int, reason: str = "") -> Listing:
    """The bureau delists a listed or suspended product (with a reason); the manufacturer may
    withdraw its own draft or rejected application. Delisting is final; the manufacturer may
    apply again with a new listing."""
    listing = lock_listing(actor=actor, listing_id=listing_id)
    if listing.status in (ListingStatus.DRAFT, ListingStatus.REJECTED):
        _require_owner(actor, listing)
        reason = (reason or "").strip()
    else:
        require(actor, "listing.review")
    LISTING_STATES.check(listing, ListingAction.DELIST)
    if listing.status in LIVE_STATUSES:
        reason = require_reason(reason)
    with history_context(actor, "listing_delist"):
        if listing.status in LIVE_STATUSES:
            _review(listing, actor, ListingStatus.DELISTED, reason, [])
        else:
            listing.status = ListingStatus.DELISTED
            listing.save(update_fields=["status"])
    return listing


# ---------------------------------------------------------------------------------------------
# Authorised distributors


def _distributors_replace(listing: Listing, grants: Iterable[DistributorGrant]) -> None:
    wanted: set[tuple[int, str]] = set()
    for grant in grants:
        region = (grant.region_code or "").strip()
        if not is_valid_region(region):
            raise RegionInvalidError(region=region)
        wanted.add((int(grant.distributor_id), region))
    ids = {distributor_id for distributor_id, _region in wanted}
    active = set(distributors_unscoped(ids=ids).values_list("pk", flat=True))
    if missing := ids - active:
        raise DistributorInvalidError(distributor=min(missing))
    current = {(row.distributor_id, row.region_code): row.pk for row in listing.distributors.all()}
    stale = [pk for key, pk in current.items() if key not in wanted]
    if stale:
        ListingDistributor.objects.filter(pk__in=stale).delete()
    ListingDistributor.objects.bulk_create(
        [
            ListingDistributor(listing=listing, distributor_id=d, region_code=r)
            for d, r in sorted(wanted - set(current))
        ]
    )


@transaction.atomic
def listing_distributor_set(
    *, actor: User, listing_id: int, grants: Iterable[DistributorGrant]
) -> list[ListingDistributor]:
    """Replace the distributors the manufacturer authorises, each for a region (a province or
    city code covers everything below it). Any live state: authorisations change over time."""
    listing = lock_listing(actor=actor, listing_id=listing_id)
    _require_owner(actor, listing)
    LISTING_STATES.check(listing, ListingAction.SET_DISTRIBUTORS)
    with history_context(actor, "listing_distributor_set"):
        _distributors_replace(listing, grants)
    return list(listing.distributors.select_related("distributor").order_by("region_code"))


# ---------------------------------------------------------------------------------------------
# Price changes


@transaction.atomic
def listing_price_change_request(
    *, actor: User, listing_id: int, new_price: Decimal | str, reason: str = ""
) -> ListingPriceChange:
    """Ask the bureau to change a listed (or suspended) product's price; one pending request
    per listing."""
    listing = lock_listing(actor=actor, listing_id=listing_id)
    _require_owner(actor, listing)
    LISTING_STATES.check(listing, ListingAction.REQUEST_PRICE_CHANGE)
    amount = _positive_price(new_price, "new_price")
    if amount == listing.price:
        raise PriceUnchangedError(price=format_cny(amount))
    _check_price_cap(listing.consumable_id, amount)
    pending = listing.price_changes.filter(status=PriceChangeStatus.PENDING).first()
    if pending is not None:
        raise PriceChangePendingError(price_change=pending.pk)
    with history_context(actor, "listing_price_change_request"):
        return ListingPriceChange.objects.create(
            listing=listing,
            old_price=listing.price,
            new_price=amount,
            reason=(reason or "").strip(),
            requested_by=actor,
        )


@transaction.atomic
def listing_price_change_approve(
    *, actor: User, price_change_id: int, reason: str = ""
) -> ListingPriceChange:
    """[R-LIST-PRICE-CAP] apply the new price, never above the confirmed reference price. A
    price at or below the reference price ends a pending price-cut deadline. (A Restricted
    label set for a missed deadline stays until the bureau changes it; the labels page shows
    the suggestion next to it.)"""
    change = lock_price_change(actor=actor, price_change_id=price_change_id)
    require(actor, "listing.review")
    PRICE_CHANGE_STATES.check(change, PriceChangeAction.APPROVE)
    listing = lock_listing(actor=actor, listing_id=change.listing_id)
    LISTING_STATES.check(listing, ListingAction.CHANGE_PRICE)
    reference = _check_price_cap(listing.consumable_id, change.new_price)
    now = clock.now()
    with history_context(actor, "listing_price_change_approve"):
        change.status = PriceChangeStatus.APPROVED
        change.reviewed_by = actor
        change.reviewed_at = now
        change.review_reason = (reason or "").strip()
        change.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
        listing.price = change.new_price
        fields = ["price"]
        if listing.price_cut_due_on is not None and (
            reference is None or listing.price <= reference
        ):
            listing.price_cut_due_on = None
            fields.append("price_cut_due_on")
        listing.save(update_fields=fields)
        # [R-VBP-STEPPED] a cut to the winning price level makes a non-winner a winner.
        stepped_targets_reach(actor=actor, listing=listing)
    return change


@transaction.atomic
def listing_price_change_reject(
    *, actor: User, price_change_id: int, reason: str
) -> ListingPriceChange:
    change = lock_price_change(actor=actor, price_change_id=price_change_id)
    require(actor, "listing.review")
    PRICE_CHANGE_STATES.check(change, PriceChangeAction.REJECT)
    reason = require_reason(reason)
    with history_context(actor, "listing_price_change_reject"):
        change.status = PriceChangeStatus.REJECTED
        change.reviewed_by = actor
        change.reviewed_at = clock.now()
        change.review_reason = reason
        change.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    return change


# ---------------------------------------------------------------------------------------------
# Reaction to reference price cuts [R-LIST-PRICE-CAP] (nightly, after the 02:00 sync)


@dataclass(frozen=True)
class CutsProcessed:
    cuts: int
    flagged: int
    recatalogued: int


def listing_reference_cuts_process(*, today: dt.date | None = None) -> CutsProcessed:
    """Check the listings of every product whose reference price fell against the new price.

    Per unprocessed ReferencePriceCut, in its own short transaction: live listings still in the
    alternate catalogue move to the capped one (a first reference price); live listings priced
    above the new reference price get ``price_cut_due_on`` = today + the grace days (an earlier
    deadline still running is kept, not extended); the cut is marked processed. Idempotent:
    processed cuts are skipped, and ``skip_locked`` lets two workers share the backlog.
    """
    today = today or clock.local_today()
    due_on = today + dt.timedelta(days=system_region_policy().listing_price_cut_grace_days)
    cuts = flagged = recatalogued = 0
    while True:
        with transaction.atomic(), history_context(None, "listing_reference_cuts_process"):
            cut = lock_next_reference_cut_unscoped()
            if cut is None:
                break
            live = Listing.objects.filter(consumable_id=cut.consumable_id, status__in=LIVE_STATUSES)
            recatalogued += live.filter(catalogue=Catalogue.ALTERNATE).update(
                catalogue=Catalogue.CAPPED
            )
            flagged += live.filter(price__gt=cut.new_price, price_cut_due_on__isnull=True).update(
                price_cut_due_on=due_on
            )
            cut.processed_at = clock.now()
            cut.save(update_fields=["processed_at"])
            cuts += 1
    return CutsProcessed(cuts=cuts, flagged=flagged, recatalogued=recatalogued)


def listing_overdue_restrict(*, today: dt.date | None = None) -> int:
    """Label Restricted [R-LABELS] every live listing whose price-cut deadline has passed
    (the due day itself still counts as in time) while its price is still above the confirmed
    reference price. A Forbidden label is left alone (it is stricter). Idempotent: restricted
    listings are not touched again. Returns how many listings were restricted."""
    today = today or clock.local_today()
    restricted = 0
    with transaction.atomic(), history_context(None, "listing_overdue_restrict"):
        overdue = lock_overdue_listings_unscoped(
            overdue=Listing.objects.annotate(reference_price=confirmed_reference_subquery())
            .filter(
                status__in=LIVE_STATUSES,
                price_cut_due_on__lt=today,
                reference_price__isnull=False,
                price__gt=F("reference_price"),
            )
            .exclude(label__in=(PurchaseLabel.RESTRICTED, PurchaseLabel.FORBIDDEN))
        )
        for listing in overdue:
            listing.label = PurchaseLabel.RESTRICTED
            listing.label_reason = _(
                "Price %(price)s still above the reference price %(reference)s after the "
                "deadline %(due)s."
            ) % {
                "price": format_cny(listing.price),
                "reference": format_cny(listing.reference_price),
                "due": listing.price_cut_due_on.isoformat(),
            }
            listing.save(update_fields=["label", "label_reason"])
            restricted += 1
    return restricted
