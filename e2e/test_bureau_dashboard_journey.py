"""The bureau's dashboard (docs/dashboard.md): the bureau logs in and its home shows the
dashboard's tiles above its cards; it opens the dashboard for last month (the demo's busiest),
reads the tiles and sees the trend and ranking charts drawn; it drills down from a district's
order count to the orders list, which shows the same number of orders; then it records a
credit event (a written warning) against a supplier. Between the two it follows the open-alerts
tile to the alerts of several rules, opens one and acknowledges it, and the tile counts one
fewer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from core import clock
from e2e.helpers import expect_message, menu

pytestmark = pytest.mark.e2e

SUPPLIER = "乐普(北京)医疗器械股份有限公司"


def _last_month() -> str:
    return f"{clock.local_today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"


def test_the_bureau_reads_the_dashboard_drills_down_acknowledges_an_alert_and_records_a_sanction(
    journey,
):
    bureau = journey.login("bureau")
    panel = bureau.locator("[data-panel='dashboard']")
    expect(panel.locator("[data-tile='online_share'] [data-value]")).to_have_text(
        re.compile(r"\d+(\.\d+)?%")
    )
    expect(bureau.locator("[data-card]").first).to_be_visible()
    journey.shot(bureau, "home-with-dashboard")

    menu(bureau, "监管看板").click()
    expect(bureau.locator("main h1")).to_have_text("监管看板")
    bureau.locator("input[name='month']").fill(_last_month())
    bureau.get_by_role("button", name="显示").click()
    expect(bureau.locator("[data-dashboard-tiles]")).to_have_attribute("data-month", _last_month())
    for key in ("online_share", "purchases", "savings", "rate_delivery"):
        expect(bureau.locator(f"[data-tile='{key}'] [data-value]")).to_have_text(re.compile(r"\d"))
    expect(bureau.locator("#trend-chart canvas")).to_have_count(1)
    expect(bureau.locator("#rank-hospitals-amount canvas")).to_have_count(1)
    # The figures are kept ones and say since when (docs/dashboard.md, Freshness).
    expect(bureau.locator("[data-computed-at]")).to_contain_text("数据截至")
    journey.shot(bureau, "dashboard-last-month")

    district = bureau.locator("[data-districts] a[data-orders]").filter(
        has_text=re.compile(r"^[1-9]\d?$")
    )
    link = district.first
    count = int(link.get_attribute("data-orders"))
    link.click()
    expect(bureau.locator("[data-drill-count]")).to_have_attribute("data-drill-count", str(count))
    expect(bureau.locator("tbody tr[data-order]")).to_have_count(min(count, 20))
    journey.shot(bureau, "orders-drilled-down")

    bureau.goto(journey.url("/supervision/dashboard/"))
    tile = bureau.locator("[data-tile='alerts_open']")
    opened = int(tile.locator("[data-count]").get_attribute("data-count"))
    assert opened >= 3
    tile.locator("[data-value]").click()
    rows = bureau.locator("tbody tr[data-alert]")
    expect(rows.first).to_be_visible()
    statuses = {row.get_attribute("data-status") for row in rows.all()}
    assert statuses == {"open"}
    # The demo's alerts come from several rules (trade and usage).
    assert len({row.get_attribute("data-rule") for row in rows.all()}) >= 3
    journey.shot(bureau, "alerts-open")
    first = rows.first
    number = first.get_attribute("data-alert")
    first.locator("a").first.click()
    expect(bureau.locator("h1[data-alert]")).to_have_attribute("data-status", "open")
    expect(bureau.locator("[data-evidence] tbody tr").first).to_be_visible()
    bureau.locator("button[data-acknowledge]").click()
    expect(bureau.locator("h1[data-alert]")).to_have_attribute("data-status", "acknowledged")
    expect(bureau.locator("h1[data-alert]")).to_contain_text("已确认受理")
    journey.shot(bureau, "alert-acknowledged")
    bureau.goto(journey.url("/supervision/dashboard/"))
    expect(bureau.locator("[data-tile='alerts_open'] [data-count]")).to_have_attribute(
        "data-count", str(opened - 1)
    )
    bureau.goto(journey.url("/supervision/alerts/?status=open"))
    expect(bureau.locator(f"tbody tr[data-alert='{number}']")).to_have_count(0)

    bureau.goto(journey.url("/supervision/credit/events/"))
    bureau.locator("a[data-new]").click()
    bureau.locator("#id_subject").select_option(label=SUPPLIER)
    bureau.locator("#id_item").select_option(value="regional_price_gap")
    bureau.locator("#id_occurred_on").fill(clock.local_today().isoformat())
    bureau.locator("#id_description").fill("同一产品在本市挂网价明显高于周边地区，约谈后未调整")
    with journey.confirming(bureau, "处置措施"):
        bureau.locator("form[data-event-form] button").click()
    expect_message(bureau, "已对")
    expect(bureau.locator("[data-sanction='written_warning']")).to_be_visible()
    journey.shot(bureau, "sanction-recorded")
