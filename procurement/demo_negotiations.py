"""Demo negotiations [R-NEGOTIATION], seeded by procurement.demo: one finished (the bureau
countered once, m01 met the counter, concluded and published; its agreed prices in force for
h01-h03 since ten days ago) and one open (m02's products, awaiting its offers this week)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal

from accounts.models import User
from core.money import quantize
from procurement.choices import ListingStatus
from procurement.models import Listing, Negotiation
from procurement.services import negotiations


def _cut(listing: Listing, share: str) -> str:
    return str(quantize(listing.price * Decimal(share)))


def seed(
    users: dict[str, User],
    today: dt.date,
    *,
    at: Callable[..., AbstractContextManager[None]],
    moment: Callable[[dt.date, int], dt.datetime],
) -> None:
    """``at`` and ``moment``: procurement.demo's clock helpers (a step run at a past moment,
    as its actor)."""
    _at, _moment = at, moment
    if Negotiation.objects.exists():
        return
    bureau = users["bureau"]
    hospitals = [users[f"h0{n}_purchaser"].organization for n in (1, 2, 3)]

    def listed(key: str) -> list[Listing]:
        maker = users[f"{key}_sales"].organization
        return list(
            Listing.objects.filter(manufacturer=maker, status=ListingStatus.LISTED).order_by("pk")[
                :2
            ]
        )

    finished, pending = listed("m01"), listed("m02")
    if len(finished) < 2 or len(pending) < 2:
        return
    sales = users["m01_sales"]
    opened_on = today - dt.timedelta(days=40)
    with _at(_moment(opened_on, 9), bureau):
        done = negotiations.negotiation_open(
            actor=bureau,
            title="冠脉介入类耗材价格谈判（2026 年第一批）",
            items=[{"listing_id": x.pk, "target_price": _cut(x, "0.85")} for x in finished],
            hospital_ids=[h.pk for h in hospitals if h is not None],
            deadline=opened_on + dt.timedelta(days=7),
            effective_on=today - dt.timedelta(days=10),
            valid_until=today + dt.timedelta(days=355),
        )
        negotiations.negotiation_invite(actor=bureau, negotiation_id=done.pk)
    items = list(done.items.order_by("pk"))
    with _at(_moment(opened_on + dt.timedelta(days=3), 14), sales):
        for item, listing in zip(items, finished, strict=True):
            negotiations.negotiation_offer(
                actor=sales, negotiation_id=done.pk, item_id=item.pk, price=_cut(listing, "0.95")
            )
    with _at(_moment(opened_on + dt.timedelta(days=8), 10), bureau):
        negotiations.negotiation_counter(
            actor=bureau,
            negotiation_id=done.pk,
            deadline=opened_on + dt.timedelta(days=15),
            note="降幅不足，请参考同类产品全国最低价再次报价",
            targets={items[0].pk: _cut(finished[0], "0.88")},
        )
    with _at(_moment(opened_on + dt.timedelta(days=11), 16), sales):
        negotiations.negotiation_offer(
            actor=sales,
            negotiation_id=done.pk,
            item_id=items[0].pk,
            price=_cut(finished[0], "0.90"),
        )
        negotiations.negotiation_accept_counter(
            actor=sales, negotiation_id=done.pk, item_id=items[1].pk
        )
    with _at(_moment(opened_on + dt.timedelta(days=14), 10), bureau):
        negotiations.negotiation_accept_offer(
            actor=bureau, negotiation_id=done.pk, item_id=items[0].pk
        )
        negotiations.negotiation_conclude(actor=bureau, negotiation_id=done.pk)
    with _at(_moment(today, 9), bureau, clamp=True):
        waiting = negotiations.negotiation_open(
            actor=bureau,
            title="骨科植入类耗材价格谈判（2026 年第二批）",
            items=[{"listing_id": x.pk, "target_price": _cut(x, "0.80")} for x in pending],
            all_hospitals=True,
            deadline=today + dt.timedelta(days=2),
            effective_on=today + dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=395),
        )
        negotiations.negotiation_invite(actor=bureau, negotiation_id=waiting.pk)
