"""The platform administrator keeps the working-day calendar: enters next year's New Year's Day
as a holiday, sees the year now come from the platform's calendar with the entry in its
history, and removes it again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.helpers import expect_message, menu, row_of

pytestmark = pytest.mark.e2e


def test_admin_enters_and_removes_a_holiday(journey):
    page = journey.login("admin")
    menu(page, "工作日历").click()
    expect(page.get_by_role("heading", name="工作日历")).to_be_visible()
    page.goto(journey.url("/calendar/?year=2030"))
    expect(row_of(page.locator("table").first, "2030")).to_contain_text("按周一至周五推算")

    # A weekday is refused as a make-up working day, next to the date, keeping the input.
    page.get_by_label("日期").fill("2030-02-06")
    page.get_by_label("类型").select_option(label="调休上班")
    page.get_by_label("节日").fill("春节")
    page.get_by_role("button", name="添加").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("调休上班日只能是")
    expect(page.get_by_label("节日")).to_have_value("春节")
    journey.shot(page, "calendar-refused")

    page.get_by_label("日期").fill("2030-01-01")
    page.get_by_label("类型").select_option(label="放假")
    page.get_by_label("节日").fill("元旦")
    page.get_by_role("button", name="添加").click()
    expect_message(page, "已录入 2030-01-01：放假。")
    expect(row_of(page.locator("table").first, "2030")).to_contain_text("平台日历")
    entered = page.locator("table").nth(1)
    expect(row_of(entered, "2030-01-01")).to_contain_text("元旦")
    history = page.locator("table").nth(2)
    expect(row_of(history, "2030-01-01")).to_contain_text("录入")
    journey.shot(page, "calendar-entered")

    with journey.confirming(page, "2030-01-01"):
        row_of(entered, "2030-01-01").get_by_role("button", name="删除").click()
    expect_message(page, "已从日历中删除 2030-01-01。")
    expect(row_of(page.locator("table").first, "2030")).to_contain_text("按周一至周五推算")
    expect(row_of(page.locator("table").nth(2), "2030-01-01").first).to_contain_text("删除")
    journey.shot(page, "calendar-removed")
