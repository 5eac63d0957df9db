"""Reads for purchase plans and the alternate-catalogue cap [R-LIST-ALT-CAP]: whose plan an
actor may look at, and how much of the cap a hospital has used; always actor-scoped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from core import clock, permissions
from core.actions import Actions, Allowed, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError, ValidationError
from core.tenancy import OVERSEER_ROLES
from procurement.choices import PURCHASE_PLAN_STATES, PurchasePlanAction, PurchasePlanStatus
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


def plan_viewer_check(*, actor: User) -> None:
    """Hospital staff and the regulators look at plans; suppliers have no business (403)."""
    org = getattr(actor, "organization", None)
    if org is None or not (org.is_hospital or set(actor.roles) & OVERSEER_ROLES):
        raise PermissionDeniedError(action="purchase_plan.view")


def plan_status_param(value: str) -> str:
    """A status filter: one of the statuses, else none."""
    return value if value in PurchasePlanStatus.values else ""


def plan_hospital_list(*, actor: User) -> QuerySet:
    """Hospitals whose plan the actor may look at (the bureau's page picks from these)."""
    return Organization.objects.visible_to(actor).hospitals().order_by("name")


def purchase_plan_get(
    *, actor: User, hospital_id: int | None = None, year: int | None = None
) -> AnnualPurchasePlan | None:
    hospital = plan_hospital_get(actor=actor, hospital_id=hospital_id)
    year = year or clock.local_today().year
    return AnnualPurchasePlan.objects.visible_to(actor).filter(hospital=hospital, year=year).first()


def purchase_plan_list(
    *, actor: User, hospital_id: int | None = None, status: str = ""
) -> QuerySet:
    """Plans the actor may see; ``status="proposed"`` is the bureau's queue of proposals."""
    qs = AnnualPurchasePlan.objects.visible_to(actor).select_related(
        "hospital", "proposed_by", "decided_by"
    )
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "hospital__name")


def purchase_plan_get_by_id(*, actor: User, plan_id: int) -> AnnualPurchasePlan:
    plan = purchase_plan_list(actor=actor).filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError()
    return plan


def purchase_plan_history(*, plan: AnnualPurchasePlan) -> QuerySet:
    """[R-LIST-ALT-CAP] every earlier state of the plan (pghistory), newest first: each figure
    proposed, by whom and why, and each decision."""
    events = plan.events  # type: ignore[attr-defined]  # pghistory's related name
    return events.select_related("proposed_by", "decided_by").order_by("-pgh_id")


def purchase_plan_actions(*, actor: User, plan: AnnualPurchasePlan | None) -> Actions:
    """What the actor may do with the hospital's plan now (core.actions), as
    procurement.services.purchase_plans checks: the role, then the state (no plan yet: only a
    proposal)."""

    def state(action: str) -> Callable[[], None]:
        def check() -> None:
            if plan is None:
                if action != PurchasePlanAction.PROPOSE:
                    raise NotFoundError()
                return
            PURCHASE_PLAN_STATES.check(plan, action)

        return check

    def own_hospital() -> None:
        org = getattr(actor, "organization", None)
        if org is None or not org.is_hospital:
            raise PermissionDeniedError(action="purchase_plan.propose")

    def decide(action: str) -> Allowed:
        return verdict(action, role_check(actor, "purchase_plan.review"), state(action))

    return Actions(
        [
            verdict(
                PurchasePlanAction.PROPOSE,
                role_check(actor, "purchase_plan.propose"),
                own_hospital,
                state(PurchasePlanAction.PROPOSE),
            ),
            decide(PurchasePlanAction.APPROVE),
            decide(PurchasePlanAction.REJECT),
        ]
    )


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
