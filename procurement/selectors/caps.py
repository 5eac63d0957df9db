"""[R-LIST-ALT-CAP] Alternate-catalogue purchases may not exceed a share (15% in Shenzhen) of the
hospital's annual purchase total. The share is the region policy's
``alternate_catalogue_cap_ratio``.

The total (the cap's base) is, by default, the hospital's platform purchases of the previous
calendar year: the amounts of its order lines that count against the cap (``COUNTED_*``:
orders submitted, confirmed or completed, lines pending or confirmed by the supplier, so no
drafts, no cancelled or rejected orders and no rejected lines), by the order's submission date
in Asia/Shanghai, in both catalogues. A different figure is the hospital's AnnualPurchasePlan:
proposed by its finance staff, in force only once the bureau approves it
(procurement.services.purchase_plans).

Both figures are read from the hospital's running totals (procurement.models.PurchaseTotal),
kept in the transactions that change what counts (procurement.services.purchase_totals)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum

from accounts.models import Organization
from core.money import ZERO, format_cny, quantize
from core.policy import policy_for
from procurement.choices import Catalogue
from procurement.errors import AlternateCapExceededError, PurchasePlanMissingError
from procurement.models import AnnualPurchasePlan, PurchaseTotal

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
    """The cap's figures for ``hospital`` in ``year``, in one query of a few rows: the plan's
    approved total, this year's alternate-catalogue purchases and last year's purchases, read
    from the running totals (procurement.models.PurchaseTotal) that the order services keep,
    never by summing the year's order lines."""
    ratio = policy_for(hospital.region_code).alternate_catalogue_cap_ratio
    totals = PurchaseTotal.objects.filter(hospital=OuterRef("pk"))
    sums = (
        Organization.objects.filter(pk=hospital.pk)
        .annotate(
            plan_total=Subquery(
                AnnualPurchasePlan.objects.filter(hospital=OuterRef("pk"), year=year).values(
                    "total"
                )[:1]
            ),
            used=Subquery(
                totals.filter(year=year, catalogue=Catalogue.ALTERNATE).values("amount")[:1]
            ),
            previous=Subquery(
                totals.filter(year=year - 1)
                .values("hospital")
                .annotate(amount=Sum("amount"))
                .values("amount")[:1]
            ),
        )
        .values("plan_total", "used", "previous")
        .get()
    )
    plan_total = sums["plan_total"]
    used = sums["used"] or ZERO
    default_total = quantize(sums["previous"] or ZERO)
    if plan_total is not None:
        total, base = plan_total, BASE_APPROVED
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
