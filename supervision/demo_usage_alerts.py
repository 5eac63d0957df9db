"""Demo usage for the usage-based alert rules [R-ALERT-USE] [R-ZERO-MARKUP]
(supervision.selectors.usage_alerts, docs/alerts-usage.md).

Runs after procurement.demo (whose usage records follow the deliveries and are all charged at
the purchase price, one unit an operation, spread over many doctors: no rule fires on them).
The first demo hospital's HIS reports, through the real service (procurement.services.usage),
over the last weeks:

- doctor D01990 uses 18 units of one brand and 2 of another in a category with several listed
  brands: a 90% single-brand share over 20 units (``doctor_brand_share``);
- in the department 关节外科, eleven operations use one unit of a product and one uses six: a
  robust z-score of 9.57 against 12 peers (MAD 0, so the mean absolute deviation stands in)
  (``usage_per_operation``);
- one unit of a received lot is charged to the patient at 15% over its purchase price
  (``zero_markup``);
- two units of a product the hospital never ordered on the platform nor registered as an
  emergency purchase are used (``off_platform``).

Idempotent: nothing is recorded when the hospital already has records of these operations
(operation ids starting with ``UA``). Deterministic: products are chosen by their ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Count

from accounts.models import Organization, User
from catalog.models import Consumable
from core import clock
from core.money import quantize
from procurement.choices import ListingStatus
from procurement.models import DeliveryLine, EmergencyPurchaseLine, Listing, OrderLine, UsageRecord
from procurement.services import usage

HOSPITAL_USER = "h01_purchaser"
PREFIX = "UA"
BRAND_DOCTOR = "D01990"
PER_OPERATION_DEPARTMENT = "关节外科"
MARKUP = Decimal("1.15")


def _received(hospital_id: int) -> list[dict[str, Any]]:
    """The hospital's accepted delivery lines with a UDI-DI and lot, one per product (the
    lowest delivery line id), with the order line's unit price."""
    rows = (
        DeliveryLine.objects.filter(
            delivery__order__hospital_id=hospital_id,
            delivery__accepted_at__isnull=False,
            accepted_quantity__gt=0,
        )
        .exclude(udi_di="")
        .exclude(lot="")
        .order_by("order_line__consumable_id", "id")
        .values(
            "udi_di",
            "lot",
            "order_line__unit_price",
            "order_line__consumable_id",
            "order_line__consumable__category_l3",
            "order_line__consumable__manufacturer_id",
        )
    )
    seen: set[int] = set()
    result: list[dict[str, Any]] = []
    for row in rows:
        if (
            row["order_line__consumable_id"] in seen
            or not row["order_line__consumable__manufacturer_id"]
        ):
            continue
        seen.add(row["order_line__consumable_id"])
        result.append(dict(row))
    return result


def _listed_multi_brand_categories() -> set[str]:
    return set(
        Listing.objects.filter(status=ListingStatus.LISTED)
        .values("consumable__category_l3")
        .annotate(brands=Count("manufacturer_id", distinct=True))
        .filter(brands__gte=2)
        .values_list("consumable__category_l3", flat=True)
    )


def _never_bought(hospital_id: int) -> Consumable | None:
    """A listed product with a UDI-DI the hospital never ordered nor bought in an emergency."""
    ordered = OrderLine.objects.filter(order__hospital_id=hospital_id).values("consumable_id")
    emergency = EmergencyPurchaseLine.objects.filter(purchase__hospital_id=hospital_id).values(
        "consumable_id"
    )
    listed = Listing.objects.filter(status=ListingStatus.LISTED).values("consumable_id")
    return (
        Consumable.objects.filter(
            id__in=listed, device_identifiers__isnull=False, manufacturer__isnull=False
        )
        .exclude(id__in=ordered)
        .exclude(id__in=emergency)
        .order_by("id")
        .first()
    )


class _Records:
    def __init__(self, hospital_key: str, today: dt.date) -> None:
        self.hospital_key = hospital_key
        self.today = today
        self.rows: list[dict[str, Any]] = []
        self.operation = 0

    def operation_id(self) -> str:
        self.operation += 1
        return f"{PREFIX}{self.today:%Y%m%d}{self.operation:04d}"

    def add(
        self,
        *,
        operation_id: str,
        di: str,
        lot: str,
        doctor: str,
        department: str,
        price: Decimal,
        days_ago: int,
    ) -> None:
        unit = len(self.rows) + 1
        used_on = self.today - dt.timedelta(days=days_ago)
        self.rows.append(
            {
                "udi_di": di,
                "lot": lot,
                "serial": f"{operation_id}-{unit:03d}",
                "operation_id": operation_id,
                "doctor_code": doctor,
                "department": department,
                "patient_hash": hashlib.sha256(
                    f"{self.hospital_key}-salt:{operation_id}".encode()
                ).hexdigest(),
                "used_at": dt.datetime.combine(used_on, dt.time(9 + unit % 8), clock.SHANGHAI),
                "charged_price": str(price),
            }
        )


@transaction.atomic
def seed() -> dict[str, int]:
    purchaser = User.objects.select_related("organization").get(username=HOSPITAL_USER)
    hospital = cast(Organization, purchaser.organization)
    mine = UsageRecord.objects.filter(hospital=hospital, operation_id__startswith=PREFIX)
    if not mine.exists():
        _seed(purchaser, hospital.id)
    return {"usage_alert_records": mine.count()}


def _seed(purchaser: User, hospital_id: int) -> None:
    received = _received(hospital_id)
    multi = _listed_multi_brand_categories()
    by_category: dict[str, list[dict[str, Any]]] = {}
    for row in received:
        by_category.setdefault(row["order_line__consumable__category_l3"], []).append(row)
    # Two brands of one category, the category having several listed brands.
    pair = next(
        (
            rows
            for category, rows in sorted(by_category.items())
            if category in multi
            and len({r["order_line__consumable__manufacturer_id"] for r in rows}) >= 2
        ),
        None,
    )
    records = _Records("h01", clock.local_today())
    used: set[int] = set()
    if pair is not None:
        brand_a = pair[0]
        brand_b = next(
            r
            for r in pair
            if r["order_line__consumable__manufacturer_id"]
            != brand_a["order_line__consumable__manufacturer_id"]
        )
        used |= {brand_a["order_line__consumable_id"], brand_b["order_line__consumable_id"]}
        for n in range(20):
            row = brand_a if n < 18 else brand_b
            records.add(
                operation_id=records.operation_id(),
                di=row["udi_di"],
                lot=row["lot"],
                doctor=BRAND_DOCTOR,
                department="心血管内科",
                price=row["order_line__unit_price"],
                days_ago=2 + n * 2,
            )
    rest = [r for r in received if r["order_line__consumable_id"] not in used]
    if rest:
        # Eleven operations of one unit and one of six, by twelve doctors.
        product = rest[0]
        for n in range(12):
            operation_id = records.operation_id()
            for _unit in range(6 if n == 11 else 1):
                records.add(
                    operation_id=operation_id,
                    di=product["udi_di"],
                    lot=product["lot"],
                    doctor=f"D01{970 + n}",
                    department=PER_OPERATION_DEPARTMENT,
                    price=product["order_line__unit_price"],
                    days_ago=3 + n * 3,
                )
    if len(rest) > 1:
        # One unit charged at 15% over its purchase price.
        product = rest[1]
        records.add(
            operation_id=records.operation_id(),
            di=product["udi_di"],
            lot=product["lot"],
            doctor="D01985",
            department="骨科",
            price=quantize(product["order_line__unit_price"] * MARKUP),
            days_ago=5,
        )
    stray = _never_bought(hospital_id)
    if stray is not None:
        di = stray.device_identifiers.order_by("id").values_list("di", flat=True).first()
        listed = (
            Listing.objects.filter(consumable=stray, status=ListingStatus.LISTED)
            .order_by("id")
            .values_list("price", flat=True)
            .first()
        )
        operation_id = records.operation_id()
        for _unit in range(2):
            records.add(
                operation_id=operation_id,
                di=str(di),
                lot="X2611",
                doctor="D01986",
                department="普外科",
                price=listed or Decimal("100.00"),
                days_ago=7,
            )
    if records.rows:
        usage.usage_record(actor=purchaser, records=records.rows)
