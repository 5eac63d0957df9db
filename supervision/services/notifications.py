"""In-app notifications: ``notify`` is what any app right of procurement calls (settlement,
supervision); reading marks them read. The text is written in the platform's language
(settings.LANGUAGE_CODE), the people who read it work in Chinese."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation

from accounts.models import User
from core import clock
from core.errors import ValidationError
from supervision.choices import NotificationKind
from supervision.locks import lock_notification
from supervision.models import Notification
from supervision.selectors.notifications import (
    notification_email_recipients_unscoped,
    notification_list,
)

TEXT_MAX = 500
EMAIL_TASK = "supervision.notification_email"

logger = logging.getLogger(__name__)


def notify(
    *,
    organization_id: int,
    kind: str,
    text: str,
    link: str = "",
    person_id: int | None = None,
) -> Notification:
    """Tell ``organization_id`` (everyone of it, or only ``person_id``) ``text``, with a link
    inside the platform (a path starting with "/")."""
    if kind not in NotificationKind.values:
        raise ValidationError(fields={"kind": [", ".join(NotificationKind.values)]})
    text = str(text or "").strip()
    if not text:
        raise ValidationError(fields={"text": ["required"]})
    if link and not link.startswith("/"):
        raise ValidationError(fields={"link": ["/..."]})
    notification = Notification.objects.create(
        organization_id=organization_id,
        person_id=person_id,
        kind=kind,
        text=text[:TEXT_MAX],
        link=link[:300],
        created_at=clock.now(),
    )
    if settings.NOTIFY_EMAIL_ENABLED:
        pk = notification.pk
        transaction.on_commit(lambda: current_app.tasks[EMAIL_TASK].delay(pk), robust=True)
    return notification


def notification_email_send(*, notification_id: int) -> int:
    """E-mail one notification to each person who would read it in the platform and has an
    address (one message each: nobody sees another's address); how many were sent. A mail
    server error propagates (the task retries); a notification gone or e-mail switched off
    sends nothing."""
    if not settings.NOTIFY_EMAIL_ENABLED:
        return 0
    notification = (
        Notification.objects.select_related("organization").filter(pk=notification_id).first()
    )
    if notification is None:
        return 0
    recipients = notification_email_recipients_unscoped(notification=notification)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = settings.NOTIFY_EMAIL_SUBJECT_PREFIX + str(notification.get_kind_display())
        body = notification.text
        if notification.link:
            body += "\n\n" + settings.NOTIFY_EMAIL_BASE_URL.rstrip("/") + notification.link
    messages = [EmailMessage(subject=subject, body=body, to=[user.email]) for user in recipients]
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    logger.info("notification %s e-mailed to %s people", notification.pk, sent)
    return sent


def notify_many(notices: Iterable[tuple[int, str]], *, kind: str, link: str = "") -> int:
    """``notify`` to many organisations at once, (organisation, text) each, one INSERT per
    thousand (the monthly five rates tell hundreds of parties); how many were told."""
    if kind not in NotificationKind.values:
        raise ValidationError(fields={"kind": [", ".join(NotificationKind.values)]})
    if link and not link.startswith("/"):
        raise ValidationError(fields={"link": ["/..."]})
    now = clock.now()
    rows = []
    for organization_id, text in notices:
        text = str(text or "").strip()
        if not text:
            raise ValidationError(fields={"text": ["required"]})
        rows.append(
            Notification(
                organization_id=organization_id,
                kind=kind,
                text=text[:TEXT_MAX],
                link=link[:300],
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=1000)
    if settings.NOTIFY_EMAIL_ENABLED:
        # As notify does, one e-mail task per notification after the commit (PostgreSQL
        # returns the new primary keys from the bulk insert).
        for row in rows:
            transaction.on_commit(partial(current_app.tasks[EMAIL_TASK].delay, row.pk), robust=True)
    return len(rows)


@transaction.atomic
def notification_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one notification read (once: reading it again changes nothing)."""
    found = lock_notification(actor=actor, notification_id=notification_id)
    if found.read_at is None:
        found.read_at = clock.now()
        found.read_by = actor
        found.save(update_fields=["read_at", "read_by"])
    return found


@transaction.atomic
def notifications_read_all(*, actor: User) -> int:
    """Mark every unread notification of the actor read; how many were."""
    rows = notification_list(actor=actor, unread=True)
    return rows.update(read_at=clock.now(), read_by=actor)
