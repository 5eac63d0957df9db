"""Reads for delivery notes and the UDI checks that delivery, acceptance and usage share;
always actor-scoped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.barcodes import ScannedBarcode, parse_barcode
from catalog.models import Consumable, DeviceIdentifier
from core import clock, permissions
from core.actions import Actions, role_check, verdict
from core.errors import NotFoundError
from core.money import ZERO, quantize
from procurement.choices import DELIVERY_STATES, ORDER_STATES, DeliveryAction, OrderAction
from procurement.errors import (
    LotExpiredError,
    NothingToReturnError,
    ScanLotMismatchError,
    UdiProductMismatchError,
    UdiUnknownError,
)
from procurement.models import Delivery, DeliveryLine
from procurement.selectors.orders import order_party_check, require_organization


def deliveries_visible(actor: User) -> QuerySet:
    return Delivery.objects.visible_to(actor)


def _delivery_lines_prefetch() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=DeliveryLine.objects.select_related("order_line__consumable")
        .defer("order_line__consumable__search_terms")
        .order_by("pk"),
    )


def delivery_list(
    *,
    actor: User,
    order_id: int | None = None,
    status: Sequence[str] = (),
    returned: bool = False,
) -> QuerySet:
    """Delivery notes newest first, with order, carrier and lines: three queries a page.
    ``returned``: only the notes goods were returned from (a line with a return)."""
    permissions.require(actor, "order.view")
    qs = deliveries_visible(actor).select_related(
        "order", "order__hospital", "order__supplier", "carrier"
    )
    if order_id:
        qs = qs.filter(order_id=order_id)
    if status:
        qs = qs.filter(status__in=list(status))
    if returned:
        qs = qs.filter(
            Exists(DeliveryLine.objects.filter(delivery=OuterRef("pk"), returned_quantity__gt=0))
        )
    return qs.prefetch_related(_delivery_lines_prefetch()).order_by("-shipped_at", "-id")


def delivery_actions(*, actor: User, delivery: Delivery) -> Actions:
    """What the actor may do with the delivery note now (core.actions), with the refusal
    procurement.services.deliveries would give: the hospital accepts a shipped note; it
    returns goods from an accepted one while the order is confirmed and something accepted
    is neither returned nor invoiced (DeliveryLine.returnable_quantity). Needs the note's
    order and lines loaded (``delivery_list`` / ``delivery_get`` do); no query of its own."""
    order = delivery.order

    def something_to_return() -> None:
        if not any(line.returnable_quantity for line in delivery.lines.all()):
            raise NothingToReturnError()

    return Actions(
        [
            verdict(
                DeliveryAction.ACCEPT,
                role_check(actor, "delivery.accept"),
                lambda: require_organization(actor, order.hospital_id, action="delivery.accept"),
                lambda: DELIVERY_STATES.check(delivery, DeliveryAction.ACCEPT),
            ),
            verdict(
                DeliveryAction.RETURN,
                role_check(actor, "delivery.accept"),
                lambda: order_party_check(actor=actor, order=order, action=OrderAction.RETURN),
                lambda: ORDER_STATES.check(order, OrderAction.RETURN),
                lambda: DELIVERY_STATES.check(delivery, DeliveryAction.RETURN),
                something_to_return,
            ),
        ]
    )


@dataclass(frozen=True)
class DeliveryTotals:
    """A delivery note's totals: shipped and accepted, in units and in money (CNY)."""

    quantity: int
    amount: Decimal
    accepted_quantity: int
    accepted_amount: Decimal


def delivery_totals(lines: Sequence[DeliveryLine]) -> DeliveryTotals:
    """The totals of the given lines (already loaded), by the line arithmetic on
    DeliveryLine; money summed with core.money."""
    return DeliveryTotals(
        quantity=sum(line.quantity for line in lines),
        amount=quantize(sum((line.amount for line in lines), ZERO)),
        accepted_quantity=sum(line.accepted_quantity for line in lines),
        accepted_amount=quantize(sum((line.accepted_amount for line in lines), ZERO)),
    )


def delivery_get(*, actor: User, delivery_id: int) -> Delivery:
    delivery = (
        delivery_list(actor=actor).filter(pk=delivery_id).first()
        if permissions.can(actor, "order.view")
        else None
    )
    if delivery is None:
        raise NotFoundError()
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


def delivery_scan_match(*, actor: User, delivery_id: int, barcode: str) -> ScanMatch:
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
