"""Reads for listings, purchase labels, price changes and distributor authorisations; always
actor-scoped.

Besides the lists, this module states rules once, for the services, the review page and the
API alike:

- ``listing_criteria``: may a listing be approved, and in which catalogue [R-LIST-CATALOGUES]
  [R-LIST-PRICE-CAP] [R-LIST-GREEN] [R-LIST-OTHER];
- ``authorised_listing_ids``: which listings a distributor may deliver in a region
  [R-ORDER-DELIVERY].

Agreed prices are in procurement.selectors.agreed_prices, purchase plans and the
alternate-catalogue cap in procurement.selectors.purchase_plans.

The purchase label the evidence suggests is procurement.selectors.labels; the confirmed
reference prices, procurement.selectors.reference_prices; the emergency purchases of a product
[R-LIST-OTHER], procurement.selectors.emergency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from accounts.choices import SUPPLIER_KINDS, OrganizationKind
from accounts.models import Organization, User
from core import clock, permissions
from core.actions import Actions, Allowed, Check, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from core.policy import RegionPolicy, policy_for, system_region_policy
from procurement.choices import (
    LISTING_STATES,
    PRICE_CHANGE_STATES,
    Catalogue,
    ListingAction,
    ListingStatus,
    PriceChangeAction,
    PriceChangeStatus,
    PurchaseLabel,
)
from procurement.errors import PriceChangePendingError
from procurement.models import Listing, ListingDistributor, ListingPriceChange
from procurement.selectors import pricing
from procurement.selectors.emergency import EmergencyEvidence, emergency_evidence
from procurement.selectors.labels import listing_label_suggestion
from procurement.selectors.reference_prices import (
    confirmed_reference_subquery,
    listing_reference_price,
    with_reference_price,
)

# Listings that are (or were) on sale: the ones a price cut, a label or a review concerns.
LIVE_STATUSES = (ListingStatus.LISTED, ListingStatus.SUSPENDED)


# ---------------------------------------------------------------------------------------------
# Evidence recorded elsewhere on the platform


def emergency_purchase_evidence(*, consumable_id: int, region_code: str) -> EmergencyEvidence:
    """[R-LIST-OTHER] the emergency purchases registered on the platform
    (procurement.selectors.emergency): the distinct tier-2+ hospitals of ``region_code`` that
    bought the product in emergency, the tier-3 ones among them, and the lowest price paid."""
    return emergency_evidence(consumable_id=consumable_id, region_code=region_code)


# ---------------------------------------------------------------------------------------------
# Listing criteria [R-LIST-CATALOGUES] [R-LIST-PRICE-CAP] [R-LIST-GREEN] [R-LIST-OTHER]


@dataclass(frozen=True)
class ListingCriteria:
    price: Decimal
    reference_price: Decimal | None
    green_channel: str
    provinces_listed: int
    min_provinces: int
    emergency: EmergencyEvidence
    min_emergency_hospitals: int
    min_emergency_tier3: int

    @property
    def catalogue(self) -> str:
        return Catalogue.CAPPED if self.reference_price is not None else Catalogue.ALTERNATE

    @property
    def price_within_reference(self) -> bool | None:
        """[R-LIST-PRICE-CAP] None when there is no reference price to compare with."""
        if self.reference_price is None:
            return None
        return self.price <= self.reference_price

    @property
    def green_channel_met(self) -> bool:
        return bool(self.green_channel)

    @property
    def provinces_met(self) -> bool:
        return self.provinces_listed >= self.min_provinces

    @property
    def emergency_met(self) -> bool:
        e = self.emergency
        enough = (
            e.hospitals >= self.min_emergency_hospitals
            and e.tier3_hospitals >= self.min_emergency_tier3
        )
        # NJ 3.1.3: at no more than the region's lowest emergency price.
        return enough and (e.lowest_price is None or self.price <= e.lowest_price)

    @property
    def provinces_only(self) -> bool:
        """[R-LIST-OTHER] the provinces already listing it are its only ground."""
        return self.provinces_met and not (self.green_channel_met or self.emergency_met)

    @property
    def alternate_met(self) -> bool:
        return self.green_channel_met or self.provinces_met or self.emergency_met

    @property
    def approvable(self) -> bool:
        if self.reference_price is not None:
            return bool(self.price_within_reference)
        return self.alternate_met


def listing_criteria(
    *, listing: Listing, policy: RegionPolicy, price: Decimal | None = None
) -> ListingCriteria:
    """The criteria the review page shows and ``listing_approve`` enforces, with ``policy``
    the reviewing bureau's figures. ``price`` overrides the listed one (a price change)."""
    return ListingCriteria(
        price=listing.price if price is None else price,
        reference_price=listing_reference_price(listing),
        green_channel=listing.green_channel,
        provinces_listed=listing.provinces_listed,
        min_provinces=policy.other_listing_min_provinces,
        emergency=emergency_purchase_evidence(
            consumable_id=listing.consumable_id, region_code=policy.region_code
        ),
        min_emergency_hospitals=policy.other_listing_min_emergency_hospitals,
        min_emergency_tier3=policy.other_listing_min_emergency_tier3,
    )


def reviewer_policy(actor: User | None) -> RegionPolicy:
    """The bureau's own region's figures; the platform's when there is no organisation."""
    org = getattr(actor, "organization", None) if actor is not None else None
    if org is not None:
        return policy_for(org.region_code)
    return system_region_policy()


# ---------------------------------------------------------------------------------------------
# Listings


def _listing_base(actor: User) -> QuerySet:
    return with_reference_price(
        Listing.objects.visible_to(actor).select_related("consumable", "manufacturer")
    )


def listing_list(
    *,
    actor: User,
    status: str = "",
    catalogue: str = "",
    label: str = "",
    q: str = "",
    code: str = "",
    manufacturer_id: int | None = None,
    price_cut_due: bool | None = None,
    price_cut_overdue: bool = False,
    own: bool = False,
) -> QuerySet:
    """Listings the actor may see, filtered. ``own``: only the actor's organisation's
    (a manufacturer's "my listings", without those it merely distributes)."""
    permissions.require(actor, "listing.view")
    qs = _listing_base(actor)
    if own:
        qs = qs.filter(manufacturer_id=actor.organization_id)
    if status:
        qs = qs.filter(status=status)
    qs = _listing_search(qs, catalogue=catalogue, label=label, q=q, code=code)
    if manufacturer_id:
        qs = qs.filter(manufacturer_id=manufacturer_id)
    if price_cut_due is not None:
        qs = qs.filter(price_cut_due_on__isnull=not price_cut_due)
    if price_cut_overdue:
        # [R-LIST-PRICE-CAP] past the deadline (the due day itself is still in time).
        qs = qs.filter(price_cut_due_on__lt=clock.local_today())
    return qs.order_by("-created_at", "-pk")


def _listing_search(
    qs: QuerySet, *, catalogue: str = "", label: str = "", q: str = "", code: str = ""
) -> QuerySet:
    """The filters the listing lists share: catalogue, purchase label, a code prefix and
    words found in the product or its manufacturer's name."""
    if catalogue:
        qs = qs.filter(catalogue=catalogue)
    if label:
        qs = qs.filter(label=label)
    if code:
        qs = qs.filter(consumable__code__startswith=code.strip().upper())
    if q:
        for word in q.split():
            qs = qs.filter(
                Q(consumable__product_name__icontains=word)
                | Q(consumable__generic_name__icontains=word)
                | Q(consumable__specification__icontains=word)
                | Q(consumable__model__icontains=word)
                | Q(manufacturer__name__icontains=word)
            )
    return qs


def listing_public_list(
    *, catalogue: str = "", label: str = "", q: str = "", code: str = ""
) -> QuerySet[Listing]:
    """[R-DISCLOSE] What anyone may read without logging in: the listings on sale now
    (listed; never a draft, one under review, rejected, suspended or delisted), with their
    purchase label, listed price and the product's confirmed reference price. The same
    search as the listing list; no reviewer, no review note, no evidence."""
    qs = with_reference_price(Listing.objects.listed().select_related("consumable", "manufacturer"))
    qs = _listing_search(qs, catalogue=catalogue, label=label, q=q, code=code)
    return qs.order_by("consumable__code", "manufacturer__name", "pk")


def listing_get(*, actor: User, listing_id: int) -> Listing:
    permissions.require(actor, "listing.view")
    listing = _listing_base(actor).filter(pk=listing_id).first()
    if listing is None:
        raise NotFoundError()
    return listing


def listing_detail(*, actor: User, listing_id: int) -> Listing:
    """One listing with what its page shows: authorised distributors, the pending price
    change, the listing criteria (with the actor's region figures) and the suggested label."""
    listing = listing_get(actor=actor, listing_id=listing_id)
    listing.distributor_rows = list(
        listing.distributors.select_related("distributor").order_by("region_code", "pk")
    )
    listing.province_rows = list(listing.provinces.all())
    listing.pending_price_change = listing_pending_price_change(listing=listing)
    listing.criteria = listing_criteria(listing=listing, policy=reviewer_policy(actor))
    listing.suggested_label = listing_label_suggestion(listing=listing)
    return listing


def listing_owner_check(*, actor: User, listing: Listing) -> None:
    """Only the listing's manufacturer applies for it, edits it and sets its distributors
    (an authorised distributor sees it but does not list): 403 otherwise. The role
    (``listing.apply``) is checked by the caller."""
    org = getattr(actor, "organization", None)
    if (
        org is None
        or org.kind != OrganizationKind.MANUFACTURER
        or listing.manufacturer_id != org.pk
    ):
        raise PermissionDeniedError(action="listing.apply")


def listing_negotiator_check(*, actor: User, listing: Listing) -> None:
    """An agreed price for a listing is proposed by a hospital, or by the listing's own
    manufacturer (a distributor does not set its prices): 403 otherwise."""
    org = getattr(actor, "organization", None)
    if org is None or not (org.is_hospital or listing.manufacturer_id == org.pk):
        raise PermissionDeniedError(action="agreed_price.negotiate")


def _no_pending_price_change(listing: Listing) -> Check:
    def check() -> None:
        pending = getattr(listing, "pending_price_change", None)
        if pending is None and not hasattr(listing, "pending_price_change"):
            pending = listing_pending_price_change(listing=listing)
        if pending is not None:
            raise PriceChangePendingError(price_change=pending.pk)

    return check


def listing_actions(*, actor: User, listing: Listing) -> Actions:
    """What the actor may do with the listing now (core.actions), refused as
    procurement.services.listings, .labels and .agreed_prices would refuse it: the role, the
    party (its manufacturer, the bureau, a hospital for agreed prices), LISTING_STATES, and
    one pending price change at a time. A submission or approval may still be refused for the
    price cap or the listing criteria, which only doing it checks (the criteria are shown)."""

    def owner(action: str, *rules: Check) -> Allowed:
        return verdict(
            action,
            role_check(actor, "listing.apply"),
            lambda: listing_owner_check(actor=actor, listing=listing),
            lambda: LISTING_STATES.check(listing, action),
            *rules,
        )

    def bureau(action: str) -> Allowed:
        return verdict(
            action,
            role_check(actor, "listing.review"),
            lambda: LISTING_STATES.check(listing, action),
        )

    # Delisting a draft or rejected application is its manufacturer withdrawing it.
    withdrawing = listing.status in (ListingStatus.DRAFT, ListingStatus.REJECTED)
    return Actions(
        [
            owner(ListingAction.EDIT),
            owner(ListingAction.SUBMIT),
            bureau(ListingAction.APPROVE),
            bureau(ListingAction.REJECT),
            bureau(ListingAction.SUSPEND),
            bureau(ListingAction.REINSTATE),
            owner(ListingAction.DELIST) if withdrawing else bureau(ListingAction.DELIST),
            bureau(ListingAction.SET_LABEL),
            owner(ListingAction.SET_DISTRIBUTORS),
            owner(ListingAction.REQUEST_PRICE_CHANGE, _no_pending_price_change(listing)),
            verdict(
                ListingAction.AGREE_PRICE,
                role_check(actor, "agreed_price.negotiate"),
                lambda: listing_negotiator_check(actor=actor, listing=listing),
                lambda: LISTING_STATES.check(listing, ListingAction.AGREE_PRICE),
            ),
        ]
    )


def listing_page_actions(*, actor: User, listings: list[Listing]) -> None:
    """``listing_actions`` for each listing of a page, as ``listing.actions``: their pending
    price changes in one query, so the page costs the same whatever its size."""
    pending = {
        change.listing_id: change
        for change in ListingPriceChange.objects.filter(
            listing__in=listings, status=PriceChangeStatus.PENDING
        )
    }
    for listing in listings:
        listing.pending_price_change = pending.get(listing.pk)
        listing.actions = listing_actions(actor=actor, listing=listing)


def price_change_actions(*, actor: User, change: ListingPriceChange) -> Actions:
    """The bureau approves or rejects a pending price change (core.actions)."""

    def decide(action: str) -> Allowed:
        return verdict(
            action,
            role_check(actor, "listing.review"),
            lambda: PRICE_CHANGE_STATES.check(change, action),
        )

    return Actions([decide(PriceChangeAction.APPROVE), decide(PriceChangeAction.REJECT)])


def listing_review_queue(*, actor: User) -> QuerySet:
    """Submitted applications, oldest first (first come, first reviewed)."""
    permissions.require(actor, "listing.review")
    return (
        _listing_base(actor).filter(status=ListingStatus.SUBMITTED).order_by("submitted_at", "pk")
    )


def listing_label_list(*, actor: User, label: str = "", differs: bool = False, q: str = "") -> list:
    """Listings on sale with their suggested label; ``differs``: only where the label set
    differs from the suggestion (e.g. a Restricted listing whose price was cut since)."""
    permissions.require(actor, "listing.review")
    qs = listing_list(actor=actor, label=label, q=q).filter(status__in=LIVE_STATUSES)
    rows = []
    for listing in qs:
        listing.suggestion = listing_label_suggestion(listing=listing)
        if not differs or listing.suggestion.label != listing.label:
            rows.append(listing)
    return rows


def listing_available_list(
    *, actor: User, q: str = "", code: str = "", catalogue: str = "", label: str = ""
) -> QuerySet:
    """Listings the actor's hospital may order: listed and not Forbidden [R-LABELS]. The unit
    price per listing comes from ``listing_unit_prices`` for the page actually shown."""
    _own_hospital(actor)  # only hospitals order
    qs = listing_list(actor=actor, q=q, code=code, catalogue=catalogue, label=label)
    return qs.filter(status=ListingStatus.LISTED).exclude(label=PurchaseLabel.FORBIDDEN)


def listing_unit_prices(*, actor: User, listings: list[Listing], on: dt.date | None = None) -> dict:
    """[R-LIST-PRICE-CAP] the price the actor's hospital pays for each listing (one query)."""
    hospital = _own_hospital(actor)
    return pricing.unit_prices_for(
        listings=listings, hospital_id=hospital.pk, on=on or clock.local_today()
    )


def listing_distributor_list(*, actor: User, listing_id: int) -> QuerySet:
    listing = listing_get(actor=actor, listing_id=listing_id)
    return (
        ListingDistributor.objects.filter(listing=listing)
        .select_related("distributor")
        .order_by("region_code", "distributor__name")
    )


def distributor_list_unscoped(*, actor: User) -> QuerySet:
    """Every active distributor: the public directory a manufacturer picks its authorised
    distributors from (it crosses organisations on purpose)."""
    permissions.require(actor, "listing.apply")
    return Organization.objects.filter(kind=OrganizationKind.DISTRIBUTOR, is_active=True).order_by(
        "name"
    )


def distributors_unscoped(*, ids: Iterable[int]) -> QuerySet:
    """Active distributors by id, from the same public directory: a manufacturer authorises
    (or sends an order through) a distributor it shares no row with yet, so this crosses
    organisations on purpose. The caller has checked the actor's role."""
    return Organization.objects.filter(
        pk__in=list(ids), kind=OrganizationKind.DISTRIBUTOR, is_active=True
    )


def supplier_get_unscoped(*, organization_id: int | None) -> Organization | None:
    """A manufacturer or distributor by id, active or not: who an invoice names as its issuer.
    Suppliers are public (their names are on every listing and delivery note), so this crosses
    organisations on purpose; any other kind of organisation is None, as if missing, so an
    invoice cannot be used to learn a hospital's name from its id."""
    if organization_id is None:  # an actor without an organisation names no issuer
        return None
    return Organization.objects.filter(pk=organization_id, kind__in=SUPPLIER_KINDS).first()


def hospital_list_unscoped(*, actor: User) -> QuerySet[Organization]:
    """Every active hospital: the directory a manufacturer proposes agreed prices to (it
    crosses organisations on purpose; only names and ids are shown)."""
    permissions.require(actor, "agreed_price.negotiate")
    return Organization.objects.hospitals().filter(is_active=True).order_by("name")


def listing_price_change_list(
    *, actor: User, status: str = "", listing_id: int | None = None
) -> QuerySet:
    permissions.require(actor, "listing.view")
    visible = Listing.objects.visible_to(actor).values("pk")
    qs = ListingPriceChange.objects.filter(listing__in=visible).select_related(
        "listing__consumable", "listing__manufacturer", "requested_by", "reviewed_by"
    )
    qs = qs.annotate(reference_price=confirmed_reference_subquery("listing__consumable_id"))
    if status:
        qs = qs.filter(status=status)
    if listing_id:
        qs = qs.filter(listing_id=listing_id)
    return qs.order_by("-created_at", "-pk")


def listing_price_change_get(*, actor: User, price_change_id: int) -> ListingPriceChange:
    """One price change as the list shows it, with the product's reference price."""
    change = listing_price_change_list(actor=actor).filter(pk=price_change_id).first()
    if change is None:
        raise NotFoundError()
    return change


def listing_pending_price_change(*, listing: Listing) -> ListingPriceChange | None:
    return (
        ListingPriceChange.objects.filter(listing=listing, status=PriceChangeStatus.PENDING)
        .annotate(reference_price=confirmed_reference_subquery("listing__consumable_id"))
        .first()
    )


def _own_hospital(actor: User) -> Organization:
    """The actor's hospital; anyone else is refused (403): only hospitals buy."""
    org = getattr(actor, "organization", None)
    if not permissions.can(actor, "listing.view") or org is None or not org.is_hospital:
        raise PermissionDeniedError(action="hospital")
    return org


def _region_levels(region_code: str) -> set[str]:
    """An authorisation for a province (320000) or city (320100) covers every district below
    it, so the candidates for a district are its three levels, matched exactly."""
    return {region_code[:2] + "0000", region_code[:4] + "00", region_code}


def authorised_listing_ids(
    *, distributor_id: int, listing_ids: Iterable[int], region_code: str
) -> set[int]:
    """[R-ORDER-DELIVERY] [R-TWO-INVOICE] the listings ``distributor_id`` is authorised for in
    ``region_code`` (a province or city authorisation covers the districts below it)."""
    return set(
        ListingDistributor.objects.filter(
            distributor_id=distributor_id,
            listing_id__in=list(listing_ids),
            region_code__in=_region_levels(region_code),
        ).values_list("listing_id", flat=True)
    )


def distributors_authorised(*, listing_ids: Iterable[int], region_code: str) -> QuerySet:
    """[R-ORDER-DELIVERY] the active distributors authorised for every one of ``listing_ids``
    in ``region_code`` (the same rule as ``authorised_listing_ids``), by name: one query."""
    wanted = set(listing_ids)
    if not wanted:
        return Organization.objects.none()
    covering = (
        ListingDistributor.objects.filter(
            listing_id__in=wanted, region_code__in=_region_levels(region_code)
        )
        .values("distributor_id")
        .annotate(listings=Count("listing_id", distinct=True))
        .filter(listings=len(wanted))
        .values("distributor_id")
    )
    return (
        distributors_unscoped(ids=[])
        .model.objects.filter(pk__in=covering, kind=OrganizationKind.DISTRIBUTOR, is_active=True)
        .order_by("name")
    )
