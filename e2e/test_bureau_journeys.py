"""The bureau's journeys: reviewing listing applications (and what hospitals then see), and
editing the region policy (and what a purchaser's cart then says)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core import clock
from e2e.helpers import cny, expect_message, menu

pytestmark = pytest.mark.e2e

ALT_CAP_LABEL = "备选目录采购上限（占年度采购总额比例）"


def _queue_count(page: Page) -> int:
    badge = page.get_by_role("heading", name="挂网申请").locator(".badge")
    return int(badge.inner_text())


def _application(row) -> dict:
    return {
        "id": row.get_attribute("data-listing"),
        "product": row.locator("td").nth(1).locator("a").inner_text(),
        "code": row.locator("td").nth(1).locator("code").inner_text(),
        "manufacturer": row.locator("td").nth(2).inner_text(),
        "price": row.locator("td").nth(3).inner_text(),
    }


def _search_by_code(page: Page, code: str) -> None:
    menu(page, "下单").click()
    page.get_by_placeholder("国家编码前缀").fill(code)
    page.get_by_role("button", name="查询").click()


def test_bureau_approves_and_rejects_listing_applications(journey):
    """An approved application is at once on hospitals' order page at its price; a rejected
    one is not; both leave the queue."""
    page = journey.login("bureau")
    menu(page, "挂网审核").click()
    expect(page.get_by_role("heading", name="挂网审核")).to_be_visible()
    waiting = _queue_count(page)
    approvable = page.locator("tr[data-listing]").filter(
        has=page.get_by_role("button", name="通过", disabled=False)
    )
    assert approvable.count() >= 2, "the demo should leave two approvable applications"
    approved, rejected = _application(approvable.nth(0)), _application(approvable.nth(1))
    expect(approvable.nth(0)).to_contain_text("符合挂网条件")
    journey.shot(page, "bureau-review-queue")

    with journey.confirming(page, approved["product"], approved["price"]):
        approvable.nth(0).get_by_role("button", name="通过").click()
    expect_message(page, f"挂网产品 {approved['product']} ({approved['code']}) 当前状态：已挂网。")
    expect(page.locator(f"tr[data-listing='{approved['id']}']")).to_have_count(0)
    assert _queue_count(page) == waiting - 1

    row = page.locator(f"tr[data-listing='{rejected['id']}']")
    row.get_by_placeholder("驳回理由").fill("注册证已过期，请更新后重新提交")
    row.get_by_role("button", name="驳回").click()
    expect_message(page, f"挂网产品 {rejected['product']} ({rejected['code']}) 当前状态：已驳回。")
    expect(page.locator(f"tr[data-listing='{rejected['id']}']")).to_have_count(0)
    assert _queue_count(page) == waiting - 2
    journey.shot(page, "bureau-review-after-decisions")

    # What a hospital sees: the approved product at its listed price, orderable once the
    # hospital's committee admits it to its own catalogue [R-HOSP-CATALOGUE].
    buyer = journey.login("h01_purchaser")
    _search_by_code(buyer, approved["code"])
    found = buyer.locator("tbody tr[data-listing]")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(approved["product"])
    expect(found).to_contain_text(approved["manufacturer"])
    expect(found).to_contain_text(approved["price"])
    expect(found.locator("[data-not-orderable='catalogue_not_admitted']")).to_be_visible()
    buyer.goto(journey.url(f"/procurement/catalogue/admit/?code={approved['code']}"))
    buyer.locator(f"tr[data-admissible='{approved['id']}'] input[name=listing]").check()
    buyer.locator("#id_decision_date").fill(clock.local_today().isoformat())
    buyer.locator("#id_decision_reference").fill("耗材委〔2026〕15号")
    buyer.locator("button[data-admit-submit]").click()
    expect_message(buyer, "已将 1 个产品纳入院内目录。")
    _search_by_code(buyer, approved["code"])
    expect(found.get_by_role("button", name="加入")).to_be_enabled()
    journey.shot(buyer, "purchaser-finds-approved-listing")
    _search_by_code(buyer, rejected["code"])
    expect(buyer.locator("tbody tr[data-listing]")).to_have_count(0)
    expect(buyer.locator("tbody")).to_contain_text("没有符合条件的挂网产品")


def _cap(page: Page) -> tuple[str, Decimal]:
    """The cart panel's alternate-catalogue cap: its percentage and amount."""
    menu(page, "下单").click()
    line = page.locator("[data-cap] > div").first
    expect(line).to_contain_text("备选目录采购上限")
    text = line.inner_text()
    found = re.search(r"\((\d+)%\)\s*¥([\d,]+\.\d\d)", text)
    assert found, text
    return found.group(1), Decimal(found.group(2).replace(",", ""))


def test_bureau_raises_the_alternate_catalogue_cap(journey):
    """[R-LIST-ALT-CAP] a value out of range is refused next to its field and nothing
    changes; a valid one is saved and the purchaser's cart shows the new cap at once."""
    buyer = journey.login("h01_purchaser")
    percent, cap = _cap(buyer)
    assert percent == "15", percent
    journey.shot(buyer, "purchaser-cap-before")

    page = journey.login("bureau")
    menu(page, "地区政策参数").click()
    expect(page.get_by_role("heading", name="地区政策参数")).to_contain_text("320100")
    field = page.get_by_label(ALT_CAP_LABEL)
    expect(field).to_have_value("15")  # shares in percent, not 0.1500
    expect(page.locator("tr").filter(has_text=ALT_CAP_LABEL)).to_contain_text("R-LIST-ALT-CAP")
    journey.shot(page, "bureau-region-policy")

    field.fill("150")
    page.get_by_role("button", name="检查变更").click()
    error = page.locator("tr").filter(has_text=ALT_CAP_LABEL).locator(".invalid-feedback")
    expect(error).to_have_text("确保该值小于或等于100。")
    expect(page.get_by_label(ALT_CAP_LABEL)).to_have_value("150")  # what was typed is kept
    journey.shot(page, "bureau-region-policy-refused")
    assert _cap(buyer) == (percent, cap)  # nothing changed

    page.get_by_label(ALT_CAP_LABEL).fill("20")
    page.get_by_role("button", name="检查变更").click()
    # A confirmation step shows the old and the new value; nothing is saved before it.
    expect(page.locator("[data-policy-changes]")).to_contain_text("15%")
    expect(page.locator("[data-policy-changes]")).to_contain_text("20%")
    journey.shot(page, "bureau-region-policy-confirm")
    assert _cap(buyer) == (percent, cap)
    page.get_by_role("button", name="确认并保存").click()
    expect_message(page, "地区政策参数已保存。")
    expect(page.get_by_label(ALT_CAP_LABEL)).to_have_value("20")
    # The figure's own history, inline.
    row = page.locator("tr").filter(has_text=ALT_CAP_LABEL)
    expect(row.locator("[data-figure-history]")).to_contain_text("15% → 20%")
    journey.shot(page, "bureau-region-policy-saved")

    raised = (cap / Decimal("0.15") * Decimal("0.20")).quantize(Decimal("0.01"))
    assert _cap(buyer) == ("20", raised)
    expect(buyer.locator("[data-cap]")).to_contain_text(cny(raised))
    journey.shot(buyer, "purchaser-cap-after")
