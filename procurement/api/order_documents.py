"""Orders as JSON built by PostgreSQL: the body of every order the API returns.

The shape is OrderOutput's (and OrderLineOutput's, and the brief outputs') declared fields,
formatted as DRF formats them (core.json_sql); test_order_documents pins the two equal. The ids
always come from an actor-scoped selector (procurement.selectors.orders): this module shapes
output, it decides nothing about who sees what.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from core.errors import NotFoundError
from core.json_sql import fetch_row, model_object, serializer_object
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.api.serializers.orders import OrderLineOutput, OrderOutput
from procurement.models import Order, OrderLine

_TZ = "z.tz"


@functools.cache
def _order_object() -> str:
    line = model_object(
        OrderLine,
        OrderLineOutput.Meta.fields,
        "l",
        tz=_TZ,
        overrides={"consumable": "cj.doc"},
    )
    lines = (
        f"(SELECT coalesce(json_agg({line} ORDER BY l.id), '[]'::json) "  # noqa: S608
        "FROM procurement_orderline l JOIN cj ON cj.id = l.consumable_id "
        "WHERE l.order_id = o.id)"
    )
    return model_object(
        Order,
        OrderOutput.Meta.fields,
        "o",
        tz=_TZ,
        overrides={
            "hospital": serializer_object(OrganizationBriefOutput, "h", tz=_TZ),
            "supplier": serializer_object(OrganizationBriefOutput, "s", tz=_TZ),
            "distributor": serializer_object(OrganizationBriefOutput, "d", tz=_TZ, nullable=True),
            "lines": lines,
        },
    )


@functools.cache
def _product_object() -> str:
    return serializer_object(ConsumableBriefOutput, "c", tz=_TZ)


def _statement(page: str, columns: str) -> str:
    """The documents of the orders in ``page`` (rows of ``id`` and position ``n``). The
    products of the page's lines are built into JSON once each (``cj``): a page names a
    handful of products over hundreds of lines, and a json value goes into its line as it is.

    It starts with SELECT, not WITH, because pghistory prefixes its context to any other
    statement, which a prepared statement cannot take. Every name in it comes from our models
    and serializers (core.json_sql checks them); the values are bound parameters: the time
    zone, the page size, then those of ``page``."""
    return (
        "SELECT q.* FROM (WITH z AS (SELECT %s::text AS tz, %s::int AS size), "  # noqa: S608
        f"page AS MATERIALIZED ({page}), "
        f"cj AS MATERIALIZED (SELECT c.id, row_to_json({_product_object()}) AS doc "
        "FROM catalog_consumable c WHERE c.id IN (SELECT l.consumable_id "
        "FROM procurement_orderline l JOIN page ON l.order_id = page.id)) "
        f"SELECT {columns} FROM z CROSS JOIN page "
        "JOIN procurement_order o ON o.id = page.id "
        "JOIN accounts_organization h ON h.id = o.hospital_id "
        "JOIN accounts_organization s ON s.id = o.supplier_id "
        "LEFT JOIN accounts_organization d ON d.id = o.distributor_id) q"
    )


@functools.cache
def _listed_sql() -> str:
    """Documents of orders given by id, in the given order (built once per process)."""
    return _statement(
        "SELECT p.id, p.n FROM unnest(%s::bigint[]) WITH ORDINALITY AS p(id, n)",
        f"coalesce(json_agg({_order_object()} ORDER BY page.n), '[]'::json)::text",
    )


@functools.cache
def _queried_columns() -> str:
    """The first ``size`` documents of the page, how many rows the query gave, and the last
    document's keys (for the next page's cursor)."""
    return (
        f"coalesce(json_agg({_order_object()} ORDER BY page.n) "
        "FILTER (WHERE page.n <= z.size), '[]'::json)::text, count(*), "
        "max(page.created_at) FILTER (WHERE page.n = z.size), "
        "max(page.id) FILTER (WHERE page.n = z.size)"
    )


def order_documents_json(order_ids: Sequence[int]) -> str:
    """A JSON array (text) of the orders ``order_ids``, in that order, each with its parties
    and lines: one query whatever the number of orders and lines."""
    if not order_ids:
        return "[]"
    tz = timezone.get_current_timezone_name()
    return fetch_row(_listed_sql(), [tz, len(order_ids), list(order_ids)])[0]


@dataclass(frozen=True)
class OrderPage:
    documents: str  # a JSON array (text)
    more: bool  # the query had rows past this page
    last: tuple[dt.datetime, int] | None  # (created_at, id) of the last order, if ``more``


def order_page_json(rows: QuerySet, *, size: int) -> OrderPage:
    """The documents of the first ``size`` orders of ``rows``, an actor-scoped query of
    ``("id", "created_at")`` values (a keyset page plus one row): one statement, prepared,
    the page's selection and its documents together."""
    rows_sql, rows_params = rows.query.sql_with_params()
    page = (
        "SELECT ids.id, ids.created_at, row_number() OVER "  # noqa: S608
        f"(ORDER BY ids.created_at DESC, ids.id DESC) AS n FROM ({rows_sql}) ids"
    )
    sql = _statement(page, _queried_columns())
    params = [timezone.get_current_timezone_name(), size, *rows_params]
    documents, count, last_created_at, last_id = fetch_row(sql, params)
    more = count > size
    return OrderPage(documents, more, (last_created_at, last_id) if more else None)


def order_document_json(rows: QuerySet) -> str:
    """The one order of ``rows`` (an actor-scoped query of ``("id", "created_at")``) as a
    JSON object (text); 404 when the actor may not see it."""
    text = order_page_json(rows, size=1).documents
    if text == "[]":
        raise NotFoundError()
    # An array of exactly one object: strip the brackets rather than parse and re-serialise.
    return text[1:-1]
