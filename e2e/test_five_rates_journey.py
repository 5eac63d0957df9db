"""The five rates [R-FIVE-RATES]: the bureau opens 五率, reads last month (frozen by the demo),
by hospital, sees a rate below its threshold marked red and downloads the month's XLSX report
(a sheet per slice); a hospital below threshold reads its notification and follows it to its
own five rates of that month, with its rank among its peers."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from core import clock
from e2e.helpers import menu

pytestmark = pytest.mark.e2e

HOSPITAL = "南京市第一医院"  # h01


def _last_month() -> str:
    return f"{clock.local_today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"


def test_the_bureau_reads_a_frozen_month_and_a_hospital_below_is_told_R_FIVE_RATES(
    journey, tmp_path
):
    month = _last_month()
    bureau = journey.login("bureau")
    menu(bureau, "五率").click()
    expect(bureau.locator("main h1")).to_have_text("五率")
    bureau.locator("input[name='month']").fill(month)
    bureau.locator("select[name='kind']").select_option(value="hospital")
    bureau.get_by_role("button", name="查询").click()
    expect(bureau.locator("[data-frozen='1']")).to_contain_text("固化")
    row = bureau.locator("tbody tr").filter(has_text=HOSPITAL)
    expect(row).to_have_attribute("data-below", re.compile("delivery"))
    expect(row.locator("td.table-danger").first).to_be_visible()
    journey.shot(bureau, "bureau-frozen-month-by-hospital")

    with bureau.expect_download() as download_info:
        bureau.locator("a[data-report]").click()
    download = download_info.value
    assert download.suggested_filename == f"five-rates-{month}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(BytesIO(path.read_bytes()))
    assert len(book.sheetnames) == 5
    assert all(name.startswith(month) for name in book.sheetnames[:1])
    names = [
        cell.value for sheet in book.worksheets for cell in sheet["B"] if cell.value is not None
    ]
    assert HOSPITAL in names

    hospital = journey.login("h01_purchaser")
    hospital.goto(journey.url("/supervision/notifications/"))
    note = hospital.locator("[data-kind='five_rates']").first
    expect(note).to_contain_text(f"{month} 的五率已固化")
    expect(note).to_contain_text("企业配送率")
    journey.shot(hospital, "hospital-notification")
    note.locator("button").click()
    expect(hospital.locator("main h1")).to_have_text("本单位五率")
    expect(hospital.locator("input[name='month']")).to_have_value(month)
    own = hospital.locator("tbody tr[data-below]")
    expect(own).to_have_count(1)
    expect(own).to_contain_text(HOSPITAL)
    expect(hospital.locator("[data-peers]")).to_be_visible()
    expect(own.locator("[data-rank='delivery']")).to_have_text(re.compile(r"^\s*\d+\s*$"))
    journey.shot(hospital, "hospital-own-rates-with-rank")
