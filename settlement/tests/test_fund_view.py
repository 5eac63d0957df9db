"""The bureau's view of the fund and the direct-settlement ratio [R-DIRECT], the supplier's
payment statement (XLSX), and the invoices the hospital has not paid yet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
from core.services import region_policy_update
from settlement.selectors.fund_view import Period, fund_view
from settlement.services import payments
from settlement.tests.pay_world import approved, confirmed_invoice, make_pay_world, paid

pytestmark = pytest.mark.django_db
API = "/api/v1/settlement"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def flow():
    """One request paid out of escrow by a batch, one paid by the fund directly."""
    pw = make_pay_world()
    escrow = paid(pw, confirmed_invoice(pw, 6))
    batch = payments.settlement_batch_run(actor=pw.agency)
    region_policy_update(actor=pw.bureau, changes={"direct_settlement": True})
    direct = approved(pw, confirmed_invoice(pw, 4))
    payments.payment_request_pay_direct(actor=pw.agency, request_id=direct.pk)
    return pw, escrow, batch, direct


def test_the_ratio_is_the_funds_share_of_supplier_payments_by_amount_r_direct(flow):
    pw, escrow, batch, direct = flow
    body = _api(pw.bureau).get(f"{API}/fund-view/").json()
    assert Decimal(body["escrow_amount"]) == batch.total == escrow.amount
    assert Decimal(body["direct_amount"]) == direct.amount
    assert body["direct_count"] == 1
    share = (direct.amount / (direct.amount + escrow.amount)).quantize(Decimal("0.0001"))
    assert share == Decimal("0.4000")  # 4 units directly, 6 through escrow, at one price
    assert Decimal(body["ratio"]) == share
    assert body["goal"] == "0.5000"
    assert body["meets_goal"] is False
    # The fund's account has paid out what it paid directly.
    assert Decimal(body["fund_paid_out"]) == direct.amount
    assert [a["kind"] for a in body["fund_accounts"]] == ["fund"]
    # The region lowers its goal: now met.
    region_policy_update(actor=pw.bureau, changes={"direct_settlement_target_ratio": "0.4000"})
    assert _api(pw.agency).get(f"{API}/fund-view/").json()["meets_goal"] is True


def test_the_page_shows_the_ratio_the_goal_and_the_direct_settlements_r_direct(flow):
    pw, _escrow, _batch, direct = flow
    client = Client()
    client.force_login(pw.bureau)
    response = client.get("/settlement/fund/view/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "40%" in html
    assert "50%" in html
    assert f'data-direct="{direct.direct_settlement.pk}"' in html


def test_a_period_without_payments_has_no_ratio_not_zero_r_direct(flow):
    pw, *_rest = flow
    long_ago = clock.local_today() - dt.timedelta(days=400)
    view = fund_view(actor=pw.bureau, period=Period(long_ago, long_ago + dt.timedelta(days=30)))
    assert view.ratio is None
    assert view.meets_goal is None
    assert view.direct_amount == view.escrow_amount == Decimal("0.00")
    body = _api(pw.bureau).get(f"{API}/fund-view/?start=2000-01-01&end=2000-12-31").json()
    assert body["ratio"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01", "start"),
        ("end=yesterday", "end"),
        ("start=2026-05-01&end=2026-04-30", "end"),
    ],
)
def test_a_malformed_period_is_a_clear_400(flow, query, field):
    pw, *_rest = flow
    response = _api(pw.bureau).get(f"{API}/fund-view/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"]
    page = Client()
    page.force_login(pw.bureau)
    assert page.get(f"/settlement/fund/view/?{query}").status_code == 400


def test_parties_may_not_see_the_fund_and_another_regions_bureau_sees_nothing_r_direct(flow):
    pw, *_rest = flow
    for party in (pw.sales, pw.finance):
        assert _api(party).get(f"{API}/fund-view/").status_code == 403
    elsewhere = UserFactory(
        organization=BureauFactory(region_code="320500"), roles=[Role.BUREAU_OFFICER]
    )
    body = _api(elsewhere).get(f"{API}/fund-view/").json()
    assert body["ratio"] is None
    assert body["fund_accounts"] == []
    assert body["direct_amount"] == "0.00"


def test_the_supplier_downloads_its_payment_statement_per_invoice(flow):
    pw, escrow, batch, direct = flow
    response = _api(pw.sales).get(f"{API}/payment-lines/statement/")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(header) == 10
    by_request = {row[3]: row for row in body}
    assert set(by_request) == {escrow.number, direct.number}
    assert by_request[escrow.number][9] == batch.number
    assert Decimal(str(by_request[escrow.number][5])) == escrow.amount
    assert by_request[direct.number][8]  # paid at
    # The page's status filter applies to the download; another supplier's statement is empty.
    client = Client()
    client.force_login(pw.sales)
    only_open = client.get("/settlement/payments/statement/?status=open")
    assert only_open.status_code == 200
    assert len(list(load_workbook(BytesIO(only_open.content)).active.iter_rows())) == 1
    other = _api(pw.w.distributor_sales).get(f"{API}/payment-lines/statement/")
    assert len(list(load_workbook(BytesIO(other.content)).active.iter_rows())) == 1


def test_invoices_the_hospital_paid_are_not_awaiting_settlement(flow):
    pw, escrow, _batch, direct = flow
    waiting = confirmed_invoice(pw)
    in_escrow = paid(pw, confirmed_invoice(pw))
    body = _api(pw.bureau).get("/api/v1/procurement/invoices/?status=confirmed&unpaid=1").json()
    numbers = {row["number"] for row in body["results"]}
    assert waiting.number in numbers
    paid_numbers = {
        line.invoice.number for r in (escrow, direct, in_escrow) for line in r.lines.all()
    }
    assert not numbers & paid_numbers
    everything = _api(pw.bureau).get("/api/v1/procurement/invoices/?status=confirmed").json()
    assert paid_numbers <= {row["number"] for row in everything["results"]}
