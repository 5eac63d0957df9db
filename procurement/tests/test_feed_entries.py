"""A supplier's and a distributor's change feed read their own entries (FeedEntry): the same
events as the events' own scope (Event.visible_to), in a page that costs an index range scan.

Reads of the feed need committed data (see test_events.py), hence ``transaction=True``.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, DistributorFactory, UserFactory
from core.errors import PermissionDeniedError
from procurement.models import Event, FeedEntry
from procurement.selectors.events import _HORIZON, event_feed
from procurement.services import orders
from procurement.tests.factories import ListingDistributorFactory
from procurement.tests.order_world import confirmed, draft, make_world, submitted

from .test_events import _drain


def _visible_ids(actor) -> set[int]:
    """What the feed showed before FeedEntry: the events' own scope."""
    return set(Event.objects.visible_to(actor).values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_every_audience_reads_the_events_of_its_scope_through_drafts_and_handovers():
    w = make_world()
    other_distributor = DistributorFactory()
    ListingDistributorFactory(
        listing=w.listing, distributor=other_distributor, region_code="320100"
    )
    other_sales = UserFactory(organization=other_distributor, roles=[Role.SUPPLIER_SALES])
    bureau = UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    cancelled_draft = draft(w)
    orders.order_cancel(actor=w.purchaser, order_id=cancelled_draft.pk, reason="不需要了")
    kept_draft = draft(w)  # never submitted: only the hospital reads it
    by_distributor = confirmed(w, distributor=True)
    handed_over = confirmed(w)
    # Handed to the distributor after its events were written, then to another one and back.
    orders.order_distributor_set(
        actor=w.sales, order_id=handed_over.pk, distributor_id=w.distributor.pk
    )
    replaced = confirmed(w, distributor=True)
    orders.order_distributor_set(
        actor=w.sales, order_id=replaced.pk, distributor_id=other_distributor.pk
    )
    late = submitted(w)  # submitted after the others: its draft time is before their events
    other = make_world()
    confirmed(other, distributor=True)

    audiences = {
        "hospital": (w.purchaser, 11),
        "supplier": (w.sales, 10),
        "distributor": (w.distributor_sales, 6),
        "other distributor": (other_sales, 3),
    }
    for label, (actor, count) in audiences.items():
        seen, _cursor = _drain(actor, limit=4, expect=len(_visible_ids(actor)))
        ids = [e.pk for e in seen]
        assert len(ids) == len(set(ids)), label
        assert set(ids) == _visible_ids(actor), label
        assert len(ids) == count, label
    # The bureau reads no feed, before as now.
    with pytest.raises(PermissionDeniedError):
        event_feed(actor=bureau)
    distributor_orders = {e.order_id for e in _drain(w.distributor_sales, expect=6)[0]}
    assert distributor_orders == {by_distributor.pk, handed_over.pk}
    assert {e.order_id for e in _drain(other_sales, expect=3)[0]} == {replaced.pk}
    supplier_orders = {e.order_id for e in _drain(w.sales, expect=10)[0]}
    assert late.pk in supplier_orders
    assert not {cancelled_draft.pk, kept_draft.pk} & supplier_orders


@pytest.mark.django_db(transaction=True)
def test_a_distributor_past_the_orders_events_still_receives_them_when_handed_the_order():
    """Its entries for an order it is handed later are written then, after its cursor."""
    w = make_world()
    first = confirmed(w, distributor=True)
    seen, cursor = _drain(w.distributor_sales, expect=3)
    assert {e.order_id for e in seen} == {first.pk}
    handed_over = confirmed(w)
    orders.order_distributor_set(
        actor=w.sales, order_id=handed_over.pk, distributor_id=w.distributor.pk
    )
    later, _cursor = _drain(w.distributor_sales, cursor, expect=3)
    assert [e.type for e in later] == ["order.submitted", "order_line.confirmed", "order.confirmed"]
    assert {e.order_id for e in later} == {handed_over.pk}


@pytest.mark.django_db(transaction=True)
def test_a_user_moved_to_another_organisation_reads_that_organisations_feed():
    w = make_world()
    confirmed(w)
    other = make_world()
    theirs = confirmed(other)
    assert {e.order_id for e in _drain(w.sales, expect=3)[0]} != {theirs.pk}
    w.sales.organization = other.manufacturer
    w.sales.save(update_fields=["organization"])
    assert {e.order_id for e in _drain(w.sales, expect=3)[0]} == {theirs.pk}


# --- the page's plan ------------------------------------------------------------------------

NOISE = 20_000  # other suppliers' events
OWN = 300  # the supplier's own, spread among them


def _rows_read(plan: dict, tables: set[str]) -> int:
    """Rows the plan read from ``tables``: returned plus filtered away, times loops."""
    total = 0
    if plan.get("Relation Name") in tables:
        read = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        read += plan.get("Rows Removed by Index Recheck", 0)
        total += read * plan.get("Actual Loops", 1)
    for child in plan.get("Plans", []):
        total += _rows_read(child, tables)
    return total


def _seq_scans(plan: dict, tables: set[str]) -> list[str]:
    found = [plan["Relation Name"]] if plan.get("Node Type") == "Seq Scan" else []
    found = [name for name in found if name in tables]
    for child in plan.get("Plans", []):
        found += _seq_scans(child, tables)
    return found


def _explain(sql: str, params=()) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        row = cursor.fetchone()[0]
    return (json.loads(row) if isinstance(row, str) else row)[0]["Plan"]


@pytest.mark.django_db
def test_a_suppliers_feed_page_is_an_index_range_scan_not_a_scan_of_every_event():
    """With 20,000 other suppliers' events the supplier's page reads about a page of rows
    (its entries from the cursor), where the events' own scope (the OR across the join with
    the order) reads every event. Sequential scans are switched off so that the comparison
    does not depend on statistics the runtime role cannot ANALYZE."""
    w = make_world()
    other = make_world()
    own_order = confirmed(w)
    other_order = confirmed(other)
    events, entries = Event._meta.db_table, FeedEntry._meta.db_table
    with connection.cursor() as cursor:
        # Committed long ago (small transaction ids below the horizon), interleaved.
        for supplier, order, count, offset in (
            (other.manufacturer.pk, other_order.pk, NOISE, 0),
            (w.manufacturer.pk, own_order.pk, OWN, 1),
        ):
            step = NOISE // count
            cursor.execute(
                """
                WITH new AS (
                    INSERT INTO procurement_event (txid, type, hospital_id, supplier_id, order_id,
                                          entity, entity_id, payload, created_at)
                    SELECT 1000 + n * %s + %s, 'order.submitted', %s, %s, %s,
                           'order', %s, '{}', now()
                    FROM generate_series(1, %s) AS n
                    RETURNING id, txid, supplier_id
                )
                INSERT INTO procurement_feedentry (organization_id, event_id, txid)
                SELECT supplier_id, id, txid FROM new
                """,
                [step, offset, w.hospital.pk, supplier, order, order, count],
            )
        cursor.execute("SET LOCAL enable_seqscan = off")
    with CaptureQueriesContext(connection) as queries:
        page = event_feed(actor=w.sales, limit=100)
    assert len(page.events) == 100
    assert {e.supplier_id for e in page.events} == {w.manufacturer.pk}
    tables = {events, entries}
    statements = [
        q["sql"] for q in queries.captured_queries if events in q["sql"] or entries in q["sql"]
    ]
    assert len(statements) == 2  # the entries from the cursor, then their events
    read = 0
    for sql in statements:
        plan = _explain(sql)
        assert _seq_scans(plan, tables) == [], sql
        read += _rows_read(plan, tables)
    assert read <= 3 * 101

    old = (
        Event.objects.visible_to(w.sales)
        .filter(txid__gte=0, txid__lt=_HORIZON)
        .order_by("txid", "id")[:101]
    )
    old_plan = _explain(*old.query.sql_with_params())
    # The events' own scope walks the table in feed order past every other supplier's
    # events until it has a page (8,000 rows here, the whole table at a page's end).
    assert _rows_read(old_plan, {events}) > 10 * read
