"""[R-LIST-ALT-CAP] Alternate-catalogue purchases may not exceed a share (15% in Shenzhen) of the
hospital's annual purchase total. The share is the region policy's
``alternate_catalogue_cap_ratio``.

The total (the cap's base) is, by default, the hospital's platform purchases of the previous
calendar year: the amounts of its order lines that count against the cap (``COUNTED_*``:
orders submitted, confirmed or completed, lines pending or confirmed by the supplier, so no
drafts, no cancelled or rejected orders and no rejected lines), by the order's submission date
in Asia/Shanghai, in both catalogues. A different figure is the hospital's AnnualPurchasePlan:
proposed by its finance staff, in force only once the bureau approves it
(procurement.services.purchase_plans)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from accounts.models import Organization
from core.money import ZERO, format_cny, quantize
from core.policy import policy_for
from procurement.choices import COUNTED_LINE_STATUSES, COUNTED_ORDER_STATUSES, Catalogue
from procurement.errors import AlternateCapExceededError, PurchasePlanMissingError
from procurement.models import AnnualPurchasePlan, OrderLine

BASE_PREVIOUS_YEAR = "previous_year"
BASE_APPROVED = "approved"


@dataclass(frozen=True)
class CapStatus:
    hospital: Organization
    year: int
    total: Decimal | None  # the annual purchase total in force (the cap's base)
    ratio: Decimal
    cap: Decimal | None
    used: Decimal
    # Last year's platform purchases: the base unless the bureau approved another figure.
    default_total: Decimal = ZERO
    base: str = "previous_year"  # or "approved" (BASE_APPROVED)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.cap is None else max(ZERO, self.cap - self.used)


def alternate_cap_status(*, hospital: Organization, year: int) -> CapStatus:
    ratio = policy_for(hospital.region_code).alternate_catalogue_cap_ratio
    plan = AnnualPurchasePlan.objects.filter(hospital=hospital, year=year).first()
    # One pass over the two years: this year's alternate-catalogue lines (used) and last
    # year's lines of both catalogues (the default base).
    sums = OrderLine.objects.filter(
        order__hospital=hospital,
        order__status__in=COUNTED_ORDER_STATUSES,
        order__submitted_at__year__in=(year - 1, year),
        status__in=COUNTED_LINE_STATUSES,
    ).aggregate(
        used=Sum("amount", filter=Q(order__submitted_at__year=year, catalogue=Catalogue.ALTERNATE)),
        previous=Sum("amount", filter=Q(order__submitted_at__year=year - 1)),
    )
    used = sums["used"] or ZERO
    default_total = quantize(sums["previous"] or ZERO)
    if plan is not None and plan.total is not None:
        total, base = plan.total, BASE_APPROVED
    else:
        total, base = default_total, BASE_PREVIOUS_YEAR
    cap = quantize(total * ratio)
    return CapStatus(
        hospital=hospital,
        year=year,
        total=total,
        ratio=ratio,
        cap=cap,
        used=quantize(used),
        default_total=default_total,
        base=base,
    )


def alternate_cap_check(*, hospital: Organization, year: int, adding: Decimal) -> CapStatus:
    """Raise AlternateCapExceededError (with the figures) if ``adding`` would pass the cap.
    Callers hold a lock on the hospital's purchase plan row so two submissions cannot both
    squeeze under the cap."""
    status = alternate_cap_status(hospital=hospital, year=year)
    if adding <= 0:
        return status
    if status.base == BASE_PREVIOUS_YEAR and status.total == 0:
        # Nothing bought last year and no approved figure: a cap of zero would refuse every
        # alternate-catalogue order with a figure that explains nothing.
        raise PurchasePlanMissingError(year=year, previous_year=year - 1)
    would_be = status.used + adding
    # The cap is None only with no base at all, refused above.
    if status.cap is not None and would_be > status.cap:
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


def platform_purchase_total(*, hospital_id: int, year: int) -> Decimal:
    """The hospital's platform purchases of ``year``: the lines that count (``COUNTED_*``), by
    the order's submission year, both catalogues; the same figure as the alternate cap's
    default base. [R-EMERG-CAP] reads it for last year's purchase total."""
    total = OrderLine.objects.filter(
        order__hospital_id=hospital_id,
        order__status__in=COUNTED_ORDER_STATUSES,
        order__submitted_at__year=year,
        status__in=COUNTED_LINE_STATUSES,
    ).aggregate(total=Sum("amount"))["total"]
    return quantize(total or ZERO)
