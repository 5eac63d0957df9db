"""[R-LIST-ALT-CAP] Alternate-catalogue purchases may not exceed a share (15% in Shenzhen) of the
hospital's annual purchase total. The share is the region policy's
``alternate_catalogue_cap_ratio``; the total is the hospital's AnnualPurchasePlan."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from accounts.models import Organization
from core.money import ZERO, format_cny, quantize
from core.policy import policy_for
from procurement.choices import Catalogue, LineStatus, OrderStatus
from procurement.errors import AlternateCapExceededError, PurchasePlanMissingError
from procurement.models import AnnualPurchasePlan, OrderLine

# Lines that count against the cap: submitted or later, and not cancelled or rejected.
COUNTED_ORDER_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED, OrderStatus.COMPLETED)
COUNTED_LINE_STATUSES = (LineStatus.PENDING, LineStatus.CONFIRMED)


@dataclass(frozen=True)
class CapStatus:
    hospital: Organization
    year: int
    total: Decimal | None  # the annual purchase total; None when not set
    ratio: Decimal
    cap: Decimal | None
    used: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.cap is None else max(ZERO, self.cap - self.used)


def alternate_cap_status(*, hospital: Organization, year: int) -> CapStatus:
    ratio = policy_for(hospital.region_code).alternate_catalogue_cap_ratio
    plan = AnnualPurchasePlan.objects.filter(hospital=hospital, year=year).first()
    used = (
        OrderLine.objects.filter(
            order__hospital=hospital,
            order__status__in=COUNTED_ORDER_STATUSES,
            order__submitted_at__year=year,
            status__in=COUNTED_LINE_STATUSES,
            catalogue=Catalogue.ALTERNATE,
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    total = plan.total if plan else None
    cap = quantize(total * ratio) if total is not None else None
    return CapStatus(
        hospital=hospital, year=year, total=total, ratio=ratio, cap=cap, used=quantize(used)
    )


def alternate_cap_check(*, hospital: Organization, year: int, adding: Decimal) -> CapStatus:
    """Raise AlternateCapExceededError (with the figures) if ``adding`` would pass the cap.
    Callers hold a lock on the hospital's purchase plan row so two submissions cannot both
    squeeze under the cap."""
    status = alternate_cap_status(hospital=hospital, year=year)
    if adding <= 0:
        return status
    if status.cap is None:
        raise PurchasePlanMissingError(year=year)
    would_be = status.used + adding
    if would_be > status.cap:
        raise AlternateCapExceededError(
            would_be=format_cny(would_be),
            cap=format_cny(status.cap),
            ratio=f"{status.ratio * 100:.2f}%",
            total=format_cny(status.total),
            remaining=format_cny(status.remaining),
            used=str(status.used),
            cap_amount=str(status.cap),
            adding=str(adding),
        )
    return status
