"""The bureau reads the quarterly price monitoring index [R-PRICE-INDEX]: the chart and the
table of the demo's purchases, one category's series, and the same figures in the XLSX."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import menu

pytestmark = pytest.mark.e2e


def test_bureau_reads_the_price_index_and_exports_it(journey, tmp_path):
    page = journey.login("bureau")
    menu(page, "价格监测指数").click()
    expect(page.get_by_role("heading", name="价格监测指数")).to_be_visible()
    table = page.locator("table[data-price-index]")
    overall = table.locator("tr[data-category='all']")
    expect(overall).to_contain_text("全部分类")
    cells = overall.locator("td.text-end")
    # The first quarter is the base of every series.
    expect(cells.first).to_have_text("100.00")
    categories = table.locator("tr[data-category]:not([data-category='all'])")
    assert categories.count() >= 1, "the demo's purchases should fall into a category"
    # The chart is drawn (ECharts renders into a canvas), or says why there is none.
    chart = page.locator("#index-chart canvas")
    if chart.count() == 0:
        expect(page.get_by_text("暂无可绘制的价格变化。")).to_be_visible()
    journey.shot(page, "price-index")

    first = categories.first
    code = first.get_attribute("data-category")
    shown = [c.inner_text() for c in first.locator("td.text-end").all()][:-1]
    first.locator("a").click()
    expect(page.locator("tr[data-category]")).to_have_count(2)  # all + the one chosen
    expect(page.locator(f"tr[data-category='{code}']")).to_be_visible()
    journey.shot(page, "price-index-category")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 XLSX").click()
    path = tmp_path / "index.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path)["价格指数"]
    mine = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == code]
    assert [f"{Decimal(str(row[3])):.2f}" for row in mine] == shown
