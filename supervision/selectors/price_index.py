"""The quarterly price monitoring index per category [R-PRICE-INDEX] (NJ 7.2).

A chain-linked Laspeyres index of unit values, computed from the platform's purchases (order
lines of submitted orders, not cancelled or rejected) in the actor's jurisdiction:

- a product's unit value in a quarter is what was paid for it over the quantity bought
  (``p = Σ amount / Σ quantity``), quarters in Asia/Shanghai time, by the order's submission;
- the link from quarter t-1 to t uses the products bought in both (matched products) weighted
  by their quantities in t-1: ``L_t = Σ p_t·q_(t-1) / Σ p_(t-1)·q_(t-1)``;
- the index is 100 in the base quarter (the first of the range) and ``I_t = I_(t-1) × L_t``;
- a quarter with no matched product carries the index over (link 1) and says so
  (``matched = 0``); a new product enters the index the quarter after its first purchase.

Worked example (docs/price-index.md, supervision/tests/test_price_index.py): category 13,
product A bought 10 at 100.00 in 2026Q1 and 12 at 90.00 in Q2, product B bought 5 at 200.00
in Q1 and 4 at 210.00 in Q2. L_Q2 = (90×10 + 210×5) / (100×10 + 200×5) = 1950 / 2000 = 0.975,
so I_Q2 = 97.50: prices fell 2.5%. In Q3 only A is bought, 10 at 99.00: L_Q3 = 99×12 / 90×12 =
1.1, I_Q3 = 97.50 × 1.1 = 107.25.

Unit values are exact Decimals; the link and index are rounded only for display (4 and 2
places), never in the chain, so a long series drifts by no rounding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncQuarter
from django.utils.translation import gettext as _

from catalog.models import Category
from core import clock, permissions
from core.errors import ValidationError
from core.tenancy import Actor
from procurement.choices import COUNTED_LINE_STATUSES, COUNTED_ORDER_STATUSES
from procurement.models import OrderLine

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_QUARTERS = 40
DEFAULT_QUARTERS = 8
ALL = "all"
ONE = Decimal(1)
# (quantity, amount) of one product in one quarter
Cell = tuple[Decimal, Decimal]
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str, field_name: str) -> Quarter:
        """``2026Q3`` (or ``2026-Q3``, any case)."""
        cleaned = text.strip().upper().replace("-", "")
        year, sep, number = cleaned.partition("Q")
        if not (sep and year.isdigit() and len(year) == 4 and number in {"1", "2", "3", "4"}):
            raise ValidationError(
                fields={field_name: [_("Give a quarter as YYYYQn, for example 2026Q3.")]}
            )
        return cls(int(year), int(number))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    def previous(self) -> Quarter:
        return Quarter(self.year, self.number - 1) if self.number > 1 else Quarter(self.year - 1, 4)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    def __lt__(self, other: Quarter) -> bool:
        return (self.year, self.number) < (other.year, other.number)


@dataclass
class IndexPoint:
    quarter: Quarter
    index: Decimal  # exact; 100 in the base quarter
    link: Decimal | None  # None in the base quarter
    matched: int  # products bought in this quarter and the previous one
    products: int  # products bought in this quarter
    amount: Decimal  # spent in this quarter

    @property
    def index_shown(self) -> Decimal:
        return self.index.quantize(Decimal("0.01"))

    @property
    def link_shown(self) -> Decimal | None:
        return None if self.link is None else self.link.quantize(Decimal("0.0001"))


@dataclass
class IndexSeries:
    code: str  # the category code, or "all"
    name: str
    points: list[IndexPoint] = field(default_factory=list)

    @property
    def latest(self) -> IndexPoint | None:
        return self.points[-1] if self.points else None

    @property
    def last_change(self) -> Decimal | None:
        """The latest quarter's change in percent against the one before (None: no link)."""
        last = self.latest
        if last is None or last.link is None or last.matched == 0:
            return None
        return ((last.link - ONE) * HUNDRED).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class IndexQuery:
    level: int
    first: Quarter
    last: Quarter

    @property
    def quarters(self) -> list[Quarter]:
        out, q = [], self.first
        while not self.last < q:
            out.append(q)
            q = q.next()
        return out


def index_query(
    *,
    level: object = None,
    first: object = None,
    last: object = None,
    today: dt.date | None = None,
) -> IndexQuery:
    """The validated query: category level 1–3 (default 1), quarters from ``first`` to
    ``last`` (default: the last eight up to the current one), at most 40, in order."""
    if level in (None, ""):
        level_value = 1
    elif str(level) in {"1", "2", "3"}:
        level_value = int(str(level))
    else:
        raise ValidationError(fields={"level": [_("The category level is 1, 2 or 3.")]})
    today = today or clock.local_today()
    last_q = Quarter.parse(str(last), "last") if last not in (None, "") else Quarter.of(today)
    if first in (None, ""):
        first_q = last_q
        for _i in range(DEFAULT_QUARTERS - 1):
            first_q = first_q.previous()
    else:
        first_q = Quarter.parse(str(first), "first")
    if last_q < first_q:
        raise ValidationError(
            fields={"first": [_("The first quarter must not come after the last.")]}
        )
    query = IndexQuery(level_value, first_q, last_q)
    if len(query.quarters) > MAX_QUARTERS:
        raise ValidationError(
            fields={"first": [_("At most %(n)d quarters at once.") % {"n": MAX_QUARTERS}]}
        )
    return query


def _purchases(actor: Actor, query: IndexQuery) -> QuerySet:
    """(category, product, quarter start) -> (quantity, amount), one grouped query."""
    start = dt.datetime.combine(query.first.start, dt.time(), tzinfo=SHANGHAI)
    end = dt.datetime.combine(query.last.next().start, dt.time(), tzinfo=SHANGHAI)
    category = F(f"consumable__category_l{query.level}")
    return (
        OrderLine.objects.visible_to(actor)
        .filter(
            order__status__in=COUNTED_ORDER_STATUSES,
            status__in=COUNTED_LINE_STATUSES,
            order__submitted_at__gte=start,
            order__submitted_at__lt=end,
        )
        .annotate(
            category=category,
            quarter=TruncQuarter("order__submitted_at", tzinfo=SHANGHAI),
        )
        .values_list("category", "consumable_id", "quarter")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    )


def _chain(
    code: str, name: str, quarters: list[Quarter], cells: dict[Quarter, dict[int, Cell]]
) -> IndexSeries:
    """``cells``: quarter -> product -> (quantity, amount)."""
    series = IndexSeries(code=code, name=name)
    index = HUNDRED
    previous: dict | None = None
    for position, quarter in enumerate(quarters):
        current = cells.get(quarter, {})
        amount = sum((a for _q, a in current.values()), Decimal(0))
        link: Decimal | None = None
        matched = 0
        if position > 0:
            link = ONE
            if previous:
                both = current.keys() & previous.keys()
                matched = len(both)
                if both:
                    numerator = sum((current[p][1] / current[p][0]) * previous[p][0] for p in both)
                    denominator = sum(previous[p][1] for p in both)  # p_(t-1)·q_(t-1)
                    link = numerator / denominator
            index = index * link
        series.points.append(IndexPoint(quarter, index, link, matched, len(current), amount))
        if current:  # a quarter without purchases links the next one to the last with some
            previous = current
    return series


def price_index(*, actor: Actor, query: IndexQuery) -> list[IndexSeries]:
    """[R-PRICE-INDEX] the index of all purchases first (code ``all``), then one series per
    category bought in the range, by code."""
    permissions.require(actor, "price_index.view")
    quarters = query.quarters
    by_category: dict[str, dict[Quarter, dict[int, Cell]]] = defaultdict(lambda: defaultdict(dict))
    overall: dict[Quarter, dict[int, Cell]] = defaultdict(dict)
    for code, product, moment, quantity, amount in _purchases(actor, query):
        quarter = Quarter.of(moment.astimezone(SHANGHAI).date())
        cell = (Decimal(quantity), amount)
        by_category[code][quarter][product] = cell
        overall[quarter][product] = cell
    names = dict(
        Category.objects.filter(code__in=by_category, level=query.level).values_list("code", "name")
    )
    result = [_chain(ALL, _("All categories"), quarters, overall)]
    for code in sorted(by_category):
        result.append(_chain(code, names.get(code, code), quarters, by_category[code]))
    return result
