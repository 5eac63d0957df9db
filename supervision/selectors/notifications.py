"""Reads of notifications: each person their organisation's (core tenancy of Notification)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from core import permissions
from core.errors import NotFoundError, PermissionDeniedError
from supervision.models import Notification


def notification_list(*, actor: User, unread: bool = False) -> QuerySet[Notification]:
    if not permissions.can(actor, "notification.view"):
        raise PermissionDeniedError(action="notification.view")
    rows = Notification.objects.visible_to(actor)
    return rows.unread() if unread else rows


def notification_get(*, actor: User, notification_id: int) -> Notification:
    found = notification_list(actor=actor).filter(pk=notification_id).first()
    if found is None:
        raise NotFoundError()
    return found


def notification_unread_count(*, actor: User) -> int:
    return notification_list(actor=actor, unread=True).count()


def notification_email_recipients_unscoped(*, notification: Notification) -> list[User]:
    """Who is e-mailed a notification: the people who would read it in the platform (the
    active users of its active organisation, or only its ``person``, allowed to view
    notifications) who have an e-mail address. Never anyone of another organisation."""
    org = notification.organization
    if not org.is_active:
        return []
    rows = (
        User.objects.filter(organization_id=org.pk, is_active=True)
        .exclude(email="")
        .select_related("organization")
        .order_by("pk")
    )
    if notification.person_id is not None:
        rows = rows.filter(pk=notification.person_id)
    return [user for user in rows if permissions.can(user, "notification.view")]
