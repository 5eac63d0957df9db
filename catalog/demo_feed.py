"""A demo national-lowest-price feed (docs/lowest-price-feed.md) for the demo catalogue.

Deterministic for the same consumables, prices and date, so the file can be committed and a
second demo sync changes nothing. About a quarter of the products are seen 5-20% below their
reference price (proposals in publicity after the sync), a few above it (increases flagged for
the bureau), the rest at it; products without a reference price get a first price.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from core import clock
from core.money import quantize

PLATFORMS = [
    ("440000", "广东省药品交易中心"),
    ("320000", "江苏省医疗保障局阳光采购平台"),
    ("330000", "浙江省药械采购平台"),
    ("110000", "北京市医药阳光采购平台"),
    ("310000", "上海市医药集中招标采购平台"),
    ("370000", "山东省医用耗材阳光采购平台"),
    ("510000", "四川省药械集中采购及医药价格监管平台"),
    ("420000", "湖北省医疗保障局医药采购平台"),
]
LOWER_SHARE = 0.25
HIGHER_SHARE = 0.03
FIRST_PRICE_SHARE = 0.5


@dataclass
class DemoFeedSummary:
    rows: int
    lower: int
    higher: int
    unchanged: int
    first_prices: int


def write_demo_feed(
    path: str | Path,
    consumables: Iterable,
    *,
    observed_on: dt.date | None = None,
    seed: int = 20261123,
) -> DemoFeedSummary:
    """Write a feed for ``consumables`` (Consumable instances: their confirmed reference prices
    are read from the database) to ``path``."""
    from catalog.choices import ReferencePriceStatus
    from catalog.models import ReferencePrice

    items = sorted(consumables, key=lambda c: c.code)
    confirmed = dict(
        ReferencePrice.objects.filter(
            consumable_id__in=[c.pk for c in items], status=ReferencePriceStatus.CONFIRMED
        ).values_list("consumable_id", "price")
    )
    return write_demo_feed_rows(
        path,
        [(c.code, confirmed.get(c.pk)) for c in items],
        observed_on=observed_on,
        seed=seed,
    )


def write_demo_feed_rows(
    path: str | Path,
    products: Iterable[tuple[str, Decimal | None]],
    *,
    observed_on: dt.date | None = None,
    seed: int = 20261123,
) -> DemoFeedSummary:
    """The same, from (national code, current reference price or None) pairs: no database."""
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    day = (observed_on or clock.local_today() - dt.timedelta(days=1)).isoformat()
    summary = DemoFeedSummary(rows=0, lower=0, higher=0, unchanged=0, first_prices=0)
    rows: list[tuple[str, ...]] = []
    for code, current in sorted(products):
        roll = rng.random()
        if current is None:
            if roll >= FIRST_PRICE_SHARE:
                continue
            lowest = quantize(Decimal(rng.randint(5_000, 2_000_000)) / 100)
            summary.first_prices += 1
        elif roll < LOWER_SHARE:
            lowest = quantize(current * (1 - Decimal(rng.randint(500, 2000)) / 10000))
            summary.lower += 1
        elif roll < LOWER_SHARE + HIGHER_SHARE:
            lowest = quantize(current * (1 + Decimal(rng.randint(300, 1500)) / 10000))
            summary.higher += 1
        else:
            lowest = current
            summary.unchanged += 1
        platforms = rng.sample(PLATFORMS, k=rng.randint(2, 4))
        for index, (province, platform) in enumerate(platforms):
            price = lowest
            if index:  # the other provinces sell at or above the lowest
                price = quantize(lowest * (1 + Decimal(rng.randint(0, 1500)) / 10000))
            rows.append((code, "", province, platform, f"{price:.2f}", day))
    summary.rows = len(rows)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["nhsa_code", "udi_di", "province_code", "source_platform", "price", "observed_on"]
        )
        writer.writerows(rows)
        out.write(f"#EOF rows={len(rows)}\n")
    return summary
