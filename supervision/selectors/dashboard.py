"""The insurance bureau's dashboard (docs/dashboard.md): for a month (Asia/Shanghai, default
the current one) and optionally one district of the regulator's jurisdiction, the tiles, the
12-month trend, the rankings and the district breakdown. Every figure links to the list that
shows exactly the rows it counts (the orders list filtered by ``month``, ``district`` and
``purchases=1``; the contracts list; the fund view; the five rates page).

Figures (each computed by one aggregate query grouped by district, never a loop over rows):

- on-platform purchase share 网采率 [R-DASH-ONLINE]: platform purchases / (platform purchases +
  registered emergency (off-platform) purchases + usage of products never bought on the
  platform, at the charged price). Platform purchases: the amounts of the order lines
  (pending or confirmed) of orders submitted in the month and not cancelled or rejected
  (procurement.choices.COUNTED_ORDER_STATUSES / COUNTED_LINE_STATUSES).
- VBP progress [R-VBP-CONTRACT]: the contracts in force, done (kept units) over agreed units,
  against the elapsed share of their cycles (sum of agreed x elapsed days over sum of agreed
  x cycle days), as of the end of the month (or today).
- the five rates [R-FIVE-RATES] by amount (supervision.selectors.five_rates, live for the
  current month, frozen for a frozen one).
- savings against reference prices [R-DASH-SAVINGS]: over the month's platform purchase lines
  of products with a confirmed reference price, sum(reference price x quantity - amount), and
  its share of sum(reference price x quantity).
- direct-settlement ratio [R-DIRECT]: settlement.selectors.fund_view over the month.

Tiles are small ``Tile`` values, each produced by one function registered with
``register_tile`` (the lead adds more at merge without touching the others).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from accounts.models import Organization
from core import clock
from core.errors import NotFoundError, ValidationError
from core.money import ZERO, format_cny, quantize
from core.permissions import PLATFORM_ADMIN, can, require
from core.regions import region_full_name
from core.slices import month_bounds, parse_month
from core.tenancy import AnyActor, is_active_actor
from procurement.choices import COUNTED_LINE_STATUSES, COUNTED_ORDER_STATUSES, ContractStatus
from procurement.models import EmergencyPurchase, EmergencyPurchaseLine, OrderLine, UsageRecord
from procurement.selectors.contracts import contract_list
from procurement.selectors.orders import order_list
from procurement.selectors.reference_prices import confirmed_reference_subquery
from settlement.selectors.fund_view import FundView, Period, fund_view
from supervision.choices import AlertSeverity, AlertStatus, Rate, SliceKind
from supervision.errors import DashboardDistrictRefusedError
from supervision.selectors import alerts, five_rates, price_cuts, retained_savings
from supervision.selectors.five_rates import FiveRatesTable, RateFigures, Scope

SHARE = Decimal("0.0001")
MONEY = DecimalField(max_digits=20, decimal_places=2)
TREND_MONTHS = 12
RANK_SIZE = 10

PERCENT, YUAN, UNITS = "percent", "yuan", "units"


def _share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(SHARE) if whole else None


# ---------------------------------------------------------------------------------------------
# Scope


@dataclass(frozen=True)
class DashboardScope:
    """What the dashboard reads: the month, the hospitals' region prefix (the district asked
    for, or the whole jurisdiction), and whose region policy sets the targets."""

    month: dt.date
    district: str
    prefix: str
    region_code: str

    @property
    def month_value(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_current(self) -> bool:
        return self.month == clock.local_today().replace(day=1)

    @property
    def last_day(self) -> dt.date:
        following = month_bounds(self.month)[1].date()
        return min(following - dt.timedelta(days=1), clock.local_today())


def dashboard_scope(
    *, actor: AnyActor, month: object = "", district: object = ""
) -> DashboardScope:
    """The month and district the actor asks for: a malformed month or district is refused
    naming the parameter (400); a district outside a regulator's jurisdiction is refused with
    the reason (403). Only regulators and platform administrators (``dashboard.view``)."""
    require(actor, "dashboard.view")
    if not is_active_actor(actor):
        raise NotFoundError()
    chosen = parse_month(month) or clock.local_today().replace(day=1)
    text = str(district or "").strip()
    org = actor.organization
    jurisdiction = "" if PLATFORM_ADMIN in actor.roles or org is None else org.jurisdiction
    if text:
        if not (text.isdigit() and len(text) == 6):
            raise ValidationError(
                fields={"district": [gettext("Give a district as a six-digit region code.")]}
            )
        if not text.startswith(jurisdiction):
            raise DashboardDistrictRefusedError(district=text)
    return DashboardScope(
        month=chosen,
        district=text,
        prefix=text or jurisdiction,
        region_code=org.region_code if org is not None else "",
    )


# ---------------------------------------------------------------------------------------------
# The aggregates (one query each, grouped by district)


@dataclass
class DistrictRow:
    """One row of the district breakdown."""

    district: str
    label: str = ""
    platform: Decimal = ZERO
    orders: int = 0
    emergency: Decimal = ZERO
    off_platform_usage: Decimal = ZERO
    reference: Decimal = ZERO
    priced: Decimal = ZERO
    delivery: RateFigures | None = None
    orders_url: str = ""

    @property
    def savings(self) -> Decimal:
        return quantize(self.reference - self.priced)

    @property
    def off_platform(self) -> Decimal:
        return self.emergency + self.off_platform_usage

    @property
    def online_share(self) -> Decimal | None:
        return _share(self.platform, self.platform + self.off_platform)

    @property
    def savings_share(self) -> Decimal | None:
        return _share(self.savings, self.reference)


def _purchase_lines(prefix: str) -> QuerySet[OrderLine]:
    """The platform purchase lines of hospitals under ``prefix`` (not actor-scoped: the
    scope decided the prefix)."""
    return OrderLine.objects.filter(
        order__hospital__region_code__startswith=prefix,
        order__status__in=COUNTED_ORDER_STATUSES,
        status__in=COUNTED_LINE_STATUSES,
    )


def _reference_sums() -> dict[str, Any]:
    reference = confirmed_reference_subquery()
    ref_amount = ExpressionWrapper(F("reference_price") * F("quantity"), output_field=MONEY)
    return {
        "reference_price": reference,
        "ref_amount": ref_amount,
    }


def _purchase_aggregates() -> dict[str, Any]:
    return {
        "platform": Coalesce(Sum("amount"), ZERO, output_field=MONEY),
        "reference": Coalesce(
            Sum("ref_amount", filter=Q(reference_price__isnull=False)), ZERO, output_field=MONEY
        ),
        "priced": Coalesce(
            Sum("amount", filter=Q(reference_price__isnull=False)), ZERO, output_field=MONEY
        ),
    }


def _usage_off_platform(prefix: str) -> QuerySet[UsageRecord]:
    """[R-DASH-ONLINE] usage records, charged to the patient, of products the hospital never
    bought on the platform nor registered as an emergency purchase."""
    bought = OrderLine.objects.filter(
        order__hospital_id=OuterRef("hospital_id"),
        consumable_id=OuterRef("consumable_id"),
        order__status__in=COUNTED_ORDER_STATUSES,
    )
    emergency = EmergencyPurchaseLine.objects.filter(
        purchase__hospital_id=OuterRef("hospital_id"), consumable_id=OuterRef("consumable_id")
    )
    return (
        UsageRecord.objects.filter(
            hospital__region_code__startswith=prefix, charged_price__isnull=False
        )
        .filter(~Exists(bought), ~Exists(emergency))
        .annotate(charged=ExpressionWrapper(F("charged_price") * F("quantity"), output_field=MONEY))
    )


class Dashboard:
    """The figures of one scope; each aggregate runs once, when first read."""

    # What a page, panel or API call shows; supervision.services.dashboard keeps them.
    PARTS = ("tiles", "districts", "trend", "rankings")

    def __init__(self, *, actor: Any, scope: DashboardScope, rank_rate: str = "") -> None:
        self.actor = actor
        self.scope = scope
        self.rank_rate = rank_rate if rank_rate in Rate.values else Rate.DELIVERY
        self.low, self.high = month_bounds(scope.month)
        # When the figures were computed, if they were kept (None: computed for this request).
        self.computed_at: dt.datetime | None = None

    def parts(self) -> dict[str, Any]:
        """The shown figures as plain values (each aggregate runs once, here)."""
        return {name: getattr(self, name) for name in self.PARTS}

    def load(self, parts: dict[str, Any], *, computed_at: dt.datetime) -> None:
        """Figures kept from an earlier ``parts()`` of the same scope, instead of the queries
        (each part is a cached_property: setting it first means it is never computed). The
        live tiles (``register_tile(live=True)``: one cheap count the bureau changes by its
        own work, such as the open alerts it acknowledges) are counted again."""
        for name in self.PARTS:
            self.__dict__[name] = parts[name]
        self.computed_at = computed_at
        tiles = []
        for kept in parts["tiles"]:
            entry = _TILES.get(kept.key)
            if entry is not None and kept.key in _LIVE_TILES:
                fresh = entry[2](self)
                if fresh is not None:
                    tiles.append(fresh)
                continue
            tiles.append(kept)
        self.__dict__["tiles"] = tiles

    # -- purchases ---------------------------------------------------------------------------

    def orders_url(self, district: str = "") -> str:
        return _url(
            "procurement:order_list",
            month=self.scope.month_value,
            district=district or self.scope.district,
            purchases="1",
        )

    def drilled_orders(self, district: str = "") -> QuerySet:
        """The orders list the purchase figures link to (the same selector and filters)."""
        return order_list(
            actor=self.actor,
            submitted_month=self.scope.month,
            district=district or self.scope.prefix,
            purchases=True,
            with_lines=False,
        )

    @cached_property
    def districts(self) -> dict[str, DistrictRow]:
        """The breakdown by district: four grouped queries (purchases, orders, emergency
        purchases, off-platform usage) plus the five rates' delivery rate by district."""
        prefix = self.scope.prefix
        rows: dict[str, DistrictRow] = {}

        def row(code: str) -> DistrictRow:
            return rows.setdefault(code, DistrictRow(district=code))

        purchases: Any = (
            _purchase_lines(prefix)
            .filter(order__submitted_at__gte=self.low, order__submitted_at__lt=self.high)
            .annotate(**_reference_sums())
            .values("order__hospital__region_code")
            .annotate(**_purchase_aggregates())
            .order_by()
        )
        for item in purchases:
            target = row(item["order__hospital__region_code"])
            target.platform = quantize(item["platform"])
            target.reference = quantize(item["reference"])
            target.priced = quantize(item["priced"])
        counted = (
            self.drilled_orders()
            .order_by()
            .values("hospital__region_code")
            .annotate(n=Count("pk"))
            .values_list("hospital__region_code", "n")
        )
        for code, n in counted:
            row(code).orders = n
        emergency = (
            EmergencyPurchase.objects.filter(
                hospital__region_code__startswith=prefix,
                bought_on__gte=self.scope.month,
                bought_on__lt=self.high.date(),
            )
            .values("hospital__region_code")
            .annotate(total=Sum("amount"))
            .order_by()
            .values_list("hospital__region_code", "total")
        )
        for code, total in emergency:
            row(code).emergency = quantize(total or ZERO)
        usage = (
            _usage_off_platform(prefix)
            .filter(used_at__gte=self.low, used_at__lt=self.high)
            .values("hospital__region_code")
            .annotate(total=Sum("charged"))
            .order_by()
            .values_list("hospital__region_code", "total")
        )
        for code, total in usage:
            row(code).off_platform_usage = quantize(total or ZERO)
        for rated in self.five_rates.rows:
            if rated.key in rows or any(f.count_denominator for f in rated.figures()):
                row(rated.key).delivery = rated.rates.get(Rate.DELIVERY)
        for code, district in rows.items():
            district.label = region_full_name(code) or code
            district.orders_url = self.orders_url(code)
        return dict(sorted(rows.items()))

    @property
    def district_rows(self) -> list[DistrictRow]:
        return list(self.districts.values())

    def total(self, name: str) -> Any:
        values = [getattr(item, name) for item in self.districts.values()]
        return sum(values, ZERO if name != "orders" else 0)

    # -- five rates --------------------------------------------------------------------------

    @cached_property
    def five_rates(self) -> FiveRatesTable:
        """The five rates by district (five queries live, one frozen)."""
        scope = five_rates.five_rates_scope(
            actor=self.actor, kind=SliceKind.DISTRICT, key=self.scope.district
        )
        return five_rates.five_rates_table(actor=self.actor, month=self.scope.month, scope=scope)

    def rate_total(self, rate: str) -> RateFigures:
        total = RateFigures(rate=rate)
        for item in self.five_rates.rows:
            total = total + item.rates.get(rate, RateFigures(rate=rate))
        return total

    def _party_rates(self, kind: str) -> FiveRatesTable:
        scope = Scope(
            kind=kind,
            filters=five_rates.Filters(region_prefix=self.scope.prefix),
            policy_region=self.scope.region_code,
        )
        return five_rates.five_rates_table(actor=self.actor, month=self.scope.month, scope=scope)

    # -- VBP ---------------------------------------------------------------------------------

    @cached_property
    def vbp(self) -> dict[str, int]:
        """[R-VBP-CONTRACT] the contracts in force as of today (contract_list's progress):
        one aggregate over the list the tile links to."""
        rows = contract_list(
            actor=self.actor, status=[ContractStatus.ACTIVE], district=self.scope.prefix
        )
        # Django cannot aggregate over with_progress's chained annotations: sum the list's own
        # rows in one outer query instead.
        inner, params = (
            rows.order_by()
            .values(  # type: ignore[misc]  # with_progress's annotations
                "agreed_quantity", "done", "lag_due", "cycle_days", "lagging"
            )
            .query.sql_with_params()
        )
        # Only the ORM's own SQL is interpolated; its values stay parameters.
        outer = f"""
            SELECT COUNT(*), SUM(agreed_quantity), SUM(done), SUM(lag_due),
                   SUM(agreed_quantity::bigint * cycle_days), COUNT(*) FILTER (WHERE lagging)
            FROM ({inner}) AS contracts
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(outer, params)
            found = cursor.fetchone()
        names = ("contracts", "agreed", "done", "due", "whole", "lagging")
        figures = dict(zip(names, found, strict=True))
        return {k: int(v or 0) for k, v in figures.items()}

    # -- fund --------------------------------------------------------------------------------

    @cached_property
    def fund(self) -> FundView:
        return fund_view(actor=self.actor, period=Period(self.scope.month, self.scope.last_day))

    # -- trend and rankings ------------------------------------------------------------------

    @cached_property
    def trend(self) -> list[dict[str, Any]]:
        """The last 12 months to the chosen one: purchases, savings, on-platform share (three
        grouped queries)."""
        first = self.scope.month
        for _i in range(TREND_MONTHS - 1):
            first = five_rates.previous_month(first)
        low = month_bounds(first)[0]
        prefix = self.scope.prefix
        months: dict[dt.date, dict[str, Decimal]] = defaultdict(
            lambda: {"platform": ZERO, "reference": ZERO, "priced": ZERO, "off": ZERO}
        )
        purchases: Any = (
            _purchase_lines(prefix)
            .filter(order__submitted_at__gte=low, order__submitted_at__lt=self.high)
            .annotate(**_reference_sums())
            .annotate(month=TruncMonth("order__submitted_at", tzinfo=clock.SHANGHAI))
            .values("month")
            .annotate(**_purchase_aggregates())
            .order_by()
        )
        for item in purchases:
            target = months[_as_date(item["month"])]
            target["platform"] = item["platform"]
            target["reference"] = item["reference"]
            target["priced"] = item["priced"]
        emergency = (
            EmergencyPurchase.objects.filter(
                hospital__region_code__startswith=prefix,
                bought_on__gte=first,
                bought_on__lt=self.high.date(),
            )
            .annotate(month=TruncMonth("bought_on"))
            .values("month")
            .annotate(total=Sum("amount"))
            .order_by()
            .values_list("month", "total")
        )
        for month, total in emergency:
            months[_as_date(month)]["off"] += total or ZERO
        usage = (
            _usage_off_platform(prefix)
            .filter(used_at__gte=low, used_at__lt=self.high)
            .annotate(month=TruncMonth("used_at", tzinfo=clock.SHANGHAI))
            .values("month")
            .annotate(total=Sum("charged"))
            .order_by()
            .values_list("month", "total")
        )
        for month, total in usage:
            months[_as_date(month)]["off"] += total or ZERO
        out = []
        month = first
        for _i in range(TREND_MONTHS):
            sums = months[month]
            platform = quantize(sums["platform"])
            out.append(
                {
                    "month": f"{month:%Y-%m}",
                    "platform": platform,
                    "savings": quantize(sums["reference"] - sums["priced"]),
                    "online_share": _share(platform, platform + sums["off"]),
                }
            )
            month = five_rates.next_month(month)
        return out

    def _by_amount(self, party: str) -> list[dict[str, Any]]:
        lines: Any = (
            _purchase_lines(self.scope.prefix)
            .filter(order__submitted_at__gte=self.low, order__submitted_at__lt=self.high)
            .values(f"order__{party}_id", f"order__{party}__name")
            .annotate(total=Sum("amount"))
            .order_by("-total", f"order__{party}_id")[:RANK_SIZE]
        )
        return [
            {
                "id": item[f"order__{party}_id"],
                "name": item[f"order__{party}__name"],
                "value": quantize(item["total"]),
            }
            for item in lines
        ]

    def _by_rate(self, kind: str) -> list[dict[str, Any]]:
        """The parties' chosen rate by amount, lowest first (the ones to look at)."""
        table = self._party_rates(kind)
        ranked = []
        for item in table.rows:
            figures = item.rates.get(self.rank_rate)
            if figures is None or figures.amount_rate is None:
                continue
            ranked.append({"id": item.key, "name": item.label, "value": figures.amount_rate})
        ranked.sort(key=lambda r: (r["value"], r["id"]))
        return ranked[:RANK_SIZE]

    @cached_property
    def rankings(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "hospitals_by_amount": self._by_amount("hospital"),
            "suppliers_by_amount": self._by_amount("supplier"),
            "hospitals_by_rate": self._by_rate(SliceKind.HOSPITAL),
            "suppliers_by_rate": self._by_rate(SliceKind.SUPPLIER),
        }

    @cached_property
    def tiles(self) -> list[Tile]:
        # A tile whose figure the actor may not read (a permission it lacks) is left out.
        made = (tile(self) for _order, _key, tile in sorted(_TILES.values()))
        return [tile for tile in made if tile is not None]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return clock.to_local(value).date().replace(day=1) if value.tzinfo else value.date()
    return value.replace(day=1)


def _url(name: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in ("", None)}
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


# ---------------------------------------------------------------------------------------------
# Tiles


@dataclass(frozen=True)
class Tile:
    """One figure of the dashboard: ``value`` in ``unit`` (a share 0..1, yuan or units),
    ``target`` when the region policy sets one, ``url`` the list behind it and ``count`` the
    rows that list shows."""

    key: str
    title: str
    value: Decimal | int | None
    unit: str
    url: str
    count: int | None = None
    target: Decimal | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def below_target(self) -> bool:
        return self.target is not None and self.value is not None and self.value < self.target


TileFunction = Callable[[Dashboard], Tile | None]
_TILES: dict[str, tuple[int, str, TileFunction]] = {}
# Tiles counted on every look even when the other figures are kept (Dashboard.load).
_LIVE_TILES: set[str] = set()


def register_tile(
    key: str, *, order: int, live: bool = False
) -> Callable[[TileFunction], TileFunction]:
    """Register ``function(dashboard) -> Tile`` as the tile ``key`` (lower ``order`` first);
    ``live``: a cheap figure (one indexed count) that is never served from kept figures."""

    def decorator(function: TileFunction) -> TileFunction:
        _TILES[key] = (order, key, function)
        if live:
            _LIVE_TILES.add(key)
        else:
            _LIVE_TILES.discard(key)
        return function

    return decorator


@register_tile("online_share", order=10)
def online_share_tile(board: Dashboard) -> Tile:
    """[R-DASH-ONLINE] 网采率: platform purchases over all purchases of the month."""
    platform = board.total("platform")
    off = board.total("off_platform")
    return Tile(
        key="online_share",
        title=gettext("On-platform purchase share"),
        value=_share(platform, platform + off),
        unit=PERCENT,
        url=board.orders_url(),
        count=board.total("orders"),
        note=gettext("%(platform)s on the platform, %(off)s off it")
        % {"platform": format_cny(platform), "off": format_cny(off)},
        extra={"platform": quantize(platform), "off_platform": quantize(off)},
    )


@register_tile("purchases", order=20)
def purchases_tile(board: Dashboard) -> Tile:
    return Tile(
        key="purchases",
        title=gettext("Platform purchases"),
        value=quantize(board.total("platform")),
        unit=YUAN,
        url=board.orders_url(),
        count=board.total("orders"),
        note=gettext("%(count)s orders") % {"count": board.total("orders")},
    )


@register_tile("savings", order=30)
def savings_tile(board: Dashboard) -> Tile:
    """[R-DASH-SAVINGS] below the reference prices, on the lines of products that have one."""
    reference = board.total("reference")
    savings = quantize(reference - board.total("priced"))
    return Tile(
        key="savings",
        title=gettext("Savings against reference prices"),
        value=savings,
        unit=YUAN,
        url=board.orders_url(),
        count=board.total("orders"),
        note=gettext("%(share)s of %(reference)s at reference prices")
        % {"share": _percent(_share(savings, reference)), "reference": format_cny(reference)},
        extra={"share": _share(savings, reference), "reference": quantize(reference)},
    )


@register_tile("vbp_progress", order=40)
def vbp_progress_tile(board: Dashboard) -> Tile:
    """[R-VBP-CONTRACT] done over agreed units of the contracts in force, against the
    elapsed share of their cycles."""
    vbp = board.vbp
    elapsed = _share(vbp["due"], vbp["whole"])
    return Tile(
        key="vbp_progress",
        title=gettext("VBP progress"),
        value=_share(vbp["done"], vbp["agreed"]),
        unit=PERCENT,
        target=elapsed,
        url=_url(
            "procurement:contract_list", status=ContractStatus.ACTIVE, district=board.scope.prefix
        ),
        count=vbp["contracts"],
        note=gettext(
            "%(done)s of %(agreed)s units, %(elapsed)s of the cycle elapsed, %(lagging)s lagging"
        )
        % {
            "done": vbp["done"],
            "agreed": vbp["agreed"],
            "elapsed": _percent(elapsed),
            "lagging": vbp["lagging"],
        },
        extra={"done": vbp["done"], "agreed": vbp["agreed"], "lagging": vbp["lagging"]},
    )


def _rate_tile(rate: str, order: int) -> TileFunction:
    def tile(board: Dashboard) -> Tile:
        figures = board.rate_total(rate)
        return Tile(
            key=f"rate_{rate}",
            title=str(Rate(rate).label),
            value=figures.amount_rate,
            unit=PERCENT,
            target=figures.threshold,
            url=_url(
                "supervision:five_rates",
                month=board.scope.month_value,
                kind=SliceKind.DISTRICT,
                key=board.scope.district,
            ),
            count=figures.count_denominator,
            note=gettext("%(on_time)s of %(total)s on time by count")
            % {"on_time": figures.count_numerator, "total": figures.count_denominator},
        )

    tile.__name__ = f"rate_{rate}_tile"
    tile.__doc__ = f"[R-FIVE-RATES] the {rate} rate by amount over the scope's districts."
    register_tile(f"rate_{rate}", order=order)(tile)
    return tile


for _index, _rate in enumerate(Rate.values):
    _rate_tile(_rate, 50 + _index)


@register_tile("direct_settlement", order=60)
def direct_settlement_tile(board: Dashboard) -> Tile:
    """[R-DIRECT] the fund view's direct-settlement ratio over the month (region-wide: the
    fund pays for the whole region, the district filter does not apply)."""
    view = board.fund
    low, high = view.period.start, view.period.end
    return Tile(
        key="direct_settlement",
        title=gettext("Direct-settlement ratio"),
        value=view.ratio,
        unit=PERCENT,
        target=view.goal,
        url=_url("settlement:fund_view", start=low.isoformat(), end=high.isoformat()),
        count=view.direct_count,
        note=gettext("%(direct)s paid directly by the fund, %(escrow)s out of escrow")
        % {"direct": format_cny(view.direct_amount), "escrow": format_cny(view.escrow_amount)},
    )


@register_tile("price_cuts", order=45)
def price_cuts_tile(board: Dashboard) -> Tile | None:
    """[R-CUTS-1000] products cut in price in the month's year against the annual target."""
    if not can(board.actor, "price_cuts.view"):
        return None
    year = board.scope.month.year
    count, target = price_cuts.price_cut_progress(board.actor, year, board.scope.district)
    return Tile(
        key="price_cuts",
        title=gettext("Products cut in price this year"),
        value=count,
        unit=UNITS,
        target=Decimal(target),
        url=_url("supervision:price_cut_list", year=year, district=board.scope.district),
        count=count,
        note=gettext("%(count)s of the %(target)s products the year's target asks for")
        % {"count": count, "target": target},
    )


@register_tile("retained_savings", order=46)
def retained_savings_tile(board: Dashboard) -> Tile | None:
    """[R-RETAINED] the VBP budgets' savings of the month's year and what the hospitals keep."""
    if not can(board.actor, "monitoring.view"):
        return None
    year = board.scope.month.year
    savings, retained = retained_savings.retained_savings_totals(
        actor=board.actor, year=year, district=board.scope.district
    )
    return Tile(
        key="retained_savings",
        title=gettext("Retained savings"),
        value=quantize(retained),
        unit=YUAN,
        url=_url("supervision:retained_savings", year=year, district=board.scope.district),
        note=gettext("kept by the hospitals of %(savings)s saved against the VBP budgets")
        % {"savings": format_cny(savings)},
        extra={"savings": quantize(savings)},
    )


@register_tile("alerts_open", order=70, live=True)
def alerts_open_tile(board: Dashboard) -> Tile | None:
    """[R-ALERT-USE] [R-MISCONDUCT] the jurisdiction's open alerts (region-wide, as the alert
    list shows them): the same rows as the bureau's open-alerts card."""
    if not can(board.actor, "alert.view"):
        return None
    rows = alerts.alert_list(actor=board.actor, status=[AlertStatus.OPEN]).order_by()
    figures = rows.aggregate(
        count=Count("pk"), high=Count("pk", filter=Q(severity=AlertSeverity.HIGH))
    )
    return Tile(
        key="alerts_open",
        title=gettext("Open alerts"),
        value=figures["count"],
        unit=UNITS,
        url=_url("supervision:alert_list", status=AlertStatus.OPEN),
        count=figures["count"],
        note=gettext("%(high)s of high severity") % {"high": figures["high"]},
    )


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.1'))}%"


# ---------------------------------------------------------------------------------------------
# Entry points for the page and the API


def dashboard(
    *, actor: AnyActor, month: object = "", district: object = "", rate: object = ""
) -> Dashboard:
    """[R-DASH-ONLINE] the bureau dashboard the actor asked for (scope checked)."""
    scope = dashboard_scope(actor=actor, month=month, district=district)
    chosen = str(rate or "")
    if chosen and chosen not in Rate.values:
        raise ValidationError(fields={"rate": [gettext("Choose one of the five rates.")]})
    return Dashboard(actor=actor, scope=scope, rank_rate=chosen)


def chart_data(board: Dashboard) -> dict[str, Any]:
    """What the page's ECharts draw: the trend and the four rankings (numbers as strings, as
    the API gives them)."""

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "months": [item["month"] for item in board.trend],
        "platform": [text(item["platform"]) for item in board.trend],
        "savings": [text(item["savings"]) for item in board.trend],
        "online_share": [text(item["online_share"]) for item in board.trend],
        "rankings": {
            name: {
                "names": [str(item["name"]) for item in rows],
                "values": [text(item["value"]) for item in rows],
            }
            for name, rows in board.rankings.items()
        },
    }


def jurisdiction_districts(*, actor: Any) -> list[tuple[str, str]]:
    """The districts the district picker offers: those of the jurisdiction's hospitals."""
    org = actor.organization
    prefix = "" if PLATFORM_ADMIN in actor.roles or org is None else org.jurisdiction
    codes = (
        Organization.objects.hospitals()
        .filter(region_code__startswith=prefix)
        .values_list("region_code", flat=True)
        .distinct()
        .order_by("region_code")
    )
    return [(code, f"{code} {region_full_name(code)}".strip()) for code in codes]


def own_rates(
    *, actor: AnyActor, month: object = "", kind: object = "", key: object = ""
) -> FiveRatesTable:
    """A hospital's or supplier's own five rates with its rank among its peers (hospitals:
    the city's; suppliers: the platform's). Asking for another party or a region slice is
    refused by five_rates_scope with the reason (403) or as missing (404)."""
    chosen = parse_month(month) or clock.local_today().replace(day=1)
    scope = five_rates.five_rates_scope(actor=actor, kind=kind, key=key)
    return five_rates.five_rates_table(actor=actor, month=chosen, scope=scope)
