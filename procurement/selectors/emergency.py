"""Reads for emergency purchases (应急采购), always actor-scoped but where named ``*_unscoped``.

The rules stated here once, for the services, the pages, the API and the home cards:

- ``emergency_cap_status``: [R-EMERG-CAP] the hospital's emergency purchases of a year may not
  exceed a share of its platform purchases of the year before (for a hospital that bought
  nothing on the platform then, the annual purchase total the bureau approved for the year): the region policy's
  ``emergency_cap_ratio_tier3`` for tier-3 hospitals, ``emergency_cap_ratio_other`` for the
  others; the amounts over the cap the bureau approved raise it by as much.
- ``emergency_deadline``: [R-EMERG-DEADLINE] registered within the region's
  ``emergency_registration_working_days`` working days (the platform calendar) of the purchase.
- ``emergency_actions``: what an actor may do with a registration now.
- ``emergency_violation_list`` / ``emergency_violations_unscoped``: the late and over-cap
  registrations, for the bureau, settlement [R-EMERG-DEDUCT] and credit.
- ``emergency_evidence``: [R-LIST-OTHER] the tier-2+ hospitals of a region that bought a
  product in emergency, and the region's lowest emergency price.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum

from accounts.choices import HospitalTier
from accounts.models import Organization, User
from core import clock, permissions
from core.actions import Actions, Allowed, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from core.money import ZERO, quantize
from core.policy import RegionPolicy, policy_for
from core.regions import jurisdiction_prefix
from procurement.choices import (
    EMERGENCY_STATES,
    EmergencyAction,
    EmergencyStatus,
    EmergencyViolationKind,
)
from procurement.models import (
    EmergencyPurchase,
    EmergencyPurchaseLine,
    EmergencyViolation,
)
from procurement.selectors.caps import (
    BASE_APPROVED,
    BASE_PREVIOUS_YEAR,
    alternate_cap_status,
)

# ---------------------------------------------------------------------------------------------
# The cap [R-EMERG-CAP]


@dataclass(frozen=True)
class EmergencyCapStatus:
    hospital: Organization
    year: int
    tier3: bool
    ratio: Decimal
    base: Decimal  # the hospital's platform purchases of the year before (see base_kind)
    approved_extra: Decimal  # amounts over the cap the bureau approved this year
    used: Decimal  # this year's emergency purchases registered so far
    base_kind: str = "previous_year"  # or "approved": the year's approved annual total

    @property
    def cap(self) -> Decimal:
        return quantize(self.base * self.ratio) + self.approved_extra

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.cap - self.used)

    @property
    def share(self) -> Decimal | None:
        """Used as a share of the base (None without a base)."""
        return None if not self.base else self.used / self.base

    @property
    def used_of_cap(self) -> Decimal | None:
        """Used as a share of the cap, for the progress bar (None with a cap of zero)."""
        return None if not self.cap else self.used / self.cap

    def over_by(self, adding: Decimal) -> Decimal:
        """How far ``adding`` more would pass the cap (0 up to the cap itself)."""
        return max(ZERO, self.used + adding - self.cap)


def emergency_cap_ratio(*, hospital: Organization, policy: RegionPolicy) -> Decimal:
    if hospital.tier == HospitalTier.TIER_3:
        return policy.emergency_cap_ratio_tier3
    return policy.emergency_cap_ratio_other


def emergency_cap_status(*, hospital: Organization, year: int) -> EmergencyCapStatus:
    """[R-EMERG-CAP] the hospital's emergency cap of ``year`` and what it used (two queries)."""
    policy = policy_for(hospital.region_code)
    sums = EmergencyPurchase.objects.filter(hospital=hospital, bought_on__year=year).aggregate(
        used=Sum("amount"),
        approved=Sum("over_cap_amount", filter=Q(status=EmergencyStatus.APPROVED)),
    )
    # The same two figures the alternate cap reads (last year's running totals, the approved
    # annual total), in its one query; the emergency cap prefers last year's purchases.
    figures = alternate_cap_status(hospital=hospital, year=year)
    base, base_kind = figures.default_total, BASE_PREVIOUS_YEAR
    if not base and figures.base == BASE_APPROVED and figures.total:
        # New to the platform (nothing bought on it last year): the annual purchase total the
        # bureau approved for the year stands in, as it does for the alternate cap.
        base, base_kind = quantize(figures.total), BASE_APPROVED
    return EmergencyCapStatus(
        hospital=hospital,
        year=year,
        tier3=hospital.tier == HospitalTier.TIER_3,
        ratio=emergency_cap_ratio(hospital=hospital, policy=policy),
        base=base,
        base_kind=base_kind,
        approved_extra=quantize(sums["approved"] or ZERO),
        used=quantize(sums["used"] or ZERO),
    )


def own_hospital(actor: User) -> Organization:
    """The actor's hospital; anyone else is refused (403): only hospitals buy in emergency."""
    org = getattr(actor, "organization", None)
    if org is None or not org.is_hospital:
        raise PermissionDeniedError(action="emergency.register")
    return org


def emergency_cap_for(*, actor: User, year: int | None = None) -> EmergencyCapStatus:
    """The actor's own hospital's cap (the form's live panel, the home card)."""
    hospital = own_hospital(actor)
    return emergency_cap_status(hospital=hospital, year=year or clock.local_today().year)


# ---------------------------------------------------------------------------------------------
# The deadline [R-EMERG-DEADLINE]


def emergency_deadline(*, bought_on: dt.date, policy: RegionPolicy) -> clock.WorkingDate:
    """The last day to register a purchase made on ``bought_on``: that many working days
    after it, holidays skipped and make-up working days counted."""
    return clock.add_working_days(bought_on, policy.emergency_registration_working_days)


# ---------------------------------------------------------------------------------------------
# Lists and one registration


def emergency_purchase_list(
    *,
    actor: User,
    status: list[str] | None = None,
    year: int | None = None,
    hospital_id: int | None = None,
    violation: str = "",
) -> QuerySet[EmergencyPurchase]:
    """The registrations the actor may see, newest first. ``violation``: ``late``,
    ``over_cap`` or ``any``."""
    if not permissions.can(actor, "emergency.view"):
        raise PermissionDeniedError(action="emergency.view")
    qs = EmergencyPurchase.objects.visible_to(actor).select_related("hospital", "registered_by")
    if status:
        qs = qs.filter(status__in=status)
    if year:
        qs = qs.filter(bought_on__year=year)
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    if violation == "late":
        qs = qs.filter(late=True)
    elif violation == EmergencyViolationKind.OVER_CAP:
        qs = qs.filter(over_cap_amount__gt=0)
    elif violation == "any":
        qs = qs.filter(Q(late=True) | Q(over_cap_amount__gt=0))
    return qs


def emergency_purchase_get(*, actor: User, purchase_id: int) -> EmergencyPurchase:
    """One registration with its lines and violations; another hospital's is a 404."""
    found = (
        emergency_purchase_list(actor=actor)
        .prefetch_related("lines__consumable", "violations")
        .filter(pk=purchase_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found


def emergency_awaiting_decision(*, actor: User) -> QuerySet[EmergencyPurchase]:
    """Over-cap registrations the bureau has not decided on (the bureau's and the hospital's
    home cards)."""
    return emergency_purchase_list(actor=actor, status=[EmergencyStatus.PENDING])


# ---------------------------------------------------------------------------------------------
# What an actor may do now


def emergency_actions(*, actor: User, purchase: EmergencyPurchase) -> Actions:
    """What the actor may do with the registration now (core.actions), as
    procurement.services.emergency checks: the bureau's role, then the state."""

    def decide(action: str) -> Allowed:
        def state() -> None:
            EMERGENCY_STATES.check(purchase, action)

        return verdict(action, role_check(actor, "emergency.review"), state)

    return Actions([decide(EmergencyAction.APPROVE), decide(EmergencyAction.REJECT)])


# ---------------------------------------------------------------------------------------------
# Violations [R-EMERG-DEDUCT]


def _violations(
    qs: QuerySet[EmergencyViolation], *, year: int | None, kind: str, standing: bool
) -> QuerySet[EmergencyViolation]:
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if standing:
        qs = qs.standing()  # type: ignore[attr-defined]
    return qs.select_related("purchase", "hospital", "lifted_by")


def emergency_violation_list(
    *,
    actor: User,
    year: int | None = None,
    kind: str = "",
    standing: bool = False,
    hospital_id: int | None = None,
) -> QuerySet[EmergencyViolation]:
    """The violations the actor may see (the hospital its own, the bureau its region's)."""
    if not permissions.can(actor, "emergency.view"):
        raise PermissionDeniedError(action="emergency.view")
    qs = EmergencyViolation.objects.visible_to(actor)
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    return _violations(qs, year=year, kind=kind, standing=standing)


def emergency_violations_unscoped(
    *, year: int, hospital_ids: list[int] | None = None, standing: bool = True
) -> QuerySet[EmergencyViolation]:
    """For settlement's deduction [R-EMERG-DEDUCT] and the credit rating, which run for no
    organisation: the year's violations (standing only, by default) of every hospital or of
    ``hospital_ids``."""
    qs = EmergencyViolation.objects.all()
    if hospital_ids is not None:
        qs = qs.filter(hospital_id__in=hospital_ids)
    return _violations(qs, year=year, kind="", standing=standing)


# ---------------------------------------------------------------------------------------------
# Evidence for other listings [R-LIST-OTHER]


@dataclass(frozen=True)
class EmergencyEvidence:
    """[R-LIST-OTHER] registered emergency purchases of a product in the region."""

    hospitals: int = 0  # distinct tier-2 and tier-3 hospitals
    tier3_hospitals: int = 0
    lowest_price: Decimal | None = None  # the region's lowest emergency purchase price
    available: bool = False  # whether any emergency purchase of it is registered


TIER2_PLUS = (HospitalTier.TIER_2, HospitalTier.TIER_3)


def emergency_evidence(*, consumable_id: int, region_code: str) -> EmergencyEvidence:
    """The distinct tier-2+ hospitals of ``region_code`` (and below) that registered an
    emergency purchase of the product, the tier-3 ones among them, and the lowest unit price
    any hospital of the region paid for it (one query)."""
    lines = EmergencyPurchaseLine.objects.filter(consumable_id=consumable_id)
    if region_code:
        lines = lines.filter(
            purchase__hospital__region_code__startswith=jurisdiction_prefix(region_code)
        )
    tier2_plus = Q(purchase__hospital__tier__in=TIER2_PLUS)
    found = lines.aggregate(
        lines=Count("pk"),
        hospitals=Count("purchase__hospital", distinct=True, filter=tier2_plus),
        tier3=Count(
            "purchase__hospital",
            distinct=True,
            filter=Q(purchase__hospital__tier=HospitalTier.TIER_3),
        ),
        lowest=Min("unit_price"),
    )
    return EmergencyEvidence(
        hospitals=found["hospitals"],
        tier3_hospitals=found["tier3"],
        lowest_price=found["lowest"],
        available=bool(found["lines"]),
    )
