"""The five rates (五率) [R-FIVE-RATES] [R-PAY-30]: for a calendar month in Asia/Shanghai and a
slice (the hospital's region or district, the hospital, the supplier, the product category),
each rate by amount and by count, numerator over denominator (docs/five-rates.md).

- delivery rate: order lines confirmed by the supplier whose delivery deadline (the order
  sent + ``delivery_deadline_hours``, ``urgent_delivery_deadline_hours`` for an urgent order)
  fell in the month; on time when delivery notes shipped by the deadline carry the line's
  whole quantity, less what the hospital refused. Amount: the line's amount; count: lines.
- payment-request rate: the goods accepted in the month (each accepted delivery line at the
  order's unit price); on time when an invoice billing the line was in a payment request made
  after the acceptance and no later than ``payment_request_deadline_days`` after it (local
  days). Count: accepted delivery lines.
- hospital confirmation rate: the invoices requested for payment in the month (each request
  line); on time when the hospital approved the request within
  ``hospital_confirmation_deadline_days`` and did not dispute the line. Count: request lines.
- payment rate [R-PAY-30]: confirmed invoices due in the month (the last acceptance of the
  goods they bill + ``payment_deadline_days``, the same clock as
  settlement.selectors.payments.due_on); on time when paid to the supplier by the due day.
  Count: invoices.
- agency settlement rate: what hospitals paid into escrow in the month (each request line);
  on time when the agency's settlement batch paid it out within
  ``agency_settlement_deadline_days``. Count: request lines. Direct payments by the fund
  [R-DIRECT] never pass through escrow and are not counted.

Each N-day window counts local (Asia/Shanghai) calendar days: accepted on the 3rd with N = 5,
requested by the end of the 8th. Each deadline is the hospital's region policy
(``core.policy.policy_for``). Amounts by category come from the invoice lines (an invoice
billing two categories counts in both, by its lines' amounts).

One SQL aggregate per rate, grouped by the slice (and, for freezing, by district); the live
figures for the current month and the frozen ones (supervision.models.FiveRatesFigure) share
the shapes below. Reads that cross organisations are named ``*_unscoped``; the actor's slice
is decided by ``five_rates_scope`` (hospitals and suppliers see themselves, regulators their
jurisdiction).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Subquery, Sum
from django.utils.translation import gettext

from accounts.models import Organization
from catalog.models import Category, Consumable
from core import clock
from core.errors import NotFoundError
from core.money import ZERO
from core.permissions import PLATFORM_ADMIN, REGULATORS, require
from core.policy import RegionPolicy, policy_for
from core.tenancy import AnyActor, is_active_actor
from procurement.models import (
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
)
from settlement.models import PaymentRequest, PaymentRequestLine
from supervision.choices import THRESHOLD_FIELD, Rate, SliceKind
from supervision.errors import (
    FiveRatesMonthInvalidError,
    FiveRatesSliceRefusedError,
)
from supervision.models import FiveRatesFigure, FiveRatesSnapshot

RATE_PRECISION = Decimal("0.0001")

# ---------------------------------------------------------------------------------------------
# Months


def month_start(month: dt.date) -> dt.datetime:
    """The first instant of ``month`` in Asia/Shanghai (aware)."""
    return dt.datetime(month.year, month.month, 1, tzinfo=clock.SHANGHAI)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: dt.date) -> dt.date:
    first = month.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def current_month() -> dt.date:
    return clock.local_today().replace(day=1)


def parse_month(value: object) -> dt.date:
    """``YYYY-MM`` (blank: the current month) as the month's first day; a month after the
    current one, before 2000 or malformed is refused (FiveRatesMonthInvalidError)."""
    text = str(value or "").strip()
    if not text:
        return current_month()
    try:
        year, month = (int(part) for part in text.split("-"))
        parsed = dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise FiveRatesMonthInvalidError(value=text[:20]) from None
    if parsed.year < 2000 or parsed > current_month() or len(text) != 7:
        raise FiveRatesMonthInvalidError(value=text[:20])
    return parsed


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class RateFigures:
    """One rate of one slice: by amount and by count, numerator over denominator."""

    rate: str
    amount_numerator: Decimal = ZERO
    amount_denominator: Decimal = ZERO
    count_numerator: int = 0
    count_denominator: int = 0
    threshold: Decimal | None = None

    @property
    def label(self) -> str:
        return str(Rate(self.rate).label)

    @property
    def amount_rate(self) -> Decimal | None:
        if not self.amount_denominator:
            return None
        return (self.amount_numerator / self.amount_denominator).quantize(RATE_PRECISION)

    @property
    def count_rate(self) -> Decimal | None:
        if not self.count_denominator:
            return None
        return (Decimal(self.count_numerator) / self.count_denominator).quantize(RATE_PRECISION)

    @property
    def amount_below(self) -> bool:
        """Below the region's threshold by amount (a rate with nothing to count is not); the
        same comparison as FiveRatesFigure.objects.below()."""
        if self.threshold is None:
            return False
        return self.amount_numerator < self.threshold * self.amount_denominator

    @property
    def count_below(self) -> bool:
        if self.threshold is None:
            return False
        return self.count_numerator < self.threshold * self.count_denominator

    @property
    def below(self) -> bool:
        return self.amount_below or self.count_below

    def __add__(self, other: RateFigures) -> RateFigures:
        return RateFigures(
            rate=self.rate,
            amount_numerator=self.amount_numerator + other.amount_numerator,
            amount_denominator=self.amount_denominator + other.amount_denominator,
            count_numerator=self.count_numerator + other.count_numerator,
            count_denominator=self.count_denominator + other.count_denominator,
            threshold=self.threshold if self.threshold is not None else other.threshold,
        )


@dataclass
class SliceRates:
    """The five rates of one slice (one row of the five-rates table)."""

    kind: str
    key: str
    label: str = ""
    rates: dict[str, RateFigures] = field(default_factory=dict)
    rank: dict[str, int] = field(default_factory=dict)

    def figures(self) -> list[RateFigures]:
        return [self.rates.get(r, RateFigures(rate=r)) for r in Rate.values]

    @property
    def below(self) -> list[str]:
        return [f.rate for f in self.figures() if f.below]


@dataclass(frozen=True)
class Filters:
    """Which rows a rate query reads: the hospitals' region code prefix (a jurisdiction),
    optionally one hospital, one supplier, one slice key."""

    region_prefix: str = ""
    hospital_id: int | None = None
    supplier_id: int | None = None
    key: str | None = None


# ---------------------------------------------------------------------------------------------
# SQL: one aggregate per rate

_T = {
    "order": Order._meta.db_table,
    "orderline": OrderLine._meta.db_table,
    "delivery": Delivery._meta.db_table,
    "deliveryline": DeliveryLine._meta.db_table,
    "invoice": Invoice._meta.db_table,
    "invoiceline": InvoiceLine._meta.db_table,
    "request": PaymentRequest._meta.db_table,
    "requestline": PaymentRequestLine._meta.db_table,
    "org": Organization._meta.db_table,
    "consumable": Consumable._meta.db_table,
}

# Each base yields one row per counted thing (and per invoice line where amounts come from
# invoices): region, hospital_id, supplier_id, category, amount, unit (what a count counts),
# ontime; restricted to the month by %(start)s and %(end)s (aware instants) or %(first)s and
# %(next)s (local dates).
_LOCAL = "(({col}) AT TIME ZONE 'Asia/Shanghai')::date"


def _local(col: str) -> str:
    return _LOCAL.format(col=col)


_BASES: dict[str, str] = {
    Rate.DELIVERY: f"""
        SELECT h.region_code AS region, o.hospital_id, o.supplier_id, c.category_l1 AS category,
               ol.amount AS amount, ol.id AS unit,
               COALESCE((
                   SELECT SUM(dl.quantity - dl.refused_quantity)
                   FROM {_T["deliveryline"]} dl
                   JOIN {_T["delivery"]} d ON d.id = dl.delivery_id
                   WHERE dl.order_line_id = ol.id AND d.shipped_at <= dd.deadline
               ), 0) >= ol.quantity AS ontime
        FROM {_T["orderline"]} ol
        JOIN {_T["order"]} o ON o.id = ol.order_id
        JOIN {_T["org"]} h ON h.id = o.hospital_id
        JOIN {_T["consumable"]} c ON c.id = ol.consumable_id
        JOIN pol ON pol.region_code = h.region_code
        CROSS JOIN LATERAL (
            SELECT o.submitted_at + make_interval(
                hours => CASE WHEN o.is_urgent THEN pol.urgent_hours ELSE pol.delivery_hours END
            ) AS deadline
        ) dd
        WHERE ol.status = 'confirmed' AND o.submitted_at IS NOT NULL
          AND dd.deadline >= %(start)s AND dd.deadline < %(end)s
    """,  # noqa: S608  (table names from _meta; values are parameters)
    Rate.PAYMENT_REQUEST: f"""
        SELECT h.region_code AS region, o.hospital_id, o.supplier_id, c.category_l1 AS category,
               ROUND(ol.unit_price * dl.accepted_quantity, 2) AS amount, dl.id AS unit,
               EXISTS (
                   SELECT 1
                   FROM {_T["invoiceline"]} il
                   JOIN {_T["invoice"]} i ON i.id = il.invoice_id
                   JOIN {_T["requestline"]} pl ON pl.invoice_id = i.id
                   JOIN {_T["request"]} r ON r.id = pl.request_id
                   WHERE il.order_line_id = ol.id AND i.status <> 'rejected'
                     AND r.requested_at >= d.accepted_at
                     AND {_local("r.requested_at")} <= {_local("d.accepted_at")} + pol.request_days
               ) AS ontime
        FROM {_T["deliveryline"]} dl
        JOIN {_T["delivery"]} d ON d.id = dl.delivery_id
        JOIN {_T["orderline"]} ol ON ol.id = dl.order_line_id
        JOIN {_T["order"]} o ON o.id = ol.order_id
        JOIN {_T["org"]} h ON h.id = o.hospital_id
        JOIN {_T["consumable"]} c ON c.id = ol.consumable_id
        JOIN pol ON pol.region_code = h.region_code
        WHERE dl.accepted_quantity > 0 AND d.accepted_at >= %(start)s AND d.accepted_at < %(end)s
    """,  # noqa: S608  (table names from _meta; values are parameters)
    Rate.HOSPITAL_CONFIRMATION: f"""
        SELECT h.region_code AS region, r.hospital_id, o.supplier_id, c.category_l1 AS category,
               il.amount AS amount, pl.id AS unit,
               (pl.status <> 'disputed' AND r.approved_at IS NOT NULL
                AND {_local("r.approved_at")} <= {_local("r.requested_at")} + pol.confirm_days
               ) AS ontime
        FROM {_T["requestline"]} pl
        JOIN {_T["request"]} r ON r.id = pl.request_id
        JOIN {_T["invoice"]} i ON i.id = pl.invoice_id
        JOIN {_T["order"]} o ON o.id = i.order_id
        JOIN {_T["invoiceline"]} il ON il.invoice_id = i.id
        JOIN {_T["orderline"]} ol ON ol.id = il.order_line_id
        JOIN {_T["consumable"]} c ON c.id = ol.consumable_id
        JOIN {_T["org"]} h ON h.id = r.hospital_id
        JOIN pol ON pol.region_code = h.region_code
        WHERE r.requested_at >= %(start)s AND r.requested_at < %(end)s
    """,  # noqa: S608  (table names from _meta; values are parameters)
    Rate.PAYMENT: f"""
        SELECT h.region_code AS region, i.hospital_id, o.supplier_id, c.category_l1 AS category,
               il.amount AS amount, i.id AS unit,
               EXISTS (
                   SELECT 1 FROM {_T["requestline"]} pl
                   WHERE pl.invoice_id = i.id AND pl.status = 'paid'
                     AND {_local("pl.paid_at")} <= due.day
               ) AS ontime
        FROM (
            -- Each invoice's last acceptance of the goods it bills, computed only for the
            -- invoices with goods accepted in the window their due day can come from (the
            -- last acceptance + payment_days within the month), not for every invoice ever.
            SELECT il2.invoice_id, MAX(d.accepted_at) AS accepted_at
            FROM {_T["invoiceline"]} il2
            JOIN {_T["deliveryline"]} dl ON dl.order_line_id = il2.order_line_id
            JOIN {_T["delivery"]} d ON d.id = dl.delivery_id
            WHERE il2.invoice_id IN (
                SELECT il3.invoice_id
                FROM {_T["delivery"]} d3
                JOIN {_T["deliveryline"]} dl3 ON dl3.delivery_id = d3.id
                JOIN {_T["invoiceline"]} il3 ON il3.order_line_id = dl3.order_line_id
                WHERE d3.accepted_at >= %(start)s - make_interval(days => %(payment_days_max)s)
                  AND d3.accepted_at < %(end)s - make_interval(days => %(payment_days_min)s)
            )
            GROUP BY il2.invoice_id
        ) acc
        JOIN {_T["invoice"]} i ON i.id = acc.invoice_id
        JOIN {_T["order"]} o ON o.id = i.order_id
        JOIN {_T["org"]} h ON h.id = i.hospital_id
        JOIN pol ON pol.region_code = h.region_code
        CROSS JOIN LATERAL (
            SELECT {_local("acc.accepted_at")} + pol.payment_days AS day
        ) due
        JOIN {_T["invoiceline"]} il ON il.invoice_id = i.id
        JOIN {_T["orderline"]} ol ON ol.id = il.order_line_id
        JOIN {_T["consumable"]} c ON c.id = ol.consumable_id
        WHERE i.status = 'confirmed' AND due.day >= %(first)s AND due.day < %(next)s
    """,  # noqa: S608  (table names from _meta; values are parameters)
    Rate.AGENCY_SETTLEMENT: f"""
        SELECT h.region_code AS region, r.hospital_id, o.supplier_id, c.category_l1 AS category,
               il.amount AS amount, pl.id AS unit,
               (r.settled_at IS NOT NULL
                AND {_local("r.settled_at")} <= {_local("r.paid_at")} + pol.settle_days
               ) AS ontime
        FROM {_T["request"]} r
        JOIN {_T["requestline"]} pl ON pl.request_id = r.id
        JOIN {_T["invoice"]} i ON i.id = pl.invoice_id
        JOIN {_T["order"]} o ON o.id = i.order_id
        JOIN {_T["invoiceline"]} il ON il.invoice_id = i.id
        JOIN {_T["orderline"]} ol ON ol.id = il.order_line_id
        JOIN {_T["consumable"]} c ON c.id = ol.consumable_id
        JOIN {_T["org"]} h ON h.id = r.hospital_id
        JOIN pol ON pol.region_code = h.region_code
        WHERE r.method = 'escrow' AND pl.status <> 'disputed'
          AND r.paid_at >= %(start)s AND r.paid_at < %(end)s
    """,  # noqa: S608  (table names from _meta; values are parameters)
}

# The slice key of a base row (text, so that every kind's key has one type).
_KEYS: dict[str, str] = {
    SliceKind.REGION: "substr(region, 1, 4) || '00'",
    SliceKind.DISTRICT: "region",
    SliceKind.HOSPITAL: "hospital_id::text",
    SliceKind.SUPPLIER: "supplier_id::text",
    SliceKind.CATEGORY: "category",
}

# The policy figures each base reads, as columns of the ``pol`` relation.
_POLICY_COLUMNS = {
    "delivery_hours": "delivery_deadline_hours",
    "urgent_hours": "urgent_delivery_deadline_hours",
    "request_days": "payment_request_deadline_days",
    "confirm_days": "hospital_confirmation_deadline_days",
    "payment_days": "payment_deadline_days",
    "settle_days": "agency_settlement_deadline_days",
}


def _policies(codes: Iterable[str]) -> dict[str, RegionPolicy]:
    """Each region code's effective policy (policy_for), from one read of the policy table."""
    saved = {p.region_code: p for p in RegionPolicy.objects.all()}
    found = {}
    for code in codes:
        for candidate in (code, code[:4] + "00", code[:2] + "0000"):
            if candidate in saved:
                found[code] = saved[candidate]
                break
        else:
            found[code] = RegionPolicy(region_code=code)
    return found


def _hospital_regions(prefix: str) -> list[str]:
    # order_by(): the model's ordering (kind, name) would make DISTINCT keep one code per
    # hospital, and each district's rows would join its policy once per hospital.
    return list(
        Organization.objects.hospitals()
        .filter(region_code__startswith=prefix)
        .order_by("region_code")
        .values_list("region_code", flat=True)
        .distinct()
    )


# Freezing groups every frozen kind by district in one pass over each rate's rows.
_FROZEN_SETS = {
    SliceKind.HOSPITAL: "hospital_id",
    SliceKind.SUPPLIER: "supplier_id",
    SliceKind.CATEGORY: "category",
}


def _rate_sql(rate: str, kind: str | None, filters: Filters, *, by_district: bool) -> str:
    """One rate's aggregate grouped by ``kind``'s key (and by district); ``kind`` None: every
    frozen kind by district at once (GROUPING SETS), for freezing."""
    where = ["region LIKE %(prefix)s"]
    if filters.hospital_id is not None:
        where.append("hospital_id = %(hospital_id)s")
    if filters.supplier_id is not None:
        where.append("supplier_id = %(supplier_id)s")
    if kind is None:
        cases = " ".join(
            f"WHEN GROUPING({column}) = 0 THEN '{frozen.value}'"
            for frozen, column in _FROZEN_SETS.items()
        )
        kind_sql = f"CASE {cases} ELSE '{SliceKind.DISTRICT.value}' END"
        key = "COALESCE(hospital_id::text, supplier_id::text, category, region)"
        sets = ", ".join(f"(region, {column})" for column in _FROZEN_SETS.values())
        group = f"GROUPING SETS ({sets}, (region))"
        district = "region"
    else:
        key = _KEYS[kind]
        kind_sql = f"'{SliceKind(kind).value}'"
        if filters.key is not None:
            where.append(f"{key} = %(key)s")
        group = f"{key}, region" if by_district else key
        district = "region" if by_district else "''"
    columns = ", ".join(_POLICY_COLUMNS)
    unnest = ", ".join(f"%({c})s::int[]" for c in _POLICY_COLUMNS)
    # Only identifiers of this module (table names from _meta, the fixed key and policy column
    # lists) are interpolated; every value is a query parameter.
    return f"""
        WITH pol (region_code, {columns}) AS (
            SELECT * FROM unnest(%(codes)s::text[], {unnest})
        ),
        base AS ({_BASES[rate]})
        SELECT {kind_sql} AS kind, {key} AS key, {district} AS district,
               COALESCE(SUM(amount) FILTER (WHERE ontime), 0),
               COALESCE(SUM(amount), 0),
               COUNT(DISTINCT unit) FILTER (WHERE ontime),
               COUNT(DISTINCT unit)
        FROM base
        WHERE {" AND ".join(where)}
        GROUP BY {group}
    """  # noqa: S608


@dataclass(frozen=True)
class _Row:
    rate: str
    key: str
    district: str
    figures: RateFigures
    kind: str = ""


def _compute_unscoped(
    *, month: dt.date, kind: str | None, filters: Filters, by_district: bool = False
) -> list[_Row]:
    """The five rates of ``month`` grouped by ``kind`` (and by district), over every hospital
    under ``filters.region_prefix``: five queries, one per rate. Not actor-scoped: callers
    decide what the actor may see (five_rates_scope)."""
    codes = _hospital_regions(filters.region_prefix)
    if not codes:
        return []
    policies = _policies(codes)
    params: dict[str, Any] = {
        "codes": codes,
        "prefix": filters.region_prefix + "%",
        "hospital_id": filters.hospital_id,
        "supplier_id": filters.supplier_id,
        "key": filters.key,
        "start": month_start(month),
        "end": month_start(next_month(month)),
        "first": month,
        "next": next_month(month),
    }
    for column, policy_field in _POLICY_COLUMNS.items():
        params[column] = [getattr(policies[c], policy_field) for c in codes]
    params["payment_days_max"] = max(params["payment_days"])
    params["payment_days_min"] = min(params["payment_days"])
    rows = []
    with connection.cursor() as cursor:
        for rate in Rate.values:
            cursor.execute(_rate_sql(rate, kind, filters, by_district=by_district), params)
            for row_kind, key, district, a_num, a_den, c_num, c_den in cursor.fetchall():
                rows.append(
                    _Row(
                        kind=row_kind,
                        rate=rate,
                        key=key,
                        district=district,
                        figures=RateFigures(
                            rate=rate,
                            amount_numerator=Decimal(a_num),
                            amount_denominator=Decimal(a_den),
                            count_numerator=c_num,
                            count_denominator=c_den,
                        ),
                    )
                )
    return rows


def five_rates_figures_unscoped(*, month: dt.date) -> list[tuple[str, str, str, RateFigures]]:
    """Every figure of ``month`` for freezing: (kind, key, district, figures with the
    district's threshold), over the whole platform, for each frozen slice kind: one query per
    rate (every kind grouped by district at once)."""
    from supervision.choices import FROZEN_KINDS

    rows = _compute_unscoped(month=month, kind=None, filters=Filters(), by_district=True)
    policies = _policies({row.district for row in rows})
    out = [
        (
            row.kind,
            row.key,
            row.district,
            RateFigures(
                **{
                    **row.figures.__dict__,
                    "threshold": getattr(policies[row.district], THRESHOLD_FIELD[row.rate]),
                }
            ),
        )
        for row in rows
        if row.kind in FROZEN_KINDS
    ]
    return out


def _frozen_unscoped(*, snapshot: FiveRatesSnapshot, kind: str, filters: Filters) -> list[_Row]:
    """A frozen month's figures, summed over the districts under the prefix."""
    source_kind = SliceKind.DISTRICT if kind == SliceKind.REGION else kind
    figures = FiveRatesFigure.objects.filter(
        snapshot=snapshot, kind=source_kind, region_code__startswith=filters.region_prefix
    )
    if filters.hospital_id is not None:
        figures = figures.filter(kind=SliceKind.HOSPITAL, key=str(filters.hospital_id))
    if filters.supplier_id is not None:
        figures = figures.filter(kind=SliceKind.SUPPLIER, key=str(filters.supplier_id))
    if kind == SliceKind.REGION:
        # A region's figures are its districts' (GB/T 2260: the city is the first four digits).
        from django.db.models import Value
        from django.db.models.functions import Concat, Substr

        figures = figures.annotate(group=Concat(Substr("region_code", 1, 4), Value("00")))
    else:
        from django.db.models import F

        figures = figures.annotate(group=F("key"))
    if filters.key is not None:
        figures = figures.filter(group=filters.key)
    rows = []
    for item in figures.values("group", "rate").annotate(
        a_num=Sum("amount_numerator"),
        a_den=Sum("amount_denominator"),
        c_num=Sum("count_numerator"),
        c_den=Sum("count_denominator"),
    ):
        rows.append(
            _Row(
                rate=item["rate"],
                key=item["group"],
                district="",
                figures=RateFigures(
                    rate=item["rate"],
                    amount_numerator=item["a_num"],
                    amount_denominator=item["a_den"],
                    count_numerator=item["c_num"],
                    count_denominator=item["c_den"],
                ),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Who may read which slice


@dataclass(frozen=True)
class Scope:
    """What the actor reads: the slice kind, the rows (filters), whose threshold applies, and
    whether the actor is a party reading its own rates (then ranked among its peers)."""

    kind: str
    filters: Filters
    policy_region: str
    own: bool = False
    peers: Filters | None = None


def _is_regulator(actor: Any) -> bool:
    return bool(set(actor.roles) & REGULATORS) and actor.organization.is_regulator


def five_rates_scope(*, actor: AnyActor, kind: object = "", key: object = "") -> Scope:
    """[R-FIVE-RATES] the slice ``kind`` (and ``key``) the actor asks for, or a refusal with the
    reason: a hospital reads only its own rates (kind ``hospital``), a supplier only its own
    (``supplier``), regulators any slice of their jurisdiction, platform administrators any.
    Another organisation's hospital or supplier, or one outside the regulator's jurisdiction,
    is missing (NotFoundError), never forbidden."""
    require(actor, "five_rates.view")
    if not is_active_actor(actor):  # require refused anyone else
        raise NotFoundError()
    org = actor.organization
    kind = str(kind or "")
    key = str(key or "").strip()
    if kind and kind not in SliceKind.values:
        raise FiveRatesSliceRefusedError(slice=kind[:20], reason=gettext("there is no such slice."))
    if PLATFORM_ADMIN in actor.roles or (org is not None and _is_regulator(actor)):
        prefix = "" if PLATFORM_ADMIN in actor.roles or org is None else org.jurisdiction
        kind = kind or SliceKind.DISTRICT
        return Scope(
            kind=kind,
            filters=Filters(region_prefix=prefix, key=_regulator_key(kind, key, prefix)),
            policy_region=org.region_code if org is not None else "",
        )
    if org is None:
        raise NotFoundError()
    own_kind = SliceKind.HOSPITAL if org.is_hospital else SliceKind.SUPPLIER
    if kind and kind != own_kind:
        raise FiveRatesSliceRefusedError(
            slice=SliceKind(kind).label,
            reason=gettext("hospitals and suppliers see only their own five rates."),
        )
    if key and key != str(org.pk):
        raise NotFoundError()
    if org.is_hospital:
        # Peers: the hospitals of the same city.
        city = org.region_code[:4]
        return Scope(
            kind=own_kind,
            filters=Filters(region_prefix=city, hospital_id=org.pk),
            policy_region=org.region_code,
            own=True,
            peers=Filters(region_prefix=city),
        )
    return Scope(
        kind=own_kind,
        filters=Filters(supplier_id=org.pk),
        policy_region=org.region_code,
        own=True,
        peers=Filters(),
    )


def _regulator_key(kind: str, key: str, prefix: str) -> str | None:
    """A regulator's slice key, checked against the jurisdiction: a region or district outside
    it is refused with the reason; a hospital or supplier it cannot see is missing."""
    if not key:
        return None
    if kind in (SliceKind.REGION, SliceKind.DISTRICT):
        if not (key.isdigit() and len(key) == 6):
            raise FiveRatesSliceRefusedError(
                slice=SliceKind(kind).label,
                reason=gettext("a region is a six-digit code (GB/T 2260)."),
            )
        if not key.startswith(prefix):
            raise FiveRatesSliceRefusedError(
                slice=SliceKind(kind).label,
                reason=gettext("region %(code)s is outside your jurisdiction.") % {"code": key},
            )
        return key
    if kind == SliceKind.CATEGORY:
        return key[:2]
    if not key.isdigit():
        raise NotFoundError()
    found = Organization.objects.filter(pk=int(key))
    if kind == SliceKind.HOSPITAL:
        found = found.hospitals().filter(region_code__startswith=prefix)
    else:
        found = found.suppliers()
    if not found.exists():
        raise NotFoundError()
    return key


# ---------------------------------------------------------------------------------------------
# The table a page and the API show


@dataclass
class FiveRatesTable:
    month: dt.date
    kind: str
    frozen: bool
    rows: list[SliceRates]
    peers: int = 0

    @property
    def below_count(self) -> int:
        return sum(1 for row in self.rows if row.below)


def frozen_snapshot(month: dt.date) -> FiveRatesSnapshot | None:
    return FiveRatesSnapshot.objects.filter(month=month).defer("report").first()


def _rows_for(month: dt.date, kind: str, filters: Filters) -> tuple[list[_Row], bool]:
    snapshot = frozen_snapshot(month) if month < current_month() else None
    if snapshot is not None:
        return _frozen_unscoped(snapshot=snapshot, kind=kind, filters=filters), True
    return _compute_unscoped(month=month, kind=kind, filters=filters), False


def _assemble(kind: str, rows: Sequence[_Row], policy_region: str) -> list[SliceRates]:
    """Slices from rate rows, each figure with its threshold: a hospital's or district's own
    region policy, a region's own, otherwise the reader's (the supplier's or category's
    figures span the reader's jurisdiction)."""
    slices: dict[str, SliceRates] = {}
    for row in rows:
        slices.setdefault(row.key, SliceRates(kind=kind, key=row.key)).rates[row.rate] = row.figures
    regions = _slice_regions(kind, list(slices))
    policies = _policies({*regions.values(), policy_region})
    labels = slice_labels(kind, list(slices))
    for key, item in slices.items():
        policy = policies[regions.get(key, policy_region)]
        item.label = labels.get(key, key)
        item.rates = {
            rate: RateFigures(
                **{**figures.__dict__, "threshold": getattr(policy, THRESHOLD_FIELD[rate])}
            )
            for rate, figures in item.rates.items()
        }
    return sorted(slices.values(), key=lambda s: s.key)


def _slice_regions(kind: str, keys: list[str]) -> dict[str, str]:
    if kind in (SliceKind.REGION, SliceKind.DISTRICT):
        return {k: k for k in keys}
    if kind == SliceKind.HOSPITAL:
        ids = [int(k) for k in keys]
        return {
            str(pk): code
            for pk, code in Organization.objects.filter(pk__in=ids).values_list("pk", "region_code")
        }
    return {}


def slice_labels(kind: str, keys: list[str]) -> dict[str, str]:
    """What a slice is called on a page and in the report (one query a kind)."""
    from core.regions import region_full_name

    if kind in (SliceKind.REGION, SliceKind.DISTRICT):
        return {k: f"{k} {region_full_name(k)}".strip() for k in keys}
    if kind in (SliceKind.HOSPITAL, SliceKind.SUPPLIER):
        ids = [int(k) for k in keys if k.isdigit()]
        return {
            str(pk): name
            for pk, name in Organization.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    names = dict(Category.objects.filter(code__in=keys, level=1).values_list("code", "name"))
    return {k: f"{k} {names.get(k, '')}".strip() for k in keys}


def five_rates_table(*, actor: AnyActor, month: dt.date, scope: Scope) -> FiveRatesTable:
    """[R-FIVE-RATES] the table the actor asked for (``scope`` from five_rates_scope): frozen
    figures for a frozen month, live ones otherwise. A party reading its own rates gets its
    rank among its peers for each rate (1 = best by amount; peers with nothing to count are
    not ranked)."""
    rows, frozen = _rows_for(month, scope.kind, scope.filters)
    table = FiveRatesTable(
        month=month,
        kind=scope.kind,
        frozen=frozen,
        rows=_assemble(scope.kind, rows, scope.policy_region),
    )
    if scope.own and scope.peers is not None:
        peer_rows, _frozen = _rows_for(month, scope.kind, scope.peers)
        ranks, table.peers = _ranks(peer_rows)
        for item in table.rows:
            item.rank = ranks.get(item.key, {})
    return table


def _ranks(rows: Iterable[_Row]) -> tuple[dict[str, dict[str, int]], int]:
    """Each key's rank for each rate by amount rate, best first (ties share a rank)."""
    by_rate: dict[str, list[tuple[Decimal, str]]] = defaultdict(list)
    keys = set()
    for row in rows:
        keys.add(row.key)
        value = row.figures.amount_rate
        if value is not None:
            by_rate[row.rate].append((value, row.key))
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    for rate, values in by_rate.items():
        values.sort(key=lambda v: -v[0])
        for value, key in values:
            ranks[key][rate] = 1 + sum(1 for other, _k in values if other > value)
    return ranks, len(keys)


def five_rates_below_unscoped(
    *, month: dt.date, region_prefix: str = ""
) -> dict[str, list[SliceRates]]:
    """[R-FIVE-RATES] the parties below a threshold in ``month`` under ``region_prefix``, by
    slice kind (hospitals and suppliers): what threshold notifications are sent to. Frozen
    figures for a frozen month, live ones otherwise."""
    out: dict[str, list[SliceRates]] = {}
    for kind in (SliceKind.HOSPITAL, SliceKind.SUPPLIER):
        rows, _frozen = _rows_for(month, kind, Filters(region_prefix=region_prefix))
        out[kind] = [s for s in _assemble(kind, rows, region_prefix.ljust(6, "0")) if s.below]
    return out


def five_rates_month_list(*, actor: AnyActor) -> list[FiveRatesSnapshot]:
    """The frozen months, newest first (their reports may be downloaded by regulators)."""
    require(actor, "five_rates.view")
    return list(FiveRatesSnapshot.objects.defer("report").order_by("-month")[:36])


def five_rates_report(*, actor: AnyActor, month: dt.date) -> FiveRatesSnapshot:
    """A frozen month's XLSX report, for regulators and platform administrators (the report
    names every hospital and supplier of the platform)."""
    require(actor, "five_rates.report")
    snapshot = FiveRatesSnapshot.objects.filter(month=month).first()
    if snapshot is None:
        from supervision.errors import FiveRatesSnapshotMissingError

        raise FiveRatesSnapshotMissingError(month=f"{month:%Y-%m}")
    return snapshot


def _rows_from_figures(
    figures: Iterable[tuple[str, str, str, RateFigures]], kind: str
) -> list[_Row]:
    """Frozen district figures summed into ``kind``'s slices (a region: its districts)."""
    source = SliceKind.DISTRICT if kind == SliceKind.REGION else kind
    sums: dict[tuple[str, str], RateFigures] = {}
    for figure_kind, key, district, figures_ in figures:
        if figure_kind != source:
            continue
        group = district[:4] + "00" if kind == SliceKind.REGION else key
        bare = RateFigures(**{**figures_.__dict__, "threshold": None})
        sums[group, bare.rate] = (
            sums[group, bare.rate] + bare if (group, bare.rate) in sums else bare
        )
    return [
        _Row(rate=rate, key=key, district="", figures=value) for (key, rate), value in sums.items()
    ]


def five_rates_report_tables(
    *, figures: Sequence[tuple[str, str, str, RateFigures]], policy_region: str
) -> dict[str, list[SliceRates]]:
    """The report's sheets (one per slice kind) from a month's district figures."""
    return {
        kind: _assemble(kind, _rows_from_figures(figures, kind), policy_region)
        for kind in SliceKind.values
    }


def five_rates_snapshot_figures(
    *, actor: AnyActor, month: dt.date
) -> tuple[FiveRatesSnapshot, list[tuple[str, str, str, RateFigures]]]:
    """A frozen month's figures under the actor's jurisdiction (all of them for platform
    administrators), for its XLSX report; regulators and administrators only."""
    snapshot = five_rates_report(actor=actor, month=month)
    org = actor.organization  # type: ignore[union-attr]  # require: an active user
    prefix = "" if PLATFORM_ADMIN in actor.roles or org is None else org.jurisdiction  # type: ignore[union-attr]
    rows = FiveRatesFigure.objects.filter(snapshot=snapshot, region_code__startswith=prefix)
    return snapshot, [
        (
            f.kind,
            f.key,
            f.region_code,
            RateFigures(
                rate=f.rate,
                amount_numerator=f.amount_numerator,
                amount_denominator=f.amount_denominator,
                count_numerator=f.count_numerator,
                count_denominator=f.count_denominator,
            ),
        )
        for f in rows
    ]


@dataclass(frozen=True)
class RateThreshold:
    rate: str
    label: str
    threshold: Decimal


def rate_thresholds(*, region_code: str) -> list[RateThreshold]:
    """Each rate's threshold in the region's policy, in the rates' order (a page's header)."""
    policy = policy_for(region_code) if region_code else RegionPolicy(region_code="")
    return [
        RateThreshold(
            rate=r.value, label=str(r.label), threshold=getattr(policy, THRESHOLD_FIELD[r])
        )
        for r in Rate
    ]


def five_rates_below_list(*, actor: AnyActor) -> QuerySet[FiveRatesFigure]:
    """[R-FIVE-RATES] the hospitals' and suppliers' figures below threshold in the last frozen
    month that the actor may see (regulators: their jurisdiction, per district; a hospital or
    supplier: its own), worst first."""
    require(actor, "five_rates.view")
    latest = FiveRatesSnapshot.objects.order_by("-month").values("month")[:1]
    return (
        FiveRatesFigure.objects.visible_to(actor)
        .filter(
            snapshot__month=Subquery(latest),
            kind__in=[SliceKind.HOSPITAL, SliceKind.SUPPLIER],
        )
        .below()
        .select_related("snapshot")
        .order_by("kind", "key", "region_code", "rate")
    )


def figure_labels(figures: Iterable[FiveRatesFigure]) -> dict[tuple[str, str], str]:
    """The names of the figures' hospitals and suppliers (one query)."""
    ids = {int(f.key) for f in figures if f.key.isdigit()}
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {(f.kind, f.key): names.get(int(f.key), f.key) for f in figures if f.key.isdigit()}
