"""What a cart would become, writing nothing: order lines validated and priced for a hospital
(``order_lines_prepare``, which ``order_create`` saves), and the quote the cart page and
``POST /orders/quote/`` show, one group per supplier with the alternate-catalogue cap and the
reason for every line that cannot be ordered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock, permissions
from core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationError
from core.money import ZERO, quantize
from core.restrictions import ORDER_LISTING, Subject, restriction_refusals
from procurement.choices import Catalogue, ListingStatus, PurchaseLabel
from procurement.errors import (
    ListingForbiddenError,
    ListingNotOrderableError,
    OrderEmptyError,
    OrderLineDuplicateError,
    RestrictedReasonRequiredError,
)
from procurement.models import Listing
from procurement.selectors import caps, pricing
from procurement.selectors.catalogue import check_in_catalogue, with_catalogue
from procurement.selectors.orders import parse_quantity


@dataclass(frozen=True)
class PreparedLine:
    """A validated, priced order line, not yet saved. ``index`` is the 1-based position in
    the caller's input, which every error names."""

    index: int
    listing: Listing
    quantity: int
    unit_price: Decimal
    restricted_reason: str

    @property
    def amount(self) -> Decimal:
        return quantize(self.unit_price * self.quantity)


def _parse_id(value: object, *, line: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(fields={f"lines[{line}].{name}": [_("A valid id is required.")]})
    return value


def check_listing_orderable(listing: Listing, *, line: int, restricted_reason: str) -> None:
    """[R-LABELS] Forbidden (严禁) blocks ordering; Restricted (限制) needs a reason per line.
    Only listed products can be ordered; a suspended or delisted one says so."""
    if listing.status != ListingStatus.LISTED:
        raise ListingNotOrderableError(
            product=str(listing.consumable),
            reason=ListingStatus(listing.status).label,
            listing=listing.pk,
            line=line,
        )
    if listing.label == PurchaseLabel.FORBIDDEN:
        raise ListingForbiddenError(product=str(listing.consumable), listing=listing.pk, line=line)
    if listing.label == PurchaseLabel.RESTRICTED and not restricted_reason:
        raise RestrictedReasonRequiredError(
            product=str(listing.consumable), listing=listing.pk, line=line
        )


def listing_restrictions(listings: Iterable[Listing]) -> dict[int, DomainError]:
    """[R-CREDIT] The listings that may not be ordered now because a restriction stands
    (core.restrictions: supervision's suspended listings), each with its refusal."""
    subjects = {
        listing.pk: Subject(organization_id=listing.manufacturer_id, listing_id=listing.pk)
        for listing in listings
    }
    refused = restriction_refusals(ORDER_LISTING, subjects.values())
    return {pk: refused[subject] for pk, subject in subjects.items() if subject in refused}


# What an order line takes from its listing (procurement.services.orders.order_create).
_SNAPSHOT_FIELDS = (
    "id",
    "manufacturer_id",
    "consumable_id",
    "status",
    "label",
    "catalogue",
    "price",
)


@dataclass(frozen=True)
class LineRefusal:
    """A line the hospital cannot order as given: its 1-based position, the listing when the
    line names one the hospital sees (to show the product next to the reason), and why."""

    index: int
    listing: Listing | None
    error: DomainError


@dataclass(frozen=True)
class _Prepared:
    lines: list[PreparedLine]
    refusals: list[LineRefusal]
    # What order_lines_prepare raises: the first input error (a bad id, a repeated listing,
    # a bad quantity), else the first listing refused (missing, not orderable).
    first_error: DomainError | None


def _prepare(
    *, actor: User, lines: Sequence[Mapping[str, Any]], on: dt.date | None, for_display: bool
) -> _Prepared:
    # The callers checked the role: a hospital's purchaser, so there is an organisation.
    hospital = cast(Organization, actor.organization)
    if not lines:
        raise OrderEmptyError()
    wanted: list[tuple[int, int, int, str]] = []
    named: dict[int, int] = {}  # line -> the listing it names, once its id is valid and new
    input_errors: dict[int, DomainError] = {}
    seen: set[int] = set()
    for index, raw in enumerate(lines, start=1):
        try:
            listing_id = _parse_id(raw.get("listing"), line=index, name="listing")
            if listing_id in seen:
                raise OrderLineDuplicateError(line=index, what=_("listing"), id=listing_id)
            seen.add(listing_id)
            named[index] = listing_id
            quantity = parse_quantity(raw.get("quantity"), line=index)
        except DomainError as error:
            input_errors[index] = error
            continue
        reason = str(raw.get("restricted_reason") or "").strip()[:500]
        wanted.append((index, listing_id, quantity, reason))
    if for_display:  # a quote shows each line's product and manufacturer
        fetched = (
            Listing.objects.visible_to(actor)
            .select_related("consumable", "manufacturer")
            .defer("consumable__search_terms")  # the search bigrams: large, and unused here
        )
    else:  # an order snapshots these; the product is read only to name it in an error
        fetched = Listing.objects.visible_to(actor).only(*_SNAPSHOT_FIELDS)
    fetched = fetched.filter(pk__in=seen)
    on = on or clock.local_today()
    # [R-HOSP-CATALOGUE] the hospital's entry of each listing, in the same query.
    fetched = with_catalogue(fetched, hospital=hospital)
    listings = {
        listing.pk: listing
        for listing in pricing.with_agreed_price(fetched, hospital_id=hospital.pk, on=on)
    }
    # [R-CREDIT] a sanction in force (a suspended listing) refuses the line: one ask for all.
    sanctioned = listing_restrictions(listings.values())
    prepared: list[PreparedLine] = []
    listing_errors: dict[int, DomainError] = {}
    for index, listing_id, quantity, reason in wanted:
        listing = listings.get(listing_id)
        try:
            if listing is None:
                raise NotFoundError(listing=listing_id, line=index)
            check_listing_orderable(listing, line=index, restricted_reason=reason)
            check_in_catalogue(listing, line=index)
            if listing.pk in sanctioned:
                raise sanctioned[listing.pk]
        except DomainError as error:
            listing_errors[index] = error
            continue
        prepared.append(
            PreparedLine(
                index=index,
                listing=listing,
                quantity=quantity,
                unit_price=pricing.lowest_price(listing),
                restricted_reason=reason,
            )
        )
    errors = {**input_errors, **listing_errors}
    first = input_errors or listing_errors
    return _Prepared(
        lines=prepared,
        refusals=[
            LineRefusal(index=index, listing=listings.get(named.get(index, 0)), error=error)
            for index, error in sorted(errors.items())
        ],
        first_error=first[min(first)] if first else None,
    )


def order_lines_prepare(
    *,
    actor: User,
    lines: Sequence[Mapping[str, Any]],
    on: dt.date | None = None,
    for_display: bool = False,
) -> list[PreparedLine]:
    """Validate and price order lines as given by a cart or an HIS, writing nothing; the
    first refused line is raised (input errors first, then the listings).

    Each line is ``{"listing": id, "quantity": n, "restricted_reason": ""}``. The unit price
    comes from procurement.selectors.pricing (listed or lower agreed price), never from the
    caller. Listings are read in the hospital's scope (``Listing.tenant_q``): one it cannot
    see (a draft, an application under review) is 404, as if missing, exactly as reading it
    is; a suspended or delisted one it sees, and ordering it is refused with the reason.
    [R-HOSP-CATALOGUE] so is one outside the hospital's own catalogue, or stopped in it.
    """
    result = _prepare(actor=actor, lines=lines, on=on, for_display=for_display)
    if result.first_error is not None:
        raise result.first_error
    return result.lines


@dataclass
class QuoteGroup:
    supplier_id: int
    supplier_name: str
    lines: list[PreparedLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class OrderQuote:
    """The lines that can be ordered, grouped by supplier, and every line that cannot, each
    with its reason (``refusals``), so a cart shows all it needs fixing at once."""

    groups: list[QuoteGroup]
    alternate_amount: Decimal
    cap: caps.CapStatus
    refusals: list[LineRefusal] = field(default_factory=list)
    # The refusal ordering this cart would meet first (order_lines_prepare), or None.
    first_error: DomainError | None = None

    @property
    def total(self) -> Decimal:
        return sum((group.total for group in self.groups), ZERO)

    @property
    def over_cap(self) -> bool:
        """[R-LIST-ALT-CAP] would submitting all of it pass the cap (or is no plan set)?"""
        if self.alternate_amount <= 0:
            return False
        return self.cap.cap is None or self.cap.used + self.alternate_amount > self.cap.cap


def order_quote(*, actor: User, lines: Sequence[Mapping[str, Any]]) -> OrderQuote:
    """What the cart would become: priced lines, one group per supplier (one order each), the
    alternate-catalogue cap with this cart's alternate amount, and every line that cannot be
    ordered with its reason (all of them at once). Writes nothing."""
    permissions.require(actor, "order.place")
    if actor.organization is None or not actor.organization.is_hospital:
        raise PermissionDeniedError(action="order.place")
    result = _prepare(actor=actor, lines=lines, on=None, for_display=True)
    prepared = result.lines
    groups: dict[int, QuoteGroup] = {}
    for line in prepared:
        manufacturer = line.listing.manufacturer
        group = groups.setdefault(
            manufacturer.pk,
            QuoteGroup(supplier_id=manufacturer.pk, supplier_name=manufacturer.name),
        )
        group.lines.append(line)
    alternate = sum(
        (line.amount for line in prepared if line.listing.catalogue == Catalogue.ALTERNATE), ZERO
    )
    cap = caps.alternate_cap_status(hospital=actor.organization, year=clock.local_today().year)
    return OrderQuote(
        groups=[groups[key] for key in sorted(groups)],
        alternate_amount=alternate,
        cap=cap,
        refusals=result.refusals,
        first_error=result.first_error,
    )
