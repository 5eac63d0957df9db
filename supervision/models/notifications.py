"""In-app notifications (issue #15, item 7): a line of text with a link, addressed to an
organisation (everyone of it reads it) or to one person of it. Any app right of procurement
writes them through ``supervision.services.notifications.notify``.

The text is written in the platform's language when the notification is made (the people who
read it work in Chinese); the ``kind`` lets a client group or filter them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import TenantQuerySet, is_active_actor
from supervision.choices import NotificationKind


class NotificationQuerySet(TenantQuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


@history.track()
class Notification(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("Empty: everyone of the organisation."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "read_at"], name="notification_org_unread"),
        ]
        constraints = [
            # A link inside the platform only (never an open redirect).
            models.CheckConstraint(
                condition=models.Q(link="") | models.Q(link__startswith="/"),
                name="notification_link_local",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def tenant_q(actor) -> models.Q:
        """Each person sees their organisation's notifications (those to the whole
        organisation and those to them), nobody else's: not even a platform admin's."""
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        if not actor.organization.is_active:
            return models.Q(pk__in=[])
        return models.Q(organization_id=actor.organization_id) & (
            models.Q(person__isnull=True) | models.Q(person_id=actor.pk)
        )
