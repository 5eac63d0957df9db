"""The bureau's view of the fund [R-DIRECT] [R-ADVANCE]: what the fund's account(s) have paid
out, the advances not yet offset, what the fund paid suppliers directly over a period and the
**direct-settlement ratio**: the share, by amount, of the period's supplier payments that the
fund made directly (DirectSettlement.paid_at in the period) rather than a settlement batch out
of escrow (SettlementBatch.created_at in the period), against the region policy's
``direct_settlement_target_ratio`` (seed 50%).

Worked example: batches paid suppliers 600.00 and the fund paid 400.00 directly in the period:
the ratio is 400.00 / (400.00 + 600.00) = 0.4000, below a 0.5000 goal. No payment in the period:
no ratio (None), not 0%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from accounts.models import User
from core import clock
from core.errors import ValidationError
from core.money import ZERO, quantize
from core.policy import policy_for
from settlement.choices import AccountKind, AdvanceStatus
from settlement.models import (
    Account,
    Advance,
    DirectSettlement,
    SettlementBatch,
    SettlementPayout,
)

RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, the day after end 00:00) in Asia/Shanghai."""
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=clock.SHANGHAI),
            dt.datetime.combine(
                self.end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI
            ),
        )


def period_parse(start: object = None, end: object = None) -> Period:
    """The period asked for (ISO dates, both inclusive); by default this year to today. A
    malformed date, or an end before the start, is a ValidationError (400)."""
    today = clock.local_today()
    errors: dict[str, list[str]] = {}

    def parse(name: str, value: object, default: dt.date) -> dt.date:
        text = str(value or "").strip()
        if not text:
            return default
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            errors[name] = ["a date as YYYY-MM-DD"]
            return default

    first = parse("start", start, today.replace(month=1, day=1))
    last = parse("end", end, today)
    if not errors and last < first:
        errors["end"] = ["on or after the start"]
    if errors:
        raise ValidationError(fields=errors)
    return Period(first, last)


def direct_settlements_in(*, actor: User, period: Period) -> QuerySet[DirectSettlement]:
    """[R-DIRECT] what the fund paid suppliers directly in the period, newest first."""
    low, high = period.bounds
    return (
        DirectSettlement.objects.visible_to(actor)
        .filter(paid_at__gte=low, paid_at__lt=high)
        .select_related("hospital", "request", "request__supplier")
        .order_by("-paid_at", "-pk")
    )


def _sum(rows: QuerySet, field: str = "amount") -> Decimal:
    return quantize(rows.aggregate(total=Sum(field))["total"] or ZERO)


@dataclass(frozen=True)
class FundView:
    period: Period
    fund_accounts: list[Account]
    fund_paid_out: Decimal  # the fund accounts' balance (credit side: what the fund paid)
    advances_outstanding: Decimal  # advanced and not yet offset
    advances_offsetting: int
    direct_amount: Decimal
    direct_count: int
    escrow_amount: Decimal  # paid to suppliers by settlement batches out of escrow
    goal: Decimal  # direct_settlement_target_ratio [R-DIRECT]

    @property
    def supplier_payments(self) -> Decimal:
        return self.direct_amount + self.escrow_amount

    @property
    def ratio(self) -> Decimal | None:
        """[R-DIRECT] direct / (direct + escrow payouts), 4 places; None with no payment."""
        if not self.supplier_payments:
            return None
        return (self.direct_amount / self.supplier_payments).quantize(RATIO_PLACES)

    @property
    def meets_goal(self) -> bool | None:
        return None if self.ratio is None else self.ratio >= self.goal


def fund_view(*, actor: User, period: Period) -> FundView:
    """The fund as the actor's region sees it (the bureau's and the agency's)."""
    accounts = list(
        Account.objects.visible_to(actor).filter(kind=AccountKind.FUND).order_by("region_code")
    )
    advances = Advance.objects.visible_to(actor).filter(status=AdvanceStatus.OFFSETTING)
    direct = direct_settlements_in(actor=actor, period=period)
    low, high = period.bounds
    batches = SettlementBatch.objects.visible_to(actor).filter(
        created_at__gte=low, created_at__lt=high
    )
    payouts = SettlementPayout.objects.filter(batch__in=batches.values("pk"))
    organization = getattr(actor, "organization", None)
    region = organization.region_code if organization is not None else ""
    return FundView(
        period=period,
        fund_accounts=accounts,
        fund_paid_out=quantize(sum((a.balance for a in accounts), ZERO)),
        advances_outstanding=_sum(advances.annotate(left=F("amount") - F("offset_amount")), "left"),
        advances_offsetting=advances.count(),
        direct_amount=_sum(direct),
        direct_count=direct.count(),
        escrow_amount=_sum(payouts),
        goal=policy_for(region).direct_settlement_target_ratio,
    )
