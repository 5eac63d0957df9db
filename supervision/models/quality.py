"""Quality reports [R-QUALITY] (domain.md "Hospitals' own management, quality and
traceability"): a hospital reports a defective product or an adverse event, naming the product
it received and, when known, the UDI lot; every other hospital that accepted goods of that lot
is sent a lot notice (one row per hospital: what it may read of the report, never who reported
it nor what they wrote); the bureau confirms or dismisses the report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import TenantQuerySet, is_active_actor, scope_q
from supervision.choices import QUALITY_SERIOUS, QualitySeverity, QualityStatus


class QualityReportQuerySet(TenantQuerySet):
    pass


@history.track()
class QualityReport(models.Model):
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("reporting hospital"),
        on_delete=models.PROTECT,
        related_name="quality_reports",
    )
    region_code = models.CharField(_("region"), max_length=6)
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="quality_reports",
    )
    # The manufacturer the hospital's order for the product was addressed to.
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="quality_reports_received",
    )
    lot = models.CharField(_("lot"), max_length=40, blank=True)
    description = models.TextField(_("what happened"))
    severity = models.CharField(_("severity"), max_length=10, choices=QualitySeverity.choices)
    occurred_on = models.DateField(_("date of the event"))
    status = models.CharField(
        _("status"), max_length=10, choices=QualityStatus.choices, default=QualityStatus.FILED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"))
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
    credit_event = models.ForeignKey(
        "supervision.CreditEvent",
        verbose_name=_("credit event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = QualityReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["region_code", "status"], name="quality_region_status"),
            models.Index(fields=["consumable", "lot"], name="quality_consumable_lot"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[v.value for v in QualityStatus]),
                name="quality_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=[v.value for v in QualitySeverity]),
                name="quality_severity_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} · {self.consumable_id} {self.lot}"

    @staticmethod
    def tenant_q(actor) -> models.Q:
        """The reporting hospital its own, the supplier the reports on its products, the bureau
        its region's, platform admins all."""
        scope = scope_q(actor, org_field="hospital_id", region_field="region_code")
        if not scope or not is_active_actor(actor) or actor.organization is None:
            return scope
        return scope | models.Q(supplier_id=actor.organization_id)

    @property
    def is_serious(self) -> bool:
        return self.severity in QUALITY_SERIOUS


class LotNoticeQuerySet(TenantQuerySet):
    pass


@history.track()
class LotNotice(models.Model):
    """[R-QUALITY] a hospital that accepted goods of a reported lot is told of the report: the
    product, the lot, the severity and the date; nothing of who reported it."""

    report = models.ForeignKey(
        QualityReport,
        verbose_name=_("quality report"),
        on_delete=models.PROTECT,
        related_name="lot_notices",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital told"),
        on_delete=models.PROTECT,
        related_name="lot_notices",
    )
    created_at = models.DateTimeField(_("sent at"))

    objects = LotNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("lot notice")
        verbose_name_plural = _("lot notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "organization"], name="lot_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.organization_id}"

    @staticmethod
    def tenant_q(actor) -> models.Q:
        """Each hospital its own notices (platform admins all)."""
        return scope_q(actor, org_field="organization_id")
