"""Invoices: what the supplier bills for accepted goods; confirmed ones go to settlement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import AnyActor, TenantQuerySet, is_active_actor, overseer_q
from procurement.choices import InvoiceStatus


class InvoiceQuerySet(TenantQuerySet):
    def confirmed(self):
        return self.filter(status=InvoiceStatus.CONFIRMED)


@history.track()
class Invoice(models.Model):
    number = models.CharField(_("invoice number"), max_length=40)
    issued_on = models.DateField(_("issue date"))
    amount = money_field(_("amount"))
    # [R-TWO-INVOICE] the issuer is the manufacturer or its authorised distributor.
    issuer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="issued_invoices",
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="received_invoices",
    )
    order = models.ForeignKey(
        "procurement.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.REGISTERED,
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-registered_at", "-id"]
        indexes = [
            # The list's order (newest first, id breaking ties), its keyset condition, and
            # the finance staff's first tab (registered invoices to confirm).
            models.Index(
                fields=["hospital", "-registered_at", "-id"], name="invoice_hospital_recent"
            ),
            models.Index(
                fields=["hospital", "status", "-registered_at", "-id"],
                name="invoice_hospital_status",
            ),
            models.Index(fields=["issuer", "-registered_at", "-id"], name="invoice_issuer_recent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="invoice_number_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        overseer = overseer_q(actor, region_field="hospital__region_code")
        if overseer is not None:
            return overseer
        org_id = actor.organization_id
        if actor.organization.is_hospital:
            # A hospital never issues invoices nor supplies: one condition, which its
            # (hospital, registered_at, id) index answers in list order.
            return models.Q(hospital_id=org_id)
        return (
            models.Q(hospital_id=org_id)
            | models.Q(issuer_id=org_id)
            | models.Q(order__supplier_id=org_id)
        )


@history.track()
class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="lines"
    )
    order_line = models.ForeignKey(
        "procurement.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = money_field(_("amount"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="invoice_qty_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.order_line_id}"
