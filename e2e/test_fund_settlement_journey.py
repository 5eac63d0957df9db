"""The monthly fund settlement (医保基金月度结算): the agency's home card leads it to the month
left to settle, it adds a claim, reads what settling takes off and pays, and settles; the
hospital's finance staff then read their advance's offset schedule, month by month
[R-FUND-MONTHLY] [R-ADVANCE-OFFSET] [R-EMERG-DEDUCT]."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.helpers import expect_message

pytestmark = pytest.mark.e2e


def test_agency_settles_a_month_and_the_hospital_reads_its_advance_R_FUND_MONTHLY(journey):
    page = journey.login("agency")
    card = page.locator("a[data-card='fund_settlements_draft']")
    expect(card).to_be_visible()
    journey.shot(page, "home-fund-settlements-to-settle")
    card.click()
    expect(page.get_by_role("heading", name="基金结算", exact=True)).to_be_visible()
    row = page.locator("tr[data-fund-settlement][data-status='draft']").first
    expect(row).to_contain_text("江苏省人民医院")
    row.get_by_role("link").click()

    expect(page.locator("main h1")).to_contain_text("江苏省人民医院")
    page.locator("#id_reference").fill("JS-E2E-0001")
    page.locator("#id_amount").fill("5000.00")
    page.locator("#id_description").fill("补充申报")
    page.locator("form[data-add-claim] button").click()
    expect_message(page, "申报已添加")
    expect(page.locator("tr[data-claim='JS-E2E-0001']")).to_be_visible()
    net = page.locator("[data-plan] [data-net]").inner_text()
    journey.shot(page, "plan-before-settling")
    with journey.confirming(page, "拨付"):
        page.locator("button[data-settle]").click()
    expect_message(page, "基金结算已完成")
    expect(page.locator("main h1")).to_have_attribute("data-status", "settled")
    expect(page.locator("[data-net]")).to_have_text(net)
    journey.shot(page, "settled")

    finance = journey.login("h01_finance")
    advances = finance.locator("a[data-card='advances_offsetting']")
    expect(advances).to_be_visible()
    advances.click()
    finance.locator("tr[data-advance] a").first.click()
    offsets = finance.locator("tr[data-offset]")
    expect(offsets.first).to_be_visible()
    assert offsets.count() >= 3
    journey.shot(finance, "advance-offset-schedule")
    finance.goto(journey.url("/settlement/fund/?status=settled"))
    expect(finance.locator("tr[data-fund-settlement]").first).to_be_visible()
    # The December settlement deducted the late emergency registration.
    finance.locator("tr[data-fund-settlement] a").first.click()
    expect(finance.locator("tr[data-adjustment='deduction']")).to_be_visible()
    journey.shot(finance, "deduction")
