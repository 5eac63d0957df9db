"""The change feed: commit-safe (txid, id) paging, scopes, cursors, and no event lost or
repeated while writers run.

Feed reads must run on committed data in their own snapshot, so the tests that read the feed
use ``transaction=True`` (a normal pytest-django test wraps everything in one transaction,
whose own events stay behind the horizon until it ends). The horizon is cluster-wide: another
database's long transaction delays events too, so readers here poll with a timeout instead of
expecting an event at a precise moment.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from core.errors import DomainError
from procurement.models import Event, Order
from procurement.selectors.events import decode_cursor, encode_cursor, event_feed
from procurement.services import orders
from procurement.tests.order_world import confirmed, draft, make_world

URL = "/api/v1/events/"
WAIT_SECONDS = 60


def _foreign_horizon_holder() -> str | None:
    """A transaction of *another* database holding the cluster-wide horizon back, if any (a
    benchmark or import running next to the tests on a shared server)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pid, datname, now() - xact_start FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
            ORDER BY xact_start LIMIT 1
            """
        )
        row = cursor.fetchone()
    return f"pid {row[0]} in {row[1]}, open for {row[2]}" if row else None


def _fail_if_held_elsewhere() -> None:
    """Fail with the real cause rather than a bare timeout: the feed is correct but cannot be
    shown to advance while another database's transaction holds the cluster-wide horizon."""
    holder = _foreign_horizon_holder()
    if holder:
        pytest.fail(
            f"the feed cannot advance while another database's transaction holds the "
            f"cluster-wide horizon ({holder}); run on a server of its own (make test)"
        )


def _drain(actor, after: str = "", *, limit: int = 100, expect: int | None = None):
    """Page through the feed from ``after`` until ``expect`` events arrived (or, without
    ``expect``, until a page is empty); return (events, last cursor)."""
    seen: list[Event] = []
    cursor = after
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        page = event_feed(actor=actor, after=cursor, limit=limit)
        seen.extend(page.events)
        cursor = page.next
        if page.has_more:
            continue
        if expect is None or len(seen) >= expect:
            return seen, cursor
        if time.monotonic() > deadline:
            _fail_if_held_elsewhere()
            return seen, cursor
        time.sleep(0.05)


# --- cursors (no database) ---------------------------------------------------------------------


@pytest.mark.parametrize(("txid", "event_id"), [(0, 0), (1, 2), (2**62, 10**12)])
def test_cursor_round_trips(txid, event_id):
    cursor = encode_cursor(txid, event_id)
    assert decode_cursor(cursor) == (txid, event_id)
    assert ":" not in cursor  # opaque to clients


@pytest.mark.parametrize(
    "value", ["abc", "MQ", "LTE6Mg", "!!!!"], ids=["junk", "no-id", "negative", "not-base64"]
)
def test_a_cursor_the_feed_did_not_issue_is_refused(value):
    with pytest.raises(DomainError) as error:
        decode_cursor(value)
    assert error.value.code == "cursor_invalid"


# --- scopes and order ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_each_side_sees_its_own_orders_events_in_commit_order():
    w = make_world()
    order = confirmed(w)
    orders.order_cancel(actor=w.purchaser, order_id=draft(w).pk, reason="不需要了")
    other = make_world()
    confirmed(other)

    hospital_events, _cursor = _drain(w.purchaser, expect=4)
    assert [e.type for e in hospital_events] == [
        "order.submitted",
        "order_line.confirmed",
        "order.confirmed",
        "order.cancelled",
    ]
    keys = [(e.txid, e.pk) for e in hospital_events]
    assert keys == sorted(keys)

    # The supplier never saw the cancelled draft, so its feed does not mention it.
    supplier_events, _cursor = _drain(w.sales, expect=3)
    assert [e.type for e in supplier_events] == [
        "order.submitted",
        "order_line.confirmed",
        "order.confirmed",
    ]
    assert {e.order_id for e in supplier_events} == {order.pk}
    finance = UserFactory(organization=w.hospital, roles=[Role.HOSPITAL_FINANCE])
    assert len(_drain(finance, expect=4)[0]) == 4


@pytest.mark.django_db(transaction=True)
def test_a_distributor_never_reads_a_drafts_events():
    """The feed's scope is the orders' (Order.tenant_q): even a draft that named the
    distributor stays out of its feed, while the hospital reads the draft's cancellation."""
    w = make_world()
    order = draft(w)
    Order.objects.filter(pk=order.pk).update(distributor=w.distributor)
    orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="不需要了")
    sent = confirmed(w, distributor=True)
    hospital_events, _cursor = _drain(w.purchaser, expect=4)
    assert order.pk in {e.order_id for e in hospital_events}
    distributor_events, _cursor = _drain(w.distributor_sales, expect=3)
    assert {e.order_id for e in distributor_events} == {sent.pk}


@pytest.mark.django_db(transaction=True)
def test_replaying_a_cursor_returns_the_same_page():
    w = make_world()
    for _ in range(3):
        confirmed(w)
    _drain(w.purchaser, expect=9)
    first = event_feed(actor=w.purchaser, limit=4)
    second = event_feed(actor=w.purchaser, after=first.next, limit=4)
    replay = event_feed(actor=w.purchaser, after=first.next, limit=4)
    assert [e.pk for e in replay.events] == [e.pk for e in second.events]
    assert replay.next == second.next
    assert first.has_more
    assert second.has_more
    last = event_feed(actor=w.purchaser, after=second.next, limit=4)
    assert (len(last.events), last.has_more) == (1, False)
    empty = event_feed(actor=w.purchaser, after=last.next, limit=4)
    assert (empty.events, empty.next) == ([], last.next)


@pytest.mark.django_db(transaction=True)
def test_an_event_that_took_its_id_early_but_committed_late_is_not_lost():
    """Transaction H takes event id N and stays open; another transaction writes event N+1 and
    commits. A reader paging by id alone would pass N+1 and never see N. The feed holds N+1
    back until H ends, then returns N and N+1 once each. (Two submissions of one hospital
    queue behind its purchase-plan lock, which keeps its running totals: the later writer is
    another hospital, and the reader the supplier both order from.)"""
    w = make_world()
    held_order = draft(w)
    later_order = orders.order_create(
        department="骨科", actor=w.other_purchaser, lines=[{"listing": w.listing.pk, "quantity": 3}]
    )[0]
    _seen, start = _drain(w.sales)
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold():
        try:
            with transaction.atomic():
                orders.order_submit(actor=w.purchaser, order_id=held_order.pk)
                inserted.set()
                release.wait(WAIT_SECONDS)
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
            inserted.set()
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inserted.wait(WAIT_SECONDS)
        orders.order_submit(actor=w.other_purchaser, order_id=later_order.pk)
        later = Event.objects.get(order=later_order)
        while_held = event_feed(actor=w.sales, after=start)
        assert while_held.events == []
        assert while_held.next == start
    finally:
        release.set()
        holder.join(WAIT_SECONDS)
    assert not errors, errors
    held = Event.objects.get(order=held_order)
    assert held.pk < later.pk, "the held transaction took its id first"
    events, cursor = _drain(w.sales, after=start, expect=2)
    assert [e.pk for e in events] == [held.pk, later.pk]
    assert event_feed(actor=w.sales, after=cursor).events == []


@pytest.mark.django_db(transaction=True)
def test_no_event_is_lost_or_repeated_while_writers_run():
    """Four writers submit orders (each submission one event) while a reader pages with a
    small limit, and one writer holds a transaction open across several others' commits."""
    w = make_world()
    per_writer = 8
    drafts = [[draft(w) for _ in range(per_writer)] for _ in range(4)]
    _seen, start = _drain(w.purchaser)
    done = threading.Event()
    errors: list[BaseException] = []

    def write(order_list, hold_every: int | None):
        try:
            for index, order in enumerate(order_list):
                with transaction.atomic():
                    orders.order_submit(actor=w.purchaser, order_id=order.pk)
                    if hold_every and index % hold_every == 0:
                        time.sleep(0.15)  # commits after the others' later ids
                time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writers = [
        threading.Thread(target=write, args=(order_list, 3 if n == 0 else None))
        for n, order_list in enumerate(drafts)
    ]
    collected: list[Event] = []

    def read():
        cursor = start
        try:
            while not done.is_set():
                page = event_feed(actor=w.purchaser, after=cursor, limit=3)
                collected.extend(page.events)
                cursor = page.next
                if not page.has_more:
                    time.sleep(0.01)
            rest, _cursor = _drain(
                w.purchaser, after=cursor, limit=3, expect=4 * per_writer - len(collected)
            )
            collected.extend(rest)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(WAIT_SECONDS)
    done.set()
    reader.join(WAIT_SECONDS * 2)
    for error in errors:
        if isinstance(error, pytest.fail.Exception):
            raise error
    assert not errors, errors
    expected = set(
        Event.objects.filter(hospital=w.hospital, type="order.submitted").values_list(
            "pk", flat=True
        )
    )
    ids = [e.pk for e in collected]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    assert set(ids) == expected, "an event was lost"
    assert len(expected) == 4 * per_writer
    keys = [(e.txid, e.pk) for e in collected]
    assert keys == sorted(keys)


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_feed_api_pages_with_next():
    w = make_world()
    confirmed(w)
    client = APIClient()
    client.force_authenticate(w.purchaser)
    _drain(w.purchaser, expect=3)
    first = client.get(URL, {"limit": 2}).json()
    assert [e["type"] for e in first["events"]] == ["order.submitted", "order_line.confirmed"]
    assert first["has_more"] is True
    assert first["events"][0]["order_number"].startswith("PO")
    second = client.get(URL, {"limit": 2, "after": first["next"]}).json()
    assert [e["type"] for e in second["events"]] == ["order.confirmed"]
    assert second["events"][0]["cursor"] == second["next"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"after": "nope"}, "cursor_invalid"),
        ({"limit": "0"}, "invalid"),
        ({"limit": "x"}, "invalid"),
    ],
    ids=["bad-cursor", "zero-limit", "text-limit"],
)
def test_feed_api_refuses_bad_parameters(params, code):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[Role.HOSPITAL_PURCHASER]))
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 401),
        (Role.BUREAU_OFFICER, 403),
        (Role.PLATFORM_ADMIN, 403),
        (Role.SUPPLIER_SALES, 200),
    ],
    ids=["anonymous", "bureau", "admin", "supplier"],
)
def test_feed_api_permissions(role, status):
    from accounts.tests.factories import user_with_role

    client = APIClient()
    if role:
        client.force_authenticate(user_with_role(role))
    assert client.get(URL).status_code == status
