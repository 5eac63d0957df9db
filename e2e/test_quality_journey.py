"""Quality [R-QUALITY]: a hospital's purchaser reports a defect on a UDI lot it accepted (the
product, the lot, what happened, the severity); another hospital that accepted goods of the
same lot logs in, finds the lot notice among its notifications, opens it and reads the product,
the lot and the severity, but nothing of which hospital reported it. (A general report: a
serious one would sanction the supplier at once, which the journeys after this one do not
expect.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import clock
from e2e.helpers import expect_message

pytestmark = pytest.mark.e2e


def test_a_quality_report_reaches_the_other_hospitals_of_the_lot_R_QUALITY(journey):
    q = journey.facts["quality"]
    page = journey.login(q["reporter"])
    page.goto(journey.url("/supervision/quality/new/"))
    page.locator("#id_consumable").select_option(value=str(q["consumable"]))
    page.locator("#id_lot").fill(q["lot"])
    page.locator("#id_severity").select_option(value="general")
    page.locator("#id_occurred_on").fill(clock.local_today().isoformat())
    page.locator("#id_description").fill("开封检查时发现导管外包装破损，产品表面有异物")
    journey.shot(page, "hospital-files")
    page.locator("form[data-quality-form] button[data-submit]").click()
    expect_message(page, "质量")
    expect(page.locator("main")).to_contain_text(q["lot"])
    journey.shot(page, "report-filed")

    told = journey.login(q["told"])
    told.goto(journey.url("/supervision/notifications/"))
    notice = told.locator("[data-kind='lot_notice']").first
    expect(notice).to_contain_text(q["lot"])
    expect(notice).to_contain_text(q["product"])
    expect(notice).not_to_contain_text(q["reporter_name"])
    journey.shot(told, "other-hospital-notified")
    notice.locator("button").click()
    expect(told.locator("h1[data-lot-notice]")).to_be_visible()
    expect(told.locator("[data-lot]")).to_have_text(q["lot"])
    expect(told.locator("[data-product]")).to_contain_text(q["product"])
    expect(told.locator("main")).to_contain_text("一般")
    expect(told.locator("main")).not_to_contain_text(q["reporter_name"])
    journey.shot(told, "lot-notice")
