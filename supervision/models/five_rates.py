"""The five rates' frozen months [R-FIVE-RATES]: one snapshot per calendar month (Asia/Shanghai)
with its XLSX report, and its figures, one row per rate, slice and district.

Figures are kept per district (the hospital's region code) so that any jurisdiction's figures
are the sum of its districts' rows: a city bureau reads its districts', a province's bureau
the whole province's, from the same rows. Both tables are append-only (the runtime role holds
SELECT and INSERT only, core.privileges): a frozen month is never rewritten. The report lives
in the database, like listing evidence files (procurement/models/evidence.py says why).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field, ratio_field
from core.tenancy import AnyActor, TenantQuerySet, is_active_actor, overseer_q
from supervision.choices import Rate, SliceKind


class FiveRatesSnapshot(models.Model):
    month = models.DateField(_("month"), unique=True, help_text=_("The month's first day."))
    frozen_at = models.DateTimeField(_("frozen at"))
    figure_count = models.PositiveIntegerField(_("figures"))
    report = models.BinaryField(_("XLSX report"))

    class Meta:
        verbose_name = _("five rates snapshot")
        verbose_name_plural = _("five rates snapshots")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="five_rates_snapshot_first_day"
            )
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class FiveRatesFigureQuerySet(TenantQuerySet):
    def below(self):
        """Below the threshold by amount or by count (nothing to count is never below)."""
        return self.filter(
            models.Q(amount_numerator__lt=models.F("threshold") * models.F("amount_denominator"))
            | models.Q(count_numerator__lt=models.F("threshold") * models.F("count_denominator"))
        )


class FiveRatesFigure(models.Model):
    """One rate of one slice in one district, by amount and by count, with the threshold of
    the district's region policy when the month was frozen."""

    snapshot = models.ForeignKey(
        FiveRatesSnapshot,
        verbose_name=_("snapshot"),
        on_delete=models.PROTECT,
        related_name="figures",
    )
    rate = models.CharField(_("rate"), max_length=24, choices=Rate.choices)
    kind = models.CharField(_("slice"), max_length=10, choices=SliceKind.choices)
    key = models.CharField(_("slice key"), max_length=20)
    region_code = models.CharField(_("district"), max_length=6)
    amount_numerator = money_field(_("amount on time"))
    amount_denominator = money_field(_("amount"))
    count_numerator = models.PositiveIntegerField(_("count on time"))
    count_denominator = models.PositiveIntegerField(_("count"))
    threshold = ratio_field(_("threshold"))

    objects = FiveRatesFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("five rates figure")
        verbose_name_plural = _("five rates figures")
        ordering = ["snapshot", "kind", "key", "region_code", "rate"]
        indexes = [
            models.Index(fields=["snapshot", "kind", "region_code"], name="five_rates_fig_scope"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "rate", "kind", "key", "region_code"],
                name="five_rates_figure_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_numerator__lte=models.F("amount_denominator"))
                & models.Q(count_numerator__lte=models.F("count_denominator")),
                name="five_rates_figure_num_lte_den",
            ),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.rate} {self.kind}:{self.key}@{self.region_code}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """Regulators: the figures of their jurisdiction's districts; a hospital or supplier:
        its own figures (as a hospital, as a supplier)."""
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        overseer = overseer_q(actor, region_field="region_code")
        if overseer is not None:
            return overseer
        org = actor.organization
        if not org.is_active:
            return models.Q(pk__in=[])
        kind = SliceKind.HOSPITAL if org.is_hospital else SliceKind.SUPPLIER
        return models.Q(kind=kind, key=str(org.pk))

    @property
    def amount_rate(self):
        if not self.amount_denominator:
            return None
        return self.amount_numerator / self.amount_denominator

    @property
    def count_rate(self):
        if not self.count_denominator:
            return None
        return Decimal(self.count_numerator) / self.count_denominator
