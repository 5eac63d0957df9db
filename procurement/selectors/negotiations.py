"""Reads for negotiations (价格谈判) [R-NEGOTIATION], always actor-scoped but where named
``*_unscoped``; and the checks the services, the pages and the API share:

- ``negotiation_actions``: what an actor may do with a negotiation (or one of its products) now.
- ``negotiation_invited_check``: a supplier offers only for its own products (403 otherwise;
  a supplier not invited at all does not see the negotiation: 404).
- ``negotiation_deadline_check``: no offer after the round's deadline (Asia/Shanghai day).
- ``negotiation_price_check``: an agreement no higher than the listing's current price and the
  product's confirmed reference price.
- ``negotiation_public_results``: concluded, published agreements in force [R-DISCLOSE].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from catalog.choices import ReferencePriceStatus
from catalog.models import PriceObservation, ReferencePrice
from core import clock, permissions
from core.actions import Actions, Allowed, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from core.money import AmountInvalidError, format_cny, parse_amount
from core.policy import policy_for, system_region_policy
from core.regions import jurisdiction_prefix
from procurement.choices import (
    NEGOTIATION_ITEM_STATES,
    NEGOTIATION_STATES,
    ListingStatus,
    NegotiationAction,
    NegotiationItemStatus,
    NegotiationOutcome,
    NegotiationStatus,
    OrderStatus,
)
from procurement.errors import (
    NegotiationDeadlinePassedError,
    NegotiationImportInvalidError,
    NegotiationNothingAgreedError,
    NegotiationNotInvitedError,
    PriceAboveCapError,
)
from procurement.models import (
    Listing,
    Negotiation,
    NegotiationHospital,
    NegotiationItem,
    NegotiationOffer,
    NegotiationRound,
    OrderLine,
)
from procurement.selectors.reference_prices import reference_price_for

# ---------------------------------------------------------------------------------------------
# Lists and one negotiation


PAID_ORDER_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED, OrderStatus.COMPLETED)
DUE_SOON_DAYS = 3  # the supplier's "deadline within" card and filter
TODOS = ("offer", "due", "decide")


def negotiation_list(
    *, actor: User, status: list[str] | None = None, kind: str = "", todo: str = ""
) -> QuerySet[Negotiation]:
    """The negotiations the actor may see (the bureau its region's, a supplier those it is
    invited to), newest first. ``todo``: ``offer`` (a product of the supplier's awaits its
    offer), ``due`` (the same, the round closing within DUE_SOON_DAYS days), ``decide`` (an
    offer awaits the bureau): what the home cards count."""
    if not permissions.can(actor, "negotiation.view"):
        raise PermissionDeniedError(action="negotiation.view")
    qs = Negotiation.objects.visible_to(actor).select_related("manufacturer", "opened_by")
    if status:
        qs = qs.filter(status__in=status)
    if kind:
        qs = qs.filter(kind=kind)
    if todo in ("offer", "due"):
        org = actor.organization
        today = clock.local_today()
        awaiting = NegotiationItem.objects.filter(
            negotiation=OuterRef("pk"),
            listing__manufacturer_id=org.pk if org is not None else None,
            status=NegotiationItemStatus.AWAITING_OFFER,
        )
        qs = qs.filter(Exists(awaiting), status=NegotiationStatus.OPEN, deadline__gte=today)
        if todo == "due":
            qs = qs.filter(deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    elif todo == "decide":
        offered = NegotiationItem.objects.filter(
            negotiation=OuterRef("pk"), status=NegotiationItemStatus.OFFERED
        )
        qs = qs.filter(Exists(offered), status=NegotiationStatus.OPEN)
    return qs


def negotiation_hospital_choices(*, actor: User) -> QuerySet[Organization]:
    """The active hospitals of the regulator's jurisdiction (the open form's list)."""
    permissions.require(actor, "negotiation.manage")
    org = actor.organization
    if org is None:
        return Organization.objects.none()
    return (
        Organization.objects.hospitals()
        .filter(is_active=True, region_code__startswith=org.jurisdiction)
        .order_by("name")
    )


def negotiation_manufacturer_choices(*, actor: User) -> QuerySet[Organization]:
    """Manufacturers with a listed product (the whole-portfolio choice, NJ 2.2)."""
    permissions.require(actor, "negotiation.manage")
    listed = Listing.objects.filter(status=ListingStatus.LISTED).values("manufacturer_id")
    return Organization.objects.filter(pk__in=listed).order_by("name")


def negotiation_get(*, actor: User, negotiation_id: int) -> Negotiation:
    """One negotiation with its hospitals, rounds and products (a supplier sees only its own
    products and their offers); another region's is a 404."""
    found = negotiation_list(actor=actor).filter(pk=negotiation_id).first()
    if found is None:
        raise NotFoundError()
    items = NegotiationItem.objects.select_related(
        "listing__consumable", "listing__manufacturer"
    ).prefetch_related(Prefetch("offers", queryset=NegotiationOffer.objects.order_by("pk")))
    org = actor.organization
    if org is not None and not org.is_regulator and "platform_admin" not in actor.roles:
        items = items.filter(listing__manufacturer_id=org.pk)
    found.shown_items = list(items.filter(negotiation=found))  # type: ignore[attr-defined]
    found.shown_rounds = list(found.rounds.order_by("number"))  # type: ignore[attr-defined]
    found.shown_hospitals = list(  # type: ignore[attr-defined]
        negotiation_hospitals(negotiation=found).order_by("name")
    )
    return found


def negotiation_hospitals(*, negotiation: Negotiation) -> QuerySet[Organization]:
    """The hospitals an agreement applies to: those named, or every active hospital of the
    negotiation's region."""
    if negotiation.all_hospitals:
        return Organization.objects.hospitals().filter(
            is_active=True, region_code__startswith=jurisdiction_prefix(negotiation.region_code)
        )
    named = NegotiationHospital.objects.filter(negotiation=negotiation).values("hospital_id")
    return Organization.objects.filter(pk__in=named)


def negotiation_current_round(*, negotiation: Negotiation) -> NegotiationRound | None:
    return negotiation.rounds.filter(number=negotiation.round_number).first()


def negotiation_invitations_awaiting(*, actor: User) -> QuerySet[Negotiation]:
    """Open negotiations where a product of the supplier's awaits its offer (its home card)."""
    return negotiation_list(actor=actor, todo="offer")


def negotiation_deadlines_soon(*, actor: User) -> QuerySet[Negotiation]:
    """The invitations above whose round closes within DUE_SOON_DAYS days."""
    return negotiation_list(actor=actor, todo="due")


def negotiation_to_decide(*, actor: User) -> QuerySet[Negotiation]:
    """Open negotiations with an offer the bureau has not answered (its home card)."""
    return negotiation_list(actor=actor, todo="decide")


# ---------------------------------------------------------------------------------------------
# The checks services and pages share


def negotiation_invited_check(*, actor: User, item: NegotiationItem) -> None:
    """[R-NEGOTIATION] only the product's manufacturer offers for it."""
    org = actor.organization
    if org is None or item.listing.manufacturer_id != org.pk:
        raise NegotiationNotInvitedError()


def negotiation_deadline_check(*, negotiation: Negotiation) -> None:
    """[R-NEGOTIATION] offers are taken until the end of the deadline day (Asia/Shanghai)."""
    if clock.local_today() > negotiation.deadline:
        raise NegotiationDeadlinePassedError(
            round=negotiation.round_number, deadline=negotiation.deadline.isoformat()
        )


def negotiation_price_check(*, listing: Listing, price: Decimal) -> None:
    """[R-NEGOTIATION] [R-LIST-PRICE-CAP] an offer or agreement no higher than the listing's
    current price and the product's confirmed reference price."""
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


def _has_agreement(negotiation: Negotiation) -> None:
    if not negotiation.items.filter(status=NegotiationItemStatus.AGREED).exists():
        raise NegotiationNothingAgreedError()


def negotiation_actions(
    *, actor: User, negotiation: Negotiation, item: NegotiationItem | None = None
) -> Actions:
    """What the actor may do now, as procurement.services.negotiations checks it, in the same
    order: the role, the party, the state, the deadline. Without ``item``: the negotiation's
    own actions; with it: the product's (offer, accept the target, accept the offer)."""
    if item is None:

        def manage(action: str, *extra: Callable[[], object]) -> Allowed:
            def state() -> None:
                NEGOTIATION_STATES.check(negotiation, action)

            return verdict(action, role_check(actor, "negotiation.manage"), state, *extra)

        return Actions(
            [
                manage(NegotiationAction.INVITE),
                manage(NegotiationAction.COUNTER),
                manage(NegotiationAction.CONCLUDE, lambda: _has_agreement(negotiation)),
                manage(NegotiationAction.CANCEL),
            ]
        )

    def supplier(action: str) -> Allowed:
        return verdict(
            action,
            role_check(actor, "negotiation.offer"),
            lambda: negotiation_invited_check(actor=actor, item=item),
            lambda: NEGOTIATION_STATES.check(negotiation, action),
            lambda: NEGOTIATION_ITEM_STATES.check(item, action),
            lambda: negotiation_deadline_check(negotiation=negotiation),
        )

    accept = verdict(
        NegotiationAction.ACCEPT_OFFER,
        role_check(actor, "negotiation.manage"),
        lambda: NEGOTIATION_STATES.check(negotiation, NegotiationAction.ACCEPT_OFFER),
        lambda: NEGOTIATION_ITEM_STATES.check(item, NegotiationAction.ACCEPT_OFFER),
    )
    return Actions(
        [
            supplier(NegotiationAction.OFFER),
            supplier(NegotiationAction.ACCEPT_COUNTER),
            accept,
        ]
    )


# ---------------------------------------------------------------------------------------------
# Public results [R-DISCLOSE]


@dataclass(frozen=True)
class NegotiationResult:
    negotiation_id: int
    title: str
    kind: str
    outcome: str
    consumable_id: int
    product: str
    code: str
    specification: str
    manufacturer: str
    agreed_price: Decimal | None  # None: a hospital-specific price, kept private
    effective_on: dt.date
    valid_until: dt.date | None
    published_at: dt.datetime
    region_code: str
    all_hospitals: bool
    hospitals: list[str] = field(default_factory=list)


def negotiation_public_results(
    *, include_hospital_prices: bool, on: dt.date | None = None
) -> list[NegotiationResult]:
    """[R-NEGOTIATION] [R-DISCLOSE] what the public sees, without a login: every agreement of
    a concluded, published negotiation in force on ``on`` (default today, Asia/Shanghai);
    nothing before its effective date. A new listed price is public; a price agreed for a
    group of hospitals shows its price and hospitals only with ``include_hospital_prices``
    (a region setting), else the row says who negotiated what, from when, for how many.
    Crosses organisations on purpose: it is the public record."""
    day = on or clock.local_today()
    now = clock.now()
    items = (
        NegotiationItem.objects.filter(
            status=NegotiationItemStatus.AGREED,
            negotiation__status=NegotiationStatus.CONCLUDED,
            negotiation__published_at__lte=now,
            negotiation__effective_on__lte=day,
        )
        .filter(
            Q(negotiation__outcome=NegotiationOutcome.LISTED_PRICE)
            | Q(negotiation__valid_until__gte=day)
        )
        .select_related("negotiation", "listing__consumable", "listing__manufacturer")
        .order_by("-negotiation__effective_on", "negotiation_id", "pk")
    )
    rows = list(items)
    hospitals: dict[int, list[str]] = {}
    if include_hospital_prices:
        for negotiation in {row.negotiation_id: row.negotiation for row in rows}.values():
            if negotiation.outcome == NegotiationOutcome.HOSPITAL_PRICE:
                hospitals[negotiation.pk] = list(
                    negotiation_hospitals(negotiation=negotiation)
                    .order_by("name")
                    .values_list("name", flat=True)
                )
    results = []
    for item in rows:
        negotiation = item.negotiation
        private = negotiation.outcome == NegotiationOutcome.HOSPITAL_PRICE
        shown = not private or include_hospital_prices
        consumable = item.listing.consumable
        assert negotiation.published_at is not None  # noqa: S101 (filtered above)
        results.append(
            NegotiationResult(
                negotiation_id=negotiation.pk,
                title=negotiation.title,
                kind=negotiation.kind,
                outcome=negotiation.outcome,
                consumable_id=consumable.pk,
                product=consumable.product_name,
                code=consumable.code,
                specification=consumable.specification,
                manufacturer=item.listing.manufacturer.name,
                agreed_price=item.agreed_price if shown else None,
                effective_on=negotiation.effective_on,
                valid_until=negotiation.valid_until if private else None,
                published_at=negotiation.published_at,
                region_code=negotiation.region_code,
                all_hospitals=negotiation.all_hospitals,
                hospitals=hospitals.get(negotiation.pk, []) if shown else [],
            )
        )
    return results


def negotiation_results_published(*, q: str = "") -> list[NegotiationResult]:
    """The public section's negotiation results [R-DISCLOSE]: hospital-specific prices only
    where the platform's region policy publishes hospitals' agreed prices
    (``disclose_hospital_agreed_prices``); ``q`` searches product, code and manufacturer."""
    disclose = system_region_policy().disclose_hospital_agreed_prices
    rows = negotiation_public_results(include_hospital_prices=disclose)
    needle = q.strip().lower()
    if needle:
        rows = [
            r for r in rows if needle in f"{r.product} {r.code} {r.manufacturer} {r.title}".lower()
        ]
    return rows


# ---------------------------------------------------------------------------------------------
# Candidates [R-NEGOTIATION] (SZ 5.2.2: price spread, competition, spend)


@dataclass(frozen=True)
class NegotiationCandidate:
    listing_id: int
    code: str
    product: str
    manufacturer: str
    lowest: Decimal  # the lowest unit price a hospital of the region paid
    highest: Decimal
    hospitals: int
    spend: Decimal
    competitors: int  # listed manufacturers in the product's level-3 category

    @property
    def spread(self) -> Decimal:
        """Highest over lowest paid price."""
        return self.highest / self.lowest

    @property
    def spread_share(self) -> Decimal:
        return 1 - self.lowest / self.highest


def negotiation_candidates(*, actor: User, on: dt.date | None = None) -> list[NegotiationCandidate]:
    """[R-NEGOTIATION] listed products worth negotiating, most spend first: over the last 12
    months, the unit prices the region's hospitals paid (submitted orders onwards, each
    hospital's lowest) spread at least the region's ``negotiation_candidate_min_spread``
    (1 - lowest/highest), by at least two hospitals; at least
    ``negotiation_candidate_min_competitors`` manufacturers list a product of the same level-3
    category; and the spend reaches ``negotiation_candidate_min_spend_yuan``. Two queries."""
    permissions.require(actor, "negotiation.manage")
    org = actor.organization
    if org is None:
        return []
    policy = policy_for(org.region_code)
    day = on or clock.local_today()
    since = dt.datetime.combine(day - dt.timedelta(days=365), dt.time(), tzinfo=clock.SHANGHAI)
    paid = (
        OrderLine.objects.filter(
            order__hospital__region_code__startswith=org.jurisdiction,
            order__submitted_at__gte=since,
            order__status__in=PAID_ORDER_STATUSES,
            listing__status=ListingStatus.LISTED,
        )
        .values("listing_id", "order__hospital_id")
        .annotate(price=Min("unit_price"), spend=Sum("amount"))
    )
    by_listing: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for row in paid:
        by_listing.setdefault(row["listing_id"], []).append((row["price"], row["spend"]))
    listings = Listing.objects.filter(pk__in=list(by_listing)).select_related(
        "consumable", "manufacturer"
    )
    competition = dict(
        Listing.objects.filter(status=ListingStatus.LISTED)
        .values("consumable__category_l3")
        .annotate(n=Count("manufacturer", distinct=True))
        .values_list("consumable__category_l3", "n")
    )
    found = []
    for listing in listings:
        rows = by_listing[listing.pk]
        prices = [price for price, _spend in rows]
        candidate = NegotiationCandidate(
            listing_id=listing.pk,
            code=listing.consumable.code,
            product=listing.consumable.product_name,
            manufacturer=listing.manufacturer.name,
            lowest=min(prices),
            highest=max(prices),
            hospitals=len(rows),
            spend=sum((spend for _price, spend in rows), Decimal(0)),
            competitors=competition.get(listing.consumable.category_l3, 0),
        )
        if (
            candidate.hospitals >= 2
            and candidate.lowest > 0
            and candidate.spread_share >= policy.negotiation_candidate_min_spread
            and candidate.competitors >= policy.negotiation_candidate_min_competitors
            and candidate.spend >= policy.negotiation_candidate_min_spend_yuan
        ):
            found.append(candidate)
    return sorted(found, key=lambda c: (-c.spend, c.code))


# ---------------------------------------------------------------------------------------------
# The national lowest price (NJ 2.4)

LOWEST_PRICE_WINDOW_DAYS = 92  # a quarter of provincial observations


def national_lowest_prices_unscoped(
    *, consumable_ids: list[int], on: dt.date
) -> dict[int, Decimal]:
    """[R-NEGOTIATION] NJ 2.4: each product's national lowest price on ``on``: the lower of
    its confirmed reference price (the lowest price after publicity) and the lowest price a
    provincial platform showed over the quarter before (catalog price observations). Read by
    the quarterly task, for no organisation."""
    since = on - dt.timedelta(days=LOWEST_PRICE_WINDOW_DAYS)
    observed = dict(
        PriceObservation.objects.filter(
            consumable_id__in=consumable_ids, observed_on__gte=since, observed_on__lte=on
        )
        .values("consumable_id")
        .annotate(low=Min("price"))
        .values_list("consumable_id", "low")
    )
    confirmed = dict(
        ReferencePrice.objects.filter(
            consumable_id__in=consumable_ids, status=ReferencePriceStatus.CONFIRMED
        ).values_list("consumable_id", "price")
    )
    lowest: dict[int, Decimal] = {}
    for consumable_id in set(observed) | set(confirmed):
        prices = [p for p in (observed.get(consumable_id), confirmed.get(consumable_id)) if p]
        lowest[consumable_id] = min(prices)
    return lowest


def listings_above_national_lowest_unscoped(*, on: dt.date) -> list[tuple[Listing, Decimal]]:
    """Listed products priced above their national lowest price, with that price."""
    listings = list(
        Listing.objects.filter(status=ListingStatus.LISTED)
        .select_related("consumable", "manufacturer")
        .order_by("pk")
    )
    lowest = national_lowest_prices_unscoped(
        consumable_ids=[x.consumable_id for x in listings], on=on
    )
    return [
        (listing, lowest[listing.consumable_id])
        for listing in listings
        if listing.consumable_id in lowest and listing.price > lowest[listing.consumable_id]
    ]


# ---------------------------------------------------------------------------------------------
# Linked price cuts (NJ 2.3): other regions' winning prices, from a workbook

LINKED_COLUMNS = ("national code", "region", "winning price")
LINKED_MAX_ROWS = 5000


@dataclass(frozen=True)
class LinkedPrice:
    row: int
    code: str
    region: str
    price: Decimal


def linked_prices_from_xlsx(raw: IO[bytes]) -> list[LinkedPrice]:
    """[R-NEGOTIATION] NJ 2.3: the rows of a workbook of other regions' winning prices (first
    sheet: a header row, then national code in column A, the region that set the price in B,
    the winning price in C). Any malformed cell refuses the whole file with its row and
    column (NegotiationImportInvalidError): nothing is imported from it."""
    import openpyxl

    def refuse(row: int | str, column: str, problem: str) -> NegotiationImportInvalidError:
        return NegotiationImportInvalidError(row=row, column=column, problem=problem)

    try:
        workbook = openpyxl.load_workbook(raw, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise refuse("-", "-", _("not an XLSX file.")) from None
    found = []
    for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
        if number == 1 or row is None or all(cell in (None, "") for cell in row):
            continue
        if number > LINKED_MAX_ROWS:
            raise refuse(number, "-", _("more than %(count)s rows.") % {"count": LINKED_MAX_ROWS})
        cells = [*list(row), None, None, None]
        code, region, price = cells[0], cells[1], cells[2]
        if not isinstance(code, str) or not code.strip() or len(code.strip()) > 27:
            raise refuse(number, "A", _("a national code (up to 27 characters) is required."))
        if not isinstance(region, str) or not region.strip() or len(region.strip()) > 100:
            raise refuse(number, "B", _("the region that set the price is required."))
        if isinstance(price, bool) or not isinstance(price, int | float | Decimal | str):
            raise refuse(number, "C", _("a price such as 82.50 is required."))
        try:
            # Excel stores numbers as floats: their shortest repr is what the cell shows.
            amount = parse_amount(repr(price) if isinstance(price, float) else str(price).strip())
        except AmountInvalidError as error:
            raise refuse(number, "C", str(error.message)) from None
        if amount <= 0:
            raise refuse(number, "C", _("the price must be greater than zero."))
        found.append(
            LinkedPrice(row=number, code=code.strip(), region=region.strip(), price=amount)
        )
    if not found:
        raise refuse(2, "A", _("the workbook has no rows of prices."))
    return found


def linked_price_targets_unscoped(
    prices: list[LinkedPrice],
) -> list[tuple[Listing, Decimal, LinkedPrice]]:
    """The listed products whose national code an imported price names, priced above it (the
    lowest imported price per code), with that price."""
    lowest: dict[str, LinkedPrice] = {}
    for price in prices:
        if price.code not in lowest or price.price < lowest[price.code].price:
            lowest[price.code] = price
    listings = (
        Listing.objects.filter(status=ListingStatus.LISTED, consumable__code__in=list(lowest))
        .select_related("consumable", "manufacturer")
        .order_by("pk")
    )
    return [
        (listing, lowest[listing.consumable.code].price, lowest[listing.consumable.code])
        for listing in listings
        if listing.price > lowest[listing.consumable.code].price
    ]
