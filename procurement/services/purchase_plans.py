"""Annual purchase plans: a hospital's annual purchase total other than the default base of the
alternate-catalogue cap [R-LIST-ALT-CAP] (procurement.selectors.caps).

    (none) --propose (hospital finance)--> proposed --approve (bureau)--> approved
                                            |      --reject (bureau)--> rejected
    approved / rejected --propose--> proposed

The cap's base defaults to the hospital's platform purchases of the previous year. Hospital
finance proposes another figure for its own hospital, with a reason; the bureau of the
hospital's region approves it (the figure is then in force) or rejects it with a reason (the
figure in force, the default or an earlier approved one, stays). Each transition is one
function: it locks the row, checks ``PURCHASE_PLAN_STATES`` and names itself in the history
context (pghistory keeps every earlier figure with who proposed and who decided it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction

from accounts.models import User
from core import clock
from core.errors import PermissionDeniedError, ValidationError
from core.money import AmountInvalidError, parse_amount
from core.permissions import require
from procurement.choices import PURCHASE_PLAN_STATES, PurchasePlanAction, PurchasePlanStatus
from procurement.errors import PurchasePlanYearInvalidError
from procurement.locks import lock_purchase_plan, lock_purchase_plan_by_id
from procurement.models import AnnualPurchasePlan
from procurement.services.listings import history_context, require_reason


def _year(year: object) -> int:
    """Last, this or next year: plans are made ahead and corrected after the year closes."""
    this_year = clock.local_today().year
    if isinstance(year, bool) or not isinstance(year, int) or abs(year - this_year) > 1:
        raise PurchasePlanYearInvalidError(year=year)
    return year


@transaction.atomic
def purchase_plan_propose(
    *, actor: User, year: int, total: Decimal | str, reason: str
) -> AnnualPurchasePlan:
    """[R-LIST-ALT-CAP] Hospital finance proposes its own hospital's annual purchase total for
    ``year``, with a reason; the bureau decides. Until then the figure in force stays."""
    require(actor, "purchase_plan.propose")
    hospital = actor.organization
    if hospital is None or not hospital.is_hospital:
        raise PermissionDeniedError(action="purchase_plan.propose")
    year = _year(year)
    try:
        amount = parse_amount(total)
    except AmountInvalidError as error:
        raise ValidationError(fields={"total": [error.message]}) from None
    reason = require_reason(reason)
    fields = {
        "status": PurchasePlanStatus.PROPOSED,
        "proposed_total": amount,
        "reason": reason,
        "proposed_by": actor,
        "proposed_at": clock.now(),
        "decided_by": None,
        "decided_at": None,
        "decision_reason": "",
    }
    with history_context(actor, "purchase_plan_propose"):
        # The order services lock this row while checking the cap: lock it too.
        plan = lock_purchase_plan(hospital_id=hospital.pk, year=year)
        if plan is None:
            try:
                with transaction.atomic():
                    return AnnualPurchasePlan.objects.create(hospital=hospital, year=year, **fields)
            except IntegrityError:
                # Proposed concurrently: the other request's row decides the state.
                plan = lock_purchase_plan(hospital_id=hospital.pk, year=year)
        plan = cast(AnnualPurchasePlan, plan)  # it exists now: ours, or the concurrent one
        PURCHASE_PLAN_STATES.check(plan, PurchasePlanAction.PROPOSE)
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.save(update_fields=list(fields))
        return plan


def _decide(actor: User, plan_id: int, action: str) -> AnnualPurchasePlan:
    require(actor, "purchase_plan.review")
    plan = lock_purchase_plan_by_id(actor=actor, plan_id=plan_id)
    PURCHASE_PLAN_STATES.check(plan, action)
    return plan


@transaction.atomic
def purchase_plan_approve(*, actor: User, plan_id: int, reason: str = "") -> AnnualPurchasePlan:
    """[R-LIST-ALT-CAP] The bureau approves the proposed figure: from now on it is the base of
    the hospital's cap for that year."""
    plan = _decide(actor, plan_id, PurchasePlanAction.APPROVE)
    plan.status = PurchasePlanStatus.APPROVED
    plan.total = plan.proposed_total
    plan.decided_by = actor
    plan.decided_at = clock.now()
    plan.decision_reason = (reason or "").strip()
    with history_context(actor, "purchase_plan_approve"):
        plan.save(update_fields=["status", "total", "decided_by", "decided_at", "decision_reason"])
    return plan


@transaction.atomic
def purchase_plan_reject(*, actor: User, plan_id: int, reason: str) -> AnnualPurchasePlan:
    """[R-LIST-ALT-CAP] The bureau rejects the proposed figure, with a reason; the figure in
    force (last year's purchases, or an earlier approved total) stays."""
    plan = _decide(actor, plan_id, PurchasePlanAction.REJECT)
    reason = require_reason(reason)
    plan.status = PurchasePlanStatus.REJECTED
    plan.decided_by = actor
    plan.decided_at = clock.now()
    plan.decision_reason = reason
    with history_context(actor, "purchase_plan_reject"):
        plan.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return plan
