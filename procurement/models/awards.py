"""What follows from a final round (issue #12 items 5-8): the award record of the round, the
stepped price-cut targets of its non-winners, the payment standards of its groups, the
hospitals' choices among the winners, the allocation of their agreed volume, the contracts
(采购协议) and the renewal decisions.

Who sees what:

- the round's regulators and platform administrators: everything of their jurisdiction;
- hospitals: the awards and payment standards of rounds they see, their own choices,
  allocations and contracts;
- suppliers: the awards and standards of rounds they see, their own stepped targets, and the
  contracts they are a party to (as manufacturer or as distributor).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field, ratio_field
from core.tenancy import PLATFORM_ADMIN, REGULATOR_ROLES, TenantQuerySet, is_active_actor
from procurement.choices import AllocationSource, ContractStatus, RenewalDecision, TargetStatus
from procurement.models.results import TenderResult, result_scope_q
from procurement.models.rounds import TenderGroup, TenderRound


def _overseer_q(actor, *, prefix: str) -> models.Q | None:
    """Everything of the jurisdiction for its regulators and the platform administrators;
    nothing for no one; None for a hospital or supplier (the caller decides)."""
    if not is_active_actor(actor) or actor.organization is None:
        return models.Q(pk__in=[])
    if PLATFORM_ADMIN in actor.roles:
        return models.Q()
    org = actor.organization
    if not org.is_active:
        return models.Q(pk__in=[])
    if org.is_regulator and set(REGULATOR_ROLES) & set(actor.roles):
        return models.Q(**{f"{prefix}jurisdiction__startswith": org.jurisdiction})
    if org.is_regulator:
        return models.Q(pk__in=[])
    return None


def hospital_scope_q(actor, *, prefix: str = "round__") -> models.Q:
    """A hospital's own rows (choices, allocations); the round's regulators all of them."""
    seen = _overseer_q(actor, prefix=prefix)
    if seen is not None:
        return seen
    if actor.organization.is_hospital:
        return models.Q(hospital_id=actor.organization_id)
    return models.Q(pk__in=[])


class RoundAwardQuerySet(TenantQuerySet):
    pass


@history.track()
class RoundAward(models.Model):
    """The consequences of one final round, applied once (``round_apply_results``): when,
    until when hospitals choose among the winners, and when the volume was allocated."""

    round = models.OneToOneField(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="award"
    )
    applied_at = models.DateTimeField(_("results applied at"))
    choice_deadline = models.DateTimeField(_("hospitals choose winners until"))
    allocated_at = models.DateTimeField(_("volume allocated at"), null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allocated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RoundAwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("round award")
        verbose_name_plural = _("round awards")

    def __str__(self) -> str:
        return f"{self.round_id}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return result_scope_q(actor)


def target_scope_q(actor) -> models.Q:
    seen = _overseer_q(actor, prefix="round__")
    if seen is not None:
        return seen
    org = actor.organization
    if org.is_supplier:
        return models.Q(supplier_id=org.pk)
    return result_scope_q(actor)


class SteppedTargetQuerySet(TenantQuerySet):
    pass


@history.track()
class SteppedTarget(models.Model):
    """[R-VBP-STEPPED] a non-winning product's path to the winning price level (the group's
    highest winning price): price levels with their dates (``steps``). A listing price at or
    below ``level`` reaches the target, and the product counts as a winner from then on."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        TenderGroup,
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="stepped_targets",
    )
    result = models.OneToOneField(
        TenderResult,
        verbose_name=_("bid result"),
        on_delete=models.PROTECT,
        related_name="stepped_target",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="stepped_targets",
    )
    start_price = money_field(_("price at the start"))
    level = money_field(_("winning price level"))
    status = models.CharField(
        _("status"), max_length=10, choices=TargetStatus.choices, default=TargetStatus.PENDING
    )
    reached_price = money_field(_("price that reached it"), null=True, blank=True)
    reached_at = models.DateTimeField(_("reached at"), null=True, blank=True)

    objects = SteppedTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("stepped price-cut target")
        verbose_name_plural = _("stepped price-cut targets")
        ordering = ["group_id", "consumable_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gt=0), name="target_level_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.consumable_id} -> {self.level}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return target_scope_q(actor)


class SteppedTargetStep(models.Model):
    """One price level of a target and the date by which the listing must be at or below it."""

    target = models.ForeignKey(
        SteppedTarget, verbose_name=_("target"), on_delete=models.CASCADE, related_name="steps"
    )
    due_on = models.DateField(_("due on"))
    price = money_field(_("target price"))

    class Meta:
        verbose_name = _("target step")
        verbose_name_plural = _("target steps")
        ordering = ["target_id", "due_on"]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.price}"


class PaymentStandardQuerySet(TenantQuerySet):
    pass


class PaymentStandard(models.Model):
    """[R-PAY-STANDARD] one version of a group's payment standard: winners are paid the lowest
    winning price, non-winners at most the highest. Append-only: a new version (a renewal
    with a price cut) supersedes the old one from its ``valid_from``; the selector
    ``payment_standard_for`` reads the newest version covering a day."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        TenderGroup,
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="payment_standards",
    )
    winner_price = money_field(_("payment standard of winners"))
    non_winner_cap = money_field(_("cap for non-winners"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PaymentStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment standard")
        verbose_name_plural = _("payment standards")
        ordering = ["group_id", "valid_from", "id"]
        triggers = [history.append_only()]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="payment_standard_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    winner_price__gt=0, non_winner_cap__gte=models.F("winner_price")
                ),
                name="payment_standard_cap_gte_winner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.valid_from}: {self.winner_price}/{self.non_winner_cap}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return result_scope_q(actor)


class AllocationChoiceQuerySet(TenantQuerySet):
    pass


@history.track()
class AllocationChoice(models.Model):
    """A hospital's own choice among a group's winners: how much of its agreed volume goes to
    one winning product. Replaced as a whole until the choice deadline."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        TenderGroup, verbose_name=_("product group"), on_delete=models.PROTECT, related_name="+"
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="allocation_choices",
    )
    result = models.ForeignKey(
        TenderResult,
        verbose_name=_("winning product"),
        on_delete=models.PROTECT,
        related_name="choices",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("chosen at"))

    objects = AllocationChoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("choice among winners")
        verbose_name_plural = _("choices among winners")
        ordering = ["group_id", "hospital_id", "result_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "result"], name="allocation_choice_one_per_winner"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="allocation_choice_quantity_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id}/{self.result_id}: {self.quantity}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return hospital_scope_q(actor)


class AllocationQuerySet(TenantQuerySet):
    pass


class Allocation(models.Model):
    """How much of a hospital's agreed volume of a group went to one winner, and why (its own
    choice, or the rest by rank). Written once by the allocation."""

    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        TenderGroup, verbose_name=_("product group"), on_delete=models.PROTECT, related_name="+"
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    result = models.ForeignKey(
        TenderResult,
        verbose_name=_("winning product"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    source = models.CharField(_("allocated by"), max_length=10, choices=AllocationSource.choices)
    created_at = models.DateTimeField(_("allocated at"), auto_now_add=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["group_id", "hospital_id", "result_id"]
        triggers = [history.append_only()]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "result", "source"], name="allocation_one_per_source"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="allocation_quantity_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id}/{self.result_id}: {self.quantity} ({self.source})"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return hospital_scope_q(actor)


def contract_scope_q(actor) -> models.Q:
    """The three parties and the round's regulators."""
    seen = _overseer_q(actor, prefix="round__")
    if seen is not None:
        return seen
    org_id = actor.organization_id
    if actor.organization.is_hospital:
        return models.Q(hospital_id=org_id)
    return models.Q(manufacturer_id=org_id) | models.Q(distributor_id=org_id)


class ContractQuerySet(TenantQuerySet):
    pass


@history.track()
class Contract(models.Model):
    """[R-VBP-CONTRACT] 采购协议: a hospital's agreed quantity of one winning product, delivered
    by one distributor, at the winning price, for one procurement cycle; signed online by the
    hospital, the manufacturer and the distributor (a manufacturer delivering itself signs
    for both). ``renewed_from`` links a renewal to the contract of the cycle before."""

    number = models.CharField(_("contract number"), max_length=32, unique=True)
    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="contracts"
    )
    group = models.ForeignKey(
        TenderGroup,
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="vbp_contracts",
    )
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("manufacturer"),
        on_delete=models.PROTECT,
        related_name="vbp_contracts_made",
    )
    distributor = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("distributor"),
        on_delete=models.PROTECT,
        related_name="vbp_contracts_delivered",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    listing = models.ForeignKey(
        "procurement.Listing",
        verbose_name=_("listing"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    agreed_quantity = models.PositiveIntegerField(_("agreed quantity"))
    price = money_field(_("contract price"))
    cycle_start = models.DateField(_("cycle start"))
    cycle_end = models.DateField(_("cycle end"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ContractStatus.choices,
        default=ContractStatus.AWAITING,
    )
    hospital_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the hospital by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hospital_signed_at = models.DateTimeField(_("hospital signed at"), null=True, blank=True)
    manufacturer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the manufacturer by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    manufacturer_signed_at = models.DateTimeField(
        _("manufacturer signed at"), null=True, blank=True
    )
    distributor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the distributor by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    distributor_signed_at = models.DateTimeField(_("distributor signed at"), null=True, blank=True)
    renewed_from = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase contract")
        verbose_name_plural = _("purchase contracts")
        ordering = ["-cycle_start", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreed_quantity__gt=0), name="contract_quantity_gt_0"
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="contract_price_gt_0"),
            models.CheckConstraint(
                condition=models.Q(cycle_end__gt=models.F("cycle_start")),
                name="contract_cycle_ordered",
            ),
            models.UniqueConstraint(
                fields=["hospital", "consumable", "distributor", "cycle_start"],
                name="contract_one_per_cycle",
            ),
        ]
        indexes = [
            models.Index(fields=["hospital", "consumable"], name="contract_hospital_product"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return contract_scope_q(actor)

    @property
    def self_delivered(self) -> bool:
        return self.distributor_id == self.manufacturer_id


class GroupRenewalQuerySet(TenantQuerySet):
    pass


class GroupRenewal(models.Model):
    """[R-VBP-CONTRACT] the bureau's decision at the end of a group's cycle: renew its
    contracts for the next cycle (optionally with a price cut), or tender the group anew."""

    group = models.ForeignKey(
        TenderGroup, verbose_name=_("product group"), on_delete=models.PROTECT, related_name="+"
    )
    round = models.ForeignKey(
        TenderRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=RenewalDecision.choices)
    price_cut = ratio_field(_("price cut"), default=0)
    cycle_start = models.DateField(_("next cycle start"), null=True, blank=True)
    cycle_end = models.DateField(_("next cycle end"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    objects = GroupRenewalQuerySet.as_manager()

    class Meta:
        verbose_name = _("renewal decision")
        verbose_name_plural = _("renewal decisions")
        ordering = ["group_id", "decided_at", "id"]
        triggers = [history.append_only()]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_cut__gte=0, price_cut__lt=1), name="renewal_cut_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.decision}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return result_scope_q(actor)
