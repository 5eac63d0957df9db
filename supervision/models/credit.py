"""Supplier credit [R-CREDIT] [R-MISCONDUCT]: the misconduct catalogue (NJ 8.3), the credit
events recorded against an organisation, the sanctions each event imposes, and credit repair.

A sanction is in force while now lies in ``[starts_at, ends_at)`` and it was not lifted (a
repair approved lifts it): whether it bites is decided when procurement asks
(core.restrictions), so a sanction ends by itself, no task needed.

Evidence files are stored in the database like the listings' (procurement/models/evidence.py
says why), one optional file per event and per repair application.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import TenantQuerySet, scope_q
from supervision.choices import (
    SERIOUS_LEVELS,
    CreditEventSource,
    CreditEventStatus,
    MisconductLevel,
    RepairStatus,
    SanctionKind,
)


@history.track()
class MisconductItem(models.Model):
    """One kind of misconduct, what it costs the score and which sanctions it brings, for how
    many days (``sanctions``: ``{kind: days}``; a warning or a notice lasts its days on the
    record). Kept by the bureau."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("misconduct"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=MisconductLevel.choices)
    score_deduction = models.PositiveSmallIntegerField(_("score deducted"))
    sanctions = models.JSONField(_("sanctions (kind: days)"), default=dict, blank=True)
    repairable = models.BooleanField(_("repairable"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)
    basis = models.CharField(_("policy basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("misconduct item")
        verbose_name_plural = _("misconduct catalogue")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score_deduction__lte=100), name="misconduct_deduction_le_100"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=[v.value for v in MisconductLevel]),
                name="misconduct_level_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CreditEventQuerySet(TenantQuerySet):
    def standing(self):
        return self.filter(status=CreditEventStatus.STANDING)


@history.track()
class CreditEvent(models.Model):
    """A misconduct recorded against an organisation (a supplier; a hospital for its emergency
    purchase violations), by the bureau or raised by the platform from a ``source`` (unique:
    raising the same source twice records one event)."""

    subject = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="credit_events",
    )
    # The region of the bureau that recorded it (the subject's, when raised automatically):
    # the bureau of that region oversees it.
    region_code = models.CharField(_("region"), max_length=6)
    item = models.ForeignKey(
        MisconductItem,
        verbose_name=_("misconduct"),
        on_delete=models.PROTECT,
        related_name="credit_events",
    )
    # Frozen from the item when recorded: a later edit of the catalogue changes no event.
    level = models.CharField(_("level"), max_length=12, choices=MisconductLevel.choices)
    score_deduction = models.PositiveSmallIntegerField(_("score deducted"))
    repairable = models.BooleanField(_("repairable"))
    listing = models.ForeignKey(
        "procurement.Listing",
        verbose_name=_("listing concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the sanctions cover all the supplier's listings."),
    )
    occurred_on = models.DateField(_("date of the misconduct"))
    description = models.TextField(_("what happened"))
    evidence_text = models.TextField(_("evidence"), blank=True)
    evidence_name = models.CharField(_("evidence file"), max_length=200, blank=True)
    evidence_type = models.CharField(_("evidence file type"), max_length=40, blank=True)
    evidence_content = models.BinaryField(_("evidence file content"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=CreditEventSource.choices)
    source_key = models.CharField(_("source reference"), max_length=80, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CreditEventStatus.choices,
        default=CreditEventStatus.STANDING,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    repaired_at = models.DateTimeField(_("repaired at"), null=True, blank=True)

    objects = CreditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "status"], name="credit_event_subject"),
            models.Index(fields=["region_code", "-recorded_at"], name="credit_event_region"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="credit_event_source_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[v.value for v in CreditEventStatus]),
                name="credit_event_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.item}"

    @staticmethod
    def tenant_q(actor) -> models.Q:
        """The organisation its own; the bureau its region's; platform admins all."""
        return scope_q(actor, org_field="subject_id", region_field="region_code")

    @property
    def is_serious(self) -> bool:
        return self.level in SERIOUS_LEVELS


class SanctionQuerySet(TenantQuerySet):
    def in_force(self, at):
        return self.filter(starts_at__lte=at, ends_at__gt=at, lifted_at__isnull=True)


@history.track()
class Sanction(models.Model):
    """One sanction an event imposes, from ``starts_at`` until ``ends_at`` (exclusive), or
    until lifted by an approved repair."""

    event = models.ForeignKey(
        CreditEvent,
        verbose_name=_("credit event"),
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    subject = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    region_code = models.CharField(_("region"), max_length=6)
    listing = models.ForeignKey(
        "procurement.Listing",
        verbose_name=_("listing concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("sanction"), max_length=20, choices=SanctionKind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "kind", "ends_at"], name="sanction_subject_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="sanction_ends_after_start",
            ),
            models.UniqueConstraint(fields=["event", "kind"], name="sanction_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"

    @staticmethod
    def tenant_q(actor) -> models.Q:
        return scope_q(actor, org_field="subject_id", region_field="region_code")


class CreditRepairQuerySet(TenantQuerySet):
    pass


@history.track()
class CreditRepair(models.Model):
    """The organisation's application to repair its credit for one event, with evidence of
    the correction; the bureau approves (the event's sanctions are lifted and its deduction no
    longer counts) or rejects with a reason."""

    event = models.ForeignKey(
        CreditEvent,
        verbose_name=_("credit event"),
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    subject = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="credit_repairs",
    )
    region_code = models.CharField(_("region"), max_length=6)
    status = models.CharField(
        _("status"), max_length=10, choices=RepairStatus.choices, default=RepairStatus.PENDING
    )
    statement = models.TextField(_("what was corrected"))
    evidence_name = models.CharField(_("evidence file"), max_length=200, blank=True)
    evidence_type = models.CharField(_("evidence file type"), max_length=40, blank=True)
    evidence_content = models.BinaryField(_("evidence file content"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    objects = CreditRepairQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit repair application")
        verbose_name_plural = _("credit repair applications")
        ordering = ["-applied_at", "-pk"]
        constraints = [
            # One application at a time awaits the bureau for an event.
            models.UniqueConstraint(
                fields=["event"],
                condition=models.Q(status=RepairStatus.PENDING),
                name="credit_repair_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[v.value for v in RepairStatus]),
                name="credit_repair_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} · {self.event_id}"

    @staticmethod
    def tenant_q(actor) -> models.Q:
        return scope_q(actor, org_field="subject_id", region_field="region_code")
