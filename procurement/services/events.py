"""Named domain events: one row in the change feed per state change (procurement.models.events).

Services call :func:`event_record` inside their own transaction, after the change, so that the
event commits or vanishes together with it. The feed's ordering by (txid, id) is what lets a
reader page through it safely; see procurement/selectors/events.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

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
    return Event.objects.create(
        type=type,
        hospital_id=order.hospital_id,
        supplier_id=order.supplier_id,
        order=order,
        entity=entity,
        entity_id=entity_id,
        payload=_jsonable(payload or {}),
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
