"""The advance fund [R-ADVANCE] [R-ADVANCE-OFFSET]: when a VBP round's contracts start, the fund
advances each hospital the round's advance ratio of its agreed amount for the cycle; each
monthly fund settlement then offsets part of it (settlement.selectors.advances.offset_due)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field, ratio_field
from core.tenancy import AnyActor, TenantQuerySet, scope_q
from settlement.choices import AdvanceStatus


class AdvanceQuerySet(TenantQuerySet):
    def offsetting(self):
        return self.filter(status=AdvanceStatus.OFFSETTING)


@history.track()
class Advance(models.Model):
    """The fund's advance to one hospital for one round's cycle."""

    round = models.ForeignKey(
        "procurement.TenderRound",
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="advances",
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="advances",
    )
    cycle_start = models.DateField(_("cycle start"))
    cycle_end = models.DateField(_("cycle end"))
    # Sum over the hospital's contracts of the round for the cycle: agreed quantity x price.
    agreed_amount = money_field(_("agreed amount"))
    ratio = ratio_field(_("advance ratio"))
    amount = money_field(_("advance"))
    offset_amount = money_field(_("offset so far"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=AdvanceStatus.choices, default=AdvanceStatus.OFFSETTING
    )
    entry = models.OneToOneField(
        "settlement.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"))
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AdvanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("advance")
        verbose_name_plural = _("advances")
        ordering = ["-cycle_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "hospital", "cycle_start"], name="advance_once_per_cycle"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="advance_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(offset_amount__gte=0, offset_amount__lte=models.F("amount")),
                name="advance_offset_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.hospital}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return scope_q(actor, org_field="hospital_id", region_field="hospital__region_code")

    @property
    def remaining(self):
        return self.amount - self.offset_amount
