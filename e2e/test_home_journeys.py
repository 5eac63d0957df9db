"""The home page's work queues in the demo: a purchaser and the bureau log in, see how much
waits for them, click a card and land on the list of exactly those items."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def _card(page: Page, key: str):
    return page.locator(f"a[data-card='{key}']")


def _count(page: Page, key: str) -> int:
    return int(_card(page, key).locator("[data-count]").inner_text())


def test_purchaser_home_shows_the_queues_and_leads_to_the_drafts(journey):
    page = journey.login("h01_purchaser")
    expect(page.get_by_text("暂无内容")).to_have_count(0)
    for title in ("草稿订单", "待企业确认订单", "待验收配送", "有退货的配送单"):
        expect(page.locator("a[data-card]").filter(has_text=title)).to_have_count(1)
    drafts, waiting = _count(page, "order_drafts"), _count(page, "deliveries_to_accept")
    assert drafts > 0, "the demo should leave h01 with draft orders"
    assert waiting > 0, "the demo should leave h01 deliveries to accept"
    journey.shot(page, "purchaser-home")

    _card(page, "order_drafts").click()
    expect(page).to_have_url(re.compile(r"/procurement/orders/\?status=draft$"))
    rows = page.locator("tr[data-order]")
    expect(rows).to_have_count(min(drafts, 20))
    expect(page.locator("[data-tab='draft'].active")).to_be_visible()
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text("草稿")
    journey.shot(page, "purchaser-drafts")

    page.goto(journey.url("/"))
    _card(page, "deliveries_to_accept").click()
    expect(page).to_have_url(re.compile(r"/procurement/deliveries/\?status=shipped$"))
    notes = page.locator("tr[data-delivery]")
    expect(notes).to_have_count(min(waiting, 20))
    for i in range(notes.count()):
        expect(notes.nth(i)).to_contain_text("已发货")
    journey.shot(page, "purchaser-deliveries-to-accept")


def test_bureau_home_shows_the_review_queue_and_leads_to_it(journey):
    page = journey.login("bureau")
    expect(page.get_by_text("暂无内容")).to_have_count(0)
    applications = _count(page, "listing_applications")
    assert applications > 0, "the demo should leave listing applications to review"
    settled = _card(page, "invoices_awaiting_settlement")
    expect(settled.locator("[data-amount]")).to_contain_text("¥")
    journey.shot(page, "bureau-home")

    _card(page, "listing_applications").click()
    expect(page.get_by_role("heading", name="挂网审核")).to_be_visible()
    expect(page.locator("tr[data-listing]")).to_have_count(applications)
    journey.shot(page, "bureau-review-queue")
