"""Orders and their lines: what a hospital buys from one manufacturer."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field, quantize
from core.tenancy import AnyActor, TenantQuerySet, is_active_actor, overseer_q
from procurement.choices import Catalogue, LineStatus, OrderStatus, PurchaseLabel


def order_scope_q(
    actor: AnyActor, *, prefix: str = "", party_prefix: str | None = None
) -> models.Q:
    """Who sees an order (and everything hanging off it): the hospital that placed it, the
    manufacturer it is addressed to and a distributor delivering any of it once the hospital
    has submitted it (a hospital's drafts are its own business), the regulators of the
    hospital's region and the platform administrators.

    Every read of an order goes through this: ``Order.objects.visible_to``, the order's lines,
    delivery notes and invoices (``prefix`` is the path to the order), and the change feed.
    ``party_prefix`` is where the hospital and supplier columns are when the row keeps its own
    copy of them (the feed's events do, so that their (hospital|supplier, txid, id) indexes
    answer without a join)."""
    if not is_active_actor(actor) or actor.organization is None:
        return models.Q(pk__in=[])
    parties = prefix if party_prefix is None else party_prefix
    overseer = overseer_q(actor, region_field=f"{parties}hospital__region_code")
    if overseer is not None:
        return overseer
    org_id = actor.organization_id
    # A hospital is never the supplier or distributor of an order (and a supplier never its
    # hospital), so each side gets only its own columns: a single-column condition lets
    # PostgreSQL answer from the (hospital, created_at) index, where the three-way OR made
    # every page of a busy hospital's order list scan and recheck its whole history.
    if actor.organization.is_hospital:
        return models.Q(**{f"{parties}hospital_id": org_id})
    addressed = models.Q(**{f"{parties}supplier_id": org_id}) | models.Q(
        **{f"{prefix}distributor_id": org_id}
    )
    return addressed & models.Q(**{f"{prefix}submitted_at__isnull": False})


class OrderQuerySet(TenantQuerySet):
    pass


@history.track()
class Order(models.Model):
    number = models.CharField(_("order number"), max_length=32, unique=True)
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="incoming_orders",
    )
    # The distributor the supplier chose to deliver (may stay empty: it delivers itself).
    distributor = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("distributor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_orders",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    is_urgent = models.BooleanField(_("urgent"), default=False)
    # [R-HOSP-CATALOGUE] departments do not order on their own: the hospital's purchaser
    # orders for the department that asked. Required for new orders (order_create); orders
    # made before the field existed keep it blank (nobody recorded who asked, and a made-up
    # department would be a false record).
    department = models.CharField(_("requesting department"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    total = money_field(_("order total"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("supplier responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=500, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            # With the id, the index gives the lists' exact order (newest first, id breaking
            # ties) and their keyset condition, so a page reads its 51 rows and stops.
            models.Index(fields=["hospital", "-created_at", "-id"], name="order_hospital_recent"),
            models.Index(fields=["supplier", "-created_at", "-id"], name="order_supplier_recent"),
            models.Index(
                fields=["distributor", "-created_at", "-id"], name="order_distributor_recent"
            ),
            # A status tab: its page and its capped count.
            models.Index(
                fields=["hospital", "status", "-created_at", "-id"], name="order_hospital_status"
            ),
            models.Index(
                fields=["supplier", "status", "-created_at", "-id"], name="order_supplier_status"
            ),
            # The counterpart dropdown probes one order per organisation.
            models.Index(fields=["hospital", "supplier"], name="order_hospital_supplier"),
            models.Index(fields=["supplier", "hospital"], name="order_supplier_hospital"),
            models.Index(fields=["distributor", "hospital"], name="order_distributor_hospital"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0")
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return order_scope_q(actor)


class OrderLineQuerySet(TenantQuerySet):
    pass


@history.track()
class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="lines"
    )
    listing = models.ForeignKey(
        "procurement.Listing",
        verbose_name=_("listing"),
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    # Computed by the server from the listing and any agreed price; never from the client.
    unit_price = money_field(_("unit price"))
    amount = money_field(_("amount"))
    catalogue = models.CharField(_("catalogue"), max_length=10, choices=Catalogue.choices)
    label = models.CharField(_("purchase label"), max_length=12, choices=PurchaseLabel.choices)
    restricted_reason = models.CharField(
        _("reason (restricted product)"), max_length=500, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    promised_on = models.DateField(_("promised delivery date"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Running totals, kept by the services with F() updates.
    delivered_quantity = models.PositiveIntegerField(_("delivered"), default=0)
    accepted_quantity = models.PositiveIntegerField(_("accepted"), default=0)
    refused_quantity = models.PositiveIntegerField(_("refused on acceptance"), default=0)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)
    invoiced_quantity = models.PositiveIntegerField(_("invoiced"), default=0)

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_gt_0"),
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="line_price_gt_0"),
            models.CheckConstraint(
                condition=models.Q(delivered_quantity__lte=models.F("quantity")),
                name="line_delivered_lte_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    accepted_quantity__lte=models.F("delivered_quantity")
                    - models.F("refused_quantity")
                ),
                name="line_accepted_lte_delivered",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_quantity__lte=models.F("accepted_quantity")),
                name="line_returned_lte_accepted",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    invoiced_quantity__lte=models.F("accepted_quantity")
                    - models.F("returned_quantity")
                ),
                name="line_invoiced_lte_kept",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.pk}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return order_scope_q(actor, prefix="order__")

    # The line's arithmetic, in one place for the services, the pages, the API and the demo.
    # The counters are kept by the services (F() updates); the constraints above bound them.

    @property
    def shown_status(self) -> tuple[str, str]:
        """The line's state as a page shows it (value, label): a draft's lines are not
        waiting for the supplier yet (it has not seen them), so they show the draft state."""
        if self.status == LineStatus.PENDING and self.order.status == OrderStatus.DRAFT:
            return OrderStatus.DRAFT.value, str(OrderStatus.DRAFT.label)
        return self.status, self.get_status_display()

    @property
    def undelivered_quantity(self) -> int:
        """Ordered and not delivered yet (delivered <= ordered)."""
        return self.quantity - self.delivered_quantity

    @property
    def kept_quantity(self) -> int:
        """Accepted and not returned: what the hospital keeps and pays for."""
        return self.accepted_quantity - self.returned_quantity

    @property
    def uninvoiced_quantity(self) -> int:
        """Kept and not on an invoice yet (invoiced <= kept)."""
        return self.kept_quantity - self.invoiced_quantity

    @property
    def _live(self) -> bool:
        """A confirmed line of a confirmed order: the only lines delivered and invoiced."""
        return self.status == LineStatus.CONFIRMED and self.order.status == OrderStatus.CONFIRMED

    @property
    def deliverable_quantity(self) -> int:
        """What the carrier may still deliver on this line now."""
        return self.undelivered_quantity if self._live else 0

    @property
    def invoicable_quantity(self) -> int:
        """What the carrier may still invoice on this line now."""
        return self.uninvoiced_quantity if self._live else 0

    def amount_of(self, quantity: int) -> Decimal:
        """``quantity`` of this line at its unit price, to the cent (an invoice line's amount)."""
        return quantize(self.unit_price * quantity)

    @property
    def confirmed_quantity(self) -> int:
        """What the supplier confirmed (the whole line, or nothing)."""
        return self.quantity if self.status == LineStatus.CONFIRMED else 0
