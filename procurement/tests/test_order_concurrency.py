"""Concurrency on real PostgreSQL: duplicate HIS requests, racing cap checks, racing
deliveries. Threads each use their own connection, so these tests commit (transaction=True).
[R-LIST-ALT-CAP] [R-ORDER-ONLINE]"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import api_client_create
from core.errors import DomainError
from procurement.choices import Catalogue, OrderStatus
from procurement.models import Delivery, Order, OrderLine
from procurement.services import deliveries, orders
from procurement.tests.order_world import confirmed, draft, gs1, make_world

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
TIMEOUT = 60


def _race(target, count: int) -> list:
    """Run ``target(index)`` in ``count`` threads released together; return their results
    (or exceptions) in index order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(TIMEOUT)
            results[index] = target(index)
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return results


def test_eight_concurrent_duplicates_of_an_order_create_make_one_order():
    """Eight HIS retries of one request with the same Idempotency-Key, sent at once: one order;
    every answer is the stored 201 or a 409 "still in flight", never a second order."""
    w = make_world()
    key = api_client_create(actor=None, organization=w.hospital, name="HIS").key
    body = {
        "lines": [{"listing": w.listing.pk, "quantity": 5}],
        "note": "重复提交测试",
        "department": "骨科",
    }

    def create(_index):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        response = client.post(
            "/api/v1/procurement/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-42"
        )
        return response.status_code, response.json()

    results = _race(create, THREADS)
    assert not [r for r in results if isinstance(r, BaseException)], results
    statuses = sorted(status for status, _body in results)
    assert set(statuses) <= {201, 409}, results
    assert 201 in statuses
    created = {body["orders"][0]["id"] for status, body in results if status == 201}
    assert len(created) == 1
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1


def test_concurrent_submissions_cannot_both_squeeze_under_the_cap():
    """[R-LIST-ALT-CAP] cap 1,500.00; two drafts of 1,000.00 each. Submitted at once, exactly
    one passes: the second waits for the lock on the purchase plan, then sees the first."""
    w = make_world(
        catalogue=Catalogue.ALTERNATE, price=Decimal("100.00"), plan_total=Decimal("10000.00")
    )
    drafts = [draft(w, quantity=10), draft(w, quantity=10)]

    def submit(index):
        return orders.order_submit(actor=w.purchaser, order_id=drafts[index].pk)

    results = _race(submit, 2)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], DomainError)
    assert refused[0].code == "alternate_cap_exceeded"
    statuses = sorted(Order.objects.values_list("status", flat=True))
    assert statuses == [OrderStatus.DRAFT, OrderStatus.SUBMITTED]


def test_concurrent_deliveries_cannot_exceed_the_confirmed_quantity():
    w = make_world()
    order = confirmed(w, quantity=10)
    line = order.lines.get()

    def deliver(index):
        return deliveries.delivery_create(
            actor=w.sales,
            order_id=order.pk,
            lines=[{"order_line": line.pk, "quantity": 6, "barcode": gs1(w.di, lot=f"L{index}")}],
        )

    results = _race(deliver, 4)
    shipped = [r for r in results if isinstance(r, Delivery)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(shipped) == 1
    assert {r.code for r in refused} == {"delivery_quantity_exceeded"}
    assert OrderLine.objects.get(pk=line.pk).delivered_quantity == 6
