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
