"""The catalogue: national codes, UDIs, observed prices and reference prices.

Consumables and UDIs are master data imported in bulk (hundreds of thousands of rows, set-based
SQL), so they are not history-tracked row by row; every price (observation, reference price,
objection) is, because prices are money.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import (
    OPEN_REFERENCE_STATUSES,
    ConsumableStatus,
    ImportKind,
    ImportStatus,
    IssuingAgency,
    ObjectionStatus,
    ReferencePriceStatus,
    SyncRunStatus,
)
from core import history
from core.money import money_field
from core.tenancy import TenantQuerySet, scope_q


class Category(models.Model):
    """The national classification: level 1 (2 digits), level 2 (4), level 3 (6)."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[1, 2, 3]), name="category_level_1_to_3"
            )
        ]

    def __str__(self) -> str:
        return f"C{self.code} {self.name}".strip()


class Consumable(models.Model):
    """One specification/model of a product, keyed by its 27-character national code."""

    # The confirmed reference price, on rows read through catalog.selectors (an annotation).
    reference_price: Decimal | None

    code = models.CharField(_("national code"), max_length=27, unique=True)
    base_code = models.CharField(_("base code"), max_length=20, db_index=True)
    category_l1 = models.CharField(_("level-1 category"), max_length=2, db_index=True)
    category_l2 = models.CharField(_("level-2 category"), max_length=4)
    category_l3 = models.CharField(_("level-3 category"), max_length=6, db_index=True)
    generic_group = models.CharField(_("generic name code"), max_length=3)
    material_code = models.CharField(_("material code"), max_length=2)
    feature_code = models.CharField(_("feature code"), max_length=3)
    company_code = models.CharField(_("enterprise code"), max_length=5, db_index=True)
    spec_serial = models.CharField(_("specification serial"), max_length=7)

    generic_name = models.CharField(_("generic name"), max_length=200)
    product_name = models.CharField(_("product name"), max_length=300)
    registered_name = models.CharField(_("registered product name"), max_length=300, blank=True)
    material = models.CharField(_("material"), max_length=200, blank=True)
    # The name of the code's feature segment (特征, e.g. 肱骨/普通 for 007) and the insurance
    # generic name's number (医保通用名编号), as the national release gives them. db_default:
    # the import of the other layout inserts rows without these columns.
    feature = models.CharField(_("feature"), max_length=200, blank=True, default="", db_default="")
    generic_name_code = models.CharField(
        _("insurance generic name number"), max_length=50, blank=True, default="", db_default=""
    )
    specification = models.CharField(_("specification"), max_length=500, blank=True)
    model = models.CharField(_("model"), max_length=500, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    registration_number = models.CharField(
        _("registration certificate number"), max_length=100, blank=True, db_index=True
    )
    registrant = models.CharField(_("registrant"), max_length=300, blank=True)
    company_name = models.CharField(_("enterprise"), max_length=300, blank=True)
    manufacturer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("manufacturer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consumables",
    )
    is_high_value = models.BooleanField(_("high value"), default=False, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConsumableStatus.choices,
        default=ConsumableStatus.ACTIVE,
    )
    # Single characters and bigrams of the names and specification, for substring search in
    # Chinese without pg_trgm (the embedded PostgreSQL lacks it): a GIN-indexed array containment
    # narrows the candidates, then ILIKE confirms them. See catalog/search.py.
    search_terms = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consumable")
        verbose_name_plural = _("consumables")
        ordering = ["code"]
        indexes = [GinIndex(fields=["search_terms"], name="consumable_search_gin")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^C[0-9]{26}$"), name="consumable_code_shape"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {self.specification} {self.model}".strip()


class ConsumableCodeAlias(models.Model):
    """A national code that a release replaced (原27位码), so that the old code still finds the
    product now carrying the new one: in the catalogue, in listings by code, and in the UDI
    database's crosswalk, which keeps old codes longer. One old code may have been split into
    several new ones; it then resolves to each of them in a search, and to none alone."""

    code = models.CharField(_("previous national code"), max_length=27)
    consumable = models.ForeignKey(
        Consumable,
        verbose_name=_("consumable"),
        on_delete=models.CASCADE,
        related_name="code_aliases",
    )
    # As the release writes them: 原码状态 (停用 retired, 保留 kept) and 类型 (变更, 映射, ...).
    previous_status = models.CharField(_("status of the previous code"), max_length=20, blank=True)
    change_type = models.CharField(_("type of change"), max_length=20, blank=True)
    source = models.CharField(_("source file"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("previous national code")
        verbose_name_plural = _("previous national codes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "consumable"], name="code_alias_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^C[0-9]{26}$"), name="code_alias_code_shape"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} -> {self.consumable_id}"


class DeviceIdentifier(models.Model):
    """A UDI-DI (product or package identifier) and its crosswalk to a national code."""

    di = models.CharField(_("UDI-DI"), max_length=60, unique=True)
    agency = models.CharField(_("issuing agency"), max_length=5, choices=IssuingAgency.choices)
    consumable = models.ForeignKey(
        Consumable,
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="device_identifiers",
    )
    # The national code the NMPA UDI database claims (field ybbm), kept even while that
    # code is not (yet) in our catalogue.
    nhsa_code = models.CharField(
        _("national code (ybbm)"), max_length=27, blank=True, db_index=True
    )
    registration_number = models.CharField(
        _("registration certificate number"), max_length=100, blank=True
    )
    product_name = models.CharField(_("product name"), max_length=300, blank=True)
    specification = models.CharField(_("specification / model"), max_length=500, blank=True)
    company_name = models.CharField(_("registrant"), max_length=300, blank=True)
    # 包装级别 (cpbzjb) as the UDI database gives it: a package word such as 盒 or 箱 in the
    # NMPA data, a number in some exports; kept as written, empty when not given.
    packaging_level = models.CharField(_("packaging level"), max_length=50, blank=True)
    packaging_quantity = models.PositiveIntegerField(_("quantity per package"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("UDI-DI")
        verbose_name_plural = _("UDI-DIs")
        ordering = ["di"]

    def __str__(self) -> str:
        return self.di

    @property
    def packaging(self) -> str:
        """The packaging as a page shows it: the package word and how many of the next
        smaller unit it holds, whichever is known; "" when neither is (an empty or "0"
        level and the default quantity of 1)."""
        level = self.packaging_level.strip()
        level = "" if level == "0" else level
        quantity = self.packaging_quantity or 0
        if level and quantity > 1:
            return _("%(level)s of %(quantity)s") % {"level": level, "quantity": quantity}
        if quantity > 1:
            return _("pack of %(quantity)s") % {"quantity": quantity}
        return level


class CrosswalkConflict(models.Model):
    """One UDI-DI claimed by two national codes: reported, never silently overwritten."""

    di = models.CharField(_("UDI-DI"), max_length=60, db_index=True)
    current_code = models.CharField(_("current national code"), max_length=27)
    claimed_code = models.CharField(_("claimed national code"), max_length=27)
    source = models.CharField(_("source file"), max_length=300, blank=True)
    row_number = models.PositiveIntegerField(_("row"), null=True)
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("crosswalk conflict")
        verbose_name_plural = _("crosswalk conflicts")
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["di", "current_code", "claimed_code"],
                condition=models.Q(resolved_at__isnull=True),
                name="crosswalk_conflict_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.di}: {self.current_code} / {self.claimed_code}"


class SyncRun(models.Model):
    """One run of the national-lowest-price sync."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    feed_url = models.CharField(_("feed"), max_length=500)
    feed_sha256 = models.CharField(_("feed digest"), max_length=64, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    proposals = models.PositiveIntegerField(_("proposals"), default=0)
    increases_flagged = models.PositiveIntegerField(_("increases flagged"), default=0)
    confirmations = models.PositiveIntegerField(_("confirmations"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING
    )
    error = models.TextField(_("error"), blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Written every TASK_HEARTBEAT_S seconds while the run is RUNNING (database time).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # The Celery message that started the run: a message redelivered after its worker died
    # starts at most SYNC_MAX_ATTEMPTS runs.
    task_id = models.CharField(_("task"), max_length=155, blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class PriceObservation(models.Model):
    """A price seen on a provincial platform: the raw material of the national lowest price.

    Append-only (a trigger refuses UPDATE and DELETE), so the row itself is its history: which
    sync run brought it and when. Not tracked by pghistory, which would double the cost of
    loading millions of rows a night for no information."""

    consumable = models.ForeignKey(
        Consumable,
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="price_observations",
    )
    udi_di = models.CharField(_("UDI-DI"), max_length=60, blank=True)
    province_code = models.CharField(_("province"), max_length=6)
    source_platform = models.CharField(_("source platform"), max_length=100)
    price = money_field(_("price"))
    observed_on = models.DateField(_("observed on"))
    sync_run = models.ForeignKey(
        SyncRun,
        verbose_name=_("sync run"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observations",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("price observation")
        verbose_name_plural = _("price observations")
        ordering = ["-observed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumable", "province_code", "source_platform", "observed_on"],
                name="price_observation_unique",
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="observation_price_gt_0"),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.consumable_id} {self.province_code} {self.price}"


class ReferencePriceQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_REFERENCE_STATUSES)

    def confirmed(self):
        return self.filter(status=ReferencePriceStatus.CONFIRMED)


@history.track()
class ReferencePrice(models.Model):
    """The cap for a listed product: the national lowest price, after publicity.
    [R-LIST-CATALOGUES] proposed -> in publicity -> confirmed (locked) or withdrawn."""

    consumable = models.ForeignKey(
        Consumable,
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="reference_prices",
    )
    price = money_field(_("reference price"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReferencePriceStatus.choices,
        default=ReferencePriceStatus.PROPOSED,
    )
    # Provenance: where the lowest price was seen.
    source_province = models.CharField(_("source province"), max_length=6, blank=True)
    source_platform = models.CharField(_("source platform"), max_length=100, blank=True)
    observed_on = models.DateField(_("observed on"), null=True, blank=True)
    sync_run = models.ForeignKey(
        SyncRun,
        verbose_name=_("sync run"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reference_prices",
    )
    previous_price = money_field(_("previous reference price"), null=True, blank=True)
    is_increase = models.BooleanField(_("increase"), default=False)
    publicity_starts_on = models.DateField(_("publicity starts"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("publicity ends"), null=True, blank=True)
    # The end was counted Monday to Friday: the period crosses a year whose holidays neither the
    # platform's calendar nor chinese-calendar knew when it was counted (core.clock). It stays
    # set when the year is entered later, because the date was counted without it.
    publicity_ends_estimated = models.BooleanField(
        _("publicity end counted Monday to Friday"), default=False, db_default=False
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("withdrawn or superseded at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ReferencePriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("reference price")
        verbose_name_plural = _("reference prices")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumable"],
                condition=models.Q(status=ReferencePriceStatus.CONFIRMED),
                name="reference_price_one_confirmed",
            ),
            models.UniqueConstraint(
                fields=["consumable"],
                condition=models.Q(status__in=OPEN_REFERENCE_STATUSES),
                name="reference_price_one_open",
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="reference_price_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.consumable_id} {self.price} {self.status}"


class PriceObjectionQuerySet(TenantQuerySet):
    pass


@history.track()
class PriceObjection(models.Model):
    """A supplier's objection to a reference price in publicity (公示异议)."""

    reference_price = models.ForeignKey(
        ReferencePrice,
        verbose_name=_("reference price"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    supplier = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="price_objections",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = PriceObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("price objection")
        verbose_name_plural = _("price objections")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference_price_id} {self.supplier_id} {self.status}"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        # A supplier sees its own objections; the bureau that resolves them sees all of them.
        if set(actor.roles) & {"bureau_officer", "platform_admin"}:
            return models.Q()
        return scope_q(actor, org_field="supplier_id")


class ReferencePriceCut(models.Model):
    """A confirmed fall of a product's reference price: what listings react to."""

    consumable = models.ForeignKey(
        Consumable,
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="reference_price_cuts",
    )
    reference_price = models.OneToOneField(
        ReferencePrice,
        verbose_name=_("reference price"),
        on_delete=models.PROTECT,
        related_name="cut",
    )
    old_price = money_field(_("old price"), null=True, blank=True)
    new_price = money_field(_("new price"))
    effective_at = models.DateTimeField(_("effective at"))
    # Set when the listings of this product have been checked against the new price.
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reference price cut")
        verbose_name_plural = _("reference price cuts")
        ordering = ["-effective_at"]
        triggers = history.append_only_except("processed_at")

    def __str__(self) -> str:
        return f"{self.consumable_id} {self.old_price} -> {self.new_price}"


class ImportJob(models.Model):
    """A catalogue or UDI file uploaded in the web UI and imported by a Celery task."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=300)
    stored_path = models.CharField(_("stored at"), max_length=500)
    partial = models.BooleanField(_("keep valid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    inserted = models.PositiveIntegerField(_("inserted"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    report_path = models.CharField(_("rejection report"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Runs started (a run whose worker died is run again, up to MAX_ATTEMPTS); the running
    # attempt's number also fences its writes, so a run declared dead cannot overwrite the
    # outcome later.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Written every TASK_HEARTBEAT_S seconds while the job is RUNNING (database time).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("retry of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.status}"
