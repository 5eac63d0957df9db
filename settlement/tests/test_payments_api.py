"""The payment flow through the API and the pages [R-ESCROW] [R-PAY-30] [R-DIRECT]: every
action, the {code, message, extra} refusals, and tenancy (another supplier's request: 404)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from settlement.models import JournalEntry, PaymentRequest
from settlement.tests.pay_world import confirmed_invoice, make_pay_world, paid, requested

pytestmark = pytest.mark.django_db
API = "/api/v1/settlement"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_whole_flow_through_the_api_r_escrow():
    pw = make_pay_world()
    invoice = confirmed_invoice(pw)
    sales = _api(pw.sales)
    payable = sales.get(f"{API}/payable-invoices/").json()
    assert [row["id"] for row in payable["results"]] == [invoice.pk]
    created = sales.post(f"{API}/payment-requests/", {"invoices": [invoice.pk]}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    finance = _api(pw.finance)
    actions = finance.get(f"{API}/payment-requests/{pk}/actions/").json()["actions"]
    assert {a["action"]: a["allowed"] for a in actions} == {
        "approve": True,
        "dispute": True,
        "pay": False,
        "pay_direct": False,
    }
    assert finance.post(f"{API}/payment-requests/{pk}/approve/").status_code == 200
    refused = finance.post(
        f"{API}/payment-requests/{pk}/pay/", {"transfer_reference": "?"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "payment_transfer_reference"
    body = finance.post(
        f"{API}/payment-requests/{pk}/pay/", {"transfer_reference": "ICBC-778"}, format="json"
    ).json()
    assert body["status"] == "paid"
    assert body["transfer_reference"] == "ICBC-778"
    agency = _api(pw.agency)
    batch = agency.post(f"{API}/settlement-batches/")
    assert batch.status_code == 201, batch.json()
    again = agency.post(f"{API}/settlement-batches/")
    assert (again.status_code, again.json()["code"]) == (409, "settlement_batch_empty")
    batch_id = batch.json()["id"]
    file = agency.get(f"{API}/settlement-batches/{batch_id}/bank-file/")
    assert file.status_code == 200
    sheet = load_workbook(BytesIO(file.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == pw.w.manufacturer.name
    assert Decimal(str(rows[1][3])) == Decimal("1000")
    lines = sales.get(f"{API}/payment-lines/").json()["results"]
    assert [(line["invoice"]["id"], line["status"]) for line in lines] == [(invoice.pk, "paid")]
    assert sales.get(f"{API}/settlement-batches/").json()["count"] == 1


def test_another_supplier_never_sees_a_request_404_r_escrow():
    pw = make_pay_world()
    request = requested(pw)
    stranger = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    api = _api(stranger)
    assert api.get(f"{API}/payment-requests/{request.pk}/").status_code == 404
    assert api.get(f"{API}/payment-requests/").json()["count"] == 0
    assert api.get(f"{API}/payment-lines/").json()["count"] == 0
    assert _page(stranger).get(f"/settlement/payments/{request.pk}/").status_code == 404
    other_finance = UserFactory(organization=pw.w.other_hospital, roles=[Role.HOSPITAL_FINANCE])
    response = _api(other_finance).post(f"{API}/payment-requests/{request.pk}/approve/")
    assert response.status_code == 404
    assert not JournalEntry.objects.exists()


def test_the_pages_walk_the_flow_and_show_the_overdue_r_pay_30():
    pw = make_pay_world()
    invoice = confirmed_invoice(pw)
    sales = _page(pw.sales)
    assert invoice.number in sales.get("/settlement/payments/new/").content.decode()
    response = sales.post("/settlement/payments/new/", {"invoice": [invoice.pk]})
    request = PaymentRequest.objects.get()
    assert response.status_code == 302
    finance = _page(pw.finance)
    html = finance.get(f"/settlement/payments/{request.pk}/").content.decode()
    assert "data-approve" in html
    assert "data-pay" not in html.replace("data-payment", "")
    finance.post(f"/settlement/payments/{request.pk}/approve/")
    finance.post(f"/settlement/payments/{request.pk}/pay/", {"transfer_reference": "CCB-1"})
    request.refresh_from_db()
    assert request.status == "paid"
    agency = _page(pw.agency)
    assert 'data-waiting="1"' in agency.get("/settlement/batches/").content.decode()
    response = agency.post("/settlement/batches/run/")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "settled"
    html = sales.get("/settlement/payments/invoices/").content.decode()
    assert f'data-invoice-line="{invoice.pk}" data-status="paid"' in html
    assert "已支付给企业" in html


def test_overdue_card_counts_what_the_overdue_list_shows_r_pay_30():
    import time_machine

    from core import clock
    from core.home import home_cards

    pw = make_pay_world()
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=clock.SHANGHAI), tick=False):
        invoice = confirmed_invoice(pw)
    with time_machine.travel(dt.datetime(2026, 11, 15, 9, tzinfo=clock.SHANGHAI), tick=False):
        for actor in (pw.finance, pw.sales, pw.agency, pw.bureau):
            cards = {card.key: card for card in home_cards(actor=actor)}
            assert cards["payment_overdue"].count == 1, actor
            html = _page(actor).get(cards["payment_overdue"].url).content.decode()
            assert f'data-overdue="{invoice.pk}"' in html
        paid(pw, invoice)
        assert {c.key: c.count for c in home_cards(actor=pw.finance)}["payment_overdue"] == 1
