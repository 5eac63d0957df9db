"""Emergency purchases (应急采购): bought off the platform because it lacked the product and the
need was urgent, then registered by the hospital [R-EMERG-DEADLINE] [R-EMERG-CAP]. The
violations they carry (late, over the cap) are rows of their own, read by settlement and credit
[R-EMERG-DEDUCT] through procurement.selectors.emergency."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import AnyActor, TenantQuerySet, scope_q
from procurement.choices import EmergencyStatus, EmergencyViolationKind


class EmergencyPurchaseQuerySet(TenantQuerySet):
    pass


@history.track()
class EmergencyPurchase(models.Model):
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="emergency_purchases",
    )
    bought_on = models.DateField(_("date bought"))
    reason = models.TextField(_("reason for the emergency purchase"))
    listed_reason = models.TextField(
        _("reason for buying a product orderable on the platform"), blank=True
    )
    approver_name = models.CharField(_("approved at the hospital by"), max_length=100)
    approver_role = models.CharField(_("approver's position"), max_length=100)
    amount = money_field(_("amount"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EmergencyStatus.choices,
        default=EmergencyStatus.REGISTERED,
    )
    # [R-EMERG-DEADLINE] as counted when registered (the platform calendar may change later).
    deadline = models.DateField(_("registration deadline"))
    deadline_estimated = models.BooleanField(_("deadline counted Monday to Friday"), default=False)
    registered_on = models.DateField(_("registered on"))
    late = models.BooleanField(_("registered late"), default=False)
    # [R-EMERG-CAP] the cap as it stood when registered: the year's emergency purchases before
    # this one, the cap then, and the amount over it (0 within the cap).
    cap = money_field(_("emergency cap of the year"))
    used_before = money_field(_("emergency purchases of the year before this one"))
    over_cap_amount = money_field(_("amount over the cap"), default=0)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    objects = EmergencyPurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency purchase")
        verbose_name_plural = _("emergency purchases")
        ordering = ["-registered_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="emergency_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(over_cap_amount__gte=0), name="emergency_over_cap_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(bought_on__lte=models.F("registered_on")),
                name="emergency_bought_before_registered",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in EmergencyStatus]),
                name="emergency_status_known",
            ),
        ]
        indexes = [models.Index(fields=["hospital", "bought_on"], name="emergency_hosp_bought")]

    def __str__(self) -> str:
        return f"{self.pk} {self.hospital_id} {self.bought_on}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """The hospital itself, and the bureau and agency of the hospital's region."""
        return scope_q(actor, org_field="hospital_id", region_field="hospital__region_code")

    @property
    def over_cap(self) -> bool:
        return self.over_cap_amount > 0


@history.track()
class EmergencyPurchaseLine(models.Model):
    purchase = models.ForeignKey(
        EmergencyPurchase,
        verbose_name=_("emergency purchase"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="emergency_lines",
    )
    supplier_name = models.CharField(_("supplier"), max_length=200)
    unit_price = money_field(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = money_field(_("amount"))
    listed_on_platform = models.BooleanField(_("orderable on the platform"), default=False)

    class Meta:
        verbose_name = _("emergency purchase line")
        verbose_name_plural = _("emergency purchase lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_price__gt=0), name="emergency_line_price_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="emergency_line_quantity_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_id} {self.consumable_id} x{self.quantity}"


class EmergencyViolationQuerySet(TenantQuerySet):
    def standing(self):
        """Not lifted by the bureau: what settlement deducts and credit reads."""
        return self.filter(lifted_at__isnull=True)


@history.track()
class EmergencyViolation(models.Model):
    """[R-EMERG-DEADLINE] [R-EMERG-CAP] [R-EMERG-DEDUCT] a late or over-cap registration,
    recorded when it is registered; the bureau's approval of the amount over the cap lifts
    the over-cap one (the row stays, with who lifted it and why)."""

    purchase = models.ForeignKey(
        EmergencyPurchase,
        verbose_name=_("emergency purchase"),
        on_delete=models.PROTECT,
        related_name="violations",
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="emergency_violations",
    )
    kind = models.CharField(_("violation"), max_length=10, choices=EmergencyViolationKind.choices)
    # The amount concerned: the whole purchase when late, the amount over the cap otherwise.
    amount = money_field(_("amount concerned"))
    year = models.PositiveSmallIntegerField(_("year"))
    recorded_at = models.DateTimeField(_("recorded at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.TextField(_("reason lifted"), blank=True)

    objects = EmergencyViolationQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency purchase violation")
        verbose_name_plural = _("emergency purchase violations")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "kind"], name="emergency_violation_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in EmergencyViolationKind]),
                name="emergency_violation_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_id} {self.kind}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return scope_q(actor, org_field="hospital_id", region_field="hospital__region_code")
