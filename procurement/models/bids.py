"""Sealed bids of a volume-based procurement round (issue #12 item 4): the custodians of the
round's key, the bids (compact JWE envelopes no one can read before the opening), their
withdrawals and the refusals shown to suppliers. Design and limits: docs/sealed-bids.md.

Who sees what:

- a supplier: its own bids, withdrawals and refusals;
- the round's regulators and platform administrators: who bid for which product and when
  (the envelope is ciphertext; no page or API shows it to them);
- a custodian: their own custodian row (``RoundCustodian`` is reached through the round).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import PLATFORM_ADMIN, REGULATOR_ROLES, TenantQuerySet, is_active_actor
from procurement.models.rounds import TenderGroup, TenderRound


def bid_scope_q(actor, *, prefix: str = "") -> models.Q:
    """A supplier sees its own bids; the round's regulators and administrators all of them."""
    if not is_active_actor(actor) or actor.organization is None:
        return models.Q(pk__in=[])
    if PLATFORM_ADMIN in actor.roles:
        return models.Q()
    org = actor.organization
    if not org.is_active:
        return models.Q(pk__in=[])
    if org.is_regulator and set(REGULATOR_ROLES) & set(actor.roles):
        return models.Q(**{f"{prefix}round__jurisdiction__startswith": org.jurisdiction})
    if getattr(org, "is_supplier", False):
        return models.Q(**{f"{prefix}supplier_id": org.pk})
    return models.Q(pk__in=[])


class RoundCustodian(models.Model):
    """A named holder of one share of the round's key (k of n, Shamir).

    ``wrapped_share`` holds the share, AES-GCM-wrapped under a key derived from SECRET_KEY,
    from the publication until its custodian collects it (then it is erased: the server can
    no longer rebuild the key). ``entered_share`` holds it again, wrapped the same way, from
    the moment its custodian enters it at the opening until the opening (then erased).
    Deliberately not tracked by history: a history row would keep a copy of the share."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="custodians"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian"),
        on_delete=models.PROTECT,
        related_name="round_custodianships",
    )
    position = models.PositiveSmallIntegerField(_("share number"))
    discipline_inspection = models.BooleanField(_("discipline-inspection officer"), default=False)
    wrapped_share = models.BinaryField(null=True, blank=True, editable=False)
    collected_at = models.DateTimeField(_("share collected at"), null=True, blank=True)
    entered_share = models.BinaryField(null=True, blank=True, editable=False)
    entered_at = models.DateTimeField(_("share entered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("key custodian")
        verbose_name_plural = _("key custodians")
        ordering = ["round_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="custodian_once_per_round"),
            models.UniqueConstraint(fields=["round", "position"], name="custodian_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}#{self.position}: {self.user_id}"


class TenderBidQuerySet(TenantQuerySet):
    def live(self) -> TenderBidQuerySet:
        """Neither replaced by a later bid nor withdrawn."""
        return self.filter(replaced_by__isnull=True, withdrawal__isnull=True)


class TenderBid(models.Model):
    """One sealed bid: the exact envelope bytes (a compact JWE, ASCII) and the receipt's
    commitment over them. Append-only: a replacement is a new row naming the one it
    replaces; a withdrawal is a TenderBidWithdrawal row."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="bids"
    )
    group = models.ForeignKey(
        TenderGroup, verbose_name=_("product group"), on_delete=models.PROTECT, related_name="bids"
    )
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="tender_bids",
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="tender_bids",
    )
    envelope = models.TextField(_("sealed envelope"))
    commitment = models.CharField(_("receipt (commitment)"), max_length=64)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = TenderBidQuerySet.as_manager()

    class Meta:
        verbose_name = _("sealed bid")
        verbose_name_plural = _("sealed bids")
        ordering = ["round_id", "group_id", "consumable_id", "submitted_at", "id"]
        triggers = [history.append_only()]
        indexes = [models.Index(fields=["round", "supplier"], name="bid_round_supplier")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.consumable_id}: {self.commitment[:12]}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return bid_scope_q(actor)


class TenderBidWithdrawalQuerySet(TenantQuerySet):
    pass


class TenderBidWithdrawal(models.Model):
    """A supplier withdrew its bid before the deadline. Append-only."""

    bid = models.OneToOneField(
        TenderBid, verbose_name=_("bid"), on_delete=models.PROTECT, related_name="withdrawal"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"))

    objects = TenderBidWithdrawalQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid withdrawal")
        verbose_name_plural = _("bid withdrawals")
        ordering = ["withdrawn_at", "id"]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.bid_id} {self.withdrawn_at:%Y-%m-%d %H:%M}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return bid_scope_q(actor, prefix="bid__")


class TenderBidRefusalQuerySet(TenantQuerySet):
    pass


class TenderBidRefusal(models.Model):
    """A bid (or a replacement, a withdrawal) the platform refused, with the error's code and
    translated message, shown to the supplier. Written after the refused request rolled back,
    so the refusal changes nothing else. Never holds the envelope. Append-only."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="+"
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="tender_bid_refusals",
    )
    group = models.ForeignKey(
        TenderGroup,
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20)
    code = models.CharField(_("code"), max_length=60)
    message = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("refused at"))

    objects = TenderBidRefusalQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid refusal")
        verbose_name_plural = _("bid refusals")
        ordering = ["-created_at", "-id"]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.supplier_id}: {self.code}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return bid_scope_q(actor)
