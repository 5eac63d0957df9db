"""Monthly fund settlement per hospital [R-FUND-MONTHLY]: what the fund owes the hospital for
the month (its claims), minus advance offsets [R-ADVANCE-OFFSET], recoveries of direct
payments made on its behalf [R-DIRECT] and deductions for violations [R-EMERG-DEDUCT], each a
ledger entry with its reason; the rest is paid out."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import AnyActor, TenantQuerySet, scope_q
from settlement.choices import FundClaimSource, FundSettlementStatus


class FundSettlementQuerySet(TenantQuerySet):
    pass


@history.track()
class FundSettlement(models.Model):
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="fund_settlements",
    )
    month = models.DateField(_("month"))  # the first day of the month
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FundSettlementStatus.choices,
        default=FundSettlementStatus.DRAFT,
    )
    claims_total = money_field(_("claims"), default=0)
    offsets_total = money_field(_("advance offsets"), default=0)
    recoveries_total = money_field(_("direct payments recovered"), default=0)
    deductions_total = money_field(_("deductions"), default=0)
    net_amount = money_field(_("paid to the hospital"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = FundSettlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund settlement")
        verbose_name_plural = _("fund settlements")
        ordering = ["-month", "hospital_id"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "month"], name="fund_settlement_monthly"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="fund_settlement_month_first_day"
            ),
            models.CheckConstraint(
                condition=models.Q(net_amount__gte=0), name="fund_settlement_net_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.month:%Y-%m}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return scope_q(actor, org_field="hospital_id", region_field="hospital__region_code")


@history.track()
class FundClaim(models.Model):
    """One line of what the fund owes the hospital for the month (entered or imported)."""

    settlement = models.ForeignKey(
        FundSettlement,
        verbose_name=_("fund settlement"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    reference = models.CharField(_("claim reference"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = money_field(_("amount"))
    source = models.CharField(_("source"), max_length=10, choices=FundClaimSource.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fund claim")
        verbose_name_plural = _("fund claims")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "reference"], name="fund_claim_reference_once"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_claim_gt_0"),
        ]

    def __str__(self) -> str:
        return self.reference


class FundAdjustment(models.Model):
    """One amount a settlement took off the claims, with its reason and its ledger entry: an
    advance offset, a direct payment recovered or a violation deducted. Written once when the
    settlement is settled (append-only)."""

    class Kind(models.TextChoices):
        OFFSET = "offset", _("advance offset")
        RECOVERY = "recovery", _("direct payment recovered")
        DEDUCTION = "deduction", _("deduction for a violation")

    settlement = models.ForeignKey(
        FundSettlement,
        verbose_name=_("fund settlement"),
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = money_field(_("amount"))
    reason = models.CharField(_("reason"), max_length=500)
    advance = models.ForeignKey(
        "settlement.Advance",
        verbose_name=_("advance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offsets",
    )
    violation = models.OneToOneField(
        "procurement.EmergencyViolation",
        verbose_name=_("violation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deduction",
    )
    # [R-ADVANCE-OFFSET] the figures the offset was computed from, for the schedule.
    purchases_to_date = money_field(_("purchases to date"), null=True, blank=True)
    cumulative_offset = money_field(_("cumulative offset"), null=True, blank=True)
    entry = models.OneToOneField(
        "settlement.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fund settlement adjustment")
        verbose_name_plural = _("fund settlement adjustments")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_adjustment_gt_0"),
            models.UniqueConstraint(
                fields=["settlement", "advance"],
                condition=models.Q(advance__isnull=False),
                name="fund_adjustment_one_offset_per_advance",
            ),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
