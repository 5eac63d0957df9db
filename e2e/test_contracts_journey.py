"""A hospital's purchase contract (采购协议) from the demo's finished round: its home card
says a contract awaits its signature, it signs it (the third signature), and sees the
contract in force with its progress by month, lagging behind the cycle [R-VBP-CONTRACT]."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.helpers import expect_message, expect_page_status, menu

pytestmark = pytest.mark.e2e


def test_hospital_signs_a_contract_and_sees_its_progress_R_VBP_CONTRACT(journey):
    page = journey.login("h02_purchaser")
    card = page.locator("a[data-card='contracts_to_sign']")
    expect(card).to_be_visible()
    journey.shot(page, "home-contract-to-sign")
    card.click()
    expect(page.get_by_role("heading", name="采购协议")).to_be_visible()
    rows = page.locator("tr[data-contract]")
    expect(rows.first).to_be_visible()
    waiting = rows.count()
    rows.first.locator("a").first.click()
    expect_page_status(page, "待签署")
    number = page.locator("main h1").inner_text().split()[-1]
    journey.shot(page, "contract-awaiting-signature")

    with journey.confirming(page, number):
        page.get_by_role("button", name="签署").click()
    expect_message(page, "三方均已签署，采购协议生效。")
    expect_page_status(page, "履行中")
    # Progress: the 10 units h02 bought count; four months into the cycle, that is behind.
    summary = page.locator("[data-progress-summary]")
    expect(summary).to_contain_text("已采购 10 /")
    expect(summary.locator("[data-lagging]")).to_have_text("进度滞后")
    expect(page.locator("tr[data-month]").first).to_be_visible()
    journey.shot(page, "contract-in-force-with-progress")

    # The home card counts one fewer; the lagging card lists it.
    menu(page, "首页").click()
    to_sign = page.locator("a[data-card='contracts_to_sign']")
    if waiting > 1:
        expect(to_sign).to_contain_text(str(waiting - 1))
    page.locator("a[data-card='contracts_lagging']").click()
    expect(page.locator("tr[data-contract]").filter(has_text=number)).to_have_count(1)
    journey.shot(page, "lagging-contracts")
