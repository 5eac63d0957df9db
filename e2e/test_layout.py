"""Layout: no label broken one character per line. Buttons and table headers keep their words
on one line ("驳回", "撤回", "已确认"), and company names take at most two lines in the order
list, at the journeys' viewport."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, expect

from e2e.helpers import menu

pytestmark = pytest.mark.e2e

# How many lines the element's text takes: the distinct tops of its text's line boxes.
LINES_JS = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


# The same for the element's first text (a company name, before the distributor under it).
FIRST_TEXT_LINES_JS = """el => {
  const text = [...el.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(text);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


def lines(locator: Locator) -> int:
    return locator.evaluate(LINES_JS)


def test_buttons_headers_and_company_names_do_not_wrap_character_by_character(journey):
    bureau = journey.login("bureau")
    menu(bureau, "挂网审核").click()
    reject = bureau.locator("tr[data-listing]").first.get_by_role("button", name="驳回")
    expect(reject).to_be_visible()
    assert lines(reject) == 1
    journey.shot(bureau, "review-queue")

    menu(bureau, "参考价公示").click()
    withdraw = bureau.get_by_role("button", name="撤回").first
    expect(withdraw).to_be_visible()
    assert lines(withdraw) == 1
    journey.shot(bureau, "publicity")

    purchaser = journey.login("h01_purchaser")
    menu(purchaser, "订单").click()
    rows = purchaser.locator("tbody tr[data-order]")
    expect(rows.first).to_be_visible()
    for cell in purchaser.locator("tbody tr[data-order] td.yg-org").all()[:10]:
        assert cell.evaluate(FIRST_TEXT_LINES_JS) <= 2, cell.inner_text()
    for header in purchaser.locator("table thead th").all():
        assert lines(header) <= 1, header.inner_text()
    journey.shot(purchaser, "order-list")

    rows.first.locator("a").first.click()
    for header in purchaser.locator("[data-lines] thead th").all():
        assert lines(header) == 1, header.inner_text()
    journey.shot(purchaser, "order-detail")
