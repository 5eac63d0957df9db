"""Exports prepared in the background: the purchaser filters the order list, clicks the export
button, watches its progress in place and downloads the file when it is ready; the file holds
the orders the list shows, in the list's order. (The e2e server runs tasks eagerly, so the job
is written by the time the panel polls; the worker path is covered in
procurement/tests/test_exports.py.)"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import menu

pytestmark = pytest.mark.e2e


def test_purchaser_exports_the_filtered_order_list_and_downloads_it(journey, tmp_path):
    page = journey.login("h01_purchaser")
    menu(page, "订单").click()
    page.locator("[data-tab='submitted']").click()
    expect(page.locator("[data-tab='submitted'].active")).to_be_visible()
    shown = [row.get_attribute("data-order") for row in page.locator("tbody tr[data-order]").all()]
    assert shown, "the demo should leave h01 with submitted orders"
    total = int(page.locator("[data-count='submitted']").inner_text())

    start = page.locator(".export-start")
    expect(start).to_contain_text("后台生成；最多 1,048,575 行")  # the stated limit and why
    start.get_by_role("button", name="导出 Excel").click()
    job = start.locator(".export-panel .export-job")
    expect(job).to_be_visible()  # the panel answers at once, before the file is written
    journey.shot(page, "export-started")
    expect(job).to_have_attribute("data-status", "succeeded")
    expect(job).to_contain_text("已就绪")
    expect(job).to_contain_text(f"{total} 行")
    journey.shot(page, "export-ready")

    with page.expect_download() as download_info:
        job.get_by_role("link", name="下载").click()
    download = download_info.value
    assert download.suggested_filename == "orders.xlsx"
    path = tmp_path / "orders.xlsx"
    download.save_as(path)
    sheet = load_workbook(path)["订单"]
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(numbers) == total
    assert numbers[: len(shown)] == shown
    statuses = {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert statuses == {"已提交"}

    # The same export is listed under 我的导出, ready to download again.
    menu(page, "我的导出").click()
    expect(page.locator(".export-job[data-status='succeeded']").first).to_contain_text("订单")
    journey.shot(page, "my-exports")

    # The home page counts the files ready to fetch and links to them.
    page.goto(journey.url("/"))
    card = page.locator("[data-card='exports_ready']")
    expect(card).to_contain_text("可下载的导出")
    ready = int(card.locator("[data-count]").inner_text())
    assert ready >= 1
    card.click()
    expect(page.locator(".export-job[data-status='succeeded']")).to_have_count(ready)
