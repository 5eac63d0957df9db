"""Reads for the catalogue. The catalogue itself is public to every signed-in user; objections
are tenant data (a supplier sees its own), sync runs and imports are the bureau's and admins'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Organization, User
from catalog.barcodes import ScannedBarcode, parse_barcode
from catalog.choices import (
    OPEN_REFERENCE_STATUSES,
    REFERENCE_PRICE_STATES,
    ObjectionStatus,
    ReferencePriceAction,
    ReferencePriceStatus,
)
from catalog.codes import FULL_CODE_RE
from catalog.errors import (
    ObjectionAlreadyOpenError,
    ObjectionWindowClosedError,
    ReferencePriceOpenObjectionsError,
    ReferencePricePublicityNotEndedError,
)
from catalog.models import (
    Category,
    Consumable,
    ConsumableCodeAlias,
    CrosswalkConflict,
    DeviceIdentifier,
    ImportJob,
    PriceObjection,
    PriceObservation,
    ReferencePrice,
    SyncRun,
)
from catalog.search import filter_consumables
from core import clock, permissions
from core.actions import Actions, Allowed, Check, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError


def _with_reference_price(queryset: QuerySet) -> QuerySet:
    confirmed = ReferencePrice.objects.filter(
        consumable=OuterRef("pk"), status=ReferencePriceStatus.CONFIRMED
    )
    return queryset.annotate(reference_price=Subquery(confirmed.values("price")[:1]))


def consumable_list(
    *,
    actor: User,
    q: str = "",
    code_prefix: str = "",
    category: str = "",
    manufacturer: int | None = None,
    high_value: bool | None = None,
    status: str = "",
) -> QuerySet:
    permissions.require(actor, "catalog.view")
    if _full_code(q):
        qs = Consumable.objects.filter(_code_filter(q))
    else:
        qs = filter_consumables(Consumable.objects.all(), q)
    if code_prefix:
        qs = qs.filter(_code_filter(code_prefix))
    if category:
        category = normalize_category(category)
        field = {2: "category_l1", 4: "category_l2", 6: "category_l3"}.get(len(category))
        qs = qs.filter(**{field: category}) if field else qs.none()
    if manufacturer:
        qs = qs.filter(manufacturer_id=manufacturer)
    if high_value is not None:
        qs = qs.filter(is_high_value=high_value)
    if status:
        qs = qs.filter(status=status)
    return _with_reference_price(qs.select_related("manufacturer")).order_by("code")


def _full_code(text: str) -> str:
    """``text`` as a 27-character national code, or "" when it is not one."""
    code = (text or "").strip().upper()
    return code if FULL_CODE_RE.match(code) else ""


def _code_filter(text: str) -> Q:
    """Products whose code starts with ``text``; for a whole code, also the products that
    carry it now if a release replaced it (ConsumableCodeAlias)."""
    code = _full_code(text)
    if not code:
        return Q(code__startswith=text.strip().upper())
    replaced = ConsumableCodeAlias.objects.filter(code=code).values("consumable_id")
    return Q(code=code) | Q(pk__in=replaced)


def consumable_get(*, actor: User, code: str) -> Consumable:
    """The product with this national code. A code no product has, but that a release
    replaced by exactly one product's code (原27位码), gives that product: old codes on old
    paperwork, in listings and in hospital systems still resolve. The result's ``code`` tells
    the caller which code it has now."""
    permissions.require(actor, "catalog.view")
    code = code.strip().upper()
    products = _with_reference_price(Consumable.objects.select_related("manufacturer"))
    products = products.prefetch_related(
        Prefetch("device_identifiers", queryset=DeviceIdentifier.objects.order_by("di")),
        Prefetch("reference_prices", queryset=ReferencePrice.objects.order_by("-proposed_at")),
        Prefetch("code_aliases", queryset=ConsumableCodeAlias.objects.order_by("code")),
    )
    consumable = products.filter(code=code).first()
    if consumable is None:
        replacements = list(
            ConsumableCodeAlias.objects.filter(code=code).values_list("consumable_id", flat=True)[
                :2
            ]
        )
        if len(replacements) == 1:
            consumable = products.filter(pk=replacements[0]).first()
    if consumable is None:
        raise NotFoundError()
    return consumable


def consumable_categories(*, consumable: Consumable) -> list[Category]:
    """The product's level-1, level-2 and level-3 categories with their names (one query); a
    level the catalogue has no row for is left out."""
    codes = [consumable.category_l1, consumable.category_l2, consumable.category_l3]
    return list(Category.objects.filter(code__in=codes).order_by("level"))


def consumable_replacements(*, consumable: Consumable) -> list[Consumable]:
    """The products whose codes replaced this product's code in a release (a retired code may
    have been split into several)."""
    return list(
        Consumable.objects.filter(code_aliases__code=consumable.code).order_by("code").distinct()
    )


def consumable_price_history(*, consumable: Consumable) -> dict:
    """Series for the product page's chart: observations by province and the reference price."""
    observations = PriceObservation.objects.filter(consumable=consumable).order_by("observed_on")
    by_province: dict[str, list[list[str]]] = {}
    for obs in observations.values("province_code", "observed_on", "price"):
        by_province.setdefault(obs["province_code"], []).append(
            [obs["observed_on"].isoformat(), str(obs["price"])]
        )
    reference = [
        [(p.confirmed_at or p.proposed_at).date().isoformat(), str(p.price)]
        for p in ReferencePrice.objects.filter(
            consumable=consumable,
            status__in=[ReferencePriceStatus.CONFIRMED, ReferencePriceStatus.SUPERSEDED],
        ).order_by("confirmed_at")
    ]
    return {"observations": by_province, "reference": reference}


def normalize_category(text: str) -> str:
    """A category filter value as stored: "C0311" and " 0311 " are "0311"; anything but 2, 4
    or 6 digits is ""."""
    code = (text or "").strip().upper().removeprefix("C")
    return code if len(code) in (2, 4, 6) and code.isascii() and code.isdigit() else ""


def category_list(*, actor: User, parent: str = "") -> QuerySet:
    """The categories under ``parent`` (a level-1 or level-2 code), or the level-1 ones: what
    the catalogue's category filter offers, with the names the imports gave them."""
    permissions.require(actor, "catalog.view")
    qs = Category.objects.select_related("parent")
    if not parent:
        return qs.filter(level=1)
    return qs.filter(parent__code=normalize_category(parent))


def category_filter_options(*, actor: User, category: str = "") -> list[Category]:
    """The search page's category select: the level-1 categories, and the children of the
    chosen category and of its ancestors, in tree order (codes sort that way). One query."""
    permissions.require(actor, "catalog.view")
    code = normalize_category(category)
    opened = Q(level=1)
    for length in (2, 4):
        if len(code) >= length:
            opened |= Q(parent__code=code[:length])
    return list(Category.objects.filter(opened).order_by("code"))


@dataclass(frozen=True)
class ScanResult:
    barcode: ScannedBarcode
    device: DeviceIdentifier | None
    consumable: Consumable | None
    reference_price: Decimal | None

    @property
    def expired(self) -> bool:
        """The scanned lot's expiry date is past (Beijing date): a delivery of it is refused."""
        expiry = self.barcode.expiry_date
        return expiry is not None and expiry < clock.local_today()


def scan(*, actor: User, barcode: str) -> ScanResult:
    """Parse a scanned barcode and find its product and current reference price.
    Raises BarcodeInvalidError (with a reason) for an unreadable barcode."""
    permissions.require(actor, "catalog.view")
    parsed = parse_barcode(barcode)
    device = DeviceIdentifier.objects.select_related("consumable").filter(di=parsed.di).first()
    consumable = None
    price = None
    if device is not None and device.consumable is not None:
        consumable = consumable_get(actor=actor, code=device.consumable.code)
        price = consumable.reference_price
    return ScanResult(barcode=parsed, device=device, consumable=consumable, reference_price=price)


def _with_objections(queryset: QuerySet, actor: User) -> QuerySet:
    """Annotate what the allowed actions read: the open objections of each price, and whether
    the actor's organisation has one open."""
    open_objections = PriceObjection.objects.filter(
        reference_price=OuterRef("pk"), status=ObjectionStatus.OPEN
    )
    own = open_objections.filter(supplier_id=getattr(actor, "organization_id", None))
    return queryset.annotate(
        open_objection_count=Coalesce(
            Subquery(
                open_objections.order_by()
                .values("reference_price")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
        own_open_objection=Exists(own),
    )


def reference_price_list(
    *, actor: User, status: str = "", open_only: bool = False, q: str = ""
) -> QuerySet:
    """``q`` finds a price by its product's national code, product name or manufacturer
    (the enterprise named in the catalogue, or the organisation it is linked to)."""
    permissions.require(actor, "reference_price.view")
    qs = _with_objections(
        ReferencePrice.objects.select_related("consumable", "consumable__manufacturer"), actor
    )
    qs = _reference_price_search(qs, q)
    if open_only:
        qs = qs.filter(status__in=OPEN_REFERENCE_STATUSES)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("publicity_ends_on", "-proposed_at")


def _reference_price_search(qs: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(consumable__code__icontains=q)
            | Q(consumable__product_name__icontains=q)
            | Q(consumable__company_name__icontains=q)
            | Q(consumable__manufacturer__name__icontains=q)
        )
    return qs


# [R-DISCLOSE] what the public section shows: prices in publicity (from the day it started)
# and confirmed ones; never a proposal, a flagged increase or a withdrawn price.
PUBLIC_REFERENCE_STATUSES = (ReferencePriceStatus.PUBLICITY, ReferencePriceStatus.CONFIRMED)


def reference_price_public_list(
    *, q: str = "", status: str = "", today: dt.date | None = None
) -> QuerySet[ReferencePrice]:
    """[R-DISCLOSE] Reference prices anyone may read without logging in: in publicity since
    its start day, or confirmed. ``q`` searches as the publicity page does (code, product,
    manufacturer); ``status`` narrows to one of the two. No objection, no note, no person."""
    today = today or clock.local_today()
    qs = ReferencePrice.objects.select_related("consumable", "consumable__manufacturer").filter(
        Q(status=ReferencePriceStatus.CONFIRMED)
        | Q(status=ReferencePriceStatus.PUBLICITY, publicity_starts_on__lte=today)
    )
    if status:
        qs = qs.filter(status=status)
    return _reference_price_search(qs, q).order_by("-publicity_starts_on", "consumable__code", "pk")


def reference_price_get(*, actor: User, reference_price_id: int) -> ReferencePrice:
    permissions.require(actor, "reference_price.view")
    price = (
        _with_objections(ReferencePrice.objects.select_related("consumable"), actor)
        .filter(pk=reference_price_id)
        .first()
    )
    if price is None:
        raise NotFoundError()
    return price


# ---------------------------------------------------------------------------------------------
# Rules the reference-price services and the allowed actions share [R-LIST-CATALOGUES]


def publicity_ended_check(*, reference_price: ReferencePrice, today: dt.date) -> None:
    """A price is confirmed from the day after its publicity ends."""
    ends_on = reference_price.publicity_ends_on
    if ends_on is None or today <= ends_on:
        raise ReferencePricePublicityNotEndedError(
            reference_price=reference_price.pk, ends_on=ends_on
        )


def no_open_objection_check(*, reference_price: ReferencePrice, count: int) -> None:
    if count:
        raise ReferencePriceOpenObjectionsError(reference_price=reference_price.pk, count=count)


def objection_window_check(*, reference_price: ReferencePrice, today: dt.date) -> None:
    """Suppliers object to a price in publicity, through the last day of its publicity."""
    in_window = (
        reference_price.status == ReferencePriceStatus.PUBLICITY
        and reference_price.publicity_ends_on is not None
        and today <= reference_price.publicity_ends_on
    )
    if not in_window:
        raise ObjectionWindowClosedError(
            reference_price=reference_price.pk,
            status=reference_price.status,
            ends_on=reference_price.publicity_ends_on,
        )


def objector_check(*, actor: User) -> Organization:
    """Only a manufacturer's or distributor's sales staff object (with the role): their
    organisation, which raises the objection."""
    org = getattr(actor, "organization", None)
    if org is None or not org.is_supplier:
        raise PermissionDeniedError(action="price_objection.raise")
    return org


def reference_price_actions(
    *, actor: User, reference_price: ReferencePrice, today: dt.date | None = None
) -> Actions:
    """What the actor may do with a reference price now (core.actions), as
    catalog.services.prices checks: the bureau starts publicity, confirms once publicity has
    ended with no objection open, withdraws an open price; a supplier objects during
    publicity, once per price. Reads the annotations of ``reference_price_list`` /
    ``reference_price_get``; no query of its own."""
    rp = reference_price
    today = today or clock.local_today()

    def manage(action: str, *rules: Check) -> Allowed:
        return verdict(
            action,
            role_check(actor, "reference_price.manage"),
            lambda: REFERENCE_PRICE_STATES.check(rp, action),
            *rules,
        )

    def not_yet_objected() -> None:
        if getattr(rp, "own_open_objection", False):
            raise ObjectionAlreadyOpenError(reference_price=rp.pk)

    return Actions(
        [
            manage(ReferencePriceAction.START_PUBLICITY),
            manage(
                ReferencePriceAction.CONFIRM,
                lambda: publicity_ended_check(reference_price=rp, today=today),
                lambda: no_open_objection_check(
                    reference_price=rp, count=getattr(rp, "open_objection_count", 0)
                ),
            ),
            manage(ReferencePriceAction.WITHDRAW),
            verdict(
                ReferencePriceAction.OBJECT,
                role_check(actor, "price_objection.raise"),
                lambda: objector_check(actor=actor),
                lambda: objection_window_check(reference_price=rp, today=today),
                not_yet_objected,
            ),
        ]
    )


def price_objection_list(*, actor: User, status: str = "") -> QuerySet:
    permissions.require(actor, "price_objection.view")
    qs = PriceObjection.objects.visible_to(actor).select_related(
        "reference_price__consumable", "supplier", "raised_by", "resolved_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def sync_run_list(*, actor: User, status: str = "") -> QuerySet:
    permissions.require(actor, "sync_run.view")
    qs = SyncRun.objects.select_related("triggered_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-started_at")


def import_job_list(*, actor: User) -> QuerySet:
    permissions.require(actor, "catalog.import")
    return ImportJob.objects.select_related("created_by").order_by("-created_at")


def import_job_get(*, actor: User, job_id: int) -> ImportJob:
    permissions.require(actor, "catalog.import")
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFoundError()
    return job


def crosswalk_conflict_list(*, actor: User, open_only: bool = True) -> QuerySet:
    permissions.require(actor, "catalog.import")
    qs = CrosswalkConflict.objects.all()
    return qs.filter(resolved_at__isnull=True) if open_only else qs
