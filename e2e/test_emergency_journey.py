"""An emergency purchase (应急采购): the hospital registers a purchase made off the platform,
sees on the form, as it types, that it passes the emergency cap, and registers it anyway (an
over-cap violation awaiting the bureau); the bureau's home card leads it to the request, which
it approves with a reason [R-EMERG-CAP] [R-EMERG-DEADLINE]."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import clock
from e2e.helpers import expect_message

pytestmark = pytest.mark.e2e


def test_hospital_registers_over_the_cap_and_the_bureau_approves_R_EMERG_CAP(journey):
    page = journey.login("h02_purchaser")
    card = page.locator("a[data-card='emergency_this_year']")
    expect(card).to_be_visible()
    journey.shot(page, "home-emergency-share")
    card.click()
    expect(page.get_by_role("heading", name="应急采购", exact=True)).to_be_visible()
    expect(page.locator("[data-emergency-cap]")).to_be_visible()
    page.locator("a[data-new]").click()

    expect(page.get_by_role("heading", name="登记应急采购")).to_be_visible()
    cap_panel = page.locator("#emergency-cap")
    page.locator("#id_bought_on").fill(clock.local_today().isoformat())
    page.locator("#id_approver_name").fill("王主任")
    page.locator("#id_approver_role").fill("分管副院长")
    page.locator("#id_reason").fill("急诊手术，平台无该规格产品")
    page.locator("#id_line1_code").fill(journey.facts["emergency_code"])
    page.locator("#id_line1_supplier").fill("南京康达医疗器械有限公司")
    page.locator("#id_line1_price").fill("2000000.00")
    page.locator("#id_line1_quantity").fill("1")
    # The cap panel follows the lines typed (htmx) and warns before the click.
    expect(cap_panel.locator("[data-cap-adding]")).to_have_text("¥2,000,000.00")
    expect(cap_panel.locator("[data-over-cap]")).to_contain_text("超出限额")
    journey.shot(page, "register-over-the-cap")
    page.locator("button[data-register]").click()

    expect_message(page, "应急采购已登记，并记为违规")
    heading = page.locator("main h1")
    expect(heading).to_contain_text("超出限额：待医保局审批")
    expect(page.locator("[data-violation='over_cap']")).to_be_visible()
    number = heading.get_attribute("data-emergency")
    journey.shot(page, "registered-awaiting-bureau")

    bureau = journey.login("bureau")
    to_decide = bureau.locator("a[data-card='emergency_to_decide']")
    expect(to_decide).to_be_visible()
    to_decide.click()
    bureau.locator(f"tr[data-emergency-row='{number}'] a").click()
    bureau.locator("#decision-reason").fill("突发公共卫生事件，准予超额")
    with journey.confirming(bureau, "超出限额"):
        bureau.locator("button[data-approve]").click()
    expect_message(bureau, "医保局已批准")
    expect(bureau.locator("main h1")).to_contain_text("超出限额：医保局已批准")
    journey.shot(bureau, "bureau-approved")

    # The hospital's queue no longer holds it.
    page.goto(journey.url(f"/procurement/emergency/{number}/"))
    expect(page.locator("main h1")).to_contain_text("医保局已批准")
