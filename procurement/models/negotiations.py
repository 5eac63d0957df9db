"""Negotiation (价格谈判, SZ 5.2.2, NJ 2.2-2.4) [R-NEGOTIATION]: the bureau negotiates the price
of listed products with their manufacturers for a group of hospitals (or the whole region), in
rounds with a deadline and a target price per product; an agreement becomes the hospitals'
price (agreed prices) or the listed price from an effective date, and is published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field, ratio_field
from core.tenancy import REGULATOR_ROLES, AnyActor, TenantQuerySet, is_active_actor
from procurement.choices import (
    NegotiationItemStatus,
    NegotiationKind,
    NegotiationOfferKind,
    NegotiationOutcome,
    NegotiationStatus,
)


class NegotiationQuerySet(TenantQuerySet):
    def invited(self):
        """Past the draft: what suppliers see."""
        return self.exclude(status=NegotiationStatus.DRAFT)


@history.track()
class Negotiation(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=NegotiationKind.choices, default=NegotiationKind.PRODUCTS
    )
    region_code = models.CharField(_("region"), max_length=6)
    # NJ 2.2 whole-portfolio negotiation: the manufacturer and the cut asked across its products.
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("manufacturer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cut_ratio = ratio_field(_("price cut asked"), null=True, blank=True)
    all_hospitals = models.BooleanField(_("all hospitals of the region"), default=False)
    outcome = models.CharField(
        _("the agreement becomes"),
        max_length=15,
        choices=NegotiationOutcome.choices,
        default=NegotiationOutcome.HOSPITAL_PRICE,
    )
    effective_on = models.DateField(_("effective from"))
    valid_until = models.DateField(_("hospital prices valid until"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NegotiationStatus.choices,
        default=NegotiationStatus.DRAFT,
    )
    round_number = models.PositiveSmallIntegerField(_("round"), default=1)
    deadline = models.DateField(_("offers due by"))
    # The quarterly negotiation's quarter (2026Q1), once per region and quarter (NJ 2.4).
    period = models.CharField(_("period"), max_length=7, blank=True)
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    invited_at = models.DateTimeField(_("suppliers invited at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concluded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("listed prices applied at"), null=True, blank=True)

    objects = NegotiationQuerySet.as_manager()

    class Meta:
        verbose_name = _("negotiation")
        verbose_name_plural = _("negotiations")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in NegotiationStatus]),
                name="negotiation_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("effective_on")),
                name="negotiation_valid_range",
            ),
            models.UniqueConstraint(
                fields=["region_code", "kind", "period"],
                condition=~models.Q(period=""),
                name="negotiation_once_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.title}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """The bureau and agency of the region (and below); the manufacturers invited (a
        product of theirs is negotiated), once the invitations are out; platform admins."""
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        if "platform_admin" in actor.roles:
            return models.Q()
        org = actor.organization
        if not org.is_active:
            return models.Q(pk__in=[])
        if org.is_regulator and set(REGULATOR_ROLES) & set(actor.roles):
            return models.Q(region_code__startswith=org.jurisdiction)
        if org.is_hospital:
            return models.Q(pk__in=[])
        invited = NegotiationItem.objects.filter(listing__manufacturer_id=org.pk).values(
            "negotiation_id"
        )
        return models.Q(pk__in=invited) & ~models.Q(status=NegotiationStatus.DRAFT)

    @property
    def is_final(self) -> bool:
        return self.status in (NegotiationStatus.CONCLUDED, NegotiationStatus.CANCELLED)


@history.track()
class NegotiationHospital(models.Model):
    negotiation = models.ForeignKey(
        Negotiation, verbose_name=_("negotiation"), on_delete=models.CASCADE, related_name="scope"
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hospital of a negotiation")
        verbose_name_plural = _("hospitals of a negotiation")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "hospital"], name="negotiation_hospital_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.negotiation_id} {self.hospital_id}"


@history.track()
class NegotiationItem(models.Model):
    """One listed product negotiated: its current round's target, the supplier's offer, the
    agreement."""

    negotiation = models.ForeignKey(
        Negotiation, verbose_name=_("negotiation"), on_delete=models.CASCADE, related_name="items"
    )
    listing = models.ForeignKey(
        "procurement.Listing",
        verbose_name=_("listing"),
        on_delete=models.PROTECT,
        related_name="negotiation_items",
    )
    listed_price = money_field(_("listed price when opened"))
    target_price = money_field(_("target price"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NegotiationItemStatus.choices,
        default=NegotiationItemStatus.AWAITING_OFFER,
    )
    offered_price = money_field(_("offered price"), null=True, blank=True)
    agreed_price = money_field(_("agreed price"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    agreed_round = models.PositiveSmallIntegerField(_("agreed in round"), null=True, blank=True)

    class Meta:
        verbose_name = _("negotiated product")
        verbose_name_plural = _("negotiated products")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "listing"], name="negotiation_item_once"
            ),
            models.CheckConstraint(
                condition=models.Q(target_price__gt=0), name="negotiation_target_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(agreed_price__isnull=True) | models.Q(agreed_price__gt=0),
                name="negotiation_agreed_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.negotiation_id} {self.listing_id} {self.status}"


@history.track()
class NegotiationRound(models.Model):
    negotiation = models.ForeignKey(
        Negotiation, verbose_name=_("negotiation"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    deadline = models.DateField(_("offers due by"))
    note = models.TextField(_("note to the suppliers"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("negotiation round")
        verbose_name_plural = _("negotiation rounds")
        ordering = ["negotiation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["negotiation", "number"], name="negotiation_round_once")
        ]

    def __str__(self) -> str:
        return f"{self.negotiation_id} #{self.number}"


@history.track()
class NegotiationOffer(models.Model):
    """A supplier's offer, or its acceptance of the round's target; never changed."""

    item = models.ForeignKey(
        NegotiationItem, verbose_name=_("product"), on_delete=models.CASCADE, related_name="offers"
    )
    round_number = models.PositiveSmallIntegerField(_("round"))
    kind = models.CharField(
        _("kind"),
        max_length=15,
        choices=NegotiationOfferKind.choices,
        default=NegotiationOfferKind.OFFER,
    )
    price = money_field(_("price offered"))
    target_price = money_field(_("target price then"))
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    offered_at = models.DateTimeField(_("offered at"))

    class Meta:
        verbose_name = _("negotiation offer")
        verbose_name_plural = _("negotiation offers")
        ordering = ["pk"]
        triggers = [history.append_only()]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="negotiation_offer_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.round_number} {self.price}"
