"""Emergency purchases (应急采购, SZ 5.2.4, NJ 3.3): a hospital registers what it bought off the
platform because the platform lacked it and the need was urgent.

    (none) --register (hospital purchaser)--> registered            (within the cap)
                                          \\-> pending              (over the cap)
    pending --approve (bureau, reason)--> approved   (the over-cap violation is lifted)
            --reject (bureau, reason)---> rejected   (the over-cap violation stands)

[R-EMERG-DEADLINE] a registration after the region's working-day deadline is accepted and
recorded as a late violation, never silently. [R-EMERG-CAP] one that takes the hospital's
emergency purchases of the year over its cap is recorded as an over-cap violation and waits
for the bureau, which may approve the amount over the cap, with a reason. Buying in emergency
a product the hospital could order on the platform needs a stated reason. Violations are read
by settlement and credit (procurement.selectors.emergency) [R-EMERG-DEDUCT].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Consumable
from core import clock
from core.errors import ValidationError
from core.money import ZERO, AmountInvalidError, parse_amount, quantize
from core.permissions import require
from core.policy import policy_for
from procurement.choices import (
    EMERGENCY_STATES,
    EmergencyAction,
    EmergencyStatus,
    EmergencyViolationKind,
)
from procurement.errors import (
    EmergencyDateInFutureError,
    EmergencyLinesRequiredError,
    EmergencyListedReasonRequiredError,
)
from procurement.locks import (
    lock_emergency_hospital,
    lock_emergency_purchase,
    lock_emergency_violations,
)
from procurement.models import EmergencyPurchase, EmergencyPurchaseLine, EmergencyViolation
from procurement.selectors.emergency import emergency_cap_status, emergency_deadline, own_hospital
from procurement.selectors.listings import listing_available_list
from procurement.services.listings import history_context, require_reason

MAX_LINES = 50
MIN_YEAR = 2000  # the cap reads the year before: no platform data before this


@dataclass(frozen=True)
class _Line:
    consumable: Consumable
    supplier_name: str
    unit_price: Decimal
    quantity: int

    @property
    def amount(self) -> Decimal:
        return quantize(self.unit_price * self.quantity)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _quantity(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number <= 10**9 else None
    return None


def _lines(raw: Iterable[Mapping[str, object]], errors: dict[str, list[str]]) -> list[_Line]:
    rows = list(raw)
    if not rows:
        raise EmergencyLinesRequiredError()
    if len(rows) > MAX_LINES:
        errors["lines"] = [_("At most %(count)s lines.") % {"count": MAX_LINES}]
        return []
    ids: list[int] = []
    for row in rows:
        value = row.get("consumable_id") if isinstance(row, Mapping) else None
        if isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
        elif isinstance(value, str) and value.strip().isdigit():
            ids.append(int(value.strip()))
    products = Consumable.objects.in_bulk(ids)
    # The page names products by their national code (what a purchaser reads off the box).
    codes = [
        code.strip()
        for row in rows
        if isinstance(row, Mapping) and isinstance(code := row.get("consumable_code"), str)
    ]
    by_code = {c.code: c for c in Consumable.objects.filter(code__in=codes)} if codes else {}
    lines: list[_Line] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            errors[f"lines.{number}"] = [_("Each line is an object.")]
            continue
        raw_id = row.get("consumable_id")
        product = None
        if isinstance(raw_id, int) and not isinstance(raw_id, bool):
            product = products.get(raw_id)
        elif isinstance(raw_id, str) and raw_id.strip().isdigit():
            product = products.get(int(raw_id.strip()))
        code = row.get("consumable_code")
        if product is None and isinstance(code, str) and code.strip():
            product = by_code.get(code.strip())
            if product is None:
                errors[f"lines.{number}.consumable_code"] = [_("No such product.")]
                continue
        if product is None:
            errors[f"lines.{number}.consumable_id"] = [_("No such product.")]
        supplier = row.get("supplier_name")
        supplier = supplier.strip() if isinstance(supplier, str) else ""
        if not supplier or len(supplier) > 200:
            errors[f"lines.{number}.supplier_name"] = [_("Name the supplier (200 characters).")]
        price: Decimal | None = None
        try:
            price = parse_amount(row.get("unit_price"))
        except AmountInvalidError as error:
            errors[f"lines.{number}.unit_price"] = [error.message]
        if price is not None and price <= 0:
            errors[f"lines.{number}.unit_price"] = [_("The price must be above zero.")]
            price = None
        quantity = _quantity(row.get("quantity"))
        if quantity is None:
            errors[f"lines.{number}.quantity"] = [_("A whole number above zero.")]
        if product is not None and supplier and price is not None and quantity is not None:
            lines.append(_Line(product, supplier, price, quantity))
    return lines


def _text(value: object, field: str, errors: dict[str, list[str]], *, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > limit:
        errors[field] = [_("At most %(count)s characters.") % {"count": limit}]
    return text


@transaction.atomic
def emergency_purchase_register(
    *,
    actor: User,
    bought_on: object,
    reason: object,
    approver_name: object,
    approver_role: object,
    lines: Iterable[Mapping[str, object]],
    listed_reason: object = "",
) -> EmergencyPurchase:
    """[R-EMERG-DEADLINE] [R-EMERG-CAP] the hospital purchaser registers an emergency purchase
    of its own hospital. Refused (nothing written): a future date, a missing field, a product
    orderable on the platform without ``listed_reason``. Accepted but recorded as violations:
    after the deadline (late), over the cap (over_cap, the registration then awaits the
    bureau)."""
    require(actor, "emergency.register")
    hospital = own_hospital(actor)
    errors: dict[str, list[str]] = {}
    day = _date(bought_on)
    if day is None:
        errors["bought_on"] = [_("A date, YYYY-MM-DD.")]
    elif day.year < MIN_YEAR:
        errors["bought_on"] = [_("A date from %(year)s on.") % {"year": MIN_YEAR}]
        day = None
    text_reason = _text(reason, "reason", errors, limit=2000)
    name = _text(approver_name, "approver_name", errors, limit=100)
    role = _text(approver_role, "approver_role", errors, limit=100)
    rows = _lines(lines, errors)
    if errors:
        raise ValidationError(fields=errors)
    assert day is not None  # noqa: S101 (checked above)
    today = clock.local_today()
    if day > today:
        raise EmergencyDateInFutureError(bought_on=day.isoformat())
    # Only when the platform lacks the product: one the hospital may order needs a reason.
    listed = set(
        listing_available_list(actor=actor)
        .filter(consumable_id__in=[line.consumable.pk for line in rows])
        .values_list("consumable_id", flat=True)
    )
    why_listed = listed_reason.strip() if isinstance(listed_reason, str) else ""
    if listed and not why_listed:
        names = sorted(
            {
                f"{line.consumable.product_name} ({line.consumable.code})"
                for line in rows
                if line.consumable.pk in listed
            }
        )
        raise EmergencyListedReasonRequiredError(products="、".join(names), ids=sorted(listed))
    amount = quantize(sum((line.amount for line in rows), ZERO))
    if amount <= 0:
        raise ValidationError(fields={"lines": [_("The amount must be above zero.")]})
    policy = policy_for(hospital.region_code)
    deadline = emergency_deadline(bought_on=day, policy=policy)
    late = today > deadline.date
    with history_context(actor, "emergency_purchase_register"):
        lock_emergency_hospital(hospital_id=hospital.pk)  # the cap: one registration at a time
        cap = emergency_cap_status(hospital=hospital, year=day.year)
        over = cap.over_by(amount)
        now = clock.now()
        purchase = EmergencyPurchase.objects.create(
            hospital=hospital,
            bought_on=day,
            reason=text_reason,
            listed_reason=why_listed if listed else "",
            approver_name=name,
            approver_role=role,
            amount=amount,
            status=EmergencyStatus.PENDING if over > 0 else EmergencyStatus.REGISTERED,
            deadline=deadline.date,
            deadline_estimated=deadline.degraded,
            registered_on=today,
            late=late,
            cap=cap.cap,
            used_before=cap.used,
            over_cap_amount=over,
            registered_by=actor,
            registered_at=now,
        )
        EmergencyPurchaseLine.objects.bulk_create(
            EmergencyPurchaseLine(
                purchase=purchase,
                consumable=line.consumable,
                supplier_name=line.supplier_name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                amount=line.amount,
                listed_on_platform=line.consumable.pk in listed,
            )
            for line in rows
        )
        violations = []
        if late:
            violations.append((EmergencyViolationKind.LATE, amount))
        if over > 0:
            violations.append((EmergencyViolationKind.OVER_CAP, over))
        EmergencyViolation.objects.bulk_create(
            EmergencyViolation(
                purchase=purchase,
                hospital=hospital,
                kind=kind,
                amount=value,
                year=day.year,
                recorded_at=now,
            )
            for kind, value in violations
        )
    return purchase


def _decide(actor: User, purchase_id: int, action: str, reason: str) -> EmergencyPurchase:
    require(actor, "emergency.review")
    purchase = lock_emergency_purchase(actor=actor, purchase_id=purchase_id)
    EMERGENCY_STATES.check(purchase, action)
    purchase.decided_by = actor
    purchase.decided_at = clock.now()
    purchase.decision_reason = reason
    return purchase


@transaction.atomic
def emergency_purchase_approve(*, actor: User, purchase_id: int, reason: str) -> EmergencyPurchase:
    """[R-EMERG-CAP] the bureau approves the amount over the cap, with a reason: the over-cap
    violation is lifted and the hospital's cap of the year grows by that amount."""
    reason = require_reason(reason)
    purchase = _decide(actor, purchase_id, EmergencyAction.APPROVE, reason)
    purchase.status = EmergencyStatus.APPROVED
    with history_context(actor, "emergency_purchase_approve"):
        purchase.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        for violation in lock_emergency_violations(
            purchase=purchase, kind=EmergencyViolationKind.OVER_CAP
        ):
            violation.lifted_at = purchase.decided_at
            violation.lifted_by = actor
            violation.lift_reason = reason
            violation.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return purchase


@transaction.atomic
def emergency_purchase_reject(*, actor: User, purchase_id: int, reason: str) -> EmergencyPurchase:
    """[R-EMERG-CAP] the bureau does not approve the amount over the cap: the over-cap
    violation stands (settlement deducts it)."""
    reason = require_reason(reason)
    purchase = _decide(actor, purchase_id, EmergencyAction.REJECT, reason)
    purchase.status = EmergencyStatus.REJECTED
    with history_context(actor, "emergency_purchase_reject"):
        purchase.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return purchase
