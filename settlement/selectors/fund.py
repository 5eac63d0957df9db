"""Reads of the monthly fund settlement [R-FUND-MONTHLY]: the list, one settlement, and its
plan: what settling it now would take off the claims and why, which the page shows before
the agency settles and the service then posts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock, permissions
from core.actions import Actions, Check, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from core.money import ZERO, format_cny, quantize
from procurement.choices import EmergencyStatus
from procurement.selectors.emergency import emergency_violations_unscoped
from settlement.choices import FUND_SETTLEMENT_STATES, FundSettlementAction
from settlement.errors import FundSettlementEmptyError
from settlement.models import Advance, FundAdjustment, FundSettlement
from settlement.selectors.advances import offset_due, purchases_to_date
from settlement.selectors.payments import direct_settlements_undeducted_unscoped


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month`` (given as its first day)."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def fund_settlement_list(
    *, actor: User, status: str = "", month: dt.date | None = None
) -> QuerySet[FundSettlement]:
    if not permissions.can(actor, "fund_settlement.view"):
        raise PermissionDeniedError(action="fund_settlement.view")
    qs = FundSettlement.objects.visible_to(actor).select_related("hospital")
    if status:
        qs = qs.filter(status=status)
    if month:
        qs = qs.filter(month=month)
    return qs


def fund_settlement_get(*, actor: User, settlement_id: int) -> FundSettlement:
    found = (
        fund_settlement_list(actor=actor)
        .prefetch_related("claims", "adjustments__advance", "adjustments__violation")
        .filter(pk=settlement_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found


@dataclasses.dataclass(frozen=True)
class PlannedAdjustment:
    kind: str  # FundAdjustment.Kind
    amount: Decimal
    reason: str
    advance: Advance | None = None
    violation_id: int | None = None
    direct_id: int | None = None
    purchases_to_date: Decimal | None = None
    cumulative_offset: Decimal | None = None
    # What was due but did not fit in the month's claims: carried to the next settlement.
    carried: Decimal = ZERO


@dataclasses.dataclass(frozen=True)
class FundPlan:
    claims: Decimal
    adjustments: list[PlannedAdjustment]

    def total(self, kind: str) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.kind == kind), ZERO)

    @property
    def net(self) -> Decimal:
        return self.claims - sum((a.amount for a in self.adjustments), ZERO)

    @property
    def carried(self) -> Decimal:
        return sum((a.carried for a in self.adjustments), ZERO)


def fund_plan(*, settlement: FundSettlement) -> FundPlan:
    """What settling now takes off the month's claims, in this order, each only as far as the
    claims left allow (the rest waits for the next month): recoveries of what the fund paid
    suppliers on the hospital's behalf by the month's end [R-DIRECT] (each whole or waits), deductions for standing emergency-purchase violations recorded by the month's
    end and not deducted before [R-EMERG-DEDUCT] (a violation is deducted whole or waits; an
    over-cap one the bureau has not decided on yet waits for its decision, since approving it
    lifts it),
    then each advance's offset [R-ADVANCE-OFFSET]."""
    claims = quantize(settlement.claims.aggregate(total=Sum("amount"))["total"] or ZERO)
    left = claims
    end = month_end(settlement.month)
    hospital_id = settlement.hospital_id
    planned: list[PlannedAdjustment] = []

    for direct in direct_settlements_undeducted_unscoped(hospital_id=hospital_id).filter(
        paid_at__lt=dt.datetime.combine(
            end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI
        )
    ):
        fits = direct.amount <= left
        planned.append(
            PlannedAdjustment(
                kind=FundAdjustment.Kind.RECOVERY,
                amount=direct.amount if fits else ZERO,
                reason=_("Paid by the fund on the hospital's behalf: payment request %(number)s")
                % {"number": direct.request.number},
                direct_id=direct.pk,
                carried=ZERO if fits else direct.amount,
            )
        )
        if fits:
            left -= direct.amount

    end_of_month = dt.datetime.combine(
        end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI
    )
    violations = (
        emergency_violations_unscoped(year=end.year, hospital_ids=[hospital_id])
        .filter(recorded_at__lt=end_of_month, deduction__isnull=True)
        .exclude(purchase__status=EmergencyStatus.PENDING)
        .order_by("recorded_at", "pk")
    )
    earlier = (
        emergency_violations_unscoped(year=end.year - 1, hospital_ids=[hospital_id])
        .filter(deduction__isnull=True)
        .exclude(purchase__status=EmergencyStatus.PENDING)
    )
    for violation in [*earlier.order_by("recorded_at", "pk"), *violations]:
        fits = violation.amount <= left
        planned.append(
            PlannedAdjustment(
                kind=FundAdjustment.Kind.DEDUCTION,
                amount=violation.amount if fits else ZERO,
                reason=_("Emergency purchase %(id)s: %(kind)s")
                % {"id": violation.purchase_id, "kind": violation.get_kind_display()},
                violation_id=violation.pk,
                carried=ZERO if fits else violation.amount,
            )
        )
        if fits:
            left -= violation.amount

    advances = Advance.objects.filter(hospital_id=hospital_id, cycle_start__lte=end).offsetting()
    for advance in advances.order_by("pk"):
        purchases = purchases_to_date(advance=advance, until=end)
        due, _cumulative = offset_due(
            advance=advance.amount,
            agreed=advance.agreed_amount,
            purchases=purchases,
            offset_so_far=advance.offset_amount,
            cycle_ended=advance.cycle_end <= end,
        )
        if due <= 0:
            continue
        take = min(due, left)
        planned.append(
            PlannedAdjustment(
                kind=FundAdjustment.Kind.OFFSET,
                amount=take,
                reason=_(
                    "Advance of %(round)s: purchases to date %(purchases)s of the agreed %(agreed)s"
                )
                % {
                    "round": advance.round,
                    "purchases": format_cny(purchases),
                    "agreed": format_cny(advance.agreed_amount),
                },
                advance=advance,
                purchases_to_date=purchases,
                cumulative_offset=advance.offset_amount + take,
                carried=due - take,
            )
        )
        left -= take
    return FundPlan(
        claims=claims, adjustments=[a for a in planned if a.amount > 0 or a.carried > 0]
    )


def fund_settlement_actions(*, actor: User, settlement: FundSettlement) -> Actions:
    """What the actor may do with the settlement now (core.actions), as
    settlement.services.fund checks: the agency's role, the state, then claims to settle."""

    def state(action: str) -> Check:
        return lambda: FUND_SETTLEMENT_STATES.check(settlement, action)

    def has_claims() -> None:
        if not settlement.claims.exists():
            raise FundSettlementEmptyError()

    manage = role_check(actor, "fund_settlement.manage")
    return Actions(
        [
            verdict(FundSettlementAction.ADD_CLAIM, manage, state(FundSettlementAction.ADD_CLAIM)),
            verdict(
                FundSettlementAction.SETTLE, manage, state(FundSettlementAction.SETTLE), has_claims
            ),
        ]
    )
