"""The outcome of a round's opening: one row per opened bid (issue #12 item 5).

Written once by the opening, in the same transaction that moves the round to ``opened``;
append-only afterwards. What follows from the results once the round is final (listings
labelled 优先, payment standards, stepped targets, allocation, contracts) reads these rows and
lives in its own modules.

Who sees a result: the round's regulators and platform administrators from the opening on;
everyone who sees the round (hospitals of its region, every supplier) once the results are
in publicity or final. Before the opening there are no rows: nothing here can leak a price.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.tenancy import PLATFORM_ADMIN, REGULATOR_ROLES, TenantQuerySet, is_active_actor
from procurement.choices import RoundStatus
from procurement.models.rounds import TenderGroup, TenderRound, round_scope_q

RESULTS_PUBLIC = (RoundStatus.PUBLICITY, RoundStatus.FINAL)


def result_scope_q(actor) -> models.Q:
    seen = round_scope_q(actor, prefix="round__")
    if not is_active_actor(actor) or actor.organization is None:
        return seen
    org = actor.organization
    if PLATFORM_ADMIN in actor.roles or (
        org.is_regulator and set(REGULATOR_ROLES) & set(actor.roles)
    ):
        return seen
    return seen & models.Q(round__status__in=RESULTS_PUBLIC)


class TenderResultQuerySet(TenantQuerySet):
    pass


class TenderResult(models.Model):
    """One opened bid: the decrypted prices, whether the bid was valid (and why not), its rank
    among the group's valid bids and whether the group's winning rule made it a winner."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="results"
    )
    group = models.ForeignKey(
        TenderGroup,
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="tender_results",
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="tender_results",
    )
    # The sealed bid this result opened (null for results made before sealed bids existed).
    bid = models.OneToOneField(
        "procurement.TenderBid",
        verbose_name=_("sealed bid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="result",
    )
    # Null when the envelope could not be opened at all (see invalid_reason).
    price = money_field(_("bid price"), null=True, blank=True)
    # [R-VBP-COMPANION] the price with companion service (伴随服务), when the bid offered it.
    companion_price = money_field(_("bid price with companion service"), null=True, blank=True)
    valid = models.BooleanField(_("valid"))
    invalid_reason = models.CharField(_("why invalid"), max_length=500, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    won = models.BooleanField(_("won"), default=False)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    objects = TenderResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid result")
        verbose_name_plural = _("bid results")
        ordering = ["round_id", "group_id", "rank", "id"]
        triggers = [history.append_only()]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "consumable"], name="result_one_per_product_in_group"
            ),
            models.CheckConstraint(
                condition=models.Q(valid=False) | models.Q(price__isnull=False, rank__isnull=False),
                name="result_valid_has_price_and_rank",
            ),
            models.CheckConstraint(
                condition=models.Q(won=False) | models.Q(valid=True),
                name="result_winner_is_valid",
            ),
        ]
        indexes = [models.Index(fields=["round", "won"], name="result_round_won")]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.consumable_id}: {self.price} ({self.rank})"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return result_scope_q(actor)
