"""Credit [R-CREDIT]: the bureau records a supplier's failure to supply; at once the hospital
can no longer order that supplier's products (the cart says why); the supplier reads the
notice, applies for credit repair with what it corrected; the bureau approves, the sanction
is lifted and the hospital orders again. (The repair also leaves the demo as it was for the
other journeys.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import clock
from e2e.helpers import expect_message

pytestmark = pytest.mark.e2e

SUPPLIER = "上海微创心脉医疗科技股份有限公司"  # m07


def _try_to_order(journey):
    page = journey.login("h01_purchaser")
    page.goto(journey.url("/procurement/orders/new/"))
    page.get_by_placeholder("产品、规格、型号或生产企业").fill(SUPPLIER)
    page.get_by_role("button", name="查询").click()
    row = page.locator("tbody tr[data-listing]").first
    expect(row).to_contain_text(SUPPLIER)
    row.locator("button").click()
    return page


def test_a_sanction_stops_the_hospitals_order_until_the_repair_R_CREDIT(journey):
    bureau = journey.login("bureau")
    bureau.goto(journey.url("/supervision/credit/events/"))
    bureau.locator("a[data-new]").click()
    bureau.locator("#id_subject").select_option(label=SUPPLIER)
    bureau.locator("#id_item").select_option(value="supply_failure")
    bureau.locator("#id_occurred_on").fill(clock.local_today().isoformat())
    bureau.locator("#id_description").fill("订单确认后逾期未供货，约谈后仍未履约")
    journey.shot(bureau, "bureau-records")
    with journey.confirming(bureau, "处置措施"):
        bureau.locator("form[data-event-form] button").click()
    expect_message(bureau, "已对")
    expect(bureau.locator("[data-sanction='suspend_listing']")).to_be_visible()
    event = bureau.locator("main h1").get_attribute("data-event")
    journey.shot(bureau, "event-recorded")

    page = _try_to_order(journey)
    expect(page.locator("#cart-panel")).to_contain_text("暂停挂网")
    journey.shot(page, "hospital-refused")

    supplier = journey.login("m07_sales")
    supplier.goto(journey.url("/supervision/notifications/"))
    expect(supplier.locator("[data-kind='sanction']").first).to_contain_text("未按合同约定供货")
    supplier.goto(journey.url(f"/supervision/credit/events/{event}/"))
    supplier.locator("#id_statement").fill("已补足欠货，并与配送企业签订保供协议")
    supplier.locator("button[data-apply]").click()
    expect_message(supplier, "信用修复")
    journey.shot(supplier, "supplier-applies")

    bureau.goto(journey.url(f"/supervision/credit/events/{event}/"))
    bureau.locator("form[data-decide] input[name='reason']").fill("整改到位，同意修复")
    with journey.confirming(bureau, "修复"):
        bureau.locator("button[data-approve]").click()
    expect(bureau.locator("main h1")).to_contain_text("已修复")
    journey.shot(bureau, "repair-approved")

    page = _try_to_order(journey)
    expect(page.locator("#cart-panel")).not_to_contain_text("暂停挂网")
    journey.shot(page, "hospital-orders-again")
