"""The payment flow in the browser (付款): a supplier requests payment for its confirmed
invoices, the hospital's finance staff approve and record their bank transfer into escrow, the
agency runs a settlement batch and downloads its bank file, and the supplier sees the money:
its request settled, each invoice paid [R-ESCROW] [R-PAY-30]."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TRANSFER = "BOCNJ-E2E-0001"


def test_supplier_is_paid_through_escrow_by_a_settlement_batch_R_ESCROW(journey):
    facts = journey.facts["payment"]
    invoices = facts["invoices"]

    # The supplier: its home card leads to the confirmed invoices to request payment for.
    sales = journey.login(facts["supplier_user"])
    card = sales.locator("a[data-card='payment_invoices_to_request']")
    expect(card).to_be_visible()
    journey.shot(sales, "supplier-home")
    card.click()
    for number in invoices:
        sales.get_by_label(number, exact=True).check()
    journey.shot(sales, "supplier-picks-invoices")
    sales.locator("button[data-submit-request]").click()
    heading = sales.locator("main h1[data-payment-request]")
    expect(heading).to_have_attribute("data-status", "requested")
    expect(sales.locator("main")).to_contain_text(facts["hospital"])
    for number in invoices:
        expect(sales.locator("tr[data-line][data-status='open']", has_text=number)).to_be_visible()
    request_url = sales.url
    request_number = re.search(r"PR\d{8}-\d{6}", heading.inner_text())
    assert request_number is not None
    journey.shot(sales, "supplier-request-sent")

    # The hospital: approves the request, then records its bank transfer into escrow.
    finance = journey.login(facts["finance_user"])
    finance.locator("a[data-card='payment_requests_to_approve']").click()
    finance.goto(request_url)
    finance.locator("button[data-approve]").click()
    expect(finance.locator("main h1[data-payment-request]")).to_have_attribute(
        "data-status", "approved"
    )
    finance.locator("#transfer-reference").fill(TRANSFER)
    journey.shot(finance, "hospital-approved")
    finance.locator("form[data-pay] button").click()
    expect(finance.locator("main h1[data-payment-request]")).to_have_attribute(
        "data-status", "paid"
    )
    expect(finance.locator("[data-transfer-reference]")).to_have_text(TRANSFER)
    journey.shot(finance, "hospital-paid-into-escrow")

    # The agency: its card of requests paid into escrow, the batch run, the bank file.
    agency = journey.login("agency")
    agency.locator("a[data-card='payment_requests_to_settle']").click()
    expect(agency.locator("main")).to_contain_text(facts["hospital"])
    agency.goto(journey.url("/settlement/batches/"))
    journey.shot(agency, "agency-batches-waiting")
    with journey.confirming(agency):
        agency.locator("button[data-run-batch]").click()
    expect(agency.locator("main h1[data-batch]")).to_be_visible()
    payout = agency.locator("tr[data-payout]", has_text=facts["supplier"])
    expect(payout).to_be_visible()
    journey.shot(agency, "agency-batch-run")
    with agency.expect_download() as download:
        agency.locator("a[data-bank-file]").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    payees = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert facts["supplier"] in payees

    # The supplier sees the money: the request settled, each invoice paid.
    sales.goto(request_url)
    expect(sales.locator("main h1[data-payment-request]")).to_have_attribute(
        "data-status", "settled"
    )
    expect(sales.locator("[data-batch]")).to_be_visible()
    journey.shot(sales, "supplier-request-settled")
    sales.goto(journey.url("/settlement/payments/invoices/?status=paid"))
    for number in invoices:
        expect(sales.locator("tr[data-status='paid']", has_text=number)).to_be_visible()
    journey.shot(sales, "supplier-paid-per-invoice")
    with sales.expect_download() as statement:
        sales.locator("a[data-statement]").click()
    rows = list(
        load_workbook(io.BytesIO(statement.value.path().read_bytes())).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert set(invoices) <= {row[0] for row in rows}
    assert request_number.group(0) in {row[3] for row in rows}


def test_the_bureau_reads_the_funds_direct_settlement_ratio_R_DIRECT(journey):
    """The demo's one direct settlement, against the batches out of escrow: the share the fund
    paid directly, beside the region's 50% goal."""
    bureau = journey.login("bureau")
    card = bureau.locator("a[data-card='fund_direct_settlements']")
    expect(card).to_be_visible()
    card.click()
    expect(bureau.get_by_role("heading", name="医保基金", exact=True)).to_be_visible()
    # From long ago: in early January the demo's direct settlement lies in the year before.
    bureau.locator("#start").fill("2000-01-01")
    bureau.get_by_role("button", name="显示").click()
    ratio = bureau.locator("[data-figure='ratio']")
    expect(ratio).to_contain_text("目标：50%")
    expect(ratio).to_contain_text("%")
    expect(bureau.locator("tr[data-direct]")).to_have_count(1)
    expect(bureau.locator("tr[data-direct]")).to_contain_text("江苏省人民医院")
    journey.shot(bureau, "bureau-fund-view")
