"""Retained savings per hospital from VBP budgets [R-RETAINED] (docs/monitoring.md).

For each of a hospital's signed VBP contracts whose cycle overlaps the year:

- budget = agreed quantity x the pre-tender price, the first of: the hospital's own last
  purchase price of the product (a confirmed order line submitted before the cycle started);
  the listed price the tender cut (the listing's last listed price above the contract price,
  from its history); the product's reference price confirmed before the cycle started; the
  contract price itself (no price saving, only unspent volume);
- actual spend = what counts toward the contract (procurement.selectors.contracts
  .counted_lines, from orders submitted within the cycle), each line's kept quantity (accepted
  minus returned) at its unit price;
- savings = budget - actual spend; retained = the region's ``retained_savings_share`` of the
  savings, nothing when the savings are negative.

Budget and spend are a contract cycle's; the year only selects the contracts. One query for
the contracts with their annotations; the hospital totals add those rows in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import ReferencePrice
from core.money import ZERO, quantize
from core.tenancy import AnyActor
from procurement.choices import LineStatus, ListingStatus
from procurement.models import Contract, OrderLine
from procurement.selectors.contracts import counted_lines
from supervision.selectors.monitoring import (
    SIGNED_CONTRACT_STATUSES,
    Scope,
    monitoring_scope,
    region_policies,
)

MONEY = DecimalField(max_digits=18, decimal_places=2)

PRICE_SOURCES = {
    "purchase": _("last purchase before the cycle"),
    "listing": _("listed price before the tender"),
    "reference": _("reference price before the cycle"),
    "contract": _("contract price (no earlier price)"),
}


def pre_tender_price(
    *, hospital: Any, consumable: Any, listing: Any, price: Any, before: Any
) -> tuple[Subquery, Subquery, Subquery]:
    """The candidates for a contract's pre-tender price, in the order they are taken: the
    hospital's last purchase price of the product before ``before`` (the cycle start), the
    listing's last listed price above the contract ``price`` (its history: the price the tender
    cut), and the product's reference price confirmed before ``before``. Each argument is a
    value or an OuterRef; shared with the price cuts (supervision.selectors.price_cuts)."""
    last_purchase = (
        OrderLine.objects.filter(
            order__hospital_id=hospital,
            consumable_id=consumable,
            status=LineStatus.CONFIRMED,
            order__submitted_at__date__lt=before,
        )
        .order_by("-order__submitted_at", "-pk")
        .values("unit_price")[:1]
    )
    event = apps.get_model("procurement", "ListingEvent")
    listed = (
        event.objects.filter(pgh_obj_id=listing, status=ListingStatus.LISTED, price__gt=price)
        .order_by("-pgh_id")
        .values("price")[:1]
    )
    reference = (
        ReferencePrice.objects.filter(
            consumable_id=consumable, confirmed_at__isnull=False, confirmed_at__date__lt=before
        )
        .order_by("-confirmed_at", "-pk")
        .values("price")[:1]
    )
    return (
        Subquery(last_purchase, output_field=MONEY),
        Subquery(listed, output_field=MONEY),
        Subquery(reference, output_field=MONEY),
    )


def contract_pre_tender_price() -> tuple[Subquery, Subquery, Subquery]:
    """pre_tender_price of the enclosing contract (OuterRefs)."""
    return pre_tender_price(
        hospital=OuterRef("hospital_id"),
        consumable=OuterRef("consumable_id"),
        listing=OuterRef("listing_id"),
        price=OuterRef("price"),
        before=OuterRef("cycle_start"),
    )


def with_budget(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate ``pre_price``, ``price_source``, ``budget``, ``spend`` and ``savings``."""
    purchase, listed, reference = contract_pre_tender_price()
    spend = (
        counted_lines()
        .order_by()
        .values("order__hospital_id")
        .annotate(
            total=Sum(
                ExpressionWrapper(
                    F("unit_price") * (F("accepted_quantity") - F("returned_quantity")),
                    output_field=MONEY,
                )
            )
        )
        .values("total")
    )
    return (
        contracts.annotate(
            last_purchase_price=purchase, listed_price=listed, reference_price=reference
        )
        .annotate(
            pre_price=Coalesce(
                F("last_purchase_price"), F("listed_price"), F("reference_price"), F("price")
            ),
            price_source=Case(
                When(last_purchase_price__isnull=False, then=Value("purchase")),
                When(listed_price__isnull=False, then=Value("listing")),
                When(reference_price__isnull=False, then=Value("reference")),
                default=Value("contract"),
                output_field=CharField(),
            ),
            spend=Coalesce(Subquery(spend, output_field=MONEY), Value(ZERO), output_field=MONEY),
        )
        .annotate(
            budget=ExpressionWrapper(F("pre_price") * F("agreed_quantity"), output_field=MONEY),
        )
        .annotate(savings=ExpressionWrapper(F("budget") - F("spend"), output_field=MONEY))
    )


def budget_contract_list_unscoped(*, year: int, scope: Scope) -> QuerySet[Contract]:
    """The scope's signed VBP contracts whose cycle overlaps ``year``, with their budgets."""
    contracts = Contract.objects.filter(
        status__in=SIGNED_CONTRACT_STATUSES,
        cycle_start__lte=dt.date(year, 12, 31),
        cycle_end__gte=dt.date(year, 1, 1),
        hospital__region_code__startswith=scope.prefix,
    )
    if scope.hospital_id is not None:
        contracts = contracts.filter(hospital_id=scope.hospital_id)
    return with_budget(contracts).select_related("hospital", "consumable", "manufacturer")


@dataclass
class HospitalSavings:
    hospital_id: int
    name: str
    region_code: str
    contracts: int = 0
    budget: Decimal = ZERO
    spend: Decimal = ZERO
    share: Decimal = Decimal("0")

    @property
    def savings(self) -> Decimal:
        return self.budget - self.spend

    @property
    def retained(self) -> Decimal:
        """[R-RETAINED] the share of positive savings the hospital keeps, to the cent."""
        if self.savings <= 0:
            return ZERO
        return quantize(self.savings * self.share)


@dataclass
class RetainedSavingsTable:
    year: int
    rows: list[HospitalSavings]
    contracts: list[Contract] = field(default_factory=list)

    @property
    def totals(self) -> HospitalSavings:
        total = HospitalSavings(hospital_id=0, name=gettext("All hospitals"), region_code="")
        for row in self.rows:
            total.contracts += row.contracts
            total.budget += row.budget
            total.spend += row.spend
        return total

    @property
    def retained(self) -> Decimal:
        """The sum of the hospitals' retained amounts (each at its own region's share)."""
        return sum((row.retained for row in self.rows), ZERO)


def retained_savings_table(
    *,
    actor: AnyActor,
    year: int,
    district: object = "",
    hospital: object = "",
    with_contracts: bool = False,
) -> RetainedSavingsTable:
    """[R-RETAINED] per hospital of the actor's scope: the VBP budget at pre-tender prices, the
    actual spend, the savings and the retained amount at the region's share. Two queries (three
    with the contract lines)."""
    scope = monitoring_scope(actor=actor, district=district, hospital=hospital)
    contracts = budget_contract_list_unscoped(year=year, scope=scope)
    sums = (
        contracts.select_related(None)
        .order_by()
        .values("hospital_id", "hospital__name", "hospital__region_code")
        .annotate(
            n=Count("pk"),
            budget_total=Sum("budget"),
            spend_total=Sum("spend"),
        )
        .order_by("hospital__region_code", "hospital__name")
    )
    rows = [
        HospitalSavings(
            hospital_id=r["hospital_id"],
            name=r["hospital__name"],
            region_code=r["hospital__region_code"],
            contracts=r["n"],
            budget=quantize(r["budget_total"] or ZERO),
            spend=quantize(r["spend_total"] or ZERO),
        )
        for r in sums
    ]
    policies = region_policies(sorted({row.region_code for row in rows}))
    for row in rows:
        row.share = policies[row.region_code].retained_savings_share
    lines = list(contracts.order_by("hospital_id", "pk")) if with_contracts else []
    return RetainedSavingsTable(year=year, rows=rows, contracts=lines)


def retained_savings_totals(
    *, actor: AnyActor, year: int, district: str | None = None
) -> tuple[Decimal, Decimal]:
    """(savings, retained) of the actor's hospitals in ``year`` (a dashboard tile)."""
    table = retained_savings_table(actor=actor, year=year, district=district or "")
    return table.totals.savings, table.retained
