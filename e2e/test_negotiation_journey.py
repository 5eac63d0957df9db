"""A price negotiation (价格谈判) round in the browser: the bureau opens one on a product for a
hospital and invites its manufacturer; the manufacturer's home card leads it to the invitation
and it offers; the bureau's card shows the offer in, it counters with a lower target; the
manufacturer accepts the target; the bureau concludes, and the agreed price is published
[R-NEGOTIATION]."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core import clock
from e2e.helpers import cny, expect_message

pytestmark = pytest.mark.e2e


def _share(price: str, share: str) -> str:
    return str((Decimal(price) * Decimal(share)).quantize(Decimal("0.01")))


def test_bureau_negotiates_and_the_supplier_accepts_the_counter_R_NEGOTIATION(journey):
    facts = journey.facts["negotiation"]
    today = clock.local_today()
    target, offer, counter = (_share(facts["price"], s) for s in ("0.80", "0.90", "0.85"))

    bureau = journey.login("bureau")
    bureau.goto(journey.url("/procurement/negotiations/"))
    expect(bureau.get_by_role("heading", name="价格谈判", exact=True)).to_be_visible()
    bureau.locator("a[data-new]").click()
    expect(bureau.get_by_role("heading", name="发起价格谈判")).to_be_visible()
    bureau.locator("#id_title").fill("浏览器演示：价格谈判")
    bureau.locator("#id_item1_code").fill(facts["code"])
    bureau.locator("#id_item1_target").fill(target)
    bureau.locator("[data-hospitals] label").filter(has_text=facts["hospital"]).click()
    bureau.locator("#id_deadline").fill((today + dt.timedelta(days=2)).isoformat())
    bureau.locator("#id_effective_on").fill((today + dt.timedelta(days=10)).isoformat())
    bureau.locator("#id_valid_until").fill((today + dt.timedelta(days=375)).isoformat())
    journey.shot(bureau, "bureau-opens")
    bureau.locator("button[data-open]").click()
    expect_message(bureau, "价格谈判草稿已保存")
    heading = bureau.locator("main h1")
    number = heading.get_attribute("data-negotiation")
    with journey.confirming(bureau, "浏览器演示：价格谈判"):
        bureau.locator("button[data-invite]").click()
    expect(heading).to_contain_text("进行中：已邀请企业")
    journey.shot(bureau, "invited")

    supplier = journey.login(facts["supplier_user"])
    card = supplier.locator("a[data-card='negotiation_invitations']")
    expect(card).to_be_visible()
    journey.shot(supplier, "supplier-home-invitation")
    card.click()
    supplier.locator(f"tr[data-negotiation-row='{number}'] a").click()
    row = supplier.locator("tr[data-item]").first
    expect(row.locator("[data-target]")).to_have_text(cny(target))
    row.locator("[data-offer-price]").fill(offer)
    row.locator("button[data-offer-submit]").click()
    expect(supplier.locator("tr[data-item]").first.locator("[data-offer]")).to_have_text(cny(offer))
    journey.shot(supplier, "supplier-offered")

    to_decide = bureau.locator("a[data-card='negotiations_to_decide']")
    bureau.goto(journey.url("/"))
    expect(to_decide).to_be_visible()
    to_decide.click()
    bureau.locator(f"tr[data-negotiation-row='{number}'] a").click()
    form = bureau.locator("form[data-counter-form]")
    form.locator("#id_deadline").fill((today + dt.timedelta(days=4)).isoformat())
    form.locator("#id_note").fill("请参考全国最低价进一步让利")
    form.locator("input[name^='target_']").fill(counter)
    form.locator("button[data-counter]").click()
    expect_message(bureau, "已开启新一轮")
    expect(bureau.locator("[data-round]")).to_contain_text("第 2 轮")
    journey.shot(bureau, "bureau-countered")

    supplier.reload()
    row = supplier.locator("tr[data-item]").first
    expect(row.locator("[data-target]")).to_have_text(cny(counter))
    with journey.confirming(supplier, cny(counter)):
        row.locator("button[data-accept-target]").click()
    expect(supplier.locator("tr[data-item]").first.locator("[data-agreed]")).to_have_text(
        cny(counter)
    )
    journey.shot(supplier, "supplier-accepted-target")

    bureau.reload()
    with journey.confirming(bureau, "浏览器演示：价格谈判"):
        bureau.locator("button[data-conclude]").click()
    expect(bureau.locator("main h1")).to_contain_text("已结束并公布")
    expect(bureau.locator("[data-published]")).to_be_visible()
    expect(bureau.locator("tr[data-item]").first.locator("[data-agreed]")).to_have_text(
        cny(counter)
    )
    journey.shot(bureau, "concluded-published")
