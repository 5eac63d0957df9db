"""Orders as JSON built by PostgreSQL: the body of every order the API returns.

The shape is OrderOutput's (and OrderLineOutput's, and the brief outputs') declared fields,
formatted as DRF formats them (core.json_sql); test_order_documents pins the two equal. The ids
always come from an actor-scoped selector (procurement.selectors.orders): this module shapes
output, it decides nothing about who sees what.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.utils import timezone

from core.errors import NotFoundError
from core.json_sql import fetch_text, model_object, serializer_object
from procurement.api.listing_serializers import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.api.order_serializers import OrderLineOutput, OrderOutput
from procurement.models import Order, OrderLine

_TZ = "z.tz"


def _order_object() -> str:
    line = model_object(
        OrderLine,
        OrderLineOutput.Meta.fields,
        "l",
        tz=_TZ,
        overrides={"consumable": serializer_object(ConsumableBriefOutput, "c", tz=_TZ)},
    )
    lines = (
        f"(SELECT coalesce(json_agg({line} ORDER BY l.id), '[]'::json) "  # noqa: S608
        "FROM procurement_orderline l JOIN catalog_consumable c ON c.id = l.consumable_id "
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
def _sql() -> str:
    """Built once per process, after the apps are loaded. Every name in it comes from our
    models and serializers (core.json_sql checks them); the values are bound parameters."""
    return (
        f"SELECT coalesce(json_agg({_order_object()} ORDER BY page.n), '[]'::json)::text "  # noqa: S608
        "FROM unnest(%s::bigint[]) WITH ORDINALITY AS page(id, n) "
        "CROSS JOIN (SELECT %s::text AS tz) z "
        "JOIN procurement_order o ON o.id = page.id "
        "JOIN accounts_organization h ON h.id = o.hospital_id "
        "JOIN accounts_organization s ON s.id = o.supplier_id "
        "LEFT JOIN accounts_organization d ON d.id = o.distributor_id"
    )


def order_documents_json(order_ids: Sequence[int]) -> str:
    """A JSON array (text) of the orders ``order_ids``, in that order, each with its parties
    and lines: one query whatever the number of orders and lines."""
    if not order_ids:
        return "[]"
    return fetch_text(_sql(), [list(order_ids), timezone.get_current_timezone_name()])


def order_document_json(order_id: int) -> str:
    """One order's JSON object (text)."""
    text = order_documents_json([order_id])
    if text == "[]":
        raise NotFoundError()
    # An array of exactly one object: strip the brackets rather than parse and re-serialise.
    return text[1:-1]
