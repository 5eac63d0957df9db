"""Products cut in price this year against the region's target [R-CUTS-1000]
(docs/monitoring.md).

A product (a catalogue consumable) counts once in a year, on its first price cut of the year
(Asia/Shanghai), from any of these sources:

- ``listing``: a listed price lowered (the listing's history, django-pghistory: an update of a
  listing that was listed, to a price below the one before): an approved price change, a
  tender award or a renewal with a cut putting the winner at its winning price, a cut after a
  lower reference price;
- ``agreed``: a hospital's volume-linked price agreed below the listed price (the decision
  day);
- ``tender``: a VBP contract whose cycle starts in the year at a price below the hospital's
  pre-tender price (supervision.selectors.retained_savings.pre_tender_price: its last purchase
  price before the cycle, the listed price the tender cut, or the reference price then);
- ``reference``: the national lowest price confirmed lower (the nightly sync's reference price
  cut), the cap every listing of the product must follow.

Hospital-specific sources (agreed prices, contracts) count for the regulator's jurisdiction
(and district); listings and reference prices are the platform's. One query: the products
with a cut (a semi-join on each source), each annotated with each source's first cut (day,
old price, new price) and the earliest of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils.translation import gettext_lazy as _

from catalog.models import Consumable, ReferencePriceCut
from core import clock
from core.policy import policy_for
from core.tenancy import AnyActor
from procurement.choices import AgreedPriceStatus, ListingStatus
from procurement.models import AgreedPrice, Contract
from supervision.selectors.monitoring import (
    SIGNED_CONTRACT_STATUSES,
    Scope,
    local_start,
    monitoring_scope,
)
from supervision.selectors.retained_savings import MONEY, contract_pre_tender_price

SOURCES = {
    "listing": _("listed price lowered"),
    "agreed": _("agreed price below the listed price"),
    "tender": _("VBP contract below the pre-tender price"),
    "reference": _("national lowest price cut"),
}
SOURCE_ORDER = ("listing", "agreed", "tender", "reference")
# Each source's product column.
PRODUCT = {
    "listing": "consumable_id",
    "agreed": "listing__consumable_id",
    "tender": "consumable_id",
    "reference": "consumable_id",
}


def _local_day(column: str) -> TruncDate:
    return TruncDate(column, tzinfo=clock.SHANGHAI)


def _listing_cuts(year: int) -> QuerySet[Any]:
    event = apps.get_model("procurement", "ListingEvent")
    before = event.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id"))
    return (
        event.objects.filter(
            pgh_label="update",
            pgh_created_at__gte=local_start(dt.date(year, 1, 1)),
            pgh_created_at__lt=local_start(dt.date(year + 1, 1, 1)),
        )
        .annotate(
            old=Subquery(before.order_by("-pgh_id").values("price")[:1], output_field=MONEY),
            old_status=Subquery(before.order_by("-pgh_id").values("status")[:1]),
        )
        .filter(old__gt=F("price"), old_status=ListingStatus.LISTED)
        .annotate(day=_local_day("pgh_created_at"), new=F("price"))
        .order_by("pgh_created_at", "pgh_id")
    )


def _agreed_cuts(year: int, scope: Scope) -> QuerySet[Any]:
    found = AgreedPrice.objects.filter(
        status__in=(AgreedPriceStatus.AGREED, AgreedPriceStatus.ENDED),
        decided_at__gte=local_start(dt.date(year, 1, 1)),
        decided_at__lt=local_start(dt.date(year + 1, 1, 1)),
        price__lt=F("listing__price"),
        hospital__region_code__startswith=scope.prefix,
    )
    if scope.hospital_id is not None:
        found = found.filter(hospital_id=scope.hospital_id)
    return found.annotate(
        day=_local_day("decided_at"), old=F("listing__price"), new=F("price")
    ).order_by("decided_at", "pk")


def _tender_cuts(year: int, scope: Scope) -> QuerySet[Any]:
    purchase, listed, reference = contract_pre_tender_price()
    found = Contract.objects.filter(
        status__in=SIGNED_CONTRACT_STATUSES,
        cycle_start__gte=dt.date(year, 1, 1),
        cycle_start__lte=dt.date(year, 12, 31),
        hospital__region_code__startswith=scope.prefix,
    )
    if scope.hospital_id is not None:
        found = found.filter(hospital_id=scope.hospital_id)
    return (
        found.annotate(old=Coalesce(purchase, listed, reference))
        .filter(old__gt=F("price"))
        .annotate(day=F("cycle_start"), new=F("price"))
        .order_by("cycle_start", "pk")
    )


def _reference_cuts(year: int) -> QuerySet[Any]:
    return (
        ReferencePriceCut.objects.filter(
            old_price__isnull=False,
            old_price__gt=F("new_price"),
            effective_at__gte=local_start(dt.date(year, 1, 1)),
            effective_at__lt=local_start(dt.date(year + 1, 1, 1)),
        )
        .annotate(day=_local_day("effective_at"), old=F("old_price"), new=F("new_price"))
        .order_by("effective_at", "pk")
    )


def price_cuts_unscoped(*, year: int, scope: Scope) -> QuerySet[Consumable]:
    """Consumables cut in price in ``year``, one row each, annotated with ``cut_on``,
    ``cut_source``, ``old_price`` and ``new_price`` (the first cut of the year)."""
    sources = {
        "listing": _listing_cuts(year),
        "agreed": _agreed_cuts(year, scope),
        "tender": _tender_cuts(year, scope),
        "reference": _reference_cuts(year),
    }
    # Which products: a semi-join on each source's products (no per-product scan of the
    # catalogue); then each source's first cut of each of them.
    any_cut = Q()
    for name, cuts in sources.items():
        any_cut |= Q(pk__in=cuts.order_by().values(PRODUCT[name]))
    rows = Consumable.objects.filter(any_cut)
    for name, all_cuts in sources.items():
        cuts = all_cuts.filter(**{PRODUCT[name]: OuterRef("pk")})
        rows = rows.annotate(
            **{
                f"{name}_on": Subquery(cuts.values("day")[:1], output_field=DateField()),
                f"{name}_old": Subquery(cuts.values("old")[:1], output_field=MONEY),
                f"{name}_new": Subquery(cuts.values("new")[:1], output_field=MONEY),
            }
        )
    rows = rows.annotate(cut_on=Least(*(F(f"{name}_on") for name in SOURCE_ORDER)))

    def first(suffix: str, output: Any) -> Case:
        return Case(
            *(
                When(**{f"{name}_on": F("cut_on")}, then=F(f"{name}_{suffix}"))
                for name in SOURCE_ORDER
            ),
            output_field=output,
        )

    source = Case(
        *(When(**{f"{name}_on": F("cut_on")}, then=Value(name)) for name in SOURCE_ORDER),
        output_field=CharField(),
    )
    return rows.annotate(
        cut_source=source,
        old_price=first("old", MONEY),
        new_price=first("new", MONEY),
    ).order_by("-cut_on", "code")


def price_cut_list(actor: AnyActor, year: int, *, district: object = "") -> QuerySet[Consumable]:
    """[R-CUTS-1000] the products cut in price in ``year`` that the actor may see, one row per
    product with its old and new price and the source of the cut."""
    scope = monitoring_scope(actor=actor, district=district, action="price_cuts.view")
    return price_cuts_unscoped(year=year, scope=scope)


def price_cut_progress(actor: AnyActor, year: int, district: str | None = None) -> tuple[int, int]:
    """[R-CUTS-1000] (products cut in ``year``, the region's annual target)."""
    count = price_cut_list(actor, year, district=district or "").count()
    org = getattr(actor, "organization", None)
    region = org.region_code if org is not None else ""
    return count, policy_for(region).annual_price_cut_target
