"""Delivery notes (配送单), acceptance at the hospital, and returns.

[R-ORDER-DELIVERY] the manufacturer delivers, or the distributor it named on the order, which
must be authorised (ListingDistributor) for each line's listing in the hospital's region.
[R-TRACE] each delivered line carries the UDI: the DI is checked against the ordered product
and the production identifiers (lot, serial, dates) are kept for tracing to the operation.

Partial deliveries are allowed; a line can never be delivered beyond its confirmed quantity.
Acceptance answers every line of a note at once (accepted + refused = delivered); a scan of
another product or of an expired lot refuses the whole request with its reason and changes
nothing, so the hospital then refuses that line explicitly, with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.barcodes import parse_barcode
from core import clock
from core.errors import DomainError, LinesRefusedError, ValidationError
from core.restrictions import DELIVERY, restriction_check
from core.transitions import refusal
from procurement.choices import (
    DELIVERY_STATES,
    ORDER_STATES,
    DeliveryAction,
    DeliveryStatus,
    EventType,
    LineStatus,
    OrderAction,
)
from procurement.errors import (
    AcceptanceIncompleteError,
    DeliveryQuantityExceededError,
    DistributorNotAuthorisedError,
    OrderEmptyError,
    OrderLineDuplicateError,
    OrderLineUnknownError,
    ReturnQuantityExceededError,
    UdiMissingError,
)
from procurement.locks import (
    lock_delivery,
    lock_delivery_line,
    lock_delivery_lines,
    lock_order,
    lock_order_lines,
)
from procurement.models import Delivery, DeliveryLine, OrderLine, ReturnRecord
from procurement.selectors.deliveries import (
    check_di_matches,
    check_not_expired,
    check_scan_against_line,
    normalise_di,
)
from procurement.selectors.listings import authorised_listing_ids
from procurement.selectors.orders import order_party_check, parse_quantity, require_organization
from procurement.services.events import event_record
from procurement.services.numbering import DELIVERY_PREFIX, next_number
from procurement.services.orders import order_complete_if_done, require_reason

UDI_FIELDS = ("udi_di", "lot", "serial", "production_date", "expiry_date")
MAX_LENGTHS = {"udi_di": 60, "lot": 40, "serial": 60, "barcode": 500}


@dataclass(frozen=True)
class Udi:
    di: str
    lot: str
    serial: str
    production_date: dt.date | None
    expiry_date: dt.date | None
    barcode: str


def _date_or_none(value: object, *, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        raise ValidationError(fields={field: [_("Give a date, not a time.")]})
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(fields={field: [_("Give the date as YYYY-MM-DD.")]}) from None


def udi_from_input(raw: Mapping[str, Any], *, line: int, prefix: str = "lines") -> Udi:
    """The UDI of an input line: parsed from ``barcode`` (GS1, MA or AHM, via
    catalog.barcodes) or taken from the separate fields, never both. Field errors name
    ``<prefix>[<line>].<field>``."""
    barcode = str(raw.get("barcode") or "").strip()
    given = [name for name in UDI_FIELDS if raw.get(name) not in (None, "")]
    if barcode and given:
        raise ValidationError(
            fields={
                f"{prefix}[{line}].barcode": [
                    _("Send either the scanned barcode or the UDI fields, not both.")
                ]
            }
        )
    if barcode:
        parsed = parse_barcode(barcode)
        udi = Udi(
            di=normalise_di(parsed.di),
            lot=parsed.lot or "",
            serial=parsed.serial or "",
            production_date=parsed.production_date,
            expiry_date=parsed.expiry_date,
            barcode=barcode,
        )
    else:
        udi = Udi(
            di=normalise_di(str(raw.get("udi_di") or "")),
            lot=str(raw.get("lot") or "").strip(),
            serial=str(raw.get("serial") or "").strip(),
            production_date=_date_or_none(
                raw.get("production_date"), field=f"{prefix}[{line}].production_date"
            ),
            expiry_date=_date_or_none(
                raw.get("expiry_date"), field=f"{prefix}[{line}].expiry_date"
            ),
            barcode="",
        )
        if udi.production_date and udi.expiry_date and udi.expiry_date < udi.production_date:
            raise ValidationError(
                fields={f"{prefix}[{line}].expiry_date": [_("The expiry is before production.")]}
            )
    for name, limit in MAX_LENGTHS.items():
        value = udi.di if name == "udi_di" else getattr(udi, name)
        if len(value) > limit:
            raise ValidationError(
                fields={f"{prefix}[{line}].{name}": [_("At most %(n)s characters.") % {"n": limit}]}
            )
    return udi


def parse_count(value: object, *, line: int | str) -> int:
    """A whole number, zero allowed (an acceptance answer of "none accepted")."""
    if (type(value) is int and value == 0) or (isinstance(value, str) and value.strip() == "0"):
        return 0
    return parse_quantity(value, line=line)


# ---------------------------------------------------------------------------------------------
# Delivery notes


def _delivery_line_check(
    raw: Mapping[str, Any], *, order_line: OrderLine, line: int
) -> tuple[int, Udi]:
    """A delivery line's quantity and UDI, checked against the ordered product: present,
    traceable [R-TRACE], the right product, not expired."""
    product = str(order_line.consumable)
    quantity = parse_quantity(raw.get("quantity"), line=line)
    udi = udi_from_input(raw, line=line)
    if not udi.di:
        raise UdiMissingError(product=product, missing="UDI-DI", line=line)
    if order_line.consumable.is_high_value and not (udi.lot or udi.serial):
        # [R-TRACE] high-value consumables are traced by lot or serial to the patient.
        raise UdiMissingError(product=product, missing=_("lot or serial"), line=line)
    check_di_matches(udi.di, order_line.consumable)
    check_not_expired(expiry_date=udi.expiry_date, lot=udi.lot, consumable=order_line.consumable)
    return quantity, udi


@transaction.atomic
def delivery_create(*, actor: User, order_id: int, lines: Sequence[Mapping[str, Any]]) -> Delivery:
    """Ship (part of) a confirmed order: lines ``{"order_line", "quantity", "barcode"}`` or
    with the UDI fields instead of ``barcode``. The carrier is the actor's organisation: the
    order's manufacturer, or the distributor named on the order, authorised for each line's
    listing in the hospital's region [R-ORDER-DELIVERY]."""
    order = lock_order(actor=actor, order_id=order_id, action="delivery.create")
    order_party_check(actor=actor, order=order, action=OrderAction.DELIVER)
    # order_party_check: the actor's organisation is the order's carrier.
    carrier_id = cast(int, actor.organization_id)
    ORDER_STATES.check(order, OrderAction.DELIVER)
    # [R-CREDIT] a carrier whose delivery right is suspended ships nothing while it stands.
    restriction_check(DELIVERY, organization_id=carrier_id)
    if not lines:
        raise OrderEmptyError()
    # Looked up by the ids as the client sent them.
    order_lines: dict[Any, OrderLine] = {line.pk: line for line in lock_order_lines(order=order)}
    by_distributor = carrier_id != order.supplier_id
    authorised = (
        authorised_listing_ids(
            distributor_id=carrier_id,
            listing_ids={line.listing_id for line in order_lines.values()},
            region_code=order.hospital.region_code,
        )
        if by_distributor
        else set()
    )
    prepared: list[tuple[OrderLine, int, Udi]] = []
    totals: dict[int, int] = defaultdict(int)
    line_errors: dict[int, DomainError] = {}
    for index, raw in enumerate(lines, start=1):
        order_line = order_lines.get(raw.get("order_line"))
        if order_line is None:
            raise OrderLineUnknownError(
                line=index, what=_("order line"), id=raw.get("order_line"), parent=order
            )
        product = str(order_line.consumable)
        if order_line.status != LineStatus.CONFIRMED:
            raise refusal(
                order_line, object="order_line", action=OrderAction.DELIVER, label=product
            )
        if by_distributor and order_line.listing_id not in authorised:
            raise DistributorNotAuthorisedError(
                distributor=str(actor.organization),
                product=product,
                region=order.hospital.region_code,
            )
        try:
            quantity, udi = _delivery_line_check(raw, order_line=order_line, line=index)
        except DomainError as error:
            if error.http_status != LinesRefusedError.http_status:
                raise
            line_errors[index] = error  # every wrong line is reported, not just the first
            continue
        totals[order_line.pk] += quantity
        prepared.append((order_line, quantity, udi))
    if line_errors:
        raise LinesRefusedError.of(line_errors)
    for line_id, quantity in totals.items():
        order_line = order_lines[line_id]
        outstanding = order_line.undelivered_quantity
        if quantity > outstanding:
            raise DeliveryQuantityExceededError(
                product=str(order_line.consumable),
                requested=quantity,
                outstanding=outstanding,
                confirmed=order_line.quantity,
                order_line=line_id,
            )
    pk, number = next_number(Delivery, DELIVERY_PREFIX)
    delivery = Delivery.objects.create(
        pk=pk, number=number, order=order, carrier_id=carrier_id, created_by=actor
    )
    DeliveryLine.objects.bulk_create(
        [
            DeliveryLine(
                delivery=delivery,
                order_line=order_line,
                quantity=quantity,
                udi_di=udi.di,
                lot=udi.lot,
                serial=udi.serial,
                production_date=udi.production_date,
                expiry_date=udi.expiry_date,
                barcode=udi.barcode,
            )
            for order_line, quantity, udi in prepared
        ]
    )
    for line_id, quantity in sorted(totals.items()):
        OrderLine.objects.filter(pk=line_id).update(
            delivered_quantity=F("delivered_quantity") + quantity
        )
    event_record(
        type=EventType.DELIVERY_SHIPPED,
        order=order,
        entity="delivery",
        entity_id=delivery.pk,
        payload={
            "number": delivery.number,
            "order_number": order.number,
            "carrier": carrier_id,
            "lines": [
                {"order_line": line.pk, "quantity": quantity, "lot": udi.lot, "serial": udi.serial}
                for line, quantity, udi in prepared
            ],
        },
    )
    return delivery


# ---------------------------------------------------------------------------------------------
# Acceptance


@transaction.atomic
def delivery_accept(
    *, actor: User, delivery_id: int, lines: Sequence[Mapping[str, Any]]
) -> Delivery:
    """The hospital answers every line of a delivery note: ``{"delivery_line",
    "accepted_quantity", "refused_quantity", "reason", "barcodes": [...]}``.

    Accepted goods must not be expired (the declared expiry, and that of every scan), and every
    scan must be the delivered product and lot; otherwise the request is refused with the
    reason and nothing changes. Refused quantities need a reason. OrderLine counters move with
    F() under the order lock."""
    delivery = lock_delivery(actor=actor, delivery_id=delivery_id, action="delivery.accept")
    order = delivery.order
    require_organization(actor, order.hospital_id, action="delivery.accept")
    DELIVERY_STATES.check(delivery, DeliveryAction.ACCEPT)
    # Looked up by the ids as the client sent them.
    delivery_lines: dict[Any, DeliveryLine] = {
        line.pk: line for line in lock_delivery_lines(delivery=delivery)
    }
    answers: dict[Any, tuple[int, int, str]] = {}
    today = clock.local_today()
    for index, raw in enumerate(lines, start=1):
        line_id = raw.get("delivery_line")
        line = delivery_lines.get(line_id)
        if line is None:
            raise OrderLineUnknownError(
                line=index, what=_("delivery line"), id=line_id, parent=delivery
            )
        if line_id in answers:
            raise OrderLineDuplicateError(line=index, what=_("delivery line"), id=line_id)
        accepted = parse_count(raw.get("accepted_quantity"), line=index)
        refused = parse_count(raw.get("refused_quantity", 0), line=index)
        if accepted + refused != line.quantity:
            raise AcceptanceIncompleteError(
                line=index, accepted=accepted, refused=refused, delivered=line.quantity
            )
        reason = require_reason(raw.get("reason")) if refused else ""
        if accepted:
            consumable = line.order_line.consumable
            check_not_expired(
                expiry_date=line.expiry_date, lot=line.lot, consumable=consumable, today=today
            )
            barcodes = raw.get("barcodes") or []
            if isinstance(barcodes, str):
                barcodes = [barcodes]
            for barcode in barcodes:
                check_scan_against_line(parse_barcode(str(barcode)), line)
        answers[line_id] = (accepted, refused, reason)
    missing = [line for line_id, line in delivery_lines.items() if line_id not in answers]
    if missing:
        raise AcceptanceIncompleteError(
            line=missing[0].pk, accepted=0, refused=0, delivered=missing[0].quantity
        )
    per_order_line: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line_id, (accepted, refused, reason) in sorted(answers.items()):
        line = delivery_lines[line_id]
        line.accepted_quantity, line.refused_quantity, line.refusal_reason = (
            accepted,
            refused,
            reason,
        )
        line.save(update_fields=["accepted_quantity", "refused_quantity", "refusal_reason"])
        per_order_line[line.order_line_id][0] += accepted
        per_order_line[line.order_line_id][1] += refused
    for order_line_id, (accepted, refused) in sorted(per_order_line.items()):
        OrderLine.objects.filter(pk=order_line_id).update(
            accepted_quantity=F("accepted_quantity") + accepted,
            refused_quantity=F("refused_quantity") + refused,
        )
    accepted_total = sum(a for a, _r, _reason in answers.values())
    refused_total = sum(r for _a, r, _reason in answers.values())
    if not refused_total:
        target = DeliveryStatus.ACCEPTED
    elif not accepted_total:
        target = DeliveryStatus.REFUSED
    else:
        target = DeliveryStatus.PARTIALLY_ACCEPTED
    DELIVERY_STATES.check(delivery, DeliveryAction.ACCEPT, target=target)
    delivery.status = target
    delivery.accepted_at = clock.now()
    delivery.accepted_by = actor
    delivery.save(update_fields=["status", "accepted_at", "accepted_by"])
    event_record(
        type=EventType.DELIVERY_ACCEPTED,
        order=order,
        entity="delivery",
        entity_id=delivery.pk,
        payload={
            "number": delivery.number,
            "order_number": order.number,
            "status": delivery.status,
            "lines": [
                {
                    "delivery_line": line_id,
                    "order_line": delivery_lines[line_id].order_line_id,
                    "accepted": accepted,
                    "refused": refused,
                    "reason": reason,
                }
                for line_id, (accepted, refused, reason) in sorted(answers.items())
            ],
        },
    )
    order_complete_if_done(order=order)
    return delivery


# ---------------------------------------------------------------------------------------------
# Returns


@transaction.atomic
def return_register(
    *, actor: User, delivery_line_id: int, quantity: object, reason: str
) -> ReturnRecord:
    """Goods sent back after acceptance (defect, wrong item). Only goods not yet invoiced can
    be returned: what is invoiced is settled through the invoice (OrderLine's constraint
    invoiced <= accepted - returned)."""
    reason = require_reason(reason)
    order, line = lock_delivery_line(
        actor=actor, delivery_line_id=delivery_line_id, action="delivery.accept"
    )
    order_party_check(actor=actor, order=order, action=OrderAction.RETURN)
    ORDER_STATES.check(order, OrderAction.RETURN)
    DELIVERY_STATES.check(line.delivery, DeliveryAction.RETURN)
    count = parse_quantity(quantity, line="-")
    order_line = line.order_line
    available = line.returnable_quantity
    if count > available:
        raise ReturnQuantityExceededError(requested=count, available=available)
    record = ReturnRecord.objects.create(
        delivery_line=line, quantity=count, reason=reason, created_by=actor
    )
    DeliveryLine.objects.filter(pk=line.pk).update(returned_quantity=F("returned_quantity") + count)
    OrderLine.objects.filter(pk=order_line.pk).update(
        returned_quantity=F("returned_quantity") + count
    )
    event_record(
        type=EventType.RETURN_REGISTERED,
        order=order,
        entity="return",
        entity_id=record.pk,
        payload={
            "delivery": line.delivery.number,
            "delivery_line": line.pk,
            "order_line": order_line.pk,
            "quantity": count,
            "reason": reason,
        },
    )
    order_complete_if_done(order=order)
    return record
