"""The whole flow through the API alone: an HIS (hospital key) and the supplier's API calls,
from the available listings to a confirmed invoice, with the change feed showing every step.
[R-ORDER-ONLINE] [R-ORDER-DELIVERY] [R-TWO-INVOICE] [R-TRACE]"""

import datetime as dt
import time
import uuid
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.services import api_client_create
from core import clock
from procurement.tests.order_world import gs1, make_world, patient_hash

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/procurement"


class Caller:
    """An API caller that sends a fresh Idempotency-Key with every POST (as an HIS must) and
    fails loudly on an unexpected status."""

    def __init__(self, client: APIClient) -> None:
        self.client = client

    def get(self, path, params=None, status=200):
        url = path if path.startswith("/api/") else f"{API}{path}"
        response = self.client.get(url, params or {})
        assert response.status_code == status, response.json()
        return response.json()

    def post(self, path, body=None, status=200):
        response = self.client.post(
            f"{API}{path}", body or {}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        assert response.status_code == status, response.json()
        return response.json()


def _feed(his: Caller, expect: int) -> list[dict]:
    """Follow the feed from the start until ``expect`` events arrived (events become visible
    once every older transaction on the server has ended)."""
    events: list[dict] = []
    cursor = ""
    deadline = time.monotonic() + 60
    while len(events) < expect and time.monotonic() < deadline:
        page = his.get("/api/v1/events/", {"after": cursor, "limit": 3} if cursor else {"limit": 3})
        events.extend(page["events"])
        cursor = page["next"]
        if not page["has_more"]:
            time.sleep(0.05)
    return events


def test_order_to_confirmed_invoice_through_the_api_alone():
    w = make_world(price=Decimal("2380.00"))
    issued = api_client_create(
        actor=None,
        organization=w.hospital,
        name="HIS",
        roles=[Role.HOSPITAL_PURCHASER, Role.HOSPITAL_FINANCE],
    )
    his_client = APIClient()
    his_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    his = Caller(his_client)
    supplier_client = APIClient()
    supplier_client.force_authenticate(w.sales)
    supplier = Caller(supplier_client)

    # 1. The HIS finds the product among the listings its hospital may order.
    available = his.get("/listings/available/")
    assert w.listing.pk in [listing["id"] for listing in available["results"]]

    # 2. Create and submit the order.
    [order] = his.post(
        "/orders/", {"lines": [{"listing": w.listing.pk, "quantity": 3}], "department": "骨科"}, 201
    )["orders"]
    assert (order["status"], order["total"]) == ("draft", "7140.00")
    assert his.post(f"/orders/{order['id']}/submit/")["status"] == "submitted"
    assert [o["id"] for o in his.get("/orders/", {"status": "submitted"})["results"]] == [
        order["id"]
    ]

    # 3. The supplier sees it and confirms the line with a delivery date.
    incoming = supplier.get("/orders/", {"status": "submitted"})
    assert [o["id"] for o in incoming["results"]] == [order["id"]]
    line_id = incoming["results"][0]["lines"][0]["id"]
    promised_on = str(clock.local_today() + dt.timedelta(days=2))
    confirmed = supplier.post(
        f"/orders/{order['id']}/respond/",
        {"lines": [{"line": line_id, "decision": "confirm", "promised_on": promised_on}]},
    )
    assert confirmed["status"] == "confirmed"

    # 4. The supplier ships with the scanned UDI on the delivery note.
    barcode = gs1(w.di, lot="B2026", serial="")
    delivery = supplier.post(
        "/deliveries/",
        {
            "order": order["id"],
            "lines": [{"order_line": line_id, "quantity": 3, "barcode": barcode}],
        },
        201,
    )
    assert delivery["lines"][0]["lot"] == "B2026"

    # 5. The HIS accepts with the barcodes scanned at the dock.
    the_delivery = his.get("/deliveries/", {"order": order["id"]})["results"][0]
    accepted = his.post(
        f"/deliveries/{the_delivery['id']}/accept/",
        {
            "lines": [
                {
                    "delivery_line": the_delivery["lines"][0]["id"],
                    "accepted_quantity": 3,
                    "barcodes": [barcode] * 3,
                }
            ]
        },
    )
    assert accepted["status"] == "accepted"

    # 6. The supplier registers the invoice for what was accepted.
    invoice = supplier.post(
        "/invoices/",
        {
            "order": order["id"],
            "number": "3200261130 00000001",
            "issued_on": str(clock.local_today()),
            "amount": "7140.00",
            "lines": [{"order_line": line_id, "quantity": 3, "amount": "7140.00"}],
        },
        201,
    )
    assert invoice["issuer"]["id"] == w.manufacturer.pk

    # 7. The hospital (finance, through the HIS key) confirms it: ready for settlement.
    done = his.post(f"/invoices/{invoice['id']}/confirm/")
    assert done["ready_for_settlement"] is True
    final = his.get(f"/orders/{order['id']}/")
    assert final["status"] == "completed"
    assert final["lines"][0]["accepted_quantity"] == 3
    assert final["lines"][0]["invoiced_quantity"] == 3

    # 8. The operation: the HIS reports the units used.
    used = his.post(
        "/usage-records/",
        {
            "records": [
                {
                    "barcode": gs1(w.di, lot="B2026", serial=f"SN{n}"),
                    "operation_id": "OP-2026-0001",
                    "doctor_code": "D0042",
                    "department": "心血管内科",
                    "patient_hash": patient_hash(),
                    "used_at": clock.now().isoformat(),
                }
                for n in range(2)
            ]
        },
        201,
    )
    assert {r["manufacturer"]["id"] for r in used["records"]} == {w.manufacturer.pk}

    # 9. The change feed shows every step, in order, once.
    expected = [
        "order.submitted",
        "order_line.confirmed",
        "order.confirmed",
        "delivery.shipped",
        "delivery.accepted",
        "invoice.registered",
        "invoice.confirmed",
        "order.completed",
    ]
    events = _feed(his, len(expected))
    if len(events) < len(expected):
        from procurement.tests.test_events import _fail_if_held_elsewhere

        _fail_if_held_elsewhere()
    assert [e["type"] for e in events] == expected
    assert {e["order"] for e in events} == {order["id"]}
    assert len({e["id"] for e in events}) == len(events)
