"""The hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE]: h01's purchaser admits a listed
product its committee decided on, orders it for a department, stops it with a reason, sees the
cart and the draft's submission refuse it with that reason, and resumes it; the entry's page
keeps the whole history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import clock
from e2e.helpers import expect_message, menu

pytestmark = pytest.mark.e2e

REASON = "院内抽检批次不合格"


def test_admit_order_stop_refuse_and_resume_R_HOSP_CATALOGUE(journey):
    page = journey.login("h01_purchaser")
    card = page.locator("a[data-card='catalogue_in_use']")
    expect(card).to_be_visible()
    expect(page.locator("a[data-card='catalogue_stopped']")).to_be_visible()
    journey.shot(page, "home-catalogue-cards")
    menu(page, "院内目录").click()
    expect(page.get_by_role("heading", name="院内目录")).to_be_visible()
    expect(page.locator("[data-count='stopped']")).to_have_text("1")  # the demo's stopped one
    page.locator("a[data-admit]").click()

    # The admit page offers the listed products the committee has not decided on yet.
    expect(page.get_by_role("heading", name="产品准入")).to_be_visible()
    row = page.locator("tr[data-admissible]").first
    listing = row.get_attribute("data-admissible")
    code = row.locator("code").inner_text()
    product = row.locator("label").inner_text()
    row.locator("input[name=listing]").check()
    page.locator("#id_decision_date").fill(clock.local_today().isoformat())
    page.locator("#id_decision_reference").fill("耗材委〔2026〕12号")
    journey.shot(page, "admit-ticked")
    page.locator("button[data-admit-submit]").click()
    expect_message(page, "已将 1 个产品纳入院内目录。")

    # Order it for a department: one draft now, and one more in the cart.
    page.goto(journey.url(f"/procurement/orders/new/?code={code}"))
    offered = page.locator(f"tr[data-listing='{listing}']")
    offered.get_by_label("数量").fill("2")
    offered.get_by_role("button", name="加入").click()
    cart = page.locator("#cart-panel")
    expect(cart).to_contain_text("已加入购物车")
    cart.get_by_label("申请科室").fill("骨科")
    cart.get_by_role("button", name="创建 1 个订单").click()
    expect_message(page, "已创建草稿订单")
    order_url = page.url
    expect(page.locator("[data-order-department]")).to_have_text("骨科")
    page.goto(journey.url(f"/procurement/orders/new/?code={code}"))
    page.locator(f"tr[data-listing='{listing}']").get_by_role("button", name="加入").click()
    expect(cart.locator(f"tr[data-cart-line='{listing}']")).to_be_visible()

    # Stop it, with the reason.
    page.goto(journey.url(f"/procurement/catalogue/?q={code}"))
    page.locator("tr[data-catalogue-entry] a").first.click()
    page.locator("#change-reason").fill(REASON)
    with journey.confirming(page, "停用"):
        page.locator("button[data-stop]").click()
    expect_message(page, "已停用")
    expect(page.locator("[data-stop-reason]")).to_contain_text(REASON)
    entry_url = page.url
    journey.shot(page, "entry-stopped")

    # The cart refuses the line with the reason; the search no longer offers to add it.
    page.goto(journey.url(f"/procurement/orders/new/?code={code}"))
    refusal = cart.locator(f"tr[data-cart-line='{listing}'] [data-line-error='catalogue_stopped']")
    expect(refusal).to_contain_text(REASON)
    expect(refusal).to_contain_text("已在本院院内目录中停用")
    expect(
        page.locator(f"tr[data-listing='{listing}'] [data-not-orderable='catalogue_stopped']")
    ).to_be_visible()
    journey.shot(page, "cart-refuses-stopped")

    # The draft made before the stop is refused on submission, with the reason.
    page.goto(order_url)
    with journey.confirming(page):
        page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert").filter(has_text=REASON).first).to_be_visible()
    journey.shot(page, "submit-refused")

    # Resume it: the cart takes it again, and the history holds all three steps.
    page.goto(entry_url)
    page.locator("#change-reason").fill("复检合格，恢复使用")
    page.locator("button[data-resume]").click()
    expect_message(page, "在用")
    events = page.locator("[data-history] tr[data-history-event]")
    expect(events).to_have_count(3)
    expect(events.nth(1)).to_contain_text(REASON)
    journey.shot(page, "entry-history")
    page.goto(journey.url(f"/procurement/orders/new/?code={code}"))
    expect(cart.locator(f"tr[data-cart-line='{listing}'] [data-line-error]")).to_have_count(0)
    assert product
