"""Abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT] (docs/alerts.md): a region's rules, each
with its parameters (validated against the rule's ParamSpecs in
supervision/selectors/alert_rules.py), and the alerts they raise, each with a severity, the
figure measured against the threshold, the evidence rows behind it and a workflow
(open -> acknowledged -> resolved | dismissed with a reason). Every change of either is kept
by pghistory (``history.track``): who acknowledged, assigned, resolved or dismissed, when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import TenantQuerySet, is_active_actor, overseer_q
from supervision.choices import ALERT_LIVE, AlertSeverity, AlertStatus


class AlertRuleQuerySet(TenantQuerySet):
    pass


def _overseers_only(actor, region_field: str) -> models.Q:
    """Regulators of the jurisdiction and platform admins; nobody else sees a row."""
    if not is_active_actor(actor):
        return models.Q(pk__in=[])
    scope = overseer_q(actor, region_field=region_field)
    return models.Q(pk__in=[]) if scope is None else scope


@history.track()
class AlertRule(models.Model):
    """One rule of one region (a bureau's region code): on or off, with its parameters."""

    region_code = models.CharField(_("region"), max_length=6)
    code = models.CharField(_("rule"), max_length=40)
    enabled = models.BooleanField(_("enabled"), default=True)
    # {parameter name: decimal as a string}, within the rule's ParamSpec ranges.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AlertRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["region_code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "code"], name="alert_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.code}"

    @staticmethod
    def tenant_q(actor) -> models.Q:
        return _overseers_only(actor, "region_code")


class AlertQuerySet(TenantQuerySet):
    def live(self):
        return self.filter(status__in=ALERT_LIVE)


@history.track()
class Alert(models.Model):
    rule = models.ForeignKey(
        AlertRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="alerts"
    )
    region_code = models.CharField(_("region"), max_length=6)
    # The rule's stable key of what the alert is about (a listing, a hospital, a contract...).
    subject_key = models.CharField(_("subject"), max_length=120)
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts_as_hospital",
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts_as_supplier",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices)
    summary = models.CharField(_("summary"), max_length=500)
    measured = models.DecimalField(_("measured"), max_digits=18, decimal_places=4)
    threshold = models.DecimalField(_("threshold"), max_digits=18, decimal_places=4)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    # The evidence rows' identities ("kind:id", sorted), hashed: what a closed alert covered.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_alerts",
    )
    created_at = models.DateTimeField(_("raised at"))
    refreshed_at = models.DateTimeField(_("evidence refreshed at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The resolution's note or the dismissal's reason.
    close_reason = models.TextField(_("reason"), blank=True)
    # Resolved as confirmed misconduct (price rules: raises the supplier's credit event).
    misconduct = models.BooleanField(_("confirmed misconduct"), default=False)
    credit_event = models.ForeignKey(
        "supervision.CreditEvent",
        verbose_name=_("credit event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["region_code", "status"], name="alert_region_status"),
            models.Index(fields=["rule", "subject_key"], name="alert_rule_subject"),
        ]
        constraints = [
            # One live alert per rule and subject: a re-run refreshes it, never duplicates it.
            models.UniqueConstraint(
                fields=["rule", "subject_key"],
                condition=models.Q(status__in=[s.value for s in ALERT_LIVE]),
                name="alert_one_live_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[v.value for v in AlertStatus]),
                name="alert_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=[v.value for v in AlertSeverity]),
                name="alert_severity_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} · {self.rule_id} {self.subject_key}"

    @staticmethod
    def tenant_q(actor) -> models.Q:
        return _overseers_only(actor, "region_code")

    @property
    def is_live(self) -> bool:
        return self.status in ALERT_LIVE
