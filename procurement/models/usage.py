"""Usage records: a consumable used in an operation, reported by the hospital's HIS.

The raw input of abnormal-use alerts [R-ALERT-USE] and traceability [R-TRACE]: kept flat, with
the doctor, department, brand (manufacturer) and operation as plain indexed columns so that
supervision can aggregate by any of them without joins through orders.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import AnyActor, TenantQuerySet, scope_q
from procurement.choices import UsageCatalogueFlag


class UsageRecordQuerySet(TenantQuerySet):
    pass


class UsageRecord(models.Model):
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="usage_records",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="usage_records",
    )
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("brand (manufacturer)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    udi_di = models.CharField(_("UDI-DI"), max_length=60, blank=True)
    lot = models.CharField(_("lot"), max_length=40, blank=True)
    serial = models.CharField(_("serial"), max_length=60, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    operation_id = models.CharField(_("operation id"), max_length=64, db_index=True)
    doctor_code = models.CharField(_("operating doctor's staff code"), max_length=32)
    department = models.CharField(_("department"), max_length=100)
    # A hash computed by the HIS: the platform never sees the case number itself.
    patient_hash = models.CharField(_("patient case number hash"), max_length=128)
    used_at = models.DateTimeField(_("used at"))
    charged_price = money_field(_("price charged to the patient"), null=True, blank=True)
    # [R-HOSP-CATALOGUE] set when received: the product was never admitted to the hospital's
    # catalogue, or stopped in it. The record is kept (the use happened); the flag says so.
    catalogue_flag = models.CharField(
        _("outside the hospital's catalogue"),
        max_length=12,
        choices=UsageCatalogueFlag.choices,
        blank=True,
        default="",
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["-used_at"]
        indexes = [
            models.Index(fields=["hospital", "doctor_code", "used_at"], name="usage_by_doctor"),
            models.Index(fields=["hospital", "manufacturer", "used_at"], name="usage_by_brand"),
            models.Index(fields=["hospital", "department", "used_at"], name="usage_by_dept"),
            models.Index(
                fields=["hospital", "used_at"],
                condition=~models.Q(catalogue_flag=""),
                name="usage_flagged",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="usage_qty_gt_0"),
            models.UniqueConstraint(
                fields=["hospital", "udi_di", "serial"],
                condition=~models.Q(serial=""),
                name="usage_serial_used_once",
            ),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.operation_id} {self.consumable_id}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return scope_q(actor, org_field="hospital_id", region_field="hospital__region_code")
