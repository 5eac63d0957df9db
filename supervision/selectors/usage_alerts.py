"""Usage-based abnormal-use rules [R-ALERT-USE] [R-ZERO-MARKUP] (docs/alerts-usage.md).

Four evaluators over procurement's usage records (what the hospitals' HIS reported used in
operations), each over a look-back window of ``window_days`` days ending at ``as_of``
(Asia/Shanghai days, both ends included), for the hospitals in a region's jurisdiction (the
code prefix of ``region_code``: 32 for a province, 3201 for a city, the code itself for a
district). Each returns findings; the alert engine (supervision.selectors.alert_rules) turns
them into alerts, de-duplicated by ``subject_key`` within the rule.

- ``doctor_brand_share`` [R-ALERT-USE]: one doctor's share of one brand (manufacturer) in a
  level-3 product category, by quantity, above ``share_pct`` percent, when the doctor used at
  least ``min_volume`` units in the category and at least two brands are listed on the
  platform in that category (with only one brand listed, one brand is no choice).
- ``usage_per_operation`` [R-ALERT-USE]: the quantity of a level-3 category used in one
  operation, against the operations of the same category and department in the region (the
  procedure category): a robust z-score ``0.6745·(x − median) / MAD`` above ``z_threshold``,
  when the peer group has at least ``min_peers`` operations. When MAD is 0 (more than half the
  peers used the same quantity) the mean absolute deviation stands in:
  ``(x − median) / (1.253314·MeanAD)``; when that is 0 too, all peers used the same and
  nothing is abnormal.
- ``zero_markup`` [R-ZERO-MARKUP]: usage records charged to the patient at a unit price that
  differs from the purchase price by more than ``tolerance`` yuan. The purchase price is the
  unit price of the hospital's order line the lot was accepted from (a delivery line of the
  same lot with units accepted); without a lot match, the hospital's latest order line of the
  product with units accepted, preferring orders submitted before the use. A record without
  a charged price, or of a product the hospital never received from the platform, is not
  judged here (the latter is ``off_platform``'s).
- ``off_platform``: usage of a product the hospital never bought on the platform (no order
  line of a submitted, confirmed or completed order that is not rejected or cancelled, by the
  window's end) and never registered as an emergency purchase (bought by ``as_of``), at least
  ``min_quantity`` units in the window.

All the counting is SQL (one grouped query per rule, PostgreSQL's percentile_cont for
medians); Python only reads the grouped rows. A few more queries per evaluation, never per
record, load the evidence rows (at most ``EVIDENCE_LIMIT`` usage records per finding, after a
summary row with the totals) and the names the summaries quote.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Organization
from catalog.models import Category, Consumable
from core.clock import SHANGHAI
from core.money import quantize
from core.regions import jurisdiction_prefix
from procurement.choices import COUNTED_LINE_STATUSES, COUNTED_ORDER_STATUSES, ListingStatus
from procurement.models import (
    Delivery,
    DeliveryLine,
    EmergencyPurchase,
    EmergencyPurchaseLine,
    Listing,
    Order,
    OrderLine,
    UsageRecord,
)
from supervision.selectors.alert_rules import register_rule_dicts

RULE_ID_USE = "R-ALERT-USE"
RULE_ID_ZERO_MARKUP = "R-ZERO-MARKUP"
EVIDENCE_LIMIT = 50
# The robust z-score's constants (Iglewicz and Hoaglin): 0.6745 is the 0.75 quantile of the
# standard normal, so 0.6745·(x − median)/MAD ~ N(0, 1) for normal data; 1.253314 = √(π/2)
# scales the mean absolute deviation when MAD is 0.
Z_FACTOR = Decimal("0.6745")
MEANAD_FACTOR = Decimal("1.253314")

LOW, MEDIUM, HIGH = "low", "medium", "high"


@dataclass(frozen=True)
class UsageFinding:
    subject_key: str
    region_code: str
    hospital_id: int | None
    supplier_id: int | None
    severity: str
    summary: str
    measured: Decimal
    threshold: Decimal
    evidence: list[dict]


Params = Mapping[str, Decimal]


# --- Shared -----------------------------------------------------------------------------------


def _window(as_of: dt.date, days: Decimal) -> tuple[dt.datetime, dt.datetime]:
    """[start, end): the ``days`` Asia/Shanghai days ending with ``as_of``."""
    first = as_of - dt.timedelta(days=int(days) - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    return start, end


def _param(params: Params, code: str, name: str) -> Decimal:
    """The engine's value for ``name``, else the rule's default."""
    if name in params and params[name] is not None:
        return Decimal(params[name])
    rule = next(r for r in USAGE_RULES if r["code"] == code)
    return next(default for n, _label, _lo, _hi, default in rule["params"] if n == name)


def _rows(sql: str, args: Mapping[str, Any], *, json_columns: Sequence[str] = ()) -> list[dict]:
    """The rows of a raw query as dicts; ``json_columns`` decoded (Django's connection hands
    jsonb over as text, for its JSONField to decode)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        names = [col.name for col in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        for name in json_columns:
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
    return rows


def _tables() -> dict[str, str]:
    models: dict[str, Any] = {
        "usage": UsageRecord,
        "org": Organization,
        "consumable": Consumable,
        "listing": Listing,
        "order": Order,
        "line": OrderLine,
        "delivery": Delivery,
        "dline": DeliveryLine,
        "emergency": EmergencyPurchase,
        "eline": EmergencyPurchaseLine,
    }
    return {key: connection.ops.quote_name(m._meta.db_table) for key, m in models.items()}


def _scope(region_code: str, params: Params, code: str, as_of: dt.date) -> dict[str, Any]:
    start, end = _window(as_of, _param(params, code, "window_days"))
    return {"prefix": jurisdiction_prefix(region_code) + "%", "start": start, "end": end}


# The usage records in scope: the jurisdiction's hospitals, used within the window.
_IN_SCOPE = """
    h.region_code LIKE %(prefix)s AND r.used_at >= %(start)s AND r.used_at < %(end)s
"""


def _usage_rows(ids: Sequence[int], extra: Mapping[int, dict] | None = None) -> dict[int, dict]:
    """The evidence rows of usage records, by id, in one query."""
    rows = (
        UsageRecord.objects.filter(id__in=ids)
        .order_by()
        .values(
            "id",
            "hospital_id",
            "used_at",
            "operation_id",
            "doctor_code",
            "department",
            "consumable_id",
            "consumable__product_name",
            "manufacturer_id",
            "lot",
            "quantity",
            "charged_price",
        )
    )
    result: dict[int, dict] = {}
    for row in rows:
        price = row["charged_price"]
        result[row["id"]] = {
            "kind": "usage_record",
            "id": row["id"],
            "hospital_id": row["hospital_id"],
            "used_at": row["used_at"].astimezone(SHANGHAI).isoformat(),
            "operation_id": row["operation_id"],
            "doctor_code": row["doctor_code"],
            "department": row["department"],
            "consumable_id": row["consumable_id"],
            "product": row["consumable__product_name"],
            "manufacturer_id": row["manufacturer_id"],
            "lot": row["lot"],
            "quantity": row["quantity"],
            "charged_price": None if price is None else str(price),
            **(extra or {}).get(row["id"], {}),
        }
    return result


def _with_evidence(
    groups: list[dict[str, Any]],
    build: Callable[[dict[str, Any], list[dict]], UsageFinding],
    extra: Mapping[int, dict] | None = None,
) -> list[UsageFinding]:
    """Findings from grouped rows, each group carrying ``ids`` (its first usage record ids):
    the evidence rows of all groups loaded in one query."""
    loaded = _usage_rows([i for g in groups for i in g["ids"]], extra)
    return [build(g, [loaded[i] for i in g["ids"] if i in loaded]) for g in groups]


def _names(model: Any, ids: set[int], field: str) -> dict[int, str]:
    return dict(model.objects.filter(id__in=ids).values_list("id", field))


def _categories(codes: set[str]) -> dict[str, str]:
    """A category's code with its name, for the summaries: "010110 血管介入..."."""
    names = dict(Category.objects.filter(code__in=codes).values_list("code", "name"))
    return {code: f"{code} {names[code]}" if names.get(code) else code for code in codes}


def _pct(value: Decimal) -> str:
    return f"{value:.1f}%"


# --- doctor_brand_share [R-ALERT-USE] ---------------------------------------------------------

_BRAND_SHARE_SQL = """
WITH used AS (
    SELECT r.hospital_id, h.region_code, r.doctor_code, c.category_l3 AS category,
           r.manufacturer_id AS brand, SUM(r.quantity) AS qty,
           (array_agg(r.id ORDER BY r.used_at DESC, r.id DESC))[1:%(limit)s] AS ids
    FROM {usage} r
    JOIN {org} h ON h.id = r.hospital_id
    JOIN {consumable} c ON c.id = r.consumable_id
    WHERE {scope} AND r.manufacturer_id IS NOT NULL
    GROUP BY r.hospital_id, h.region_code, r.doctor_code, c.category_l3, r.manufacturer_id
), doctor AS (
    SELECT hospital_id, doctor_code, category, SUM(qty)::bigint AS total, COUNT(*) AS brands_used,
           jsonb_agg(jsonb_build_object('brand', brand, 'quantity', qty)
                     ORDER BY qty DESC, brand) AS breakdown
    FROM used GROUP BY hospital_id, doctor_code, category
), top AS (
    SELECT DISTINCT ON (hospital_id, doctor_code, category) *
    FROM used ORDER BY hospital_id, doctor_code, category, qty DESC, brand
), listed AS (
    SELECT c.category_l3 AS category, COUNT(DISTINCT l.manufacturer_id) AS brands
    FROM {listing} l JOIN {consumable} c ON c.id = l.consumable_id
    WHERE l.status = %(listed)s
    GROUP BY c.category_l3
)
SELECT top.hospital_id, top.region_code, top.doctor_code, top.category, top.brand, top.qty,
       top.ids, doctor.total, doctor.brands_used, doctor.breakdown, listed.brands AS listed_brands
FROM top
JOIN doctor USING (hospital_id, doctor_code, category)
JOIN listed USING (category)
WHERE doctor.total >= %(min_volume)s AND listed.brands >= 2
  AND top.qty * 100 > %(share_pct)s * doctor.total
ORDER BY top.hospital_id, top.doctor_code, top.category
"""


def doctor_brand_share(*, region_code: str, params: Params, as_of: dt.date) -> list[UsageFinding]:
    """[R-ALERT-USE] a doctor's single-brand share of a category above ``share_pct``."""
    code = "doctor_brand_share"
    share_pct = _param(params, code, "share_pct")
    args = {
        **_scope(region_code, params, code, as_of),
        "limit": EVIDENCE_LIMIT,
        "listed": ListingStatus.LISTED,
        "min_volume": _param(params, code, "min_volume"),
        "share_pct": share_pct,
    }
    groups = _rows(
        _BRAND_SHARE_SQL.format(scope=_IN_SCOPE, **_tables()), args, json_columns=["breakdown"]
    )
    brands = _names(Organization, {b["brand"] for g in groups for b in g["breakdown"]}, "name")
    categories = _categories({g["category"] for g in groups})

    def build(g: dict[str, Any], rows: list[dict]) -> UsageFinding:
        share = Decimal(g["qty"] * 100) / Decimal(g["total"])
        severity = (
            HIGH if g["brands_used"] == 1 else MEDIUM if share >= (share_pct + 100) / 2 else LOW
        )
        summary = _(
            "Doctor %(doctor)s used %(brand)s for %(share)s of %(total)s units in category "
            "%(category)s (threshold %(threshold)s; %(listed)s brands listed)."
        ) % {
            "doctor": g["doctor_code"],
            "brand": brands.get(g["brand"], g["brand"]),
            "share": _pct(share),
            "total": g["total"],
            "category": categories[g["category"]],
            "threshold": _pct(share_pct),
            "listed": g["listed_brands"],
        }
        summary_row = {
            "kind": "summary",
            "doctor_code": g["doctor_code"],
            "category": g["category"],
            "total_quantity": g["total"],
            "brand_quantity": g["qty"],
            "listed_brands": g["listed_brands"],
            "brands": [{**b, "name": brands.get(b["brand"], "")} for b in g["breakdown"]],
            "records_shown": len(rows),
        }
        return UsageFinding(
            subject_key=f"h:{g['hospital_id']}:doctor:{g['doctor_code']}:cat:{g['category']}",
            region_code=g["region_code"],
            hospital_id=g["hospital_id"],
            supplier_id=g["brand"],
            severity=severity,
            summary=summary,
            measured=share.quantize(Decimal("0.01")),
            threshold=share_pct,
            evidence=[summary_row, *rows],
        )

    return _with_evidence(groups, build)


# --- usage_per_operation [R-ALERT-USE] --------------------------------------------------------

_PER_OPERATION_SQL = """
WITH ops AS (
    SELECT r.hospital_id, h.region_code, r.operation_id, c.category_l3 AS category,
           r.department, SUM(r.quantity) AS qty, COUNT(*) AS records,
           (array_agg(r.id ORDER BY r.used_at, r.id))[1:%(limit)s] AS ids
    FROM {usage} r
    JOIN {org} h ON h.id = r.hospital_id
    JOIN {consumable} c ON c.id = r.consumable_id
    WHERE {scope}
    GROUP BY r.hospital_id, h.region_code, r.operation_id, c.category_l3, r.department
), peers AS (
    SELECT category, department, COUNT(*) AS peers,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY qty) AS median
    FROM ops GROUP BY category, department
), dev AS (
    SELECT ops.*, peers.peers, peers.median, abs(ops.qty - peers.median) AS d
    FROM ops JOIN peers USING (category, department)
), spread AS (
    SELECT category, department,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS mad, SUM(d) AS sum_d
    FROM dev GROUP BY category, department
)
SELECT dev.hospital_id, dev.region_code, dev.operation_id, dev.category, dev.department,
       dev.qty, dev.records, dev.ids, dev.peers, dev.median, spread.mad, spread.sum_d
FROM dev JOIN spread USING (category, department)
WHERE dev.peers >= %(min_peers)s AND dev.qty > dev.median
ORDER BY dev.category, dev.department, dev.hospital_id, dev.operation_id
"""


def robust_z(x: Decimal, median: Decimal, mad: Decimal, mean_ad: Decimal) -> Decimal | None:
    """0.6745·(x − median)/MAD; with MAD 0, (x − median)/(1.253314·MeanAD); None when both
    spreads are 0 (every peer used the same)."""
    if mad > 0:
        return Z_FACTOR * (x - median) / mad
    if mean_ad > 0:
        return (x - median) / (MEANAD_FACTOR * mean_ad)
    return None


def _exact(value: float) -> Decimal:
    """A median of integers (an integer or a half) as the exact Decimal it is."""
    return Decimal(repr(value))


def usage_per_operation(*, region_code: str, params: Params, as_of: dt.date) -> list[UsageFinding]:
    """[R-ALERT-USE] an operation's quantity of a category far above its peers'."""
    code = "usage_per_operation"
    z_threshold = _param(params, code, "z_threshold")
    args = {
        **_scope(region_code, params, code, as_of),
        "limit": EVIDENCE_LIMIT,
        "min_peers": _param(params, code, "min_peers"),
    }
    candidates = _rows(_PER_OPERATION_SQL.format(scope=_IN_SCOPE, **_tables()), args)
    groups: list[dict[str, Any]] = []
    for g in candidates:
        median, mad = _exact(g["median"]), _exact(g["mad"])
        mean_ad = _exact(g["sum_d"]) / Decimal(g["peers"])
        z = robust_z(Decimal(g["qty"]), median, mad, mean_ad)
        if z is not None and z > z_threshold:
            groups.append({**g, "median": median, "mad": mad, "mean_ad": mean_ad, "z": z})
    categories = _categories({g["category"] for g in groups})

    def build(g: dict[str, Any], rows: list[dict]) -> UsageFinding:
        z = g["z"]
        severity = HIGH if z > 3 * z_threshold else MEDIUM if z > 2 * z_threshold else LOW
        summary = _(
            "Operation %(operation)s used %(qty)s units of category %(category)s in "
            "%(department)s; the median of %(peers)s operations is %(median)s "
            "(robust z-score %(z)s, threshold %(threshold)s)."
        ) % {
            "operation": g["operation_id"],
            "qty": g["qty"],
            "category": categories[g["category"]],
            "department": g["department"],
            "peers": g["peers"],
            "median": g["median"].normalize(),
            "z": f"{z:.2f}",
            "threshold": z_threshold,
        }
        summary_row = {
            "kind": "summary",
            "operation_id": g["operation_id"],
            "category": g["category"],
            "department": g["department"],
            "quantity": g["qty"],
            "peers": g["peers"],
            "median": str(g["median"]),
            "mad": str(g["mad"]),
            "mean_absolute_deviation": str(g["mean_ad"].quantize(Decimal("0.0001"))),
            "z_score": str(z.quantize(Decimal("0.01"))),
            "records": g["records"],
            "records_shown": len(rows),
        }
        key = (
            f"h:{g['hospital_id']}:op:{g['operation_id']}:cat:{g['category']}"
            f":dept:{g['department']}"
        )
        return UsageFinding(
            subject_key=key,
            region_code=g["region_code"],
            hospital_id=g["hospital_id"],
            supplier_id=None,
            severity=severity,
            summary=summary,
            measured=z.quantize(Decimal("0.01")),
            threshold=z_threshold,
            evidence=[summary_row, *rows],
        )

    return _with_evidence(groups, build)


# --- zero_markup [R-ZERO-MARKUP] --------------------------------------------------------------

_ZERO_MARKUP_SQL = """
WITH priced AS (
    SELECT r.id, r.hospital_id, h.region_code, r.consumable_id, r.used_at, r.quantity,
           r.charged_price, p.line_id, p.unit_price AS purchase_price, p.lot_match
    FROM {usage} r
    JOIN {org} h ON h.id = r.hospital_id
    CROSS JOIN LATERAL (
        SELECT ol.id AS line_id, ol.unit_price,
               (r.lot <> '' AND EXISTS (
                   SELECT 1 FROM {dline} dl JOIN {delivery} d ON d.id = dl.delivery_id
                   WHERE dl.order_line_id = ol.id AND dl.lot = r.lot
                     AND dl.accepted_quantity > 0 AND d.accepted_at IS NOT NULL
               )) AS lot_match
        FROM {line} ol JOIN {order} o ON o.id = ol.order_id
        WHERE o.hospital_id = r.hospital_id AND ol.consumable_id = r.consumable_id
          AND ol.accepted_quantity > 0
        ORDER BY 3 DESC, (o.submitted_at <= r.used_at) DESC, o.submitted_at DESC, ol.id DESC
        LIMIT 1
    ) p
    WHERE {scope} AND r.charged_price IS NOT NULL
)
SELECT hospital_id, region_code, consumable_id, COUNT(*) AS records, SUM(quantity) AS units,
       MAX(abs(charged_price - purchase_price)) AS max_gap,
       MAX(abs(charged_price - purchase_price) / purchase_price) AS max_relative,
       SUM((charged_price - purchase_price) * quantity) AS net_gap,
       (array_agg(id ORDER BY abs(charged_price - purchase_price) DESC, id))[1:%(limit)s] AS ids,
       jsonb_object_agg(id, jsonb_build_object(
           'purchase_price', purchase_price::text, 'order_line_id', line_id,
           'lot_match', lot_match)) AS prices
FROM priced
WHERE abs(charged_price - purchase_price) > %(tolerance)s
GROUP BY hospital_id, region_code, consumable_id
ORDER BY hospital_id, consumable_id
"""


def zero_markup(*, region_code: str, params: Params, as_of: dt.date) -> list[UsageFinding]:
    """[R-ZERO-MARKUP] usage records charged at other than the purchase price."""
    code = "zero_markup"
    tolerance = _param(params, code, "tolerance")
    args = {
        **_scope(region_code, params, code, as_of),
        "limit": EVIDENCE_LIMIT,
        "tolerance": tolerance,
    }
    groups = _rows(
        _ZERO_MARKUP_SQL.format(scope=_IN_SCOPE, **_tables()), args, json_columns=["prices"]
    )
    extra: dict[int, dict] = {}
    for g in groups:
        for key, price in g.pop("prices").items():
            if int(key) in g["ids"]:
                extra[int(key)] = price
    products = _names(Consumable, {g["consumable_id"] for g in groups}, "product_name")

    def build(g: dict[str, Any], rows: list[dict]) -> UsageFinding:
        relative = g["max_relative"]
        severity = (
            HIGH if relative >= Decimal("0.10") else MEDIUM if relative >= Decimal("0.02") else LOW
        )
        summary = ngettext(
            "%(records)s usage record of %(product)s was charged to the patient at other than "
            "the purchase price: %(gap)s yuan a unit at most, %(net)s yuan in all "
            "(tolerance %(tolerance)s).",
            "%(records)s usage records of %(product)s were charged to patients at other than "
            "the purchase price: %(gap)s yuan a unit at most, %(net)s yuan in all "
            "(tolerance %(tolerance)s).",
            g["records"],
        ) % {
            "records": g["records"],
            "product": products.get(g["consumable_id"], g["consumable_id"]),
            "gap": quantize(g["max_gap"]),
            "net": quantize(g["net_gap"]),
            "tolerance": quantize(tolerance),
        }
        summary_row = {
            "kind": "summary",
            "consumable_id": g["consumable_id"],
            "records": g["records"],
            "units": g["units"],
            "max_unit_difference": str(quantize(g["max_gap"])),
            "net_difference": str(quantize(g["net_gap"])),
            "records_shown": len(rows),
        }
        return UsageFinding(
            subject_key=f"h:{g['hospital_id']}:product:{g['consumable_id']}",
            region_code=g["region_code"],
            hospital_id=g["hospital_id"],
            supplier_id=None,
            severity=severity,
            summary=summary,
            measured=quantize(g["max_gap"]),
            threshold=tolerance,
            evidence=[summary_row, *rows],
        )

    return _with_evidence(groups, build, extra)


# --- off_platform -----------------------------------------------------------------------------

_OFF_PLATFORM_SQL = """
SELECT r.hospital_id, h.region_code, r.consumable_id, c.manufacturer_id,
       COUNT(*) AS records, SUM(r.quantity) AS units,
       (array_agg(r.id ORDER BY r.used_at DESC, r.id DESC))[1:%(limit)s] AS ids
FROM {usage} r
JOIN {org} h ON h.id = r.hospital_id
JOIN {consumable} c ON c.id = r.consumable_id
WHERE {scope}
  AND NOT EXISTS (
      SELECT 1 FROM {line} ol JOIN {order} o ON o.id = ol.order_id
      WHERE o.hospital_id = r.hospital_id AND ol.consumable_id = r.consumable_id
        AND o.status = ANY(%(order_statuses)s) AND ol.status = ANY(%(line_statuses)s)
        AND o.submitted_at < %(end)s
  )
  AND NOT EXISTS (
      SELECT 1 FROM {eline} el JOIN {emergency} e ON e.id = el.purchase_id
      WHERE e.hospital_id = r.hospital_id AND el.consumable_id = r.consumable_id
        AND e.bought_on <= %(as_of)s
  )
GROUP BY r.hospital_id, h.region_code, r.consumable_id, c.manufacturer_id
HAVING SUM(r.quantity) >= %(min_quantity)s
ORDER BY r.hospital_id, r.consumable_id
"""


def off_platform(*, region_code: str, params: Params, as_of: dt.date) -> list[UsageFinding]:
    """Usage of products never bought on the platform nor registered as emergency purchases
    (an off-platform purchase, a violation of [R-ORDER-ONLINE])."""
    code = "off_platform"
    min_quantity = _param(params, code, "min_quantity")
    args = {
        **_scope(region_code, params, code, as_of),
        "limit": EVIDENCE_LIMIT,
        "min_quantity": min_quantity,
        "as_of": as_of,
        "order_statuses": [str(s) for s in COUNTED_ORDER_STATUSES],
        "line_statuses": [str(s) for s in COUNTED_LINE_STATUSES],
    }
    groups = _rows(_OFF_PLATFORM_SQL.format(scope=_IN_SCOPE, **_tables()), args)
    products = _names(Consumable, {g["consumable_id"] for g in groups}, "product_name")

    def build(g: dict[str, Any], rows: list[dict]) -> UsageFinding:
        units = Decimal(g["units"])
        severity = (
            HIGH if units >= 10 * min_quantity else MEDIUM if units >= 3 * min_quantity else LOW
        )
        summary = ngettext(
            "%(units)s unit of %(product)s was used, but the hospital never bought the product "
            "on the platform nor registered an emergency purchase of it.",
            "%(units)s units of %(product)s were used, but the hospital never bought the "
            "product on the platform nor registered an emergency purchase of it.",
            g["units"],
        ) % {
            "units": g["units"],
            "product": products.get(g["consumable_id"], g["consumable_id"]),
            "records": g["records"],
        }
        summary_row = {
            "kind": "summary",
            "consumable_id": g["consumable_id"],
            "records": g["records"],
            "units": g["units"],
            "records_shown": len(rows),
        }
        return UsageFinding(
            subject_key=f"h:{g['hospital_id']}:product:{g['consumable_id']}",
            region_code=g["region_code"],
            hospital_id=g["hospital_id"],
            supplier_id=g["manufacturer_id"],
            severity=severity,
            summary=summary,
            measured=units,
            threshold=min_quantity,
            evidence=[summary_row, *rows],
        )

    return _with_evidence(groups, build)


# --- The registry the alert engine reads -------------------------------------------------------


def _window_param() -> tuple:
    return (
        "window_days",
        gettext_lazy("Look-back window (days)"),
        Decimal(7),
        Decimal(730),
        Decimal(90),
    )


USAGE_RULES: list[dict[str, Any]] = [
    {
        "code": "doctor_brand_share",
        "rule_id": RULE_ID_USE,
        "title": gettext_lazy("A doctor's single-brand share in a category"),
        "params": [
            _window_param(),
            (
                "share_pct",
                gettext_lazy("Single-brand share above (%)"),
                Decimal(50),
                Decimal(100),
                Decimal(80),
            ),
            (
                "min_volume",
                gettext_lazy("Minimum units used by the doctor in the category"),
                Decimal(1),
                Decimal(100000),
                Decimal(20),
            ),
        ],
        "evaluate": doctor_brand_share,
    },
    {
        "code": "usage_per_operation",
        "rule_id": RULE_ID_USE,
        "title": gettext_lazy("Consumption per operation far above peers"),
        "params": [
            _window_param(),
            (
                "z_threshold",
                gettext_lazy("Robust z-score above"),
                Decimal(1),
                Decimal(20),
                Decimal("3.5"),
            ),
            (
                "min_peers",
                gettext_lazy("Minimum operations in the peer group"),
                Decimal(3),
                Decimal(100000),
                Decimal(10),
            ),
        ],
        "evaluate": usage_per_operation,
    },
    {
        "code": "zero_markup",
        "rule_id": RULE_ID_ZERO_MARKUP,
        "title": gettext_lazy("Charged to the patient at other than the purchase price"),
        "params": [
            _window_param(),
            (
                "tolerance",
                gettext_lazy("Tolerance per unit (yuan)"),
                Decimal("0.00"),
                Decimal("1000.00"),
                Decimal("0.00"),
            ),
        ],
        "evaluate": zero_markup,
    },
    {
        "code": "off_platform",
        "rule_id": RULE_ID_USE,
        "title": gettext_lazy("Usage of products never bought on the platform"),
        "params": [
            _window_param(),
            (
                "min_quantity",
                gettext_lazy("Minimum units used"),
                Decimal(1),
                Decimal(100000),
                Decimal(1),
            ),
        ],
        "evaluate": off_platform,
    },
]


# Registered with the alert engine at import (supervision.selectors.alert_rules.RULE_MODULES).
register_rule_dicts(USAGE_RULES)
