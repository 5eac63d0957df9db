"""The payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT]: a supplier's payment request (付款申请)
for confirmed invoices, one line per invoice; the hospital's approval, its payment into escrow
or the fund's direct payment; the agency's settlement batches that pay suppliers out of escrow.

Every money movement is a journal entry (settlement.services.ledger.entry_post); the rows here
link to those entries and say what was paid, per invoice. A DirectSettlement is what the fund
paid on a hospital's behalf, to be deducted from the hospital's next fund settlement.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import AnyActor, TenantQuerySet, is_active_actor, overseer_q
from settlement.choices import (
    PaymentLineStatus,
    PaymentMethod,
    PaymentRequestStatus,
    SettlementBatchStatus,
)


def party_q(actor: AnyActor, *, prefix: str = "") -> models.Q:
    """The hospital and the supplier of the request, and the overseers of its region."""
    if not is_active_actor(actor) or actor.organization is None:
        return models.Q(pk__in=[])
    overseer = overseer_q(actor, region_field=f"{prefix}region_code")
    if overseer is not None:
        return overseer
    org = actor.organization
    if not org.is_active:
        return models.Q(pk__in=[])
    if org.is_hospital:
        return models.Q(**{f"{prefix}hospital_id": org.pk})
    return models.Q(**{f"{prefix}supplier_id": org.pk})


class PaymentRequestQuerySet(TenantQuerySet):
    pass


@history.track()
class PaymentRequest(models.Model):
    number = models.CharField(_("payment request number"), max_length=32, unique=True)
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="payment_requests",
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="payment_requests_received",
    )
    region_code = models.CharField(_("region"), max_length=6)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PaymentRequestStatus.choices,
        default=PaymentRequestStatus.REQUESTED,
    )
    # The open lines' sum: what the hospital approves and pays.
    amount = money_field(_("amount"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    payable_entry = models.ForeignKey(
        "settlement.JournalEntry",
        verbose_name=_("payable entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices, blank=True
    )
    transfer_reference = models.CharField(_("bank transfer reference"), max_length=60, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_entry = models.ForeignKey(
        "settlement.JournalEntry",
        verbose_name=_("payment entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    batch = models.ForeignKey(
        "settlement.SettlementBatch",
        verbose_name=_("settlement batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    settled_at = models.DateTimeField(_("paid to the supplier at"), null=True, blank=True)

    objects = PaymentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["supplier", "-requested_at"], name="payreq_supplier_recent"),
            models.Index(fields=["hospital", "status"], name="payreq_hospital_status"),
            models.Index(fields=["region_code", "status"], name="payreq_region_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payreq_amount_gte_0"),
            # One bank transfer pays one request (a transfer recorded twice is refused).
            models.UniqueConstraint(
                fields=["hospital", "transfer_reference"],
                condition=~models.Q(transfer_reference=""),
                name="payreq_transfer_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in PaymentRequestStatus]),
                name="payreq_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return party_q(actor)


class PaymentRequestLineQuerySet(TenantQuerySet):
    pass


@history.track()
class PaymentRequestLine(models.Model):
    """One invoice of a request: its amount, and whether it was disputed or paid."""

    request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("payment request"),
        on_delete=models.PROTECT,
        related_name="lines",
    )
    invoice = models.ForeignKey(
        "procurement.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="payment_lines",
    )
    amount = money_field(_("amount"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PaymentLineStatus.choices,
        default=PaymentLineStatus.OPEN,
    )
    dispute_reason = models.CharField(_("dispute reason"), max_length=500, blank=True)
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disputed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid to the supplier at"), null=True, blank=True)

    objects = PaymentRequestLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment request line")
        verbose_name_plural = _("payment request lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payline_amount_gt_0"),
            # An invoice is in at most one live request: a disputed line may be requested again.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=~models.Q(status=PaymentLineStatus.DISPUTED),
                name="payline_invoice_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.invoice_id}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return party_q(actor, prefix="request__")


class SettlementBatchQuerySet(TenantQuerySet):
    pass


@history.track()
class SettlementBatch(models.Model):
    """The agency's payout of a region's escrow to suppliers: every request paid into escrow
    and not yet settled, one journal entry per supplier, written whole or not at all."""

    number = models.CharField(_("batch number"), max_length=32, unique=True)
    region_code = models.CharField(_("region"), max_length=6)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SettlementBatchStatus.choices,
        default=SettlementBatchStatus.SETTLED,
    )
    total = money_field(_("total"))
    request_count = models.PositiveIntegerField(_("payment requests"))
    invoice_count = models.PositiveIntegerField(_("invoices"))
    supplier_count = models.PositiveIntegerField(_("suppliers"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("run at"))

    objects = SettlementBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement batch")
        verbose_name_plural = _("settlement batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        overseer = overseer_q(actor, region_field="region_code")
        if overseer is not None:
            return overseer
        # A supplier sees the batches that paid it.
        return models.Q(payouts__supplier_id=actor.organization_id)


class SettlementPayout(models.Model):
    """One supplier's line of a batch: the bank file's row and its journal entry."""

    batch = models.ForeignKey(
        SettlementBatch,
        verbose_name=_("settlement batch"),
        on_delete=models.PROTECT,
        related_name="payouts",
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="settlement_payouts",
    )
    amount = money_field(_("amount"))
    invoice_count = models.PositiveIntegerField(_("invoices"))
    entry = models.OneToOneField(
        "settlement.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("settlement payout")
        verbose_name_plural = _("settlement payouts")
        ordering = ["batch", "supplier"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "supplier"], name="payout_once_per_batch"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_gt_0"),
        ]
        # Written once with its batch; a payout is never changed (a reversal is a new entry).
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.supplier_id}"


class DirectSettlementQuerySet(TenantQuerySet):
    def undeducted(self):
        """Not yet deducted from a fund settlement: what the hospital's next one deducts."""
        return self.filter(deducted_at__isnull=True)


@history.track()
class DirectSettlement(models.Model):
    """[R-DIRECT] the fund paid a supplier on a hospital's behalf: the amount is deducted from
    the hospital's next monthly fund settlement (``deducted_at``, ``deducted_by_entry`` are
    set by that settlement)."""

    request = models.OneToOneField(
        PaymentRequest,
        verbose_name=_("payment request"),
        on_delete=models.PROTECT,
        related_name="direct_settlement",
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="direct_settlements",
    )
    region_code = models.CharField(_("region"), max_length=6)
    amount = money_field(_("amount"))
    entry = models.OneToOneField(
        "settlement.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"))
    deducted_at = models.DateTimeField(_("deducted at"), null=True, blank=True)
    deducted_by_entry = models.ForeignKey(
        "settlement.JournalEntry",
        verbose_name=_("deduction entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DirectSettlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("direct settlement")
        verbose_name_plural = _("direct settlements")
        ordering = ["-paid_at", "-pk"]
        indexes = [
            models.Index(
                fields=["hospital"],
                condition=models.Q(deducted_at__isnull=True),
                name="direct_undeducted",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="direct_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.amount}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        overseer = overseer_q(actor, region_field="region_code")
        if overseer is not None:
            return overseer
        return models.Q(hospital_id=actor.organization_id) | models.Q(
            request__supplier_id=actor.organization_id
        )
