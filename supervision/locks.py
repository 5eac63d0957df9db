"""Row locks for supervision: the only way a service fetches a row it is about to change.
Lock order: a credit event, then its repair application, then its sanctions (pk order)."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from core import permissions
from core.errors import NotFoundError
from supervision.models import (
    Alert,
    AlertRule,
    CreditEvent,
    CreditRepair,
    MisconductItem,
    Notification,
    QualityReport,
    Sanction,
)


def lock_misconduct_item(*, actor: User, item_id: int) -> MisconductItem:
    permissions.require(actor, "misconduct_item.manage")
    found = MisconductItem.objects.select_for_update(of=("self",)).filter(pk=item_id).first()
    if found is None:
        raise NotFoundError()
    return found


def lock_credit_event(*, actor: User | None, event_id: int, action: str) -> CreditEvent:
    """The event, locked FOR UPDATE, if the actor may see it (else 404) and do ``action``
    (else 403); ``actor=None``: a system job."""
    rows = CreditEvent.objects.all() if actor is None else CreditEvent.objects.visible_to(actor)
    found = (
        rows.select_for_update(of=("self",))
        .select_related("item", "subject")
        .filter(pk=event_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    if actor is not None:
        permissions.require(actor, action)
    return found


def lock_credit_repair(*, actor: User, repair_id: int, action: str) -> CreditRepair:
    found = (
        CreditRepair.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("event", "subject")
        .filter(pk=repair_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    permissions.require(actor, action)
    return found


def lock_event_sanctions(*, event: CreditEvent) -> list[Sanction]:
    return list(Sanction.objects.select_for_update(of=("self",)).filter(event=event).order_by("pk"))


def lock_notification(*, actor: User, notification_id: int) -> Notification:
    found = (
        Notification.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk=notification_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    permissions.require(actor, "notification.view")
    return found


def lock_quality_report(*, actor: User, report_id: int, action: str) -> QualityReport:
    """The report, locked FOR UPDATE, if the actor may see it (else 404) and do ``action``
    (else 403)."""
    found = (
        QualityReport.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("consumable", "hospital", "supplier")
        .filter(pk=report_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    permissions.require(actor, action)
    return found


def lock_alert(*, actor: User, alert_id: int, action: str) -> Alert:
    """The alert, locked FOR UPDATE, if the actor may see it (else 404) and do ``action``
    (else 403)."""
    found = (
        Alert.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("rule", "supplier", "hospital")
        .filter(pk=alert_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    permissions.require(actor, action)
    return found


def lock_alert_rule(*, region_code: str, code: str) -> AlertRule:
    """The region's rule ``code``, locked FOR UPDATE; the caller has checked permission and
    seeded the region's rules, so the row exists."""
    return AlertRule.objects.select_for_update(of=("self",)).get(region_code=region_code, code=code)


def lock_live_alert(*, rule: AlertRule, subject_key: str, live: Iterable[str]) -> Alert | None:
    """The open or acknowledged alert of ``rule`` on ``subject_key``, locked FOR UPDATE, so
    two runs refreshing the same alert apply one after the other; ``None`` if there is none."""
    return (
        Alert.objects.select_for_update(of=("self",))
        .select_related("rule", "assignee")
        .filter(rule=rule, subject_key=subject_key, status__in=list(live))
        .first()
    )
