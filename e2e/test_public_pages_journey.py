"""The public section (阳光公开) [R-DISCLOSE]: an anonymous visitor opens it from the login
page, searches the reference prices, opens the listings and the tender results of the demo's
finished round, and downloads what a list shows, without ever logging in."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_anonymous_visitor_searches_and_downloads_the_public_lists(journey, tmp_path):
    page = journey.new_page()
    page.goto("/accounts/login/")
    page.locator("main [data-public-link]").get_by_role("link").click()
    expect(page.get_by_role("heading", name="阳光公开")).to_be_visible()
    parts = page.locator("[data-public-parts] [data-part]")
    # Reference prices, listings, tender and negotiation results, the ledger's daily hashes
    # [R-ESCROW] and the serious credit cases [R-CREDIT].
    expect(parts).to_have_count(6)
    journey.shot(page, "public-index")

    # The demo's disclosed serious case, and the ledger's published hashes (no amounts).
    parts.filter(has_text="严重失信公示").click()
    expect(page.get_by_role("heading", name="严重失信公示")).to_be_visible()
    expect(page.locator("tr[data-credit-case]").first).to_be_visible()
    page.locator("nav.navbar [data-public-link]").click()
    parts.filter(has_text="账本每日哈希").click()
    expect(page.get_by_role("heading", name="账本每日哈希")).to_be_visible()
    expect(page.get_by_text("¥")).to_have_count(0)
    page.locator("nav.navbar [data-public-link]").click()

    # Reference prices: search by a word of a product shown, then only the confirmed ones.
    parts.filter(has_text="参考价").click()
    expect(page.get_by_role("heading", name="参考价")).to_be_visible()
    rows = page.locator("tbody tr[data-reference-price]")
    expect(rows.first).to_be_visible()
    code = rows.first.locator("code").inner_text().strip()
    page.get_by_label("查询").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(rows.filter(has_not_text=code)).to_have_count(0)
    expect(rows.first).to_contain_text(code)
    journey.shot(page, "reference-prices-searched")
    page.get_by_role("link", name="重置").click()
    page.get_by_label("状态").select_option(label="已确认")
    page.get_by_role("button", name="查询").click()
    expect(rows.first).to_be_visible()
    for status in rows.locator("td .badge").all_inner_texts():
        assert status == "已确认"
    # A malformed filter gets its reason next to the field, not a server error.
    page.goto("/public/reference-prices/?status=nonsense")
    expect(page.locator("[data-field-error='status']")).to_be_visible()

    # Listings, with their purchase labels and prices; filter by a label.
    page.locator("nav.navbar [data-public-link]").click()
    parts.filter(has_text="挂网产品").click()
    listings = page.locator("tbody tr[data-listing]")
    expect(listings.first).to_be_visible()
    expect(listings.first.locator("[data-price]")).to_contain_text("¥")
    page.get_by_label("采购标签").select_option(label="优先采购")
    page.get_by_role("button", name="查询").click()
    expect(listings.first).to_contain_text("优先采购")
    journey.shot(page, "listings-preferred")

    # Tender results: the finished round, its winners and payment standards.
    page.locator("nav.navbar [data-public-link]").click()
    parts.filter(has_text="中选结果").click()
    expect(page.locator("tr[data-round]").first).to_be_visible()
    expect(page.locator("tr[data-result]").first).to_be_visible()
    expect(page.locator("[data-rows='tender-results']")).to_contain_text("中选")
    expect(page.locator("[data-rows='payment-standards']")).to_be_visible()
    journey.shot(page, "tender-results")
    # The round the payment standards belong to (the demo's finished round; a journey run
    # before may have opened another round, in publicity, without standards yet).
    number = page.locator("[data-rows='payment-standards'] tr[data-standard] td").first.inner_text()
    page.locator("tr[data-round] a").filter(has_text=number.strip()).click()
    expect(page.locator("[data-results] tr[data-result]").first).to_be_visible()
    expect(page.get_by_text("支付标准", exact=True)).to_be_visible()
    journey.shot(page, "tender-round")

    # Download the results shown as CSV: the rows the page lists.
    page.goto("/public/tender-results/")
    shown = page.locator("tr[data-result]").count()
    with page.expect_download() as download_info:
        page.locator("[data-export-csv]").first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("tender-results-")
    assert download.suggested_filename.endswith(".csv")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0][0] == "批次编号"
    assert len(lines) - 1 == shown
    assert any(line[-1] == "中选" for line in lines[1:])
    # Nobody logged in on the way.
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
