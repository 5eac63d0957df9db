"""Invoices: the supplier registers what it billed; hospital finance confirms or rejects it.

[R-TWO-INVOICE] goods pass through at most two invoices from manufacturer to hospital, so the
invoice the hospital receives is issued by the manufacturer itself or by a distributor the
manufacturer authorised for that listing in the hospital's region.
[R-ORDER-ONLINE] invoiced amounts must match the accepted quantities at the order's prices:
each line's amount is quantity x the order line's unit price, the invoice amount their sum,
and no line may bill more than was accepted, minus returns, minus what is already invoiced.
A confirmed invoice is ready for settlement [R-PAY-30].
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock
from core.errors import ValidationError
from core.money import ZERO, AmountInvalidError, parse_amount, quantize
from core.transitions import refusal
from procurement.choices import (
    INVOICE_STATES,
    ORDER_STATES,
    EventType,
    InvoiceAction,
    InvoiceStatus,
    LineStatus,
    OrderAction,
)
from procurement.errors import (
    InvoiceAmountMismatchError,
    InvoiceDateInvalidError,
    InvoiceExceedsAcceptedError,
    InvoiceNumberInvalidError,
    InvoiceNumberTakenError,
    InvoiceTotalMismatchError,
    OrderEmptyError,
    OrderLineDuplicateError,
    OrderLineUnknownError,
    TwoInvoiceRuleError,
)
from procurement.locks import lock_invoice, lock_order, lock_order_lines
from procurement.models import Invoice, InvoiceLine, Order, OrderLine
from procurement.selectors.listings import authorised_listing_ids, supplier_get_unscoped
from procurement.selectors.orders import order_party_check, parse_quantity, require_organization
from procurement.services.events import event_record
from procurement.services.orders import order_complete_if_done, require_reason

NUMBER_MAX = 40
# A fully digitalised e-invoice (数电发票): 20 digits (year, region, channel, sequence).
_E_INVOICE = re.compile(r"\d{20}")
# An older VAT invoice: its code (10 or 12 digits) and its 8-digit number, apart or together.
_VAT_INVOICE = re.compile(r"(\d{10}|\d{12})[\s\-/]+(\d{8})|(\d{10})(\d{8})")


def invoice_number_normalise(value: object) -> str:
    """The invoice number as stored: the 20 digits of a 数电发票, or ``<code>-<number>`` of a
    VAT invoice; anything else is refused with the formats."""
    text = str(value or "").strip()
    if _E_INVOICE.fullmatch(text):
        return text
    match = _VAT_INVOICE.fullmatch(text)
    if match:
        code = match.group(1) or match.group(3)
        number = match.group(2) or match.group(4)
        return f"{code}-{number}"
    raise InvoiceNumberInvalidError(value=text[:NUMBER_MAX])


def _positive_amount(value: object) -> object:
    amount = parse_amount(value)
    if amount <= 0:
        raise AmountInvalidError(value=value, reason=_("must be above 0"))
    return amount


def _check_issuer(*, order: Order, issuer: Organization | None, lines: list[OrderLine]) -> None:
    """[R-TWO-INVOICE] the manufacturer, or a distributor it authorised for every invoiced
    line's listing in the hospital's region."""
    region = order.hospital.region_code
    if issuer is not None and issuer.pk == order.supplier_id:
        return
    authorised = (
        authorised_listing_ids(
            distributor_id=issuer.pk,
            listing_ids={line.listing_id for line in lines},
            region_code=region,
        )
        if issuer is not None and issuer.is_active and issuer.is_supplier
        else set()
    )
    for line in lines:
        if line.listing_id not in authorised:
            raise TwoInvoiceRuleError(
                issuer=str(issuer) if issuer else "-",
                product=str(line.consumable),
                region=region,
            )


@transaction.atomic
def invoice_register(
    *,
    actor: User,
    order_id: int,
    number: str,
    issued_on: dt.date,
    amount: object,
    lines: Sequence[Mapping[str, Any]],
    issuer_id: int | None = None,
) -> Invoice:
    """Register an invoice for accepted goods of a confirmed order: lines
    ``{"order_line", "quantity", "amount"}``; amounts as strings ("1234.50"). ``issuer_id``
    defaults to the actor's organisation."""
    order = lock_order(actor=actor, order_id=order_id, action="invoice.register")
    order_party_check(actor=actor, order=order, action=OrderAction.INVOICE)
    ORDER_STATES.check(order, OrderAction.INVOICE)
    number = invoice_number_normalise(number)
    if not isinstance(issued_on, dt.date) or isinstance(issued_on, dt.datetime):
        raise ValidationError(fields={"issued_on": [_("Give the date as YYYY-MM-DD.")]})
    if issued_on > clock.local_today():
        raise InvoiceDateInvalidError(value=issued_on)
    total = _positive_amount(amount)
    if not lines:
        raise OrderEmptyError()
    # Looked up by the ids as the client sent them.
    order_lines: dict[Any, OrderLine] = {line.pk: line for line in lock_order_lines(order=order)}
    wanted: list[tuple[int, OrderLine, int, Any]] = []
    for index, raw in enumerate(lines, start=1):
        order_line = order_lines.get(raw.get("order_line"))
        if order_line is None:
            raise OrderLineUnknownError(
                line=index, what=_("order line"), id=raw.get("order_line"), parent=order
            )
        if any(seen.pk == order_line.pk for _i, seen, _q, _a in wanted):
            raise OrderLineDuplicateError(line=index, what=_("order line"), id=order_line.pk)
        if order_line.status != LineStatus.CONFIRMED:
            raise refusal(
                order_line,
                object="order_line",
                action=OrderAction.INVOICE,
                label=order_line.consumable,
            )
        quantity = parse_quantity(raw.get("quantity"), line=index)
        wanted.append((index, order_line, quantity, _positive_amount(raw.get("amount"))))
    issuer_pk = issuer_id if issuer_id is not None else actor.organization_id
    issuer = supplier_get_unscoped(organization_id=issuer_pk)
    _check_issuer(order=order, issuer=issuer, lines=[line for _i, line, _q, _a in wanted])
    line_sum = ZERO
    for index, order_line, quantity, line_amount in wanted:
        available = order_line.uninvoiced_quantity
        if quantity > available:
            raise InvoiceExceedsAcceptedError(
                product=str(order_line.consumable),
                requested=quantity,
                available=available,
                line=index,
            )
        expected = quantize(order_line.unit_price * quantity)
        if line_amount != expected:
            raise InvoiceAmountMismatchError(
                line=index,
                amount=line_amount,
                quantity=quantity,
                unit_price=order_line.unit_price,
                expected=expected,
            )
        line_sum += line_amount
    if total != line_sum:
        raise InvoiceTotalMismatchError(amount=total, sum=line_sum)
    if Invoice.objects.filter(issuer=issuer, number=number).exists():
        raise InvoiceNumberTakenError(number=number)
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                number=number,
                issued_on=issued_on,
                amount=total,
                issuer=cast(Organization, issuer),  # _check_issuer refused a missing one
                hospital_id=order.hospital_id,
                order=order,
                registered_by=actor,
            )
    except IntegrityError:
        # Another order's invoice took the number between our check and insert.
        raise InvoiceNumberTakenError(number=number) from None
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(invoice=invoice, order_line=order_line, quantity=quantity, amount=value)
            for _i, order_line, quantity, value in wanted
        ]
    )
    for _i, order_line, quantity, _a in sorted(wanted, key=lambda item: item[1].pk):
        OrderLine.objects.filter(pk=order_line.pk).update(
            invoiced_quantity=F("invoiced_quantity") + quantity
        )
    event_record(
        type=EventType.INVOICE_REGISTERED,
        order=order,
        entity="invoice",
        entity_id=invoice.pk,
        payload={
            "number": invoice.number,
            "order_number": order.number,
            "amount": invoice.amount,
            "issuer": invoice.issuer_id,
            "status": invoice.status,
        },
    )
    return invoice


@transaction.atomic
def invoice_confirm(*, actor: User, invoice_id: int) -> Invoice:
    """Hospital finance confirms the invoice: it is now ready for settlement [R-PAY-30]. The
    order completes when this was the last thing outstanding."""
    invoice = lock_invoice(actor=actor, invoice_id=invoice_id, action="invoice.confirm")
    require_organization(actor, invoice.hospital_id, action="invoice.confirm")
    INVOICE_STATES.check(invoice, InvoiceAction.CONFIRM)
    invoice.status = InvoiceStatus.CONFIRMED
    invoice.confirmed_by = actor
    invoice.confirmed_at = clock.now()
    invoice.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    event_record(
        type=EventType.INVOICE_CONFIRMED,
        order=invoice.order,
        entity="invoice",
        entity_id=invoice.pk,
        payload={"number": invoice.number, "amount": invoice.amount, "status": invoice.status},
    )
    order_complete_if_done(order=invoice.order)
    return invoice


@transaction.atomic
def invoice_reject(*, actor: User, invoice_id: int, reason: str) -> Invoice:
    """Hospital finance rejects the invoice with a reason; its quantities can be invoiced
    again (a corrected invoice, with a new number)."""
    reason = require_reason(reason)
    invoice = lock_invoice(actor=actor, invoice_id=invoice_id, action="invoice.confirm")
    require_organization(actor, invoice.hospital_id, action="invoice.confirm")
    INVOICE_STATES.check(invoice, InvoiceAction.REJECT)
    for line in invoice.lines.order_by("order_line_id"):
        OrderLine.objects.filter(pk=line.order_line_id).update(
            invoiced_quantity=F("invoiced_quantity") - line.quantity
        )
    invoice.status = InvoiceStatus.REJECTED
    invoice.rejection_reason = reason
    invoice.save(update_fields=["status", "rejection_reason"])
    event_record(
        type=EventType.INVOICE_REJECTED,
        order=invoice.order,
        entity="invoice",
        entity_id=invoice.pk,
        payload={"number": invoice.number, "status": invoice.status, "reason": reason},
    )
    return invoice
