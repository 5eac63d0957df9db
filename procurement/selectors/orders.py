"""Reads for orders, deliveries, invoices and usage records; always actor-scoped.

List selectors return querysets whose query count does not grow with the page: related rows
come through ``select_related`` / ``prefetch_related``, never per row (pinned by tests with
``django_assert_num_queries``). The ``lock_*`` helpers are the only way services fetch a row
they are about to change: scope first (another organisation's row is a 404), then the lock.

Lock order, everywhere: the Order row first, then its lines in pk order, then the delivery or
invoice. Every service that touches an order's counters takes the order lock first, so two
services on the same order queue up instead of deadlocking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from catalog.barcodes import ScannedBarcode, parse_barcode
from catalog.models import Consumable, DeviceIdentifier
from core import clock, permissions
from core.errors import NotFoundError, PermissionDeniedError, ValidationError
from core.money import ZERO, quantize
from procurement.choices import Catalogue, ListingStatus, OrderStatus, PurchaseLabel
from procurement.errors import (
    ListingForbiddenError,
    ListingNotOrderableError,
    LotExpiredError,
    OrderEmptyError,
    OrderLineDuplicateError,
    QuantityInvalidError,
    RestrictedReasonRequiredError,
    ScanLotMismatchError,
    UdiProductMismatchError,
    UdiUnknownError,
)
from procurement.models import (
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    Listing,
    ListingDistributor,
    Order,
    OrderLine,
    UsageRecord,
)
from procurement.services import caps, pricing

# A sanity bound: far above any real order line, far below the integer column's limit, so a
# typo such as 10000000000 is refused with a clear code instead of a database error.
MAX_QUANTITY = 1_000_000


# ---------------------------------------------------------------------------------------------
# Scope and locks


def _is_supplier_side(actor) -> bool:
    org = getattr(actor, "organization", None)
    return org is not None and org.is_supplier


def orders_visible(actor, queryset: QuerySet | None = None) -> QuerySet:
    """Orders the actor may see. A hospital's drafts are its own business: the supplier (and
    its distributor) see an order once it has been submitted."""
    qs = (queryset if queryset is not None else Order.objects.all()).visible_to(actor)
    if _is_supplier_side(actor):
        qs = qs.filter(submitted_at__isnull=False)
    return qs


class _Scoped:
    """Lets permissions.access apply ``orders_visible`` to a locking queryset."""

    def __init__(self, queryset: QuerySet) -> None:
        self._queryset = queryset

    def visible_to(self, actor) -> QuerySet:
        return orders_visible(actor, self._queryset)


def lock_order(*, actor, order_id: int, action: str) -> Order:
    """The order, locked FOR UPDATE, if the actor may see it (else 404) and do ``action``
    (else 403)."""
    locking = Order.objects.select_for_update(of=("self",))
    return permissions.access(actor, _Scoped(locking), action=action, pk=order_id)


def lock_order_lines(*, order: Order, ids: Iterable[int] | None = None) -> list[OrderLine]:
    """The order's lines (or those in ``ids``), locked in pk order, with listing and product."""
    qs = (
        OrderLine.objects.filter(order=order)
        .select_related("listing", "consumable")
        .defer("consumable__search_terms")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs)


def require_organization(actor, organization_id: int | None, *, action: str) -> None:
    """The actor sees the row (same order) but acts for another party of it: e.g. the
    distributor trying to answer for the manufacturer. Visible, so 403 rather than 404."""
    if actor.organization_id != organization_id:
        raise PermissionDeniedError(action=action)


# ---------------------------------------------------------------------------------------------
# Orders


def _order_lines_prefetch() -> list[Prefetch]:
    """Lines, then their products in a second query: a page of 250 lines names a handful of
    distinct products, so each is built once instead of once per line (a join would build
    one per row). The search bigrams are the largest column and no order page shows them."""
    return [
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch("lines__consumable", queryset=Consumable.objects.defer("search_terms")),
    ]


def order_list(
    *,
    actor,
    status: Sequence[str] = (),
    supplier_id: int | None = None,
    hospital_id: int | None = None,
    number: str = "",
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    with_lines: bool = True,
) -> QuerySet:
    """Orders newest first, each with its parties and (by default) its lines and products:
    four queries per page (count, orders, lines, products) whatever the page size."""
    permissions.require(actor, "order.view")
    qs = orders_visible(actor).select_related("hospital", "supplier", "distributor")
    if status:
        qs = qs.filter(status__in=list(status))
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    if number:
        qs = qs.filter(number__icontains=number.strip())
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    if with_lines:
        qs = qs.prefetch_related(*_order_lines_prefetch())
    return qs.order_by("-created_at", "-id")


def order_get(*, actor, order_id: int) -> Order:
    """One order with its parties and lines (404 outside the actor's scope)."""
    qs = orders_visible(actor).select_related("hospital", "supplier", "distributor", "created_by")
    order = qs.prefetch_related(*_order_lines_prefetch()).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError()
    permissions.require(actor, "order.view")
    return order


def order_keys(*, actor, order_id: int) -> QuerySet:
    """The order as a one-row ``(id, created_at)`` query, empty unless the actor may see it:
    what the API builds the order's document from (procurement.api.order_documents)."""
    permissions.require(actor, "order.view")
    return orders_visible(actor).filter(pk=order_id).values("id", "created_at")


def order_status_counts(*, actor) -> dict[str, int]:
    """How many orders the actor sees in each status: the counts on the status filter tabs."""
    permissions.require(actor, "order.view")
    rows = orders_visible(actor).order_by().values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(OrderStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


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


def parse_quantity(value: Any, *, line: int | str) -> int:
    """A whole number above zero. JSON integers and digit strings ("3") are accepted; 0, -1,
    1.5, "1.5", "x", true and null are not."""
    if isinstance(value, bool):
        raise QuantityInvalidError(line=line, value=value)
    if isinstance(value, int):
        quantity = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        quantity = int(value.strip())
    else:
        raise QuantityInvalidError(line=line, value=value)
    if not 0 < quantity <= MAX_QUANTITY:
        raise QuantityInvalidError(line=line, value=value)
    return quantity


def _parse_id(value: Any, *, line: int, name: str) -> int:
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


def order_lines_prepare(
    *,
    actor,
    lines: Sequence[Mapping[str, Any]],
    on: dt.date | None = None,
    for_display: bool = False,
) -> list[PreparedLine]:
    """Validate and price order lines as given by a cart or an HIS, writing nothing.

    Each line is ``{"listing": id, "quantity": n, "restricted_reason": ""}``. The unit price
    comes from procurement.services.pricing (listed or lower agreed price), never from the
    caller. A listing the hospital cannot see (draft, under review) is 404, as if missing.
    """
    hospital = actor.organization
    if not lines:
        raise OrderEmptyError()
    wanted: list[tuple[int, int, int, str]] = []
    seen: set[int] = set()
    for index, raw in enumerate(lines, start=1):
        listing_id = _parse_id(raw.get("listing"), line=index, name="listing")
        if listing_id in seen:
            raise OrderLineDuplicateError(line=index, what=_("listing"), id=listing_id)
        seen.add(listing_id)
        quantity = parse_quantity(raw.get("quantity"), line=index)
        reason = str(raw.get("restricted_reason") or "").strip()[:500]
        wanted.append((index, listing_id, quantity, reason))
    if for_display:  # a quote shows each line's product and manufacturer
        fetched = Listing.objects.select_related("consumable", "manufacturer").defer(
            "consumable__search_terms"  # the search bigrams: large, and unused here
        )
    else:  # an order snapshots these; the product is read only to name it in an error
        fetched = Listing.objects.only(*_SNAPSHOT_FIELDS)
    fetched = fetched.filter(pk__in=seen)
    on = on or clock.local_today()
    listings = {
        listing.pk: listing
        for listing in pricing.with_agreed_price(fetched, hospital_id=hospital.pk, on=on)
    }
    shown = (ListingStatus.LISTED, ListingStatus.SUSPENDED, ListingStatus.DELISTED)
    for index, listing_id, _quantity, reason in wanted:
        listing = listings.get(listing_id)
        if listing is None or listing.status not in shown:
            raise NotFoundError(listing=listing_id, line=index)
        check_listing_orderable(listing, line=index, restricted_reason=reason)
    return [
        PreparedLine(
            index=index,
            listing=listings[listing_id],
            quantity=quantity,
            unit_price=pricing.lowest_price(listings[listing_id]),
            restricted_reason=reason,
        )
        for index, listing_id, quantity, reason in wanted
    ]


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
    groups: list[QuoteGroup]
    alternate_amount: Decimal
    cap: caps.CapStatus

    @property
    def total(self) -> Decimal:
        return sum((group.total for group in self.groups), ZERO)

    @property
    def over_cap(self) -> bool:
        """[R-LIST-ALT-CAP] would submitting all of it pass the cap (or is no plan set)?"""
        if self.alternate_amount <= 0:
            return False
        return self.cap.cap is None or self.cap.used + self.alternate_amount > self.cap.cap


def order_quote(*, actor, lines: Sequence[Mapping[str, Any]]) -> OrderQuote:
    """What the cart would become: priced lines, one group per supplier (one order each), and
    the alternate-catalogue cap with this cart's alternate amount. Writes nothing."""
    permissions.require(actor, "order.place")
    if actor.organization is None or not actor.organization.is_hospital:
        raise PermissionDeniedError(action="order.place")
    prepared = order_lines_prepare(actor=actor, lines=lines, for_display=True)
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
        groups=[groups[key] for key in sorted(groups)], alternate_amount=alternate, cap=cap
    )


# ---------------------------------------------------------------------------------------------
# Deliveries


def deliveries_visible(actor) -> QuerySet:
    return Delivery.objects.visible_to(actor)


def _delivery_lines_prefetch() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=DeliveryLine.objects.select_related("order_line__consumable")
        .defer("order_line__consumable__search_terms")
        .order_by("pk"),
    )


def delivery_list(*, actor, order_id: int | None = None, status: Sequence[str] = ()) -> QuerySet:
    """Delivery notes newest first, with order, carrier and lines: three queries a page."""
    permissions.require(actor, "order.view")
    qs = deliveries_visible(actor).select_related(
        "order", "order__hospital", "order__supplier", "carrier"
    )
    if order_id:
        qs = qs.filter(order_id=order_id)
    if status:
        qs = qs.filter(status__in=list(status))
    return qs.prefetch_related(_delivery_lines_prefetch()).order_by("-shipped_at", "-id")


def delivery_get(*, actor, delivery_id: int) -> Delivery:
    delivery = (
        delivery_list(actor=actor).filter(pk=delivery_id).first()
        if permissions.can(actor, "order.view")
        else None
    )
    if delivery is None:
        raise NotFoundError()
    return delivery


def lock_delivery(*, actor, delivery_id: int, action: str) -> Delivery:
    """Lock the delivery's order first, then the delivery (see the module's lock order)."""
    found = deliveries_visible(actor).filter(pk=delivery_id).values_list("order_id", flat=True)
    order_id = found.first()
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


# --- UDI checks shared by delivery, acceptance and usage


def normalise_di(di: str) -> str:
    """GS1 DIs are stored as GTIN-14: pad an 8, 12 or 13 digit GTIN with leading zeros."""
    di = (di or "").strip()
    if di.isascii() and di.isdigit() and len(di) in (8, 12, 13):
        return di.zfill(14)
    return di


def consumable_for_di(di: str) -> Consumable | None:
    """The product a UDI-DI identifies: its crosswalk row's consumable, else the product whose
    national code the NMPA UDI database claims for it (ybbm); None when unknown."""
    device = DeviceIdentifier.objects.select_related("consumable").filter(di=di).first()
    if device is None:
        return None
    if device.consumable is not None:
        return device.consumable
    if device.nhsa_code:
        return Consumable.objects.filter(code=device.nhsa_code).first()
    return None


def check_di_matches(di: str, consumable: Consumable) -> None:
    """Refuse a DI that is unknown or belongs to another product (wrong goods)."""
    found = consumable_for_di(di)
    if found is None:
        raise UdiUnknownError(di=di)
    if found.pk != consumable.pk:
        raise UdiProductMismatchError(
            di=di, scanned=str(found), expected=str(consumable), expected_code=consumable.code
        )


def check_not_expired(
    *, expiry_date: dt.date | None, lot: str, consumable: Consumable, today: dt.date | None = None
) -> None:
    """An expired lot (expiry before today, Asia/Shanghai) is refused; the expiry day itself
    is still usable."""
    if expiry_date is not None and expiry_date < (today or clock.local_today()):
        raise LotExpiredError(product=str(consumable), lot=lot or "-", expiry_date=expiry_date)


@dataclass(frozen=True)
class ScanMatch:
    line: DeliveryLine
    barcode: ScannedBarcode


def check_scan_against_line(barcode: ScannedBarcode, line: DeliveryLine) -> None:
    """A scan at acceptance must be the delivered product, not expired, and of the declared
    lot (and serial, when both name one)."""
    consumable = line.order_line.consumable
    check_di_matches(normalise_di(barcode.di), consumable)
    check_not_expired(expiry_date=barcode.expiry_date, lot=barcode.lot or "", consumable=consumable)
    if line.lot and barcode.lot and barcode.lot != line.lot:
        raise ScanLotMismatchError(field=_("lot"), scanned=barcode.lot, declared=line.lot)
    if line.serial and barcode.serial and barcode.serial != line.serial:
        raise ScanLotMismatchError(field=_("serial"), scanned=barcode.serial, declared=line.serial)


def delivery_scan_match(*, actor, delivery_id: int, barcode: str) -> ScanMatch:
    """For the acceptance scan box: which line of the delivery note a scanned barcode is, or
    why it is refused (unknown or other product, expired lot, another lot than declared)."""
    delivery = delivery_get(actor=actor, delivery_id=delivery_id)
    permissions.require(actor, "delivery.accept")
    scanned = parse_barcode(barcode)
    di = normalise_di(scanned.di)
    product = consumable_for_di(di)
    if product is None:
        raise UdiUnknownError(di=di)
    lines = list(delivery.lines.all())
    candidates = [line for line in lines if line.order_line.consumable_id == product.pk]
    if not candidates:
        expected = ", ".join(sorted({str(line.order_line.consumable) for line in lines}))
        raise UdiProductMismatchError(di=di, scanned=str(product), expected=expected)
    same_lot = [line for line in candidates if line.lot and line.lot == scanned.lot]
    line = (same_lot or candidates)[0]
    check_scan_against_line(scanned, line)
    return ScanMatch(line=line, barcode=scanned)


# ---------------------------------------------------------------------------------------------
# Invoices


def invoices_visible(actor) -> QuerySet:
    return Invoice.objects.visible_to(actor)


def invoice_list(*, actor, order_id: int | None = None, status: Sequence[str] = ()) -> QuerySet:
    """Invoices newest first, with order, parties and lines: three queries a page."""
    permissions.require(actor, "order.view")
    qs = invoices_visible(actor).select_related("order", "hospital", "issuer")
    if order_id:
        qs = qs.filter(order_id=order_id)
    if status:
        qs = qs.filter(status__in=list(status))
    lines = (
        InvoiceLine.objects.select_related("order_line__consumable")
        .defer("order_line__consumable__search_terms")
        .order_by("pk")
    )
    return qs.prefetch_related(Prefetch("lines", queryset=lines)).order_by("-registered_at", "-id")


def invoice_get(*, actor, invoice_id: int) -> Invoice:
    invoice = (
        invoice_list(actor=actor).filter(pk=invoice_id).first()
        if permissions.can(actor, "order.view")
        else None
    )
    if invoice is None:
        raise NotFoundError()
    return invoice


def lock_invoice(*, actor, invoice_id: int, action: str) -> Invoice:
    """Lock the invoice's order first, then the invoice (see the module's lock order)."""
    order_id = invoices_visible(actor).filter(pk=invoice_id).values_list("order_id", flat=True)
    order_id = order_id.first()
    if order_id is None:
        raise NotFoundError()
    order = lock_order(actor=actor, order_id=order_id, action=action)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
    invoice.order = order
    return invoice


# ---------------------------------------------------------------------------------------------
# Usage


def usage_list(
    *,
    actor,
    doctor_code: str = "",
    department: str = "",
    operation_id: str = "",
    consumable_id: int | None = None,
    used_from: dt.date | None = None,
    used_to: dt.date | None = None,
) -> QuerySet:
    """Usage records newest first, with product and brand: two queries a page."""
    permissions.require(actor, "usage.view")
    qs = UsageRecord.objects.visible_to(actor).select_related(
        "hospital", "consumable", "manufacturer"
    )
    filters = Q()
    if doctor_code:
        filters &= Q(doctor_code=doctor_code)
    if department:
        filters &= Q(department=department)
    if operation_id:
        filters &= Q(operation_id=operation_id)
    if consumable_id:
        filters &= Q(consumable_id=consumable_id)
    if used_from:
        filters &= Q(used_at__date__gte=used_from)
    if used_to:
        filters &= Q(used_at__date__lte=used_to)
    return qs.filter(filters).order_by("-used_at", "-id")


def authorised_listing_ids(
    *, distributor_id: int, listing_ids: Iterable[int], region_code: str
) -> set[int]:
    """[R-ORDER-DELIVERY] [R-TWO-INVOICE] the listings ``distributor_id`` is authorised for in
    ``region_code``: an authorisation for a province (320000) or city (320100) covers every
    district below it, so the candidates are the region's three levels, matched exactly."""
    prefixes = {region_code[:2] + "0000", region_code[:4] + "00", region_code}
    return set(
        ListingDistributor.objects.filter(
            distributor_id=distributor_id,
            listing_id__in=list(listing_ids),
            region_code__in=prefixes,
        ).values_list("listing_id", flat=True)
    )
