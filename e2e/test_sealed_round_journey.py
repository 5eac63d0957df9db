"""A sealed round in the browser: a supplier seals its price and its price with companion
service (伴随服务) [R-VBP-COMPANION] on the round's bid page (the page refuses either above the
group maximum, and a companion price below the price, before anything is sent) and gets its
receipt, the page showing neither price;
at the opening time three custodians enter their shares on their page, the third opens the
round, and the results are public without login."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from e2e.helpers import expect_message
from e2e.server import ROOT

pytestmark = pytest.mark.e2e


def _sealed_round(env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "e2e.sealed_round", "--bid-seconds", "45"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_supplier_bids_in_the_browser_and_custodians_open_the_round(journey, e2e_live):
    sealed = _sealed_round(e2e_live["env"])
    page = journey.login(sealed["supplier_user"])
    page.goto(f"/procurement/rounds/{sealed['round']}/bids/")
    form = page.locator(f"form[data-sealed-product='{sealed['product']}']")
    price = form.locator("input[data-sealed-price]")
    expect(price).to_be_visible()
    price.fill("600.00")
    form.get_by_role("button", name="密封并提交").click()
    expect(form.locator("[data-sealed-error]")).to_contain_text("最高有效申报价")
    journey.shot(page, "bid-above-maximum-refused-in-page")
    price.fill("321.45")
    companion = form.get_by_label("含伴随服务的申报价（可选）")
    error = form.locator("[data-sealed-error]")
    companion.fill("500.01")
    form.get_by_role("button", name="密封并提交").click()
    expect(error).to_have_text("含伴随服务的申报价高于本组最高有效申报价 500.00。")
    companion.fill("300.00")
    form.get_by_role("button", name="密封并提交").click()
    expect(error).to_have_text("含伴随服务的申报价低于不含伴随服务的申报价（321.45）。")
    journey.shot(page, "companion-price-refused-in-page")
    companion.fill("345.67")
    form.get_by_role("button", name="密封并提交").click()
    expect_message(page, "申报已密封保存")
    receipt = page.locator("[data-receipts] [data-receipt]").first
    expect(receipt).to_be_visible()
    assert len(receipt.inner_text().strip()) == 64
    expect(page.locator("body")).not_to_contain_text("321.45")
    expect(page.locator("body")).not_to_contain_text("345.67")
    assert "345.67" not in page.content()
    journey.shot(page, "bid-sealed-with-receipt")

    wait = sealed["opening_at"] - time.time() + 1
    if wait > 0:
        time.sleep(wait)
    for name in ("custodian1", "custodian2", "custodian5"):
        keeper = journey.login(name)
        keeper.goto(f"/procurement/rounds/{sealed['round']}/custody/")
        keeper.get_by_label("录入您的分片以开标").fill(sealed["shares"][name])
        keeper.get_by_role("button", name="录入分片").click()
        expect_message(keeper, "分片已录入")
    journey.shot(keeper, "third-share-opens-the-round")
    expect(keeper.locator("[data-status]")).to_have_attribute("data-status", "publicity")

    public = journey.new_page()
    public.goto(f"/public/tender-results/{sealed['round']}/")
    row = public.locator("tr[data-result]").first
    expect(row).to_contain_text("¥321.45")
    expect(row.locator("[data-companion-price]")).to_have_text("¥345.67")
    expect(row).to_contain_text("中选")
    journey.shot(public, "public-results")
