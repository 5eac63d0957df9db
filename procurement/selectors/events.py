"""The change feed as a reader sees it: pages of events in commit-safe order.

Events are ordered by (txid, id), the writing transaction's id and the row id. A page only
holds events of transactions older than every transaction still running
(``txid < pg_snapshot_xmin(pg_current_snapshot())``), evaluated in the same statement and so
on the same snapshot as the rows it returns. Every transaction below that horizon has ended,
so no event can later appear *behind* a cursor already handed out: a reader that follows
``next`` never misses an event and never sees one twice, whatever the order in which
concurrent writers took ids and committed. The price is a short delay: an event shows up once
every transaction that started before it has finished.

A supplier's or distributor's feed reads its own FeedEntry rows instead (procurement.models.
events.FeedEntry), keyed (entry txid, event id) under the same horizon: an entry written
when the organisation gains an order (its submission, a distributor named) carries that
transaction's id, so it lands after cursors already handed out rather than behind them.

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
from core.tenancy import overseer_q
from procurement.errors import CursorInvalidError
from procurement.models import Event, FeedEntry

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
    # (txid, id) > cursor; the first condition alone is what lets the index range-scan from
    # the cursor instead of reading the audience's whole history up to it.
    after_cursor = Q(txid__gt=txid) | Q(txid=txid, id__gt=event_id)
    rows: list[Event]
    if actor.organization.is_hospital or _overseer(actor):
        # A hospital reads its (hospital, txid, id) index; a regulator its region.
        rows = list(
            Event.objects.visible_to(actor)
            .filter(txid__gte=txid)
            .filter(after_cursor)
            .filter(txid__lt=_HORIZON)
            .select_related("order")
            .order_by("txid", "id")[: limit + 1]
        )
    else:
        rows = _addressed_feed(actor=actor, txid=txid, event_id=event_id, limit=limit)
    has_more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        next_cursor = encode_cursor(feed_txid(rows[-1]), rows[-1].pk)
    else:
        next_cursor = encode_cursor(txid, event_id)
    return EventPage(events=rows, next=next_cursor, has_more=has_more)


def feed_txid(event: Event) -> int:
    """The transaction id of the event's place in the feed that returned it: a supplier's or
    distributor's entry may be younger than the event (see FeedEntry)."""
    return int(getattr(event, "feed_txid", event.txid))


def _overseer(actor: User) -> bool:
    return overseer_q(actor, region_field="hospital__region_code") is not None


def _addressed_feed(*, actor: User, txid: int, event_id: int, limit: int) -> list[Event]:
    """A supplier's or distributor's page: a range scan of its own (organisation, txid,
    event) entries from the cursor, then those entries' events through the events' own scope
    (Event.visible_to, by primary key), so that the page holds exactly the events that scope
    shows: an entry whose order the organisation no longer sees (a replaced distributor) is
    skipped, and the scan goes on until the page is full.

    Two statements rather than one join: with the scope's OR in the same statement the
    planner misjudges how many entries pass it and reads (and sorts) all of them."""
    rows: list[Event] = []
    after = (txid, event_id)
    while len(rows) <= limit:
        want = limit + 1 - len(rows)
        batch = list(
            FeedEntry.objects.filter(organization=actor.organization)
            .filter(txid__gte=after[0])
            .filter(Q(txid__gt=after[0]) | Q(txid=after[0], event_id__gt=after[1]))
            .filter(txid__lt=_HORIZON)
            .order_by("txid", "event_id")
            .values_list("txid", "event_id")[:want]
        )
        if not batch:
            break
        events = (
            Event.objects.visible_to(actor)
            .select_related("order")
            .in_bulk([entry_event for _txid, entry_event in batch])
        )
        for entry_txid, entry_event in batch:
            event = events.get(entry_event)
            if event is not None:
                event.feed_txid = entry_txid  # type: ignore[attr-defined]
                rows.append(event)
        if len(batch) < want:
            break
        after = batch[-1]
    return rows
