"""Reads for purchase plans and the alternate-catalogue cap [R-LIST-ALT-CAP]: whose plan an
actor may look at, and how much of the cap a hospital has used; always actor-scoped."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from core import clock, permissions
from core.errors import NotFoundError, PermissionDeniedError, ValidationError
from core.tenancy import OVERSEER_ROLES
from procurement.errors import YearOutOfRangeError
from procurement.models import AnnualPurchasePlan
from procurement.selectors import caps


def plan_hospital_get(*, actor: User, hospital_id: int | None = None) -> Organization:
    """The hospital whose plan and cap the actor asks about: hospital staff their own (another
    hospital's id is a 404); the bureau and agency any hospital of their region; suppliers
    have no business with caps (403)."""
    org = getattr(actor, "organization", None)
    if org is None or not permissions.can(actor, "organization.view"):
        raise PermissionDeniedError(action="purchase_plan.view")
    if org.is_hospital:
        if hospital_id not in (None, org.pk):
            raise NotFoundError()
        return org
    if not set(actor.roles) & OVERSEER_ROLES:
        raise PermissionDeniedError(action="purchase_plan.view")
    if hospital_id is None:
        raise ValidationError(fields={"hospital": [_("Choose a hospital.")]})
    hospital = Organization.objects.visible_to(actor).hospitals().filter(pk=hospital_id).first()
    if hospital is None:
        raise NotFoundError()
    return hospital


def plan_hospital_list(*, actor: User) -> QuerySet:
    """Hospitals whose plan the actor may look at (the bureau's page picks from these)."""
    return Organization.objects.visible_to(actor).hospitals().order_by("name")


def purchase_plan_get(
    *, actor: User, hospital_id: int | None = None, year: int | None = None
) -> AnnualPurchasePlan | None:
    hospital = plan_hospital_get(actor=actor, hospital_id=hospital_id)
    year = year or clock.local_today().year
    return AnnualPurchasePlan.objects.visible_to(actor).filter(hospital=hospital, year=year).first()


def purchase_plan_list(*, actor: User, hospital_id: int | None = None) -> QuerySet:
    qs = AnnualPurchasePlan.objects.visible_to(actor).select_related("hospital")
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    return qs.order_by("-year", "hospital__name")


def alternate_cap_status_get(
    *, actor: User, hospital_id: int | None = None, year: int | None = None
) -> tuple[Organization, caps.CapStatus]:
    """[R-LIST-ALT-CAP] used and remaining alternate-catalogue amount for the order form."""
    year = year or clock.local_today().year
    # The year becomes a date range in Asia/Shanghai and in UTC (``__year``); at the ends of
    # what a date holds that range overflows, and no plan is that far away.
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise YearOutOfRangeError(year=year, first=dt.MINYEAR + 1, last=dt.MAXYEAR - 1)
    hospital = plan_hospital_get(actor=actor, hospital_id=hospital_id)
    return hospital, caps.alternate_cap_status(hospital=hospital, year=year)
