"""The change feed as a reader sees it: pages of events in commit-safe order.

Events are ordered by (txid, id), the writing transaction's id and the row id. A page only
holds events of transactions older than every transaction still running
(``txid < pg_snapshot_xmin(pg_current_snapshot())``), evaluated in the same statement and so
on the same snapshot as the rows it returns. Every transaction below that horizon has ended,
so no event can later appear *behind* a cursor already handed out: a reader that follows
``next`` never misses an event and never sees one twice, whatever the order in which
concurrent writers took ids and committed. The price is a short delay: an event shows up once
every transaction that started before it has finished.

A cursor is opaque to clients (URL-safe base64 of "txid:id"). Replaying a cursor returns the
same events again, followed by any newer ones if the first answer was not a full page.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.expressions import RawSQL

from accounts.models import User
from core import permissions
from core.errors import PermissionDeniedError
from procurement.errors import CursorInvalidError
from procurement.models import Event

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
START = (0, 0)

# The oldest transaction still running, as a bigint comparable with Event.txid.
_HORIZON = RawSQL("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint", [])


def encode_cursor(txid: int, event_id: int) -> str:
    return base64.urlsafe_b64encode(f"{txid}:{event_id}".encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[int, int]:
    if not value:
        return START
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        txid_text, _sep, id_text = text.partition(":")
        txid, event_id = int(txid_text), int(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalidError(value=value[:100]) from None
    if txid < 0 or event_id < 0:
        raise CursorInvalidError(value=value[:100])
    return txid, event_id


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    next: str
    has_more: bool


def event_feed(*, actor: User, after: str = "", limit: int = DEFAULT_LIMIT) -> EventPage:
    """The events after cursor ``after`` (from the start when empty), at most ``limit``."""
    permissions.require(actor, "event.view")
    if actor.organization is None:
        raise PermissionDeniedError(action="event.view")
    txid, event_id = decode_cursor(after)
    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = list(
        # The scope of the actor's orders (procurement.models.orders.order_scope_q): a hospital
        # reads its (hospital, txid, id) index; a supplier never sees a draft's events.
        Event.objects.visible_to(actor)
        .filter(Q(txid__gt=txid) | Q(txid=txid, id__gt=event_id))
        .filter(txid__lt=_HORIZON)
        .select_related("order")
        .order_by("txid", "id")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        next_cursor = encode_cursor(rows[-1].txid, rows[-1].pk)
    else:
        next_cursor = encode_cursor(txid, event_id)
    return EventPage(events=rows, next=next_cursor, has_more=has_more)
