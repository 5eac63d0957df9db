"""Volume-based procurement (带量采购) rounds: the round, its product groups, its amendments and
the hospitals' demand per group.

A round belongs to the bureau that runs it: ``jurisdiction`` is that bureau's region prefix
(32 for a province, 3201 for a city). Who sees what:

- regulators of the round's region and platform administrators: every round, drafts included;
- hospitals of the region: published rounds (they report demand for them);
- suppliers: published rounds, wherever they are registered (they trade nationally), with
  their amendments: every supplier is invited, so every supplier sees every amendment;
- a hospital sees only its own demand; the round's regulators see all of it; suppliers none.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field, ratio_field
from core.tenancy import PLATFORM_ADMIN, REGULATOR_ROLES, TenantQuerySet, is_active_actor
from procurement.choices import DemandStatus, RoundStatus


def agreed_volume(base: int, ratio: Decimal) -> int:
    """[R-VBP-VOLUME] agreed volume = base volume x agreed ratio, rounded up to whole units."""
    return int((Decimal(base) * Decimal(ratio)).to_integral_value(rounding=ROUND_CEILING))


def _region_prefixes(region_code: str) -> list[str]:
    """The jurisdictions a region lies in: province, city, district (32, 3201, 320102)."""
    return [region_code[:2], region_code[:4], region_code]


def round_scope_q(actor, *, prefix: str = "") -> models.Q:
    """Who sees a round (and its groups and amendments): see the module docstring."""
    if not is_active_actor(actor) or actor.organization is None:
        return models.Q(pk__in=[])
    if PLATFORM_ADMIN in actor.roles:
        return models.Q()
    org = actor.organization
    if not org.is_active:
        return models.Q(pk__in=[])
    if org.is_regulator and set(REGULATOR_ROLES) & set(actor.roles):
        return models.Q(**{f"{prefix}jurisdiction__startswith": org.jurisdiction})
    published = ~models.Q(**{f"{prefix}status": RoundStatus.DRAFT})
    if org.is_hospital:
        return published & models.Q(
            **{f"{prefix}jurisdiction__in": _region_prefixes(org.region_code)}
        )
    if getattr(org, "is_supplier", False):
        return published
    return models.Q(pk__in=[])


class TenderRoundQuerySet(TenantQuerySet):
    pass


@history.track()
class TenderRound(models.Model):
    number = models.CharField(_("round number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=6, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    cycle_start = models.DateField(_("procurement cycle start"))
    cycle_end = models.DateField(_("procurement cycle end"))
    # 约定采购比例: the share of the base volume a hospital commits to buy from the winners.
    agreed_ratio = ratio_field(_("agreed ratio"))
    # Read by settlement: the advance the fund pays on the agreed amount [R-ADVANCE].
    advance_ratio = ratio_field(_("advance ratio"))
    demand_deadline = models.DateTimeField(_("demand deadline"))
    bid_deadline = models.DateTimeField(_("bid deadline"))
    opening_at = models.DateTimeField(_("opening time"))
    publicity_end = models.DateTimeField(_("publicity end"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Sealed bids (docs/sealed-bids.md): k of the custodians' shares rebuild the round's key;
    # the public half and its fingerprint (RFC 7638) are published with the round; the private
    # key is never stored.
    key_threshold = models.PositiveSmallIntegerField(_("shares needed to open"), default=3)
    public_jwk = models.JSONField(_("public key (JWK)"), null=True, blank=True)
    key_fingerprint = models.CharField(_("key fingerprint"), max_length=64, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    objects = TenderRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("tender round")
        verbose_name_plural = _("tender rounds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreed_ratio__gt=0, agreed_ratio__lte=1),
                name="round_agreed_ratio_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(advance_ratio__gte=0, advance_ratio__lte=1),
                name="round_advance_ratio_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(cycle_end__gt=models.F("cycle_start")),
                name="round_cycle_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return round_scope_q(actor)


class TenderGroupQuerySet(TenantQuerySet):
    pass


@history.track()
class TenderGroup(models.Model):
    """同质化分组: the products that compete, chosen by national-code prefixes (any of them)
    and attribute filters (all of them), with the group's maximum valid bid price
    (最高有效申报价) and its winning rule (procurement.winning_rules)."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="groups"
    )
    code = models.CharField(_("group code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    code_prefixes = ArrayField(
        models.CharField(max_length=27), verbose_name=_("national-code prefixes"), default=list
    )
    # {"material": "钛", "feature": "...", ...}: each a case-insensitive "contains" filter.
    attribute_filters = models.JSONField(_("attribute filters"), default=dict, blank=True)
    max_valid_price = money_field(_("maximum valid bid price"))
    # The group's reference price, for a "minimum cut against the reference price" condition.
    reference_price = money_field(_("reference price"), null=True, blank=True)
    winning_rule = models.JSONField(_("winning rule"), default=dict)

    objects = TenderGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        ordering = ["round_id", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="group_code_unique_in_round"),
            models.CheckConstraint(
                condition=models.Q(max_valid_price__gt=0), name="group_max_valid_price_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return round_scope_q(actor, prefix="round__")


class TenderAmendmentQuerySet(TenantQuerySet):
    pass


class TenderAmendment(models.Model):
    """A change to a published round: what changed (``changes``: field -> [before, after],
    ``group`` when it concerns one group), why, who and when. Append-only."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="amendments"
    )
    group = models.ForeignKey(
        TenderGroup,
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("amended by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("amended at"), auto_now_add=True)

    objects = TenderAmendmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("round amendment")
        verbose_name_plural = _("round amendments")
        ordering = ["round_id", "created_at", "id"]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.reason}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return round_scope_q(actor, prefix="round__")


def demand_scope_q(actor) -> models.Q:
    """A hospital sees its own demand; the round's regulators all of it; suppliers none."""
    if not is_active_actor(actor) or actor.organization is None:
        return models.Q(pk__in=[])
    if PLATFORM_ADMIN in actor.roles:
        return models.Q()
    org = actor.organization
    if not org.is_active:
        return models.Q(pk__in=[])
    if org.is_regulator and set(REGULATOR_ROLES) & set(actor.roles):
        return models.Q(round__jurisdiction__startswith=org.jurisdiction)
    if org.is_hospital:
        return models.Q(hospital_id=org.pk)
    return models.Q(pk__in=[])


class DemandQuerySet(TenantQuerySet):
    pass


@history.track()
class TenderDemand(models.Model):
    """One hospital's base volume (采购量基数) for one group: what it reported, the platform's
    pre-fill (its last 12 months of purchases of the group's products) and the bureau's
    adjustment with its reason. The history keeps every version."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="demand"
    )
    group = models.ForeignKey(
        TenderGroup, verbose_name=_("product group"), on_delete=models.PROTECT, related_name="+"
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="tender_demand",
    )
    prefill_volume = models.PositiveIntegerField(_("last 12 months' purchases"), default=0)
    reported_volume = models.PositiveIntegerField(_("reported base volume"))
    adjusted_volume = models.PositiveIntegerField(
        _("base volume adjusted by the bureau"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.REPORTED
    )
    review_reason = models.CharField(_("review reason"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand report")
        verbose_name_plural = _("demand reports")
        ordering = ["round_id", "group_id", "hospital_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "hospital"], name="demand_one_per_group_and_hospital"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.hospital_id}: {self.base_volume}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return demand_scope_q(actor)

    @property
    def base_volume(self) -> int:
        """The bureau's figure when it adjusted the report, else the hospital's."""
        return self.reported_volume if self.adjusted_volume is None else self.adjusted_volume

    def agreed_volume(self, ratio: Decimal) -> int:
        """[R-VBP-VOLUME]"""
        return agreed_volume(self.base_volume, ratio)
