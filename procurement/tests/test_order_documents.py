"""Orders as JSON built by PostgreSQL say exactly what the serializers say, and the order list
pages by keyset without losing or repeating an order while new ones arrive."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.fields import DateTimeField
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import ModelSerializer
from rest_framework.test import APIClient

from procurement.api.order_documents import order_document_json, order_documents_json
from procurement.api.serializers.orders import OrderOutput
from procurement.models import Order
from procurement.selectors.orders import order_get, order_keys
from procurement.tests.factories import OrderFactory, OrderLineFactory
from procurement.tests.order_world import confirmed, draft, make_world

pytestmark = pytest.mark.django_db

API = "/api/v1/procurement"


def _generic(order: Order) -> dict:
    """What DRF's generic serializer path outputs for the order (the reference)."""
    return json.loads(
        JSONRenderer().render(ModelSerializer.to_representation(OrderOutput(), order))
    )


def test_sql_document_matches_the_serializer_for_a_confirmed_order_with_distributor():
    w = make_world(price=Decimal("12.30"))
    order = order_get(actor=w.purchaser, order_id=confirmed(w, distributor=True).pk)
    line = order.lines.all()[0]
    assert line.confirmed_at is not None
    assert line.promised_on is not None
    document = json.loads(order_document_json(order_keys(actor=w.purchaser, order_id=order.pk)))
    assert document == _generic(order)
    assert document["distributor"] == {"id": w.distributor.pk, "name": w.distributor.name}
    assert document["lines"][0]["unit_price"] == "12.30"


def test_sql_document_matches_the_serializer_for_a_draft_with_whole_second_times():
    """No distributor (null), no times but creation, which falls on a whole second: Python's
    isoformat then drops the microseconds, and so must the SQL."""
    w = make_world(price=Decimal("700"))
    order = draft(w)
    whole = timezone.now().replace(microsecond=0)
    Order.objects.filter(pk=order.pk).update(created_at=whole)
    order = order_get(actor=w.purchaser, order_id=order.pk)
    document = json.loads(order_document_json(order_keys(actor=w.purchaser, order_id=order.pk)))
    assert document == _generic(order)
    assert document["distributor"] is None
    assert "." not in document["created_at"]
    assert document["total"].endswith(".00")


@pytest.mark.parametrize(
    ("zone", "when"),
    [
        ("Asia/Shanghai", dt.datetime(2026, 3, 1, 16, 5, 9, 120, tzinfo=dt.UTC)),
        ("Asia/Shanghai", dt.datetime(2026, 3, 1, 16, 5, 9, tzinfo=dt.UTC)),
        ("UTC", dt.datetime(2026, 3, 1, 16, 5, 9, 500000, tzinfo=dt.UTC)),
        ("America/New_York", dt.datetime(2026, 7, 1, 2, 0, 0, 1, tzinfo=dt.UTC)),
        ("Asia/Kolkata", dt.datetime(2026, 1, 31, 23, 59, 59, tzinfo=dt.UTC)),
    ],
    ids=["shanghai", "shanghai-whole-second", "utc-is-Z", "new-york-negative", "kolkata-half"],
)
def test_yg_isoformat_says_what_drf_says(zone, when):
    with timezone.override(zone):
        expected = DateTimeField().to_representation(when)
    with connection.cursor() as cursor:
        cursor.execute("SELECT yg_isoformat(%s, %s), yg_isoformat(NULL, %s)", [when, zone, zone])
        got, null = cursor.fetchone()
    assert (got, null) == (expected, None)


def test_documents_come_in_the_order_asked_and_skip_nothing():
    w = make_world()
    orders = [draft(w) for _ in range(3)]
    wanted = [orders[2].pk, orders[0].pk, orders[1].pk]
    assert [o["id"] for o in json.loads(order_documents_json(wanted))] == wanted
    assert order_documents_json([]) == "[]"


def _page_through(client, page_size: int, between_pages=None) -> list[int]:
    seen: list[int] = []
    url = f"{API}/orders/?page_size={page_size}"
    while url:
        body = client.get(url).json()
        seen.extend(order["id"] for order in body["results"])
        url = body["next"]
        if between_pages is not None:
            between_pages()
    return seen


def test_order_list_pages_by_cursor_without_loss_or_repeat_while_orders_arrive():
    """A HIS pages through its orders newest first while the hospital keeps ordering: every
    order that existed when it started is seen exactly once, new ones never shift an old one
    onto the next page twice (with page numbers they would)."""
    w = make_world()
    existing = []
    for _ in range(7):
        order = OrderFactory(hospital=w.hospital, supplier=w.manufacturer, status="submitted")
        OrderLineFactory(order=order, listing=w.listing)
        existing.append(order.pk)
    client = APIClient()
    client.force_authenticate(w.purchaser)

    def new_order():
        OrderFactory(hospital=w.hospital, supplier=w.manufacturer, status="submitted")

    seen = _page_through(client, 3, between_pages=new_order)
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(existing)
    assert seen == sorted(existing, reverse=True)  # newest first


def test_order_list_page_size_is_capped_and_has_no_count():
    w = make_world()
    for _ in range(3):
        draft(w)
    client = APIClient()
    client.force_authenticate(w.purchaser)
    body = client.get(f"{API}/orders/", {"page_size": 1000}).json()
    assert set(body) == {"next", "results"}
    assert len(body["results"]) == 3
    body = client.get(f"{API}/orders/", {"page_size": 2}).json()
    assert len(body["results"]) == 2
    assert "cursor=" in body["next"]


def test_created_orders_are_returned_as_documents_and_replayed_identically():
    w = make_world()
    client = APIClient()
    client.force_authenticate(w.purchaser)
    key = str(uuid.uuid4())
    body = {"lines": [{"listing": w.listing.pk, "quantity": 2}], "department": "骨科"}
    first = client.post(f"{API}/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(f"{API}/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    [order] = first.json()["orders"]
    assert order == _generic(order_get(actor=w.purchaser, order_id=order["id"]))
    assert Order.objects.filter(hospital=w.hospital).count() == 1


def test_orders_created_in_the_same_microsecond_are_each_paged_once():
    """The cursor names (created_at, id): ties on the time, as a bulk import makes, neither
    drop nor repeat an order at a page boundary."""
    w = make_world()
    made = [
        OrderFactory(hospital=w.hospital, supplier=w.manufacturer, status="submitted").pk
        for _ in range(5)
    ]
    Order.objects.filter(pk__in=made).update(created_at=timezone.now())
    client = APIClient()
    client.force_authenticate(w.purchaser)
    assert _page_through(client, 2) == sorted(made, reverse=True)


@pytest.mark.parametrize(
    "query",
    [{"cursor": "not-a-cursor"}, {"cursor": "MjAyNnxh"}, {"page_size": "0"}, {"page_size": "x"}],
    ids=["garbage", "no-time", "size-zero", "size-text"],
)
def test_order_list_refuses_a_bad_cursor_or_page_size(query):
    w = make_world()
    draft(w)
    client = APIClient()
    client.force_authenticate(w.purchaser)
    response = client.get(f"{API}/orders/", query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["extra"]["fields"]) == set(query)
