"""Row locks for procurement: the only way a service fetches a row it is about to change.

Each helper scopes first (another organisation's row is a 404, as if missing), then locks with
``SELECT ... FOR UPDATE OF`` the row itself. Lock order, everywhere: the Order row first, then
its lines in pk order, then the delivery or invoice (and its lines in pk order); a listing
before its price change is applied; an agreed price before its listing; the hospital's
purchase plan row last (the cap check). Every service that touches an order's counters takes
the order lock first, so two services on the same order queue up instead of deadlocking.
Several rows are always locked in primary-key order.

The ``*_unscoped`` helpers serve the nightly tasks, which act for no organisation: they lock
with ``SKIP LOCKED`` so that two workers share a backlog instead of waiting on each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from accounts.models import Organization, User
from catalog.models import ReferencePriceCut
from core import permissions
from core.errors import NotFoundError
from procurement.choices import NegotiationOutcome, NegotiationStatus
from procurement.models import (
    AgreedPrice,
    AnnualPurchasePlan,
    CatalogueEntry,
    Delivery,
    DeliveryLine,
    EmergencyPurchase,
    EmergencyViolation,
    Invoice,
    Listing,
    ListingPriceChange,
    Negotiation,
    NegotiationItem,
    Order,
    OrderLine,
    PurchaseTotal,
    TenderDemand,
    TenderGroup,
    TenderRound,
)

# ---------------------------------------------------------------------------------------------
# Orders, delivery notes, invoices


def lock_order(*, actor: User, order_id: int, action: str) -> Order:
    """The order, locked FOR UPDATE, if the actor may see it (else 404) and do ``action``
    (else 403)."""
    locking = Order.objects.select_for_update(of=("self",))
    return permissions.access(actor, locking, action=action, pk=order_id)


def lock_order_lines(*, order: Order, ids: Iterable[int] | None = None) -> list[OrderLine]:
    """The order's lines (or those in ``ids``), locked in pk order, with listing and product;
    each line's ``order`` is the locked order (the line's rules read its status)."""
    qs = (
        OrderLine.objects.filter(order=order)
        .select_related("listing", "consumable")
        .defer("consumable__search_terms")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    lines = list(qs)
    for line in lines:
        line.order = order
    return lines


def lock_delivery(*, actor: User, delivery_id: int, action: str) -> Delivery:
    """Lock the delivery's order first, then the delivery (see the module's lock order)."""
    found = Delivery.objects.visible_to(actor).filter(pk=delivery_id)
    order_id = found.values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFoundError()
    order = lock_order(actor=actor, order_id=order_id, action=action)
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .filter(pk=delivery_id)
        .select_related("carrier")
    ).get()
    delivery.order = order
    return delivery


def lock_delivery_lines(*, delivery: Delivery) -> list[DeliveryLine]:
    """The note's lines, locked in pk order, with their order line and product (the caller
    holds the order and the note)."""
    return list(
        delivery.lines.select_related("order_line__consumable")
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def lock_delivery_line(
    *, actor: User, delivery_line_id: int, action: str
) -> tuple[Order, DeliveryLine]:
    """A delivery line the actor may see: its order locked first, then the line (with its
    note and order line)."""
    visible = Delivery.objects.visible_to(actor)
    order_id = (
        DeliveryLine.objects.filter(delivery__in=visible, pk=delivery_line_id)
        .values_list("delivery__order_id", flat=True)
        .first()
    )
    if order_id is None:
        raise NotFoundError()
    order = lock_order(actor=actor, order_id=order_id, action=action)
    line = (
        DeliveryLine.objects.select_for_update(of=("self",))
        .select_related("delivery", "order_line")
        .get(pk=delivery_line_id)
    )
    return order, line


def lock_invoice(*, actor: User, invoice_id: int, action: str) -> Invoice:
    """Lock the invoice's order first, then the invoice (see the module's lock order)."""
    found = Invoice.objects.visible_to(actor).filter(pk=invoice_id)
    order_id = found.values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFoundError()
    order = lock_order(actor=actor, order_id=order_id, action=action)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
    invoice.order = order
    return invoice


def lock_purchase_plan(*, hospital_id: int, year: int) -> AnnualPurchasePlan | None:
    """The hospital's plan row for ``year``, locked: the lock that serialises alternate-catalogue
    cap checks of one hospital and year (procurement.selectors.caps), taken by submissions and
    by changes of the plan alike. Most hospitals have no plan row (the cap's base defaults to
    last year's purchases), so the hospital's Organization row is locked first: that is the
    lock two submissions queue on whether or not a plan exists. None when no plan is set."""
    Organization.objects.select_for_update(of=("self",)).filter(pk=hospital_id).first()
    return (
        AnnualPurchasePlan.objects.select_for_update()
        .filter(hospital_id=hospital_id, year=year)
        .first()
    )


def lock_hospitals_unscoped(*, ids: Iterable[int] | None = None) -> list[int]:
    """The hospitals' Organization rows (the lock :func:`lock_purchase_plan` takes first),
    locked in pk order, for a repair of their purchase totals; None: every organisation that
    placed an order or holds a total. Returns the ids locked."""
    if ids is None:
        rows = Organization.objects.filter(
            Q(pk__in=Order.objects.values("hospital_id"))
            | Q(pk__in=PurchaseTotal.objects.values("hospital_id"))
        )
    else:
        rows = Organization.objects.filter(pk__in=list(ids))
    return list(rows.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))


def lock_purchase_plan_by_id(*, actor: User, plan_id: int) -> AnnualPurchasePlan:
    """A plan the actor may see, by id, locked (the bureau's decision); 404 otherwise. The
    hospital row first, as :func:`lock_purchase_plan` does."""
    found = AnnualPurchasePlan.objects.visible_to(actor).filter(pk=plan_id)
    hospital_id = found.values_list("hospital_id", flat=True).first()
    if hospital_id is None:
        raise NotFoundError()
    Organization.objects.select_for_update(of=("self",)).filter(pk=hospital_id).first()
    return (
        AnnualPurchasePlan.objects.select_for_update(of=("self",))
        .select_related("hospital")
        .get(pk=plan_id)
    )


# ---------------------------------------------------------------------------------------------
# Listings, price changes, agreed prices


def lock_listing(*, actor: User, listing_id: int) -> Listing:
    """The listing, locked, if the actor may see it (another organisation's: 404)."""
    listing = (
        Listing.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("consumable")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        raise NotFoundError()
    return listing


def lock_price_change(*, actor: User, price_change_id: int) -> ListingPriceChange:
    """A price change of a listing the actor may see, locked (then lock its listing)."""
    visible = Listing.objects.visible_to(actor).values("pk")
    change = (
        ListingPriceChange.objects.select_for_update(of=("self",))
        .filter(pk=price_change_id, listing__in=visible)
        .first()
    )
    if change is None:
        raise NotFoundError()
    return change


def lock_agreed_price(*, actor: User, agreed_price_id: int) -> AgreedPrice:
    """An agreed price the actor may see, locked, with its listing (not locked: lock it with
    ``lock_listing`` when the answer depends on it)."""
    agreed = (
        AgreedPrice.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("listing")
        .filter(pk=agreed_price_id)
        .first()
    )
    if agreed is None:
        raise NotFoundError()
    return agreed


# ---------------------------------------------------------------------------------------------
# The nightly tasks (no actor)


def lock_next_reference_cut_unscoped() -> ReferencePriceCut | None:
    """The oldest reference-price cut not yet processed, locked; one another worker holds is
    skipped. Every organisation's listings answer to a cut, hence unscoped."""
    return (
        ReferencePriceCut.objects.select_for_update(skip_locked=True)
        .filter(processed_at__isnull=True)
        .order_by("effective_at", "pk")
        .first()
    )


def lock_overdue_listings_unscoped(*, overdue: QuerySet) -> QuerySet:
    """The listings of ``overdue`` (the service states which are overdue), locked in pk order;
    those another worker holds are skipped."""
    return overdue.select_for_update(of=("self",), skip_locked=True).order_by("pk")


# ---------------------------------------------------------------------------------------------
# Volume-based procurement rounds: the round row first, then its groups, then demand rows.


def lock_round(*, actor: User, round_id: int, action: str) -> TenderRound:
    """The round, locked FOR UPDATE, if the actor may see it (else 404) and do ``action``."""
    locking = TenderRound.objects.select_for_update(of=("self",))
    return permissions.access(actor, locking, action=action, pk=round_id)


def lock_group(*, round: TenderRound, group_id: int) -> TenderGroup:
    """A group of the (already locked) round, locked; 404 when it belongs to another round."""
    group = (
        TenderGroup.objects.select_for_update(of=("self",)).filter(round=round, pk=group_id).first()
    )
    if group is None:
        raise NotFoundError()
    return group


def lock_demand(*, actor: User, demand_id: int, action: str) -> TenderDemand:
    locking = TenderDemand.objects.select_for_update(of=("self",)).select_related("round")
    return permissions.access(actor, locking, action=action, pk=demand_id)


def lock_hospital_demand(
    *, round: TenderRound, hospital: Organization, group_ids: list[int]
) -> dict[int, TenderDemand]:
    """The hospital's demand rows of these groups of the (already locked) round, locked in
    primary-key order, by group."""
    rows = (
        TenderDemand.objects.select_for_update(of=("self",))
        .filter(round=round, hospital=hospital, group_id__in=group_ids)
        .order_by("pk")
    )
    return {row.group_id: row for row in rows}


# ---------------------------------------------------------------------------------------------
# Awards, contracts and stepped targets: rows the caller reaches through a round or group it
# has already locked (lock_round, lock_group), or by an id it computed itself.

Locked = TypeVar("Locked", bound=QuerySet[Model])


def locked(queryset: Locked) -> Locked:
    """The queryset's rows FOR UPDATE of their own table only (never a joined one)."""
    return queryset.select_for_update(of=("self",))


# ---------------------------------------------------------------------------------------------
# Emergency purchases [R-EMERG-CAP]


def lock_emergency_hospital(*, hospital_id: int) -> None:
    """The hospital's Organization row, locked: two registrations of one hospital queue here,
    so they cannot both squeeze under the emergency cap (procurement.selectors.emergency)."""
    Organization.objects.select_for_update(of=("self",)).filter(pk=hospital_id).first()


def lock_emergency_purchase(*, actor: User, purchase_id: int) -> EmergencyPurchase:
    """A registration the actor may see, by id, locked (the bureau's decision); 404 otherwise.
    The hospital row first, as a registration takes it."""
    found = EmergencyPurchase.objects.visible_to(actor).filter(pk=purchase_id)
    hospital_id = found.values_list("hospital_id", flat=True).first()
    if hospital_id is None:
        raise NotFoundError()
    lock_emergency_hospital(hospital_id=hospital_id)
    return (
        EmergencyPurchase.objects.select_for_update(of=("self",))
        .select_related("hospital")
        .get(pk=purchase_id)
    )


def lock_emergency_violations(
    *, purchase: EmergencyPurchase, kind: str
) -> list[EmergencyViolation]:
    """The purchase's standing violations of ``kind``, locked in pk order (after the purchase)."""
    return list(
        EmergencyViolation.objects.filter(purchase=purchase, kind=kind, lifted_at__isnull=True)
        .select_for_update(of=("self",))
        .order_by("pk")
    )


# ---------------------------------------------------------------------------------------------
# Negotiations [R-NEGOTIATION]: the negotiation row first, then its products in pk order.


def lock_negotiation(*, actor: User, negotiation_id: int) -> Negotiation:
    """A negotiation the actor may see, locked (another region's, or one a supplier is not
    invited to: 404)."""
    found = (
        Negotiation.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk=negotiation_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found


def lock_negotiation_items(
    *, negotiation: Negotiation, item_ids: Iterable[int] | None = None
) -> list[NegotiationItem]:
    """The negotiation's products (all, or ``item_ids`` of them), locked in pk order; call
    after :func:`lock_negotiation`."""
    qs = NegotiationItem.objects.filter(negotiation=negotiation)
    if item_ids is not None:
        qs = qs.filter(pk__in=list(item_ids))
    return list(
        qs.select_for_update(of=("self",))
        .select_related("listing__consumable", "listing__manufacturer")
        .order_by("pk")
    )


def lock_negotiations_to_apply_unscoped(*, today: dt.date) -> list[Negotiation]:
    """Concluded negotiations whose listed prices fall due (the daily task), skipping those
    another worker holds."""
    return list(
        Negotiation.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            status=NegotiationStatus.CONCLUDED,
            outcome=NegotiationOutcome.LISTED_PRICE,
            applied_at__isnull=True,
            effective_on__lte=today,
        )
        .order_by("pk")
    )


# The hospital's own catalogue [R-HOSP-CATALOGUE]


def lock_catalogue_entry(*, actor: User, entry_id: int) -> CatalogueEntry:
    """A catalogue entry the actor may see, locked (a stop or resumption); 404 otherwise."""
    entry = (
        CatalogueEntry.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("consumable")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFoundError(catalogue_entry=entry_id)
    return entry
