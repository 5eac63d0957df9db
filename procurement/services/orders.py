"""Orders: a hospital buys listed products on the platform; the supplier answers each line.

[R-ORDER-ONLINE] every purchase is an order here, at the price the platform computes.
[R-ORDER-DELIVERY] the supplier answers each line and delivers itself or through a
distributor it authorised for the hospital's region.

Decisions:

- One order per supplier. A cart may hold products of several manufacturers; ``order_create``
  splits it into one order per manufacturer (returned in manufacturer-id order), because each
  supplier answers, delivers and invoices its own order.
- Orders start as drafts, which only the hospital sees; ``order_submit`` re-checks every
  listing and label and re-prices every line on the day of submission (the price that binds
  is the one on the submitted order), then checks the alternate-catalogue cap.
- An order can be cancelled until the supplier has answered any line.
- What counts as a purchase (the cap's figures) changes on submission, cancellation and a
  supplier's rejection: each of them moves the hospital's running totals
  (procurement.services.purchase_totals) in its own transaction, under the purchase-plan lock.
- Each transition locks the order row first (procurement.locks, "lock order"),
  checks role, organisation and the table in procurement.choices, writes with
  ``update_fields`` or F() and records one change-feed event per change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock, permissions
from core.errors import PermissionDeniedError, ValidationError
from core.money import ZERO, quantize
from core.transitions import refusal
from procurement.choices import (
    ORDER_STATES,
    Catalogue,
    EventType,
    InvoiceStatus,
    LineStatus,
    OrderAction,
    OrderStatus,
)
from procurement.errors import (
    DistributorNotAuthorisedError,
    OrderDepartmentRequiredError,
    OrderEmptyError,
    OrderLineDuplicateError,
    OrderLineUnknownError,
    PromisedDateInvalidError,
    ReasonRequiredError,
)
from procurement.locks import lock_order, lock_order_lines, lock_purchase_plan
from procurement.models import InvoiceLine, Order, OrderLine
from procurement.selectors import caps, pricing
from procurement.selectors.cart import (
    check_listing_orderable,
    listing_restrictions,
    order_lines_prepare,
)
from procurement.selectors.catalogue import catalogue_refusal, catalogue_required, catalogue_states
from procurement.selectors.listings import authorised_listing_ids, distributors_unscoped
from procurement.selectors.orders import order_cancel_check, order_party_check
from procurement.services.events import event_record, feed_fan_out
from procurement.services.numbering import ORDER_PREFIX, next_number
from procurement.services.purchase_totals import counted_amounts, purchase_totals_follow

REASON_MAX = 500


def require_reason(reason: object) -> str:
    text = str(reason or "").strip()
    if not text:
        raise ReasonRequiredError()
    return text[:REASON_MAX]


DEPARTMENT_MAX = 100


def require_department(department: object) -> str:
    """[R-HOSP-CATALOGUE] the requesting department, named (at most 100 characters)."""
    text = str(department or "").strip()
    if not text or len(text) > DEPARTMENT_MAX:
        raise OrderDepartmentRequiredError(field="department")
    return text


def _require_hospital(actor: User) -> Organization:
    org = actor.organization
    if org is None or not org.is_hospital:
        raise PermissionDeniedError(action="order.place")
    return org


# What a line becomes for each answer of the supplier.
ANSWER_TARGETS = {"confirm": LineStatus.CONFIRMED, "reject": LineStatus.REJECTED}


# ---------------------------------------------------------------------------------------------
# Hospital side


@transaction.atomic
def order_create(
    *,
    actor: User,
    lines: Sequence[Mapping[str, Any]],
    department: str,
    note: str = "",
    is_urgent: bool = False,
) -> list[Order]:
    """Create draft orders from cart lines ``{"listing", "quantity", "restricted_reason"}``:
    one order per manufacturer. Prices, catalogue and label are the platform's, snapshot on
    each line [R-LABELS] [R-LIST-PRICE-CAP]; every product must be in use in the hospital's
    own catalogue [R-HOSP-CATALOGUE]. ``department`` is the department that asked: departments
    do not order on their own, the hospital's purchaser orders for them."""
    permissions.require(actor, "order.place")
    hospital = _require_hospital(actor)
    department = require_department(department)
    prepared = order_lines_prepare(actor=actor, lines=lines)
    by_supplier: dict[int, list] = {}
    for line in prepared:
        by_supplier.setdefault(line.listing.manufacturer_id, []).append(line)
    orders = []
    for supplier_id in sorted(by_supplier):
        group = by_supplier[supplier_id]
        pk, number = next_number(Order, ORDER_PREFIX)
        order = Order.objects.create(
            pk=pk,
            number=number,
            hospital=hospital,
            supplier_id=supplier_id,
            is_urgent=bool(is_urgent),
            department=department,
            note=str(note or "")[:500],
            total=sum((line.amount for line in group), ZERO),
            created_by=actor,
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    listing=line.listing,
                    consumable_id=line.listing.consumable_id,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    catalogue=line.listing.catalogue,
                    label=line.listing.label,
                    restricted_reason=line.restricted_reason,
                )
                for line in group
            ]
        )
        orders.append(order)
    return orders


@transaction.atomic
def order_submit(*, actor: User, order_id: int) -> Order:
    """Send a draft to its supplier. Every line is re-checked (still listed, label allows it)
    and re-priced for today; then [R-LIST-ALT-CAP] the alternate-catalogue amount must fit
    under the hospital's cap, checked while holding the lock on its purchase plan row so that
    two submissions cannot both squeeze under it. [R-HOSP-CATALOGUE] every product must still
    be in use in the hospital's catalogue (one stopped since the draft is refused), and only
    the hospital's purchasers submit (``order.submit``)."""
    order = lock_order(actor=actor, order_id=order_id, action="order.submit")
    order_party_check(actor=actor, order=order, action=OrderAction.SUBMIT)
    ORDER_STATES.check(order, OrderAction.SUBMIT)
    lines = lock_order_lines(order=order)
    if not lines:
        raise OrderEmptyError()
    today = clock.local_today()
    prices = pricing.unit_prices_for(
        listings=[line.listing for line in lines], hospital_id=order.hospital_id, on=today
    )
    required = catalogue_required(hospital=order.hospital)
    states = (
        catalogue_states(hospital=order.hospital, listing_ids=[line.listing_id for line in lines])
        if required
        else {}
    )
    # [R-CREDIT] a listing suspended since the draft was made is refused (sanctions).
    sanctioned = listing_restrictions(line.listing for line in lines)
    for index, line in enumerate(lines, start=1):
        line.listing.consumable = line.consumable  # for the error message, without a query
        check_listing_orderable(line.listing, line=index, restricted_reason=line.restricted_reason)
        if line.listing_id in sanctioned:
            raise sanctioned[line.listing_id]
        refused = catalogue_refusal(
            product=str(line.consumable),
            listing_id=line.listing_id,
            line=index,
            required=required,
            state=states.get(line.listing_id),
        )
        if refused is not None:
            raise refused
        fresh = {
            "unit_price": prices[line.listing_id],
            "amount": quantize(prices[line.listing_id] * line.quantity),
            "catalogue": line.listing.catalogue,
            "label": line.listing.label,
        }
        changed = [name for name, value in fresh.items() if getattr(line, name) != value]
        if changed:
            for name in changed:
                setattr(line, name, fresh[name])
            line.save(update_fields=changed)
    before = counted_amounts(order=order, lines=lines)  # a draft counts nothing
    submitted_at = clock.now()
    year = clock.to_local(submitted_at).year
    # The lock that serialises cap checks and purchase totals of one hospital and year (see
    # caps.py): the check below and the addition to the totals are one step.
    lock_purchase_plan(hospital_id=order.hospital_id, year=year)
    alternate = sum((line.amount for line in lines if line.catalogue == Catalogue.ALTERNATE), ZERO)
    if alternate > 0:
        caps.alternate_cap_check(hospital=order.hospital, year=year, adding=alternate)
    order.status = OrderStatus.SUBMITTED
    order.submitted_at = submitted_at
    order.total = sum((line.amount for line in lines), ZERO)
    order.save(update_fields=["status", "submitted_at", "total"])
    purchase_totals_follow(order=order, lines=lines, before=before)
    event_record(
        type=EventType.ORDER_SUBMITTED,
        order=order,
        entity="order",
        entity_id=order.pk,
        payload={"number": order.number, "status": order.status, "total": order.total},
    )
    return order


@transaction.atomic
def order_cancel(*, actor: User, order_id: int, reason: str) -> Order:
    """Cancel a draft, or a submitted order the supplier has not answered any line of."""
    reason = require_reason(reason)
    order = lock_order(actor=actor, order_id=order_id, action="order.place")
    order_party_check(actor=actor, order=order, action=OrderAction.CANCEL)
    order_cancel_check(order=order)
    from_status = order.status
    lines = lock_order_lines(order=order)
    before = counted_amounts(order=order, lines=lines)
    order.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.CANCELLED)
    for line in lines:
        if line.status == LineStatus.PENDING:
            line.status = LineStatus.CANCELLED
    order.status = OrderStatus.CANCELLED
    order.cancel_reason = reason
    order.closed_at = clock.now()
    order.save(update_fields=["status", "cancel_reason", "closed_at"])
    purchase_totals_follow(order=order, lines=lines, before=before)
    event_record(
        type=EventType.ORDER_CANCELLED,
        order=order,
        entity="order",
        entity_id=order.pk,
        payload={
            "number": order.number,
            "status": order.status,
            "from_status": from_status,
            "reason": reason,
        },
    )
    return order


# ---------------------------------------------------------------------------------------------
# Supplier side


@transaction.atomic
def order_respond(
    *,
    actor: User,
    order_id: int,
    answers: Sequence[Mapping[str, Any]],
    distributor_id: int | None = None,
) -> Order:
    """The supplier answers lines of a submitted order, all or nothing:
    ``{"line": id, "decision": "confirm", "promised_on": date}`` or
    ``{"line": id, "decision": "reject", "reason": "..."}``. When no line is left pending the
    order becomes confirmed (any line confirmed) or rejected (every line rejected).
    ``distributor_id`` names the distributor that will deliver [R-ORDER-DELIVERY]."""
    order = lock_order(actor=actor, order_id=order_id, action="order.respond")
    order_party_check(actor=actor, order=order, action=OrderAction.RESPOND)
    ORDER_STATES.check(order, OrderAction.RESPOND)
    if not answers:
        raise OrderEmptyError()
    today = clock.local_today()
    wanted: dict[Any, tuple[int, str, Any]] = {}  # by the line id as the client sent it
    for index, answer in enumerate(answers, start=1):
        line_id = answer.get("line")
        if line_id in wanted:
            raise OrderLineDuplicateError(line=index, what=_("order line"), id=line_id)
        decision = answer.get("decision")
        if decision == "confirm":
            promised_on = answer.get("promised_on")
            # A day (a date, not a datetime), not in the past.
            if (
                not isinstance(promised_on, dt.date)
                or isinstance(promised_on, dt.datetime)
                or promised_on < today
            ):
                raise PromisedDateInvalidError(value=promised_on, line=index)
            wanted[line_id] = (index, decision, promised_on)
        elif decision == "reject":
            wanted[line_id] = (index, decision, require_reason(answer.get("reason")))
        else:
            raise ValidationError(
                fields={f"lines[{index}].decision": [_("Answer confirm or reject.")]}
            )
    lines = {line.pk: line for line in lock_order_lines(order=order)}
    before = counted_amounts(order=order, lines=lines.values())
    for line_id, (index, _decision, _value) in wanted.items():
        line = lines.get(line_id)
        if line is None:
            raise OrderLineUnknownError(line=index, what=_("order line"), id=line_id, parent=order)
        if line.status != LineStatus.PENDING:
            raise refusal(
                line,
                object="order_line",
                action=OrderAction.RESPOND,
                target=ANSWER_TARGETS[wanted[line_id][1]],
                label=_("Line %(line)s") % {"line": index},
            )
    now = clock.now()
    for line_id, (_index, decision, value) in sorted(wanted.items()):
        line = lines[line_id]
        if decision == "confirm":
            line.status, line.promised_on, line.confirmed_at = LineStatus.CONFIRMED, value, now
            line.save(update_fields=["status", "promised_on", "confirmed_at"])
            event_record(
                type=EventType.ORDER_LINE_CONFIRMED,
                order=order,
                entity="order_line",
                entity_id=line.pk,
                payload={"number": order.number, "promised_on": value, "quantity": line.quantity},
            )
        else:
            line.status, line.rejection_reason = LineStatus.REJECTED, value
            line.save(update_fields=["status", "rejection_reason"])
            event_record(
                type=EventType.ORDER_LINE_REJECTED,
                order=order,
                entity="order_line",
                entity_id=line.pk,
                payload={"number": order.number, "reason": value},
            )
    if distributor_id is not None:
        _distributor_set(order=order, lines=list(lines.values()), distributor_id=distributor_id)
    if all(line.status != LineStatus.PENDING for line in lines.values()):
        confirmed = any(line.status == LineStatus.CONFIRMED for line in lines.values())
        target = OrderStatus.CONFIRMED if confirmed else OrderStatus.REJECTED
        ORDER_STATES.check(order, OrderAction.RESPOND, target=target)
        order.status = target
        order.responded_at = now
        fields = ["status", "responded_at"]
        if target == OrderStatus.REJECTED:
            order.closed_at = now
            fields.append("closed_at")
        order.save(update_fields=fields)
        event_record(
            type=EventType.ORDER_CONFIRMED if confirmed else EventType.ORDER_REJECTED,
            order=order,
            entity="order",
            entity_id=order.pk,
            payload={"number": order.number, "status": order.status},
        )
    purchase_totals_follow(order=order, lines=lines.values(), before=before)
    return order


def order_line_confirm(*, actor: User, order_id: int, line_id: int, promised_on: dt.date) -> Order:
    """Confirm one line with the promised delivery date (today or later)."""
    return order_respond(
        actor=actor,
        order_id=order_id,
        answers=[{"line": line_id, "decision": "confirm", "promised_on": promised_on}],
    )


def order_line_reject(*, actor: User, order_id: int, line_id: int, reason: str) -> Order:
    """Reject one line with a reason."""
    return order_respond(
        actor=actor,
        order_id=order_id,
        answers=[{"line": line_id, "decision": "reject", "reason": reason}],
    )


@transaction.atomic
def order_distributor_set(*, actor: User, order_id: int, distributor_id: int | None) -> Order:
    """[R-ORDER-DELIVERY] the supplier names the distributor that delivers (None: it delivers
    itself). The distributor must be authorised for every live line's listing in the hospital's
    region. Existing delivery notes keep their carrier."""
    order = lock_order(actor=actor, order_id=order_id, action="order.respond")
    order_party_check(actor=actor, order=order, action=OrderAction.CHOOSE_DISTRIBUTOR)
    ORDER_STATES.check(order, OrderAction.CHOOSE_DISTRIBUTOR)
    _distributor_set(
        order=order, lines=lock_order_lines(order=order), distributor_id=distributor_id
    )
    return order


def _distributor_set(*, order: Order, lines: list[OrderLine], distributor_id: int | None) -> None:
    if distributor_id is None:
        order.distributor = None
        order.save(update_fields=["distributor"])
        return
    distributor = distributors_unscoped(ids=[distributor_id]).first()
    live = [line for line in lines if line.status in (LineStatus.PENDING, LineStatus.CONFIRMED)]
    authorised = (
        authorised_listing_ids(
            distributor_id=distributor.pk,
            listing_ids={line.listing_id for line in live},
            region_code=order.hospital.region_code,
        )
        if distributor is not None
        else set()
    )
    for line in live or lines[:1]:
        if line.listing_id not in authorised or distributor is None:
            raise DistributorNotAuthorisedError(
                distributor=str(distributor) if distributor else distributor_id,
                product=str(line.consumable),
                region=order.hospital.region_code,
            )
    order.distributor = distributor
    order.save(update_fields=["distributor"])
    # The distributor reads the order's history in its feed from now on.
    feed_fan_out(order=order)


# ---------------------------------------------------------------------------------------------
# Completion


def order_complete_if_done(*, order: Order) -> bool:
    """Called (under the order lock) after acceptance, returns and invoice confirmation: when
    every confirmed line is delivered in full, every delivery answered, and everything kept
    (accepted minus returned) invoiced on confirmed invoices with none still pending, the order
    is completed. Refused goods are not re-delivered on the same line: the hospital orders them
    again (OrderLine's constraint delivered <= ordered)."""
    if order.status != OrderStatus.CONFIRMED:
        return False
    lines = list(order.lines.filter(status=LineStatus.CONFIRMED))
    pending_invoice = InvoiceLine.objects.filter(
        order_line__order=order, invoice__status=InvoiceStatus.REGISTERED
    ).exists()
    if pending_invoice:
        return False
    confirmed_qty = dict(
        InvoiceLine.objects.filter(order_line__order=order, invoice__status=InvoiceStatus.CONFIRMED)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("order_line_id", "q")
    )
    for line in lines:
        done = (
            line.undelivered_quantity == 0
            and line.accepted_quantity + line.refused_quantity == line.delivered_quantity
            and confirmed_qty.get(line.pk, 0) == line.kept_quantity
        )
        if not done:
            return False
    ORDER_STATES.check(order, OrderAction.COMPLETE)
    order.status = OrderStatus.COMPLETED
    order.closed_at = clock.now()
    order.save(update_fields=["status", "closed_at"])
    event_record(
        type=EventType.ORDER_COMPLETED,
        order=order,
        entity="order",
        entity_id=order.pk,
        payload={"number": order.number, "status": order.status},
    )
    return True
