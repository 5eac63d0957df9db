"""Demo procurement for the Nanjing demo region: listings, labels, distributors, purchase plans,
agreed prices, and about four months of orders in every state with their delivery notes (UDI
production identifiers), acceptances, returns, invoices and usage records.

Runs after accounts.demo and catalog.demo. Everything is written by the real services with the
demo users as actors (m01_sales applies, bureau approves, h01_purchaser orders, d01_sales
delivers, h01_finance confirms invoices...), so history rows, change-feed events, counters and
document numbers are what production would write.

Time: the services stamp "now" (created, submitted, shipped, registered...) and check dates
against today (a promised date may not be in the past, an invoice date not in the future). So
each step runs with the clock moved to its moment in the past months (time-machine's travel,
frozen, so the data is the same on every run of the same day). Rewriting the timestamps
afterwards with queryset.update() would not do: the change-feed table is append-only, and
document numbers carry their creation day. time-machine ships in requirements.lock (compiled
with the dev extra), so it is installed wherever seed_demo runs; this is demo data only.

Idempotent: listings are keyed by (manufacturer, product), plans by (hospital, year), agreed
prices by (listing, hospital); orders and usage records are only created when the demo
hospitals have none yet. Deterministic: a seeded generator decides everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pghistory
import time_machine
from django.conf import settings
from django.db import transaction
from django.db.models import Avg

from accounts.demo import CITY, DISTRIBUTORS, HOSPITALS, MANUFACTURERS
from accounts.models import Organization, User
from catalog.choices import ReferencePriceStatus
from catalog.models import Consumable, DeviceIdentifier, ReferencePrice
from core import clock
from core.money import quantize
from core.regions import MAINLAND_PROVINCES
from procurement import demo_negotiations
from procurement.choices import (
    Catalogue,
    CatalogueEntryStatus,
    DemandStatus,
    GreenChannel,
    LineStatus,
    ListingStatus,
    OrderStatus,
    PurchaseLabel,
)
from procurement.models import (
    AgreedPrice,
    AnnualPurchasePlan,
    CatalogueEntry,
    Contract,
    EmergencyPurchase,
    Listing,
    Negotiation,
    Order,
    TenderRound,
    UsageRecord,
)
from procurement.services import (
    agreed_prices,
    deliveries,
    emergency,
    invoices,
    labels,
    listings,
    orders,
    purchase_plans,
    usage,
)
from procurement.services import catalogue as catalogue_services

SEED = 20260301
LISTINGS_PER_MANUFACTURER = 30
# Manufacturers whose products have no reference price list fewer (the alternate catalogue).
ALTERNATE_PER_MANUFACTURER = 10
HISTORY_DAYS = 120  # orders over the last four months
# Orders per hospital: the big tier-3 hospitals buy most.
ORDERS_PER_HOSPITAL = {"h01": 16, "h02": 12, "h03": 12, "h04": 8, "h05": 8, "h06": 6}
ORDERS_OTHER_HOSPITAL = 3
PLAN_TOTALS = {
    "tier3": Decimal("60000000.00"),
    "tier2": Decimal("18000000.00"),
    "tier1": Decimal("5000000.00"),
    "ungraded": Decimal("800000.00"),
}
DEPARTMENTS = ("心血管内科", "骨科", "神经外科", "普外科", "介入放射科", "眼科", "消化内科")
REJECT_REASONS = ("库存不足，无法按期供货", "该规格已停产", "价格调整中，暂停接单")
REFUSAL_REASONS = ("外包装破损", "标签与配送单不符", "有效期不足六个月")
RETURN_REASONS = ("质量问题：包装密封不良", "术中未使用，规格不符")
CANCEL_REASONS = ("科室需求取消", "重复下单", "改用院内库存")
INVOICE_REJECT_REASON = "发票抬头与医院名称不一致"
# (up to this age in days, the outcomes taken in turn): recent orders are still open, old ones
# mostly completed. "shipped": a delivery note not yet accepted; "partly_delivered": part
# accepted, the rest still to come; "refused": a note refused whole at the door; "returned":
# goods sent back after acceptance.
# Orders that give the first demo users something to do on every page: h01's purchaser has a
# delivery to accept, h01's finance an invoice to confirm, m01's and m02's sales orders to answer,
# deliver and invoice. (hospital, age in days, outcome, manufacturer)
SHOWCASE = (
    ("h01", 0, "draft", "m03"),
    ("h01", 1, "submitted", "m02"),
    ("h02", 2, "submitted", "m01"),
    ("h01", 4, "confirmed", "m01"),
    ("h01", 5, "shipped", "m02"),
    ("h01", 14, "invoiced", "m03"),
    ("h01", 20, "accepted", "m01"),
)
FATES = (
    (3, ("draft", "submitted", "draft", "cancelled", "submitted")),
    (9, ("submitted", "confirmed", "shipped", "partly_delivered", "rejected", "accepted")),
    (30, ("accepted", "invoiced", "returned", "completed", "shipped", "completed", "refused")),
    (
        10_000,
        (
            "completed",
            "completed",
            "invoice_rejected",
            "completed",
            "invoiced",
            "rejected",
            "completed",
            "cancelled",
            "returned",
        ),
    ),
)


def _users() -> dict[str, User]:
    names = ["bureau", *(f"custodian{n}" for n in range(1, 6))]
    names += [f"{key}_purchaser" for key, *_rest in HOSPITALS]
    names += [f"{key}_finance" for key, *_rest in HOSPITALS]
    names += [f"{key}_sales" for key, *_rest in MANUFACTURERS + DISTRIBUTORS]
    return {
        u.username: u
        for u in User.objects.select_related("organization").filter(username__in=names)
    }


class _NotYet(Exception):
    """A step whose moment has not come yet: the order stays in the state it has reached."""


@contextmanager
def _at(moment: dt.datetime, actor: User | None = None, *, clamp: bool = False) -> Iterator[None]:
    """Run a step at ``moment`` with the actor in the history context, as a request would
    have put it. A moment still in the future raises _NotYet (or, with ``clamp``, becomes a
    minute ago)."""
    latest = clock.now() - dt.timedelta(minutes=1)
    if moment > latest:
        if not clamp:
            raise _NotYet
        moment = latest
    context = (
        pghistory.context(user=actor.pk, organization=actor.organization_id, source="demo")
        if actor is not None
        else pghistory.context(source="demo")
    )
    with time_machine.travel(moment, tick=False), context:
        yield


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.SHANGHAI)


@transaction.atomic
def seed() -> dict[str, int]:
    """Create the demo procurement data; return how many rows of each kind exist."""
    users = _users()
    if "bureau" not in users or "h01_purchaser" not in users:
        return {}  # accounts.demo has not run
    today = clock.local_today()
    rng = random.Random(SEED)  # noqa: S311  (demo data: reproducible, not secret)
    start = today - dt.timedelta(days=HISTORY_DAYS)
    catalogue = _seed_listings(users, rng, start)
    _seed_plans(users, today, start)
    _seed_agreed_prices(users, catalogue, start, today)
    hospitals = [users[f"{key}_purchaser"].organization for key, *_rest in HOSPITALS]
    awaiting = _seed_catalogues(users, catalogue, start)
    if not Order.objects.filter(hospital__in=hospitals).exists():
        world = _OrderWorld(
            users=users, rng=rng, today=today, catalogue=catalogue, not_admitted=awaiting
        )
        world.run(start)
        if not UsageRecord.objects.filter(hospital__in=hospitals).exists():
            world.record_usage()
    _seed_rounds(users)
    _seed_finished_round(users)
    _seed_emergency(users, today)
    demo_negotiations.seed(users, today, at=_at, moment=_moment)
    _seed_catalogue_stops(users, catalogue, awaiting)
    return {
        "rounds": TenderRound.objects.count(),
        "listings": Listing.objects.count(),
        "orders": Order.objects.filter(hospital__in=hospitals).count(),
        "usage_records": UsageRecord.objects.filter(hospital__in=hospitals).count(),
        "emergency_purchases": EmergencyPurchase.objects.filter(hospital__in=hospitals).count(),
        "negotiations": Negotiation.objects.count(),
    }


# ---------------------------------------------------------------------------------------------
# Listings, labels, distributors


def _alternate_prices() -> dict[str, Decimal]:
    """A plausible price for products without a reference price: the average confirmed
    reference price of their generic name."""
    rows = (
        ReferencePrice.objects.filter(status=ReferencePriceStatus.CONFIRMED)
        .values("consumable__generic_name")
        .annotate(avg=Avg("price"))
    )
    return {row["consumable__generic_name"]: quantize(row["avg"]) for row in rows}


def _seed_listings(users: dict[str, User], rng: random.Random, start: dt.date) -> list[Listing]:
    bureau = users["bureau"]
    distributors = [
        cast(Organization, users[f"{key}_sales"].organization) for key, *_rest in DISTRIBUTORS
    ]
    confirmed = dict(
        ReferencePrice.objects.filter(status=ReferencePriceStatus.CONFIRMED).values_list(
            "consumable_id", "price"
        )
    )
    fallback = _alternate_prices()
    day = start - dt.timedelta(days=60)
    for m_index, (key, *_rest) in enumerate(MANUFACTURERS):
        sales = users[f"{key}_sales"]
        maker = sales.organization
        existing = set(
            Listing.objects.filter(manufacturer=maker).values_list("consumable_id", flat=True)
        )
        products = list(Consumable.objects.filter(manufacturer=maker).order_by("code"))
        # Capped products where the manufacturer has reference prices, fewer alternate ones.
        wanted = LISTINGS_PER_MANUFACTURER
        if not any(c.pk in confirmed for c in products):
            wanted = ALTERNATE_PER_MANUFACTURER
        chosen = products[:: max(1, len(products) // wanted)][:wanted]
        for p_index, product in enumerate(chosen):
            if product.pk in existing:
                continue
            n = m_index * LISTINGS_PER_MANUFACTURER + p_index
            reference = confirmed.get(product.pk)
            if reference is not None:
                factor = Decimal(rng.choice(("0.86", "0.90", "0.93", "0.95", "0.98", "1.00")))
                price = quantize(reference * factor)
                extra: dict[str, Any] = {}
            else:
                price = fallback.get(product.generic_name) or Decimal(rng.randint(200, 3000))
                price = quantize(price * Decimal("1.08"))
                # [R-LIST-GREEN] [R-LIST-OTHER]: a green channel, or listed in 5+ provinces.
                extra = (
                    {"green_channel": GreenChannel.INNOVATIVE}
                    if p_index % 2
                    else {"provinces": _provinces_listing(6 + p_index % 9, p_index)}
                )
            grants = [
                listings.DistributorGrant(distributors[(m_index + k) % len(distributors)].pk, CITY)
                for k in range(1 + n % 2)
            ]
            created = _at(_moment(day + dt.timedelta(days=m_index % 7), 9, p_index % 60), sales)
            with created:
                listing = listings.listing_create(
                    actor=sales,
                    consumable_id=product.pk,
                    price=price,
                    registration_number=product.registration_number,
                    companion_service=p_index % 4 == 0,
                    distributors=grants,
                    **extra,
                )
            fate = _listing_fate(n)
            if fate == "draft":
                continue
            with _at(_moment(day + dt.timedelta(days=m_index % 7), 15, p_index % 60), sales):
                listings.listing_submit(actor=sales, listing_id=listing.pk)
            if fate == "submitted":
                continue
            review_day = day + dt.timedelta(days=10 + m_index % 5)
            with _at(_moment(review_day, 10, p_index % 60), bureau):
                if fate == "rejected":
                    listings.listing_reject(
                        actor=bureau,
                        listing_id=listing.pk,
                        reason="注册证与申报规格不一致，请核对后重新提交",
                    )
                    continue
                listings.listing_approve(
                    actor=bureau,
                    listing_id=listing.pk,
                    reason="符合挂网条件",
                    provinces_checked=True,  # [R-LIST-OTHER] the officer checked the evidence
                )
            label = _listing_label(n)
            if label is not None:
                with _at(_moment(review_day + dt.timedelta(days=3), 11, p_index % 60), bureau):
                    labels.listing_label_set(
                        actor=bureau, listing_id=listing.pk, label=label[0], reason=label[1]
                    )
            if fate == "suspended":
                with _at(_moment(review_day + dt.timedelta(days=20), 16), bureau):
                    listings.listing_suspend(
                        actor=bureau, listing_id=listing.pk, reason="飞行检查发现质量问题，暂停挂网"
                    )
    return list(
        Listing.objects.filter(status=ListingStatus.LISTED)
        .select_related("consumable", "manufacturer")
        .order_by("manufacturer_id", "pk")
    )


# ---------------------------------------------------------------------------------------------
# The hospitals' own catalogues [R-HOSP-CATALOGUE]

# h01's committee has yet to decide on its last few alternate-catalogue products: the admit
# page offers them (and a usage record of one is flagged "never admitted").
AWAITING_COMMITTEE = {"h01": 3}
# Stopped for these hospitals after the orders, with the reason; h01 then reports a use.
CATALOGUE_STOPS = {
    "h01": "质量问题：院内抽检批次不合格，暂停使用",
    "h02": "临床反馈不良事件，医用耗材管理委员会决定暂停使用",
}


def _admit_missing(purchaser: User, listing_ids: list[int], day: dt.date) -> None:
    hospital_id = purchaser.organization_id
    have = set(
        CatalogueEntry.objects.filter(
            hospital_id=hospital_id, listing_id__in=listing_ids
        ).values_list("listing_id", flat=True)
    )
    missing = [pk for pk in listing_ids if pk not in have]
    size = catalogue_services.MAX_ADMIT
    for start in range(0, len(missing), size):
        with _at(_moment(day, 15), purchaser, clamp=True):
            catalogue_services.catalogue_admit(
                actor=purchaser,
                listing_ids=missing[start : start + size],
                decision_date=day,
                decision_reference=f"耗材委〔{day:%Y}〕{day:%m%d}号",
            )


def _seed_catalogues(
    users: dict[str, User], catalogue: list[Listing], start: dt.date
) -> dict[str, set[int]]:
    """Each hospital's committee admitted the listed products (not the forbidden ones) at
    its sitting before the history starts; h01's has a few left to decide. Returns those,
    by hospital key."""
    orderable = [x for x in catalogue if x.label != PurchaseLabel.FORBIDDEN]
    alternate = [x.pk for x in orderable if x.catalogue == Catalogue.ALTERNATE]
    awaiting = {key: set(alternate[-count:]) for key, count in AWAITING_COMMITTEE.items()}
    sitting = start - dt.timedelta(days=7)
    for key, *_rest in HOSPITALS:
        purchaser = users[f"{key}_purchaser"]
        skip = awaiting.get(key, set())
        _admit_missing(purchaser, [x.pk for x in orderable if x.pk not in skip], sitting)
    return awaiting


def _seed_catalogue_stops(
    users: dict[str, User], catalogue: list[Listing], awaiting: dict[str, set[int]]
) -> None:
    """One product stopped for h01 and h02, with the reason, and two HIS usage records of
    h01 flagged: one of the stopped product, one of a product never admitted."""
    contracted = set(Contract.objects.values_list("listing_id", flat=True))
    for key, reason in CATALOGUE_STOPS.items():
        purchaser = users[f"{key}_purchaser"]
        entries = CatalogueEntry.objects.filter(hospital_id=purchaser.organization_id)
        if entries.filter(status=CatalogueEntryStatus.STOPPED).exists():
            continue
        entry = (
            entries.filter(listing__catalogue=Catalogue.ALTERNATE)
            .exclude(listing_id__in=contracted)
            .exclude(listing__consumable__device_identifiers__isnull=True)
            .order_by("listing_id")
            .first()
        )
        if entry is None:
            continue
        with _at(clock.now() - dt.timedelta(days=2), purchaser):
            catalogue_services.catalogue_stop(actor=purchaser, entry_id=entry.pk, reason=reason)
    purchaser = users["h01_purchaser"]
    if (
        UsageRecord.objects.filter(hospital_id=purchaser.organization_id)
        .exclude(catalogue_flag="")
        .exists()
    ):
        return
    stopped = CatalogueEntry.objects.filter(
        hospital_id=purchaser.organization_id, status=CatalogueEntryStatus.STOPPED
    ).values_list("consumable_id", flat=True)
    never = Listing.objects.filter(pk__in=awaiting.get("h01", set())).values_list(
        "consumable_id", flat=True
    )
    records = []
    for n, consumable_id in enumerate([*stopped[:1], *never[:1]], start=1):
        di = (
            DeviceIdentifier.objects.filter(consumable_id=consumable_id)
            .order_by("di")
            .values_list("di", flat=True)
            .first()
        )
        if di is None:
            continue
        used_at = clock.now() - dt.timedelta(hours=3 + n)
        case_number = f"ZY{used_at:%Y}01FLAG{n:02d}"
        records.append(
            {
                "udi_di": di,
                "lot": f"FLAG{n}",
                "operation_id": f"OP{used_at:%Y%m%d}01FLAG{n}",
                "doctor_code": "D01007",
                "department": DEPARTMENTS[n],
                "patient_hash": hashlib.sha256(f"h01-salt:{case_number}".encode()).hexdigest(),
                "used_at": used_at,
            }
        )
    if records:
        with _at(clock.now() - dt.timedelta(hours=1), purchaser):
            usage.usage_record(actor=purchaser, records=records)


def _listing_fate(n: int) -> str:
    """Most listings are listed; a few show the other states of an application."""
    if n % 37 == 10:
        return "submitted"
    if n % 53 == 20:
        return "draft"
    if n % 61 == 30:
        return "rejected"
    if n % 71 == 40:
        return "suspended"
    return "listed"


def _listing_label(n: int) -> tuple[str, str] | None:
    """[R-LABELS] a few listings carry a label other than Normal."""
    if n % 29 == 5:
        return PurchaseLabel.RESTRICTED, "价格高于同类产品平均水平，限制采购"
    if n % 47 == 11:
        return PurchaseLabel.FORBIDDEN, "企业存在严重失信行为，严禁采购"
    if n % 13 == 2:
        return PurchaseLabel.PREFERRED, "集采中选产品，优先采购"
    if n % 17 == 8:
        return PurchaseLabel.ENCOURAGED, "价格低于参考价，鼓励采购"
    return None


# ---------------------------------------------------------------------------------------------
# Purchase plans and agreed prices


def _provinces_listing(count: int, seed: int) -> list[dict[str, str]]:
    """[R-LIST-OTHER] ``count`` provinces (never Jiangsu, the demo's own) with evidence."""
    codes = [code for code in MAINLAND_PROVINCES if code != "32"]
    start = seed % len(codes)
    picked = sorted((codes * 2)[start : start + count])
    return [
        {
            "code": code,
            "evidence": f"{MAINLAND_PROVINCES[code]}医药集中采购平台 挂网编号 GW{code}{seed:05d}",
        }
        for code in picked
    ]


def _seed_plans(users: dict[str, User], today: dt.date, start: dt.date) -> None:
    years = sorted({start.year, today.year})
    bureau = users["bureau"]
    for index, (key, _name, _region, tier) in enumerate(HOSPITALS):
        finance = users[f"{key}_finance"]
        hospital = finance.organization
        for year in years:
            if AnnualPurchasePlan.objects.filter(hospital=hospital, year=year).exists():
                continue
            # [R-LIST-ALT-CAP] the demo has no platform purchases before its history starts, so
            # finance proposes a total at the start of the year (or of the demo's history, if
            # later) and the bureau approves it two days on; h12 then proposes a higher figure
            # for this year, which waits for the bureau.
            day = max(dt.date(year, 1, 6), start - dt.timedelta(days=30))
            total = PLAN_TOTALS[str(tier)] + Decimal(index * 250000)
            with _at(_moment(day, 9), finance):
                plan = purchase_plans.purchase_plan_propose(
                    actor=finance, year=year, total=total, reason="平台上线首年，按院内预算申报"
                )
            with _at(_moment(day + dt.timedelta(days=2), 10), bureau, clamp=True):
                purchase_plans.purchase_plan_approve(
                    actor=bureau, plan_id=plan.pk, reason="与院内年度预算一致"
                )
            if key == HOSPITALS[-1][0] and year == years[-1]:
                # The bureau's queue: a raised figure awaiting its decision.
                with _at(_moment(day + dt.timedelta(days=3), 9), finance, clamp=True):
                    purchase_plans.purchase_plan_propose(
                        actor=finance,
                        year=year,
                        total=total + Decimal(1500000),
                        reason="新院区开业，年度采购预算上调",
                    )


def _seed_agreed_prices(
    users: dict[str, User], catalogue: list[Listing], start: dt.date, today: dt.date
) -> None:
    """Volume-linked prices a few hospitals agreed with suppliers; one still proposed."""
    normal = [x for x in catalogue if x.label in (PurchaseLabel.NORMAL, PurchaseLabel.PREFERRED)]
    picks = [("h01", 0), ("h01", 7), ("h02", 3), ("h02", 21), ("h03", 12), ("h05", 30)]
    pending = ("h01", 40)
    for key, index in [*picks, pending]:
        if index >= len(normal):
            continue
        listing = normal[index]
        purchaser = users[f"{key}_purchaser"]
        hospital = purchaser.organization
        if AgreedPrice.objects.filter(listing=listing, hospital=hospital).exists():
            continue
        sales = User.objects.filter(
            organization=listing.manufacturer, username__endswith="_sales"
        ).first()
        day = start - dt.timedelta(days=20 - index % 10)
        with _at(_moment(day, 10), purchaser):
            proposal = agreed_prices.agreed_price_propose(
                actor=purchaser,
                listing_id=listing.pk,
                price=quantize(listing.price * Decimal("0.92")),
                valid_from=day,
                valid_until=today + dt.timedelta(days=240),
                annual_volume=200 + index * 10,
            )
        if (key, index) == pending or sales is None:
            continue
        with _at(_moment(day + dt.timedelta(days=2), 15), sales):
            agreed_prices.agreed_price_accept(actor=sales, agreed_price_id=proposal.pk)


# ---------------------------------------------------------------------------------------------
# Orders through their whole life


@dataclass
class _Shipped:
    """A delivery line as the demo remembers it (for usage records later)."""

    hospital_key: str
    line_id: int
    consumable: Consumable
    di: str
    lot: str
    accepted: int
    accepted_on: dt.date
    unit_price: Decimal


@dataclass
class _OrderWorld:
    users: dict[str, User]
    rng: random.Random
    today: dt.date
    catalogue: list[Listing]
    # [R-HOSP-CATALOGUE] by hospital key: listings its committee has not admitted yet.
    not_admitted: dict[str, set[int]] = field(default_factory=dict)
    invoice_seq: int = 0
    shipped: list[_Shipped] = field(default_factory=list)
    turns: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_maker: dict[int, list[Listing]] = {}
        for listing in self.catalogue:
            if listing.label != PurchaseLabel.FORBIDDEN:
                self.by_maker.setdefault(listing.manufacturer_id, []).append(listing)
        self.makers = sorted(self.by_maker)
        self.dis = dict(
            DeviceIdentifier.objects.filter(
                consumable_id__in=[x.consumable_id for x in self.catalogue]
            )
            .order_by("di")
            .values_list("consumable_id", "di")
        )
        self.sales_of = {
            u.organization_id: u for name, u in self.users.items() if name.endswith("_sales")
        }

    # --- the plan of each order

    def run(self, start: dt.date) -> None:
        plans: list[tuple[dt.date, str, int, str | None, str | None]] = []
        for key, *_rest in HOSPITALS:
            count = ORDERS_PER_HOSPITAL.get(key, ORDERS_OTHER_HOSPITAL)
            for n in range(count):
                # Spread evenly over the history, newest last, with a little jitter.
                age = HISTORY_DAYS - int((n + 0.5) * HISTORY_DAYS / count)
                age = max(0, min(HISTORY_DAYS, age + self.rng.randint(-3, 3)))
                plans.append((self.today - dt.timedelta(days=age), key, n, None, None))
        for key, age, fate, maker in SHOWCASE:
            plans.append((self.today - dt.timedelta(days=age), key, -1, fate, maker))
        for day, key, _n, planned_fate, planned_maker in sorted(
            plans, key=lambda p: (p[0], p[1], p[2])
        ):
            try:
                self.one_order(day, key, fate=planned_fate, maker_key=planned_maker)
            except _NotYet:
                continue

    def _fate(self, age: int) -> str:
        """How far the order gets: by its age, in turn through each age's usual outcomes,
        so every state appears whatever the generator draws."""
        for limit, cycle in FATES:
            if age <= limit:
                turn = self.turns.get(limit, 0)
                self.turns[limit] = turn + 1
                return cycle[turn % len(cycle)]
        raise AssertionError(age)  # pragma: no cover (FATES ends with an open bucket)

    def _admitted_only(self, key: str, picked: list[Listing], offered: list[Listing]) -> list:
        """[R-HOSP-CATALOGUE] a product the hospital's committee has not admitted is swapped
        for one it has, of the same maker, without drawing again (the rest of the demo stays
        as the generator made it)."""
        skip = self.not_admitted.get(key, set())
        if not skip & {x.pk for x in picked}:
            return picked
        spare = [x for x in offered if x.pk not in skip and x not in picked]
        return [
            x if x.pk not in skip else spare.pop(0) for x in picked if x.pk not in skip or spare
        ]

    def one_order(
        self, day: dt.date, key: str, *, fate: str | None = None, maker_key: str | None = None
    ) -> None:
        rng = self.rng
        purchaser = self.users[f"{key}_purchaser"]
        finance = self.users[f"{key}_finance"]
        fate = fate or self._fate((self.today - day).days)
        maker_id = self.makers[rng.randrange(len(self.makers))]
        if maker_key is not None:
            maker_id = cast(int, self.users[f"{maker_key}_sales"].organization_id)
        offered = self.by_maker[maker_id]
        picked = rng.sample(offered, k=min(len(offered), rng.choice((1, 1, 2, 2, 3, 4))))
        picked = self._admitted_only(key, picked, offered)
        lines = []
        for listing in picked:
            high = listing.consumable.is_high_value
            line: dict[str, Any] = {
                "listing": listing.pk,
                "quantity": rng.randint(1, 6) if high else rng.choice((10, 20, 30, 50, 100)),
            }
            if listing.label == PurchaseLabel.RESTRICTED:
                line["restricted_reason"] = "临床科室特殊需求，已经医学装备委员会审批"
            lines.append(line)
        # The first steps of today's orders may not have come yet: they happen a minute ago.
        with _at(_moment(day, 9, rng.randint(0, 59)), purchaser, clamp=True):
            order = orders.order_create(
                actor=purchaser,
                lines=lines,
                # Not drawn from the generator: the rest of the demo stays as it was.
                department=DEPARTMENTS[(day.toordinal() + maker_id) % len(DEPARTMENTS)],
                note=rng.choice(("", "", "请于工作日送达", "手术急用")),
                is_urgent=rng.random() < 0.1,
            )[0]
        if fate == "draft":
            return
        if fate == "cancelled" and rng.random() < 0.5:
            with _at(_moment(day, 11), purchaser):
                orders.order_cancel(
                    actor=purchaser, order_id=order.pk, reason=rng.choice(CANCEL_REASONS)
                )
            return
        with _at(_moment(day, 10, rng.randint(0, 59)), purchaser, clamp=True):
            orders.order_submit(actor=purchaser, order_id=order.pk)
        if fate == "submitted":
            return
        if fate == "cancelled":
            with _at(_moment(day, 16), purchaser):
                orders.order_cancel(
                    actor=purchaser, order_id=order.pk, reason=rng.choice(CANCEL_REASONS)
                )
            return
        order = self.respond(order, day + dt.timedelta(days=1), reject_all=fate == "rejected")
        if fate in ("rejected", "confirmed") or order.status != OrderStatus.CONFIRMED:
            return
        accepted_on = self.deliver_and_accept(
            order, key, purchaser, day + dt.timedelta(days=2), fate=fate
        )
        if fate in ("shipped", "partly_delivered", "accepted", "refused"):
            return
        if fate == "returned":
            self.return_one(order, purchaser, accepted_on + dt.timedelta(days=3))
            return
        invoice = self.invoice(order, accepted_on + dt.timedelta(days=5))
        if invoice is None or fate == "invoiced":
            return
        if fate == "invoice_rejected":
            with _at(_moment(accepted_on + dt.timedelta(days=8), 14), finance):
                invoices.invoice_reject(
                    actor=finance, invoice_id=invoice.pk, reason=INVOICE_REJECT_REASON
                )
            invoice = self.invoice(order, accepted_on + dt.timedelta(days=10))
            if invoice is None:
                return
            confirm_day = accepted_on + dt.timedelta(days=14)
        else:
            confirm_day = accepted_on + dt.timedelta(days=9)
        with _at(_moment(confirm_day, 10, rng.randint(0, 59)), finance):
            invoices.invoice_confirm(actor=finance, invoice_id=invoice.pk)

    # --- the steps

    def respond(self, order: Order, day: dt.date, *, reject_all: bool) -> Order:
        """The supplier answers every line; now and then one is rejected, and when an
        authorised distributor covers every product, it is named to deliver."""
        rng = self.rng
        sales = self.sales_of[order.supplier_id]
        lines = list(order.lines.order_by("pk"))
        answers = []
        for index, line in enumerate(lines):
            if reject_all or (index > 0 and rng.random() < 0.15):
                answers.append(
                    {"line": line.pk, "decision": "reject", "reason": rng.choice(REJECT_REASONS)}
                )
            else:
                promised = day + dt.timedelta(days=rng.randint(1, 4))
                answers.append({"line": line.pk, "decision": "confirm", "promised_on": promised})
        distributor_id = None
        if not reject_all and rng.random() < 0.5:
            distributor_id = self._common_distributor(order, lines)
        with _at(_moment(day, 14, rng.randint(0, 59)), sales):
            return orders.order_respond(
                actor=sales, order_id=order.pk, answers=answers, distributor_id=distributor_id
            )

    def _common_distributor(self, order: Order, lines: list) -> int | None:
        from procurement.models import ListingDistributor

        wanted = {line.listing_id for line in lines}
        grants: dict[int, set[int]] = {}
        for listing_id, distributor_id in ListingDistributor.objects.filter(
            listing_id__in=wanted, region_code=CITY
        ).values_list("listing_id", "distributor_id"):
            grants.setdefault(distributor_id, set()).add(listing_id)
        common = sorted(d for d, covered in grants.items() if covered == wanted)
        return common[0] if common else None

    def _barcode(self, consumable: Consumable, lot: str, shipped_on: dt.date, serial=""):
        di = self.dis[consumable.pk]
        produced = shipped_on - dt.timedelta(days=90)
        expiry = shipped_on + dt.timedelta(days=730)
        text = f"(01){di}(11){produced:%y%m%d}(17){expiry:%y%m%d}(10){lot}"
        return text + (f"(21){serial}" if serial else "")

    def deliver_and_accept(
        self, order: Order, key: str, purchaser: User, day: dt.date, *, fate: str
    ) -> dt.date:
        """One delivery note (or two: the rest a few days later), each accepted at the door
        with the goods scanned; now and then a unit is refused with a reason."""
        rng = self.rng
        carrier = self.sales_of[order.distributor_id or order.supplier_id]
        confirmed = list(order.lines.filter(status=LineStatus.CONFIRMED).order_by("pk"))
        partly = fate == "partly_delivered"
        first = {line.pk: max(1, line.quantity // 2) for line in confirmed}
        if fate in ("shipped", "refused") or (not partly and rng.random() < 0.6):
            first = {line.pk: line.quantity for line in confirmed}
        rounds = [(day, first)]
        rest = {line.pk: line.quantity - first[line.pk] for line in confirmed}
        if any(rest.values()):
            rounds.append((day + dt.timedelta(days=4), {k: v for k, v in rest.items() if v}))
        accepted_on = day
        for number, (ship_day, quantities) in enumerate(rounds):
            if partly and number == 1:
                break  # the rest is still to come
            sent = []
            for line in confirmed:
                if not quantities.get(line.pk):
                    continue
                lot = f"L{ship_day:%y%m}{line.pk % 1000:03d}{number}"
                sent.append(
                    {
                        "order_line": line.pk,
                        "quantity": quantities[line.pk],
                        "barcode": self._barcode(line.consumable, lot, ship_day),
                    }
                )
            with _at(_moment(ship_day, 8, rng.randint(0, 59)), carrier):
                delivery = deliveries.delivery_create(actor=carrier, order_id=order.pk, lines=sent)
            if fate == "shipped" or (partly and len(rounds) == 1):
                return ship_day  # shipped, not yet accepted
            accepted_on = ship_day + dt.timedelta(days=1)
            answers = []
            for shipped in delivery.lines.select_related("order_line__consumable").order_by("pk"):
                refused = 1 if shipped.quantity > 2 and rng.random() < 0.12 else 0
                if fate == "refused":
                    refused = shipped.quantity  # the whole note sent back at the door
                answers.append(
                    {
                        "delivery_line": shipped.pk,
                        "accepted_quantity": shipped.quantity - refused,
                        "refused_quantity": refused,
                        "reason": rng.choice(REFUSAL_REASONS) if refused else "",
                        "barcodes": [shipped.barcode],
                    }
                )
                self.shipped.append(
                    _Shipped(
                        hospital_key=key,
                        line_id=shipped.pk,
                        consumable=shipped.order_line.consumable,
                        di=shipped.udi_di,
                        lot=shipped.lot,
                        accepted=shipped.quantity - refused,
                        accepted_on=accepted_on,
                        unit_price=shipped.order_line.unit_price,
                    )
                )
            with _at(_moment(accepted_on, 10, rng.randint(0, 59)), purchaser):
                deliveries.delivery_accept(actor=purchaser, delivery_id=delivery.pk, lines=answers)
        return accepted_on

    def return_one(self, order: Order, purchaser: User, day: dt.date) -> None:
        from procurement.models import DeliveryLine

        line = (
            DeliveryLine.objects.filter(delivery__order=order, accepted_quantity__gt=0)
            .order_by("pk")
            .first()
        )
        if line is None:
            return
        with _at(_moment(day, 15), purchaser):
            deliveries.return_register(
                actor=purchaser,
                delivery_line_id=line.pk,
                quantity=1,
                reason=self.rng.choice(RETURN_REASONS),
            )

    def invoice(self, order: Order, day: dt.date):
        """[R-TWO-INVOICE] the party that delivered issues the invoice for everything accepted
        and kept, at the order's prices."""
        order.refresh_from_db()
        issuer = self.sales_of[order.distributor_id or order.supplier_id]
        lines = []
        total = Decimal("0.00")
        for line in order.lines.filter(status=LineStatus.CONFIRMED).order_by("pk"):
            quantity = line.uninvoiced_quantity
            if quantity <= 0:
                continue
            amount = line.amount_of(quantity)
            total += amount
            lines.append({"order_line": line.pk, "quantity": quantity, "amount": str(amount)})
        if not lines:
            return None
        self.invoice_seq += 1
        # A 数电发票 number: year, region, channel, then a 15-digit sequence.
        number = f"{day:%y}322{self.invoice_seq:015d}"
        with _at(_moment(day, 11, self.rng.randint(0, 59)), issuer):
            return invoices.invoice_register(
                actor=issuer,
                order_id=order.pk,
                number=number,
                issued_on=day,
                amount=str(total),
                lines=lines,
            )

    # --- usage in operations

    def record_usage(self) -> None:
        """[R-TRACE] high-value goods used in operations, reported the way an HIS would: one
        record per unit, with a serial, the operating doctor and the hospital-salted hash of
        the patient's case number."""
        rng = self.rng
        by_hospital: dict[str, list[dict]] = {}
        operation = 0
        for item in self.shipped:
            if not item.consumable.is_high_value or item.accepted <= 0:
                continue
            for unit in range(min(item.accepted, 3)):
                used_on = item.accepted_on + dt.timedelta(days=1 + rng.randint(0, 20))
                if used_on >= self.today:
                    continue
                operation += 1
                hospital_no = int(item.hospital_key[1:])
                department = DEPARTMENTS[(operation + hospital_no) % len(DEPARTMENTS)]
                doctor = f"D{hospital_no:02d}{(operation * 7) % 23:03d}"
                case_number = f"ZY{used_on:%Y}{hospital_no:02d}{operation:06d}"
                serial = f"S{item.line_id:07d}{unit:02d}"
                by_hospital.setdefault(item.hospital_key, []).append(
                    {
                        "barcode": f"(01){item.di}(10){item.lot}(21){serial}",
                        "operation_id": f"OP{used_on:%Y%m%d}{hospital_no:02d}{operation:05d}",
                        "doctor_code": doctor,
                        "department": department,
                        "patient_hash": hashlib.sha256(
                            f"{item.hospital_key}-salt:{case_number}".encode()
                        ).hexdigest(),
                        "used_at": _moment(used_on, 8 + operation % 9, operation % 60),
                        "charged_price": str(item.unit_price),
                    }
                )
        for key, records in sorted(by_hospital.items()):
            purchaser = self.users[f"{key}_purchaser"]
            with _at(_moment(self.today, 6), purchaser, clamp=True):
                usage.usage_record(actor=purchaser, records=records)


# ---------------------------------------------------------------------------------------------
# Volume-based procurement: one round open for demand


DEMO_ROUND_NAME = "2027年度南京市医用耗材集中带量采购（演示）"
DEMO_SHARES_FILE = "DEMO-ONLY-round-key-shares.txt"


def _custodians(users: dict[str, User]) -> list[User]:
    """The demo's five key custodians (custodian5 is the discipline-inspection officer)."""
    return [users[name] for name in (f"custodian{n}" for n in range(1, 6)) if name in users]


def demo_shares_path() -> Path:
    return Path(settings.BASE_DIR) / "var" / DEMO_SHARES_FILE


def _write_demo_shares(tender: TenderRound, shares: list[tuple[str, int, str]]) -> None:
    """DEMO ONLY: a real round's custodians keep their shares off the platform, one each. The
    demo writes them to var/ so that whoever runs it can play every custodian at the opening."""
    path = demo_shares_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# DEMO ONLY - NOT FOR PRODUCTION. 仅供演示，切勿用于生产环境。",
        "# Key shares of the demo tender round; in a real round each custodian alone holds",
        "# theirs (docs/sealed-bids.md). 3 of 5 open the round at its opening time.",
        f"# round {tender.number} (id {tender.pk}), key fingerprint {tender.key_fingerprint}",
        "",
    ]
    lines += [f"{username} #{position}: {text}" for username, position, text in shares]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _seed_rounds(users: dict[str, User]) -> None:
    """One round the bureau published, open for demand for two weeks, with two product groups
    (the first two generic names on sale); the second hospital has reported,
    so the bureau has a report to review and the first hospital one round to report for.
    Dates are relative to the seeding moment, so the round is open whenever the demo runs."""
    from procurement.services import bids as bid_services
    from procurement.services import demand as demand_services
    from procurement.services import rounds as round_services

    keepers: list[User] = []
    if TenderRound.objects.filter(name=DEMO_ROUND_NAME).exists():
        return
    bureau = users["bureau"]
    names = list(
        Listing.objects.filter(status=ListingStatus.LISTED)
        .values_list("consumable__generic_name", flat=True)
        .order_by("consumable__generic_name")
        .distinct()[:2]
    )
    if not names:
        return
    now = clock.now()
    today = clock.local_today()
    with pghistory.context(user=bureau.pk, organization=bureau.organization_id, source="demo"):
        tender = round_services.round_create(
            actor=bureau,
            name=DEMO_ROUND_NAME,
            cycle_start=today + dt.timedelta(days=60),
            cycle_end=today + dt.timedelta(days=60 + 730),
            agreed_ratio=Decimal("0.8"),
            advance_ratio=Decimal("0.3"),
            demand_deadline=now + dt.timedelta(days=14),
            bid_deadline=now + dt.timedelta(days=28),
            opening_at=now + dt.timedelta(days=29),
            publicity_end=now + dt.timedelta(days=36),
            note="演示数据：采购周期两年，约定采购比例80%。",
        )
        for index, name in enumerate(names, start=1):
            codes = Consumable.objects.filter(
                generic_name=name, listings__status=ListingStatus.LISTED
            ).values_list("code", flat=True)
            prices = Listing.objects.filter(
                consumable__generic_name=name, status=ListingStatus.LISTED
            ).values_list("price", flat=True)
            round_services.group_create(
                actor=bureau,
                round_id=tender.pk,
                code=f"G{index}",
                name=name,
                code_prefixes=sorted({code[:10] for code in codes}),
                attribute_filters={"generic_name": name},
                max_valid_price=quantize(max(prices)),
                winning_rule={
                    "condition": {
                        "op": "any_of",
                        "of": [
                            {"op": "price_at_most_k_times_lowest", "k": "1.8"},
                            {"op": "min_cut_vs", "base": "max_valid", "ratio": "0.5"},
                        ],
                    },
                    "min_valid_bids": 2,
                },
            )
        keepers = _custodians(users)
        if keepers:
            bid_services.round_custodians_set(
                actor=bureau,
                round_id=tender.pk,
                threshold=3,
                custodians=[
                    {"user": u.pk, "discipline_inspection": i == len(keepers) - 1}
                    for i, u in enumerate(keepers)
                ],
            )
        round_services.round_publish(actor=bureau, round_id=tender.pk)
    if keepers:
        shares = []
        for keeper in keepers:
            with pghistory.context(
                user=keeper.pk, organization=keeper.organization_id, source="demo"
            ):
                custodian, text = bid_services.share_collect(actor=keeper, round_id=tender.pk)
            shares.append((keeper.username, custodian.position, text))
        tender.refresh_from_db()
        _write_demo_shares(tender, shares)
    reporter = users.get("h02_purchaser")
    if reporter is not None:
        with pghistory.context(
            user=reporter.pk, organization=reporter.organization_id, source="demo"
        ):
            demand_services.demand_report(
                actor=reporter,
                round_id=tender.pk,
                lines=[
                    {"group": group.pk, "volume": 100 * index}
                    for index, group in enumerate(tender.groups.order_by("code"), start=1)
                ],
            )


# ---------------------------------------------------------------------------------------------
# Volume-based procurement: one finished round with contracts in progress


DEMO_FINISHED_ROUND_NAME = "2026年度南京市医用耗材集中带量采购（演示·已完成）"
# Four months into a one-year cycle; the hospitals' base volumes of the group.
FINISHED_CYCLE_DAYS_AGO = 120
FINISHED_BASE_VOLUMES = {"h01": 200, "h02": 150, "h03": 120, "h04": 80}
# What the first two hospitals bought of their contracts so far: h01 on track, h02 behind
# (the rest have bought nothing yet: lagging too).
FINISHED_BOUGHT = {"h01": 60, "h02": 10}
# The hospital whose contracts await its own signature (the browser journey signs one).
FINISHED_UNSIGNED = "h02_purchaser"


def _seed_finished_round(users: dict[str, User]) -> None:
    """A final round of one group (a generic name three manufacturers list), its results
    applied, the hospitals' volume allocated (h01 chose part of it for the second winner),
    every contract signed by its three parties before the cycle began four months ago (but
    h02's, which await h02's signature), and
    orders of h01 and h02 counting toward theirs [R-VBP-CONTRACT] [R-PAY-STANDARD]."""
    from core.sealed import seal_bid
    from procurement.models import RoundAward, TenderDemand, TenderResult
    from procurement.services import awards as award_services
    from procurement.services import bids as bid_services
    from procurement.services import contracts as contract_services
    from procurement.services import rounds as round_services

    if TenderRound.objects.filter(name=DEMO_FINISHED_ROUND_NAME).exists():
        return
    bureau = users["bureau"]
    open_round = TenderRound.objects.filter(name=DEMO_ROUND_NAME).first()
    taken = set(open_round.groups.values_list("name", flat=True)) if open_round else set()
    listed = (
        Listing.objects.filter(
            status=ListingStatus.LISTED, companion_service=False, label=PurchaseLabel.NORMAL
        )
        .exclude(consumable__generic_name__in=taken)
        .select_related("consumable")
        .order_by("consumable__generic_name", "pk")
    )
    by_name: dict[str, dict[int, Listing]] = {}
    for listing in listed:
        by_name.setdefault(listing.consumable.generic_name, {}).setdefault(
            listing.manufacturer_id, listing
        )
    name, chosen = next(
        ((n, list(m.values())) for n, m in by_name.items() if len(m) >= 3), ("", [])
    )
    if not chosen:
        return
    chosen = chosen[:4]
    today = clock.local_today()
    start = today - dt.timedelta(days=FINISHED_CYCLE_DAYS_AGO)
    keepers = _custodians(users)
    if len(keepers) < 3:
        return
    sales_of = {u.organization_id: u for n, u in users.items() if n.endswith("_sales")}
    published = _moment(start - dt.timedelta(days=90), 9)
    with _at(published, bureau):
        tender = round_services.round_create(
            actor=bureau,
            name=DEMO_FINISHED_ROUND_NAME,
            cycle_start=start,
            cycle_end=start + dt.timedelta(days=365),
            agreed_ratio=Decimal("0.8"),
            advance_ratio=Decimal("0.3"),
            demand_deadline=_moment(start - dt.timedelta(days=70), 17),
            bid_deadline=_moment(start - dt.timedelta(days=50), 17),
            opening_at=_moment(start - dt.timedelta(days=49), 9),
            publicity_end=_moment(start - dt.timedelta(days=42), 17),
            note="演示数据：已完成的带量采购批次，经密封申报与开标产生中选结果。",
        )
        group = round_services.group_create(
            actor=bureau,
            round_id=tender.pk,
            code="G1",
            name=name,
            code_prefixes=sorted({listing.consumable.code for listing in chosen}),
            attribute_filters={},
            max_valid_price=quantize(max(listing.price for listing in chosen)),
            winning_rule={"condition": {"op": "n_lowest", "n": 2}, "min_valid_bids": 2},
        )
        bid_services.round_custodians_set(
            actor=bureau,
            round_id=tender.pk,
            threshold=3,
            custodians=[
                {"user": u.pk, "discipline_inspection": i == len(keepers) - 1}
                for i, u in enumerate(keepers)
            ],
        )
        round_services.round_publish(actor=bureau, round_id=tender.pk)
    shares: dict[int, str] = {}
    for keeper in keepers:
        with _at(published + dt.timedelta(hours=2), keeper):
            custodian, text = bid_services.share_collect(actor=keeper, round_id=tender.pk)
        shares[custodian.position] = text
    for key, base in FINISHED_BASE_VOLUMES.items():
        purchaser = users.get(f"{key}_purchaser")
        if purchaser is None:
            continue
        with _at(_moment(start - dt.timedelta(days=75), 10), purchaser):
            TenderDemand.objects.create(
                round=tender,
                group=group,
                hospital=cast(Organization, purchaser.organization),
                reported_volume=base,
                status=DemandStatus.ACCEPTED,
                reported_by=purchaser,
                reported_at=clock.now(),
            )
    tender.refresh_from_db()
    # Each manufacturer seals a bid of 60% of its listed price, as its browser would.
    for n, listing in enumerate(chosen):
        seller = sales_of.get(listing.manufacturer_id)
        if seller is None:
            continue
        with _at(_moment(start - dt.timedelta(days=55), 10, n), seller):
            bid_services.bid_submit(
                actor=seller,
                round_id=tender.pk,
                group_id=group.pk,
                product_id=listing.consumable_id,
                envelope=seal_bid(
                    cast(dict, tender.public_jwk),
                    price=quantize(listing.price * Decimal("0.6")),
                    product=listing.consumable_id,
                    round_ref=tender.pk,
                ),
            )
    # At the opening three custodians (the discipline-inspection officer among them) enter
    # their shares: the third opens the round into publicity; after it the results are final.
    for n, keeper in enumerate((keepers[0], keepers[1], keepers[-1])):
        position = keepers.index(keeper) + 1
        with _at(_moment(start - dt.timedelta(days=49), 9, 5 + n), keeper):
            bid_services.share_enter(actor=keeper, round_id=tender.pk, share=shares[position])
    with _at(_moment(start - dt.timedelta(days=42), 18), bureau):
        bid_services.round_finalise(actor=bureau, round_id=tender.pk)
    award = RoundAward.objects.get(round=tender)
    results = list(TenderResult.objects.filter(round=tender, won=True).order_by("rank", "pk"))
    decided = award.applied_at
    h01 = users["h01_purchaser"]
    with _at(decided + dt.timedelta(days=2), h01):
        award_services.allocation_choose(
            actor=h01, round_id=tender.pk, lines=[{"result": results[1].pk, "quantity": 40}]
        )
    with _at(award.choice_deadline + dt.timedelta(hours=1), bureau):
        made = award_services.round_allocate(actor=bureau, round_id=tender.pk)
    sales_of = {u.organization_id: u for n, u in users.items() if n.endswith("_sales")}
    purchaser_of = {u.organization_id: u for n, u in users.items() if n.endswith("_purchaser")}
    signing = _moment(start - dt.timedelta(days=5), 10)
    for contract in made:
        # A manufacturer delivering itself signs both of its sides at once: one signature.
        parties = {
            contract.hospital_id: purchaser_of.get(contract.hospital_id),
            contract.manufacturer_id: sales_of.get(contract.manufacturer_id),
            contract.distributor_id: sales_of.get(contract.distributor_id),
        }
        if contract.hospital_id == getattr(users.get(FINISHED_UNSIGNED), "organization_id", 0):
            parties.pop(contract.hospital_id)  # h02 has yet to sign: its home card says so
        for party in parties.values():
            if party is not None:
                with _at(signing, party):
                    contract_services.contract_sign(actor=party, contract_id=contract.pk)
    for key, quantity in FINISHED_BOUGHT.items():
        buyer = users.get(f"{key}_purchaser")
        if buyer is None:
            continue
        first = next((c for c in made if c.hospital_id == buyer.organization_id), None)
        if first is not None:
            demo_contract_order(first, buyer, sales_of, quantity, today)


def demo_contract_order(
    contract, purchaser: User, sales_of: dict, quantity: int, today, *, days_ago: int = 21
) -> None:
    """One order of the contract's product, delivered by its distributor and accepted,
    ``days_ago`` (it counts toward the contract; settlement's demo buys month by month)."""
    day = today - dt.timedelta(days=days_ago)
    maker = sales_of.get(contract.manufacturer_id)
    carrier = sales_of.get(contract.distributor_id)
    di = (
        DeviceIdentifier.objects.filter(consumable_id=contract.consumable_id)
        .order_by("di")
        .values_list("di", flat=True)
        .first()
    )
    if maker is None or carrier is None or di is None:
        return
    _admit_missing(purchaser, [contract.listing_id], day - dt.timedelta(days=1))
    with _at(_moment(day, 9), purchaser):
        (order,) = orders.order_create(
            actor=purchaser,
            lines=[{"listing": contract.listing_id, "quantity": quantity}],
            department="心血管内科",
        )
        orders.order_submit(actor=purchaser, order_id=order.pk)
    line = order.lines.get()
    with _at(_moment(day, 11), maker):
        orders.order_respond(
            actor=maker,
            order_id=order.pk,
            answers=[{"line": line.pk, "decision": "confirm", "promised_on": day}],
            distributor_id=None if contract.self_delivered else contract.distributor_id,
        )
    expiry = day + dt.timedelta(days=730)
    barcode = (
        f"(01){di}(11){day - dt.timedelta(days=90):%y%m%d}(17){expiry:%y%m%d}(10)VBP{day:%y%m}"
    )
    with _at(_moment(day + dt.timedelta(days=1), 8), carrier):
        delivery = deliveries.delivery_create(
            actor=carrier,
            order_id=order.pk,
            lines=[{"order_line": line.pk, "quantity": quantity, "barcode": barcode}],
        )
    with _at(_moment(day + dt.timedelta(days=2), 10), purchaser):
        deliveries.delivery_accept(
            actor=purchaser,
            delivery_id=delivery.pk,
            lines=[
                {
                    "delivery_line": delivery.lines.get().pk,
                    "accepted_quantity": quantity,
                    "refused_quantity": 0,
                    "reason": "",
                    "barcodes": [barcode],
                }
            ],
        )


# ---------------------------------------------------------------------------------------------
# Emergency purchases [R-EMERG-DEADLINE] [R-EMERG-CAP] [R-LIST-OTHER]


def _seed_emergency(users: dict[str, User], today: dt.date) -> None:
    """A few registrations of products the platform does not list: h01's on time, one late
    (bought five weeks ago, registered this week), one over the cap awaiting the bureau; and
    the same product bought in emergency by h02-h06, the evidence an "other listing" of it
    would need (5 tier-2+ hospitals, 3 of them tier 3)."""
    hospitals = [users[f"{key}_purchaser"].organization for key, *_rest in HOSPITALS]
    if EmergencyPurchase.objects.filter(hospital__in=hospitals).exists():
        return
    unlisted = list(Consumable.objects.filter(listings__isnull=True).order_by("pk")[:3])
    if len(unlisted) < 3:
        return
    first, second, evidence = unlisted

    def register(
        key: str,
        product: Consumable,
        bought: dt.date,
        registered: dt.date,
        price: str,
        quantity: int,
        reason: str,
    ):
        purchaser = users[f"{key}_purchaser"]
        with _at(_moment(registered, 15), purchaser, clamp=True):
            return emergency.emergency_purchase_register(
                actor=purchaser,
                bought_on=bought,
                reason=reason,
                approver_name="张建国",
                approver_role="分管采购副院长",
                lines=[
                    {
                        "consumable_id": product.pk,
                        "supplier_name": "南京康达医疗器械有限公司",
                        "unit_price": price,
                        "quantity": quantity,
                    }
                ],
            )

    week = dt.timedelta(days=7)
    register(
        "h01",
        first,
        today - 2 * week,
        today - 2 * week + dt.timedelta(days=1),
        "860.00",
        2,
        "夜间急诊手术，平台无该规格产品",
    )
    register(
        "h01",
        second,
        today - 5 * week,
        today - dt.timedelta(days=1),
        "1250.00",
        1,
        "抢救患者急需，事后补登",
    )
    register("h01", first, today - week, today, "9800.00", 300, "突发公共卫生事件，批量应急采购")
    for index, key in enumerate(("h02", "h03", "h04", "h05", "h06")):
        day = today - dt.timedelta(days=20 - index)
        register(key, evidence, day, day, f"{420 + index * 5}.00", 3, "平台暂无该产品，临床急需")
