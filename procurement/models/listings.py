"""Listing (挂网): a manufacturer offers a consumable on the platform at a reviewed price."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import money_field
from core.regions import MAINLAND_PROVINCES
from core.tenancy import OVERSEER_ROLES, AnyActor, TenantQuerySet, is_active_actor, scope_q
from procurement.choices import (
    LISTING_PUBLIC_STATUSES,
    AgreedPriceStatus,
    Catalogue,
    GreenChannel,
    ListingStatus,
    PriceChangeStatus,
    PurchaseLabel,
    PurchasePlanStatus,
)


class ListingQuerySet(TenantQuerySet):
    def listed(self):
        return self.filter(status=ListingStatus.LISTED)


@history.track()
class Listing(models.Model):
    # Not columns: what the selectors attach to the rows they read for a page (the agreed
    # price: selectors/pricing.py; the rest: selectors/listings.py). Their own types live in
    # the selectors, which this module may not import, hence Any.
    agreed_price: Decimal | None
    distributor_rows: list[ListingDistributor]
    province_rows: list[ListingProvince]
    pending_price_change: ListingPriceChange | None
    criteria: Any
    suggested_label: Any
    suggestion: Any
    actions: Any

    manufacturer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("manufacturer"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    price = money_field(_("listed price"))
    companion_service = models.BooleanField(_("companion service included"), default=False)
    registration_number = models.CharField(_("registration certificate number"), max_length=100)
    green_channel = models.CharField(
        _("green channel"), max_length=12, choices=GreenChannel.choices, blank=True
    )
    # [R-LIST-OTHER] how many provinces already list it: the count of ``provinces`` (the
    # ListingProvince rows, each with its evidence), kept by the listing services.
    provinces_listed = models.PositiveSmallIntegerField(
        _("provinces already listing it"), default=0
    )
    # [R-LIST-OTHER] the bureau officer who checked the provinces' evidence when approving.
    provinces_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("provinces' evidence checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provinces_checked_at = models.DateTimeField(
        _("provinces' evidence checked at"), null=True, blank=True
    )
    catalogue = models.CharField(
        _("catalogue"), max_length=10, choices=Catalogue.choices, default=Catalogue.ALTERNATE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.DRAFT
    )
    label = models.CharField(
        _("purchase label"),
        max_length=12,
        choices=PurchaseLabel.choices,
        default=PurchaseLabel.NORMAL,
    )
    label_reason = models.CharField(_("label reason"), max_length=300, blank=True)
    review_reason = models.TextField(_("review note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # [R-LIST-PRICE-CAP] set when the reference price fell below the listed price.
    price_cut_due_on = models.DateField(_("price cut due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-created_at"]
        # The order page lists what is on sale, newest first, 20 at a time: at a province's
        # half a million listings a sort of them all per view spills to disk.
        indexes = [models.Index(fields=["status", "-created_at", "-id"], name="listing_recent")]
        constraints = [
            # [R-VBP-COMPANION] one live listing per product and offer: a VBP winner is listed
            # at its winning price without companion service (伴随服务) and, when it bid one,
            # at its price with it.
            models.UniqueConstraint(
                fields=["manufacturer", "consumable", "companion_service"],
                condition=~models.Q(status=ListingStatus.DELISTED),
                name="listing_one_live_per_product",
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="listing_price_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.consumable} @ {self.price}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """Suppliers see their own and those they are authorised to deliver; hospitals see
        what is or was on sale (``LISTING_PUBLIC_STATUSES``); regulators see all."""
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        if set(actor.roles) & OVERSEER_ROLES:
            return models.Q()
        org = actor.organization
        if org.is_hospital:
            return models.Q(status__in=sorted(LISTING_PUBLIC_STATUSES))
        authorised = ListingDistributor.objects.filter(distributor_id=org.pk).values("listing_id")
        return models.Q(manufacturer_id=org.pk) | models.Q(pk__in=authorised)


@history.track()
class ListingProvince(models.Model):
    """[R-LIST-OTHER] a province whose platform already lists the product, with the evidence
    the supplier gives (the platform, its listing number or a link) for the bureau to check."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="provinces"
    )
    province_code = models.CharField(
        _("province"),
        max_length=2,
        choices=sorted(MAINLAND_PROVINCES.items()),
        help_text=_("GB/T 2260 two-digit code."),
    )
    evidence = models.CharField(_("evidence"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("province listing the product")
        verbose_name_plural = _("provinces listing the product")
        ordering = ["province_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "province_code"], name="listing_province_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.province_code}"


@history.track()
class ListingDistributor(models.Model):
    """A distributor the manufacturer authorises to deliver a listing in a region."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="distributors"
    )
    distributor = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("distributor"),
        on_delete=models.PROTECT,
        related_name="authorised_listings",
    )
    region_code = models.CharField(
        _("region"),
        max_length=6,
        help_text=_("GB/T 2260 code; a province or city covers everything below it."),
    )

    class Meta:
        verbose_name = _("authorised distributor")
        verbose_name_plural = _("authorised distributors")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "distributor", "region_code"], name="listing_distributor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.distributor} {self.region_code}"


@history.track()
class ListingPriceChange(models.Model):
    """A change of a listed price, which the bureau reviews before it applies."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.PROTECT, related_name="price_changes"
    )
    old_price = money_field(_("old price"))
    new_price = money_field(_("new price"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PriceChangeStatus.choices,
        default=PriceChangeStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_reason = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=models.Q(status=PriceChangeStatus.PENDING),
                name="price_change_one_pending",
            ),
            models.CheckConstraint(condition=models.Q(new_price__gt=0), name="price_change_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.old_price} -> {self.new_price}"


class AgreedPriceQuerySet(TenantQuerySet):
    def agreed(self):
        return self.filter(status=AgreedPriceStatus.AGREED)


@history.track()
class AgreedPrice(models.Model):
    """[R-LIST-PRICE-CAP] A hospital's volume-linked price for a listing, agreed by both."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.PROTECT, related_name="agreed_prices"
    )
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="agreed_prices",
    )
    price = money_field(_("agreed price"))
    annual_volume = models.PositiveIntegerField(_("committed annual volume"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AgreedPriceStatus.choices,
        default=AgreedPriceStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = AgreedPriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreed price")
        verbose_name_plural = _("agreed prices")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="agreed_price_gt_0"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="agreed_price_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.listing_id} {self.price}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        if set(actor.roles) & OVERSEER_ROLES:
            return models.Q()
        org = actor.organization
        return models.Q(hospital_id=org.pk) | models.Q(listing__manufacturer_id=org.pk)


class AnnualPurchasePlanQuerySet(TenantQuerySet):
    pass


@history.track()
class AnnualPurchasePlan(models.Model):
    """[R-LIST-ALT-CAP] A hospital's annual purchase total other than the default base of the
    alternate-catalogue cap (last year's platform purchases, procurement.selectors.caps):
    proposed by its finance staff with a reason, approved or rejected by the bureau.
    ``total`` is the approved figure in force (None: the default applies); a new proposal
    leaves it in force until the bureau decides."""

    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="purchase_plans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total = money_field(_("approved annual purchase total"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PurchasePlanStatus.choices,
        default=PurchasePlanStatus.PROPOSED,
    )
    proposed_total = money_field(_("proposed annual purchase total"), null=True, blank=True)
    reason = models.TextField(_("reason for the figure"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision note"), blank=True)

    objects = AnnualPurchasePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual purchase plan")
        verbose_name_plural = _("annual purchase plans")
        constraints = [
            models.UniqueConstraint(fields=["hospital", "year"], name="purchase_plan_unique"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="purchase_plan_gte_0"),
            models.CheckConstraint(
                condition=models.Q(proposed_total__gte=0), name="purchase_plan_proposed_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.year} {self.total}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """The hospital itself, and the bureau and agency of the hospital's region."""
        return scope_q(actor, org_field="hospital_id", region_field="hospital__region_code")
