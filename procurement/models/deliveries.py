"""Delivery notes (配送单), their lines with UDI production identifiers, acceptance, returns."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import AnyActor, TenantQuerySet
from procurement.choices import DeliveryStatus
from procurement.models.orders import order_scope_q


def _is_hospital(actor: AnyActor) -> bool:
    organization = getattr(actor, "organization", None)
    return bool(organization is not None and organization.is_hospital)


def _with_carrier(scope: models.Q, actor, field: str) -> models.Q:
    """The order's scope, plus notes the actor's organisation carried. An empty Q means "no
    restriction" (regulators); OR-ing it with anything would silently narrow it to that
    other condition, so it is returned as it is."""
    if not scope:
        return scope
    return scope | models.Q(**{field: actor.organization_id})


class DeliveryQuerySet(TenantQuerySet):
    pass


@history.track()
class Delivery(models.Model):
    number = models.CharField(_("delivery note number"), max_length=32, unique=True)
    order = models.ForeignKey(
        "procurement.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    # Who delivered: the manufacturer itself or an authorised distributor.
    carrier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("delivered by"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.SHIPPED,
    )
    shipped_at = models.DateTimeField(_("shipped at"), auto_now_add=True, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery note")
        verbose_name_plural = _("delivery notes")
        ordering = ["-shipped_at", "-id"]
        indexes = [
            # The list's order (newest first, id breaking ties) and its keyset condition.
            models.Index(fields=["-shipped_at", "-id"], name="delivery_recent"),
            models.Index(fields=["order", "-shipped_at", "-id"], name="delivery_order_recent"),
            models.Index(fields=["carrier", "-shipped_at", "-id"], name="delivery_carrier_recent"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        scope = order_scope_q(actor, prefix="order__")
        if _is_hospital(actor):
            # A hospital never carries goods: its own orders' notes, one condition on the
            # order's (hospital, ...) index rather than an OR with the carrier column.
            return scope
        return _with_carrier(scope, actor, "carrier_id")


class DeliveryLineQuerySet(TenantQuerySet):
    pass


@history.track()
class DeliveryLine(models.Model):
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery note"), on_delete=models.PROTECT, related_name="lines"
    )
    order_line = models.ForeignKey(
        "procurement.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="delivery_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    udi_di = models.CharField(_("UDI-DI"), max_length=60, blank=True)
    lot = models.CharField(_("lot"), max_length=40, blank=True)
    serial = models.CharField(_("serial"), max_length=60, blank=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    barcode = models.CharField(_("scanned barcode"), max_length=500, blank=True)
    accepted_quantity = models.PositiveIntegerField(_("accepted"), default=0)
    refused_quantity = models.PositiveIntegerField(_("refused"), default=0)
    refusal_reason = models.CharField(_("refusal reason"), max_length=500, blank=True)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)

    objects = DeliveryLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["delivery", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="delivery_qty_gt_0"),
            models.CheckConstraint(
                condition=models.Q(
                    accepted_quantity__lte=models.F("quantity") - models.F("refused_quantity")
                ),
                name="delivery_accepted_lte_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_quantity__lte=models.F("accepted_quantity")),
                name="delivery_returned_lte_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}/{self.pk}"

    @property
    def amount(self) -> Decimal:
        """What was shipped on this line at the order's unit price, to the cent."""
        return self.order_line.amount_of(self.quantity)

    @property
    def accepted_amount(self) -> Decimal:
        """What the hospital accepted on this line at the order's unit price."""
        return self.order_line.amount_of(self.accepted_quantity)

    @property
    def returnable_quantity(self) -> int:
        """What may still be returned from this line: accepted and not returned, and never
        more than its order line has not invoiced (invoiced goods are settled through the
        invoice, procurement.services.deliveries.return_register)."""
        return max(
            0,
            min(
                self.accepted_quantity - self.returned_quantity,
                self.order_line.uninvoiced_quantity,
            ),
        )

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return _with_carrier(
            order_scope_q(actor, prefix="delivery__order__"), actor, "delivery__carrier_id"
        )


@history.track()
class ReturnRecord(models.Model):
    """Goods sent back after acceptance (defect, wrong item): lowers what can be invoiced."""

    delivery_line = models.ForeignKey(
        DeliveryLine,
        verbose_name=_("delivery line"),
        on_delete=models.PROTECT,
        related_name="returns",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="return_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_line_id} -{self.quantity}"
