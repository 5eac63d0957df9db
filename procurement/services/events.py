"""Named domain events: one row in the change feed per state change (procurement.models.events).

Services call :func:`event_record` inside their own transaction, after the change, so that the
event commits or vanishes together with it. The feed's ordering by (txid, id) is what lets a
reader page through it safely; see procurement/selectors/events.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection

from procurement.models import Event, Order


def event_record(
    *,
    type: str,
    order: Order,
    entity: str,
    entity_id: int,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one event for ``order``; hospital and supplier come from the order so that each
    side's feed finds it through its own index."""
    event = Event.objects.create(
        type=type,
        hospital_id=order.hospital_id,
        supplier_id=order.supplier_id,
        order=order,
        entity=entity,
        entity_id=entity_id,
        payload=_jsonable(payload or {}),
    )
    feed_fan_out(order=order)
    return event


def feed_fan_out(*, order: Order) -> None:
    """Give the order's supplier and distributor a feed entry (procurement.models.FeedEntry)
    for each of the order's events they have none for yet, in the caller's transaction.

    Called after every event and whenever the order gains an audience: a submitted order's
    supplier receives the draft's events, a distributor named later the order's history. A
    hospital's and a regulator's feed read the events themselves, so they need no entries;
    a draft's events reach no one else (procurement.models.orders.order_scope_q)."""
    if order.submitted_at is None:
        return
    audience = sorted(org for org in (order.supplier_id, order.distributor_id) if org is not None)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO procurement_feedentry (organization_id, event_id)
            SELECT audience.id, event.id
            FROM procurement_event event, unnest(%s::bigint[]) AS audience(id)
            WHERE event.order_id = %s
            ORDER BY event.id, audience.id
            ON CONFLICT (organization_id, event_id) DO NOTHING
            """,
            [audience, order.pk],
        )


def _jsonable(value: object) -> object:
    """Payloads are stored as JSON: money as strings (never floats), dates in ISO form."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
