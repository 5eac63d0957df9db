"""The order, from the hospital's cart to a confirmed invoice, across four people's browsers:
the purchaser searches and scans products into the cart and submits the order; the supplier
confirms it, delivers with a UDI scan per line and registers the invoice; the purchaser
accepts the goods at the door by scanning them; hospital finance confirms the invoice.

Each step checks what its user reads: Chinese statuses, messages, the question before an
irreversible action, and amounts to the cent.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core import clock
from e2e.helpers import (
    Journey,
    cny,
    expect_message,
    expect_page_status,
    expect_status,
    menu,
    row_of,
)

pytestmark = pytest.mark.e2e

ORDERED = (3, 2)  # product A typed in the search row, product B scanned twice
REFUSED_A = 1  # one unit of A refused at the door
REFUSAL_REASON = "外包装破损"


def gs1(di: str, lot: str, today: dt.date) -> str:
    """The GS1 UDI a scanner reads off a box: DI, production date, expiry and lot."""
    produced, expiry = today - dt.timedelta(days=90), today + dt.timedelta(days=730)
    return f"(01){di}(11){produced:%y%m%d}(17){expiry:%y%m%d}(10){lot}"


def purchaser_places_order(journey: Journey, a: dict, b: dict) -> str:
    """Search A by its model, scan B twice, create the order and submit it; its number."""
    page = journey.login("h01_purchaser")
    menu(page, "下单").click()
    expect(page.get_by_role("heading", name="下单")).to_be_visible()
    expect(page.locator("#scan-box")).to_be_focused()  # a scanner can type at once
    expect(page.locator("#cart-panel")).to_contain_text("购物车为空")

    # Search by model: A's row shows its maker and the price this hospital pays.
    page.get_by_placeholder("产品、规格、型号或生产企业").fill(a["model"])
    page.get_by_role("button", name="查询").click()
    row = page.locator(f"tr[data-listing='{a['listing']}']")
    expect(row).to_contain_text(a["product"])
    expect(row).to_contain_text(journey.facts["supplier"])
    expect(row).to_contain_text(cny(a["price"]))
    for other in page.locator("tbody tr[data-listing]").all():
        expect(other).to_contain_text(a["model"])
    journey.shot(page, "purchaser-search")
    row.get_by_label("数量").fill(str(ORDERED[0]))
    row.get_by_role("button", name="加入").click()
    cart = page.locator("#cart-panel")
    expect(cart).to_contain_text(f"已加入购物车：{a['product']}")
    expect(cart.locator(f"tr[data-cart-line='{a['listing']}']")).to_contain_text(
        cny(Decimal(a["price"]) * ORDERED[0])
    )

    # Scan B: the first scan puts one in the cart, the second makes it two.
    today = clock.local_today()
    for _ in range(ORDERED[1]):
        page.locator("#scan-box").fill(gs1(b["di"], "E2ESCAN", today))
        page.locator("#scan-box").press("Enter")
        expect(cart).to_contain_text(f"已加入购物车：{b['product']}")
    line_b = cart.locator(f"tr[data-cart-line='{b['listing']}']")
    expect(line_b.get_by_label("数量")).to_have_value(str(ORDERED[1]))
    total = Decimal(a["price"]) * ORDERED[0] + Decimal(b["price"]) * ORDERED[1]
    expect(cart.locator("[data-cart-group]")).to_have_count(1)  # one supplier, one order
    expect(cart.locator("[data-cart-group]")).to_contain_text(journey.facts["supplier"])
    expect(cart.locator("[data-cart-total]")).to_have_text(cny(total))
    journey.shot(page, "purchaser-cart")

    # [R-HOSP-CATALOGUE] the purchaser orders for the department that asked.
    cart.get_by_label("申请科室").fill("骨科")
    cart.get_by_role("button", name="创建 1 个订单").click()
    expect_message(page, "已创建草稿订单")
    number = page.locator("[data-order-number]").inner_text()
    assert re.fullmatch(r"[A-Z0-9-]{8,}", number), number
    expect_message(page, f"已创建草稿订单：{number}。请逐一核对后提交。")
    expect_page_status(page, "草稿")
    expect(page.locator("[data-order-total]")).to_have_text(cny(total))
    expect(page.locator("[data-lines] tbody tr")).to_have_count(2)
    journey.shot(page, "purchaser-draft-order")

    with journey.confirming(page, number, cny(total), journey.facts["supplier"]):
        page.get_by_role("button", name="提交").click()
    expect_message(page, f"订单 {number} 已发送至 {journey.facts['supplier']}。")
    expect_page_status(page, "已提交")
    for line in page.locator("[data-lines] tbody tr").all():
        expect_status(line, "待企业确认")
    journey.shot(page, "purchaser-submitted-order")
    return number


def open_order(page: Page, number: str) -> None:
    """From the orders menu, find the order by its number and open it."""
    menu(page, "订单").click()
    page.get_by_label("订单号").fill(number)
    page.get_by_role("button", name="查询").click()
    rows = page.locator("tbody tr[data-order]")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=number).click()
    expect(page.locator("[data-order-number]")).to_have_text(number)


def supplier_confirms_and_delivers(journey: Journey, number: str, a: dict, b: dict) -> str:
    """Confirm every line, then ship all of it with one UDI scan per line; the note's number."""
    page = journey.login(journey.facts["supplier_user"])
    open_order(page, number)
    expect(page.locator("main")).to_contain_text(journey.facts["hospital"])
    expect_page_status(page, "已提交")
    respond = page.locator("#respond")
    expect(respond.locator("tr[data-respond-line]")).to_have_count(2)
    promised = respond.locator("input[type=date]").first.input_value()
    journey.shot(page, "supplier-incoming-order")
    respond.get_by_role("button", name="发送答复").click()
    expect_message(page, f"答复已发送。订单 {number} 当前状态：企业已确认。")
    expect_page_status(page, "企业已确认")
    for line in page.locator("[data-lines] tbody tr").all():
        expect_status(line, "已确认")
        expect(line).to_contain_text(f"承诺配送: {promised}")

    page.get_by_role("link", name="创建配送单").click()
    expect(page.get_by_role("heading", name="创建配送单")).to_be_visible()
    today = clock.local_today()
    barcodes = {p["product"]: gs1(p["di"], f"E2E{p['listing']}", today) for p in (a, b)}
    first = row_of(page, a["product"]).get_by_label("UDI 条码")
    expect(first).to_be_focused()
    # A scanner types the code and presses Enter: the cursor moves on, nothing is sent yet.
    first.fill(barcodes[a["product"]])
    first.press("Enter")
    second = row_of(page, b["product"]).get_by_label("UDI 条码")
    expect(second).to_be_focused()
    second.fill(barcodes[b["product"]])
    for product, quantity in zip((a["product"], b["product"]), ORDERED, strict=True):
        expect(row_of(page, product).get_by_label("数量")).to_have_value(str(quantity))
    journey.shot(page, "supplier-delivery-form")
    page.get_by_role("button", name="创建配送单").click()
    expect_message(page, "配送单")
    delivery = page.locator("[data-delivery-number]").inner_text()
    expect_message(page, f"配送单 {delivery} 已创建。")
    expect_page_status(page, "已发货")
    for p in (a, b):
        row = row_of(page, p["product"])
        expect(row).to_contain_text(p["di"])
        expect(row).to_contain_text(f"E2E{p['listing']}")
        expect(row).to_contain_text((today + dt.timedelta(days=730)).isoformat())
    journey.shot(page, "supplier-delivery-note")
    return delivery


def purchaser_accepts_with_scans(journey: Journey, delivery: str, a: dict, b: dict) -> None:
    """Scan every line at the door (and a wrong box, which is refused), refuse one unit of A
    with a reason, record the acceptance."""
    page = journey.login("h01_purchaser")
    menu(page, "配送单").click()
    row = page.locator("tr").filter(has_text=delivery)
    expect_status(row, "已发货")
    row.get_by_role("link", name=delivery).click()
    expect(page.locator("[data-delivery-number]")).to_have_text(delivery)
    scan = page.locator("#scan-box")
    expect(scan).to_be_focused()
    today = clock.local_today()
    result = page.locator("#scan-result")

    scan.fill(gs1(journey.facts["foreign_di"], "E2EWRONG", today))
    scan.press("Enter")
    expect(result.locator(".alert-danger")).to_contain_text(
        f"UDI-DI {journey.facts['foreign_di']} 对应"
    )
    expect(result.locator(".alert-danger")).to_contain_text("而非订购的")
    journey.shot(page, "purchaser-scan-refused")

    for p in (a, b):
        scan.fill(gs1(p["di"], f"E2E{p['listing']}", today))
        scan.press("Enter")
        expect(result).to_contain_text(f"{p['product']}（批号 E2E{p['listing']}）：与配送单一致。")
        line = page.locator("tr[data-accept-line]").filter(has_text=p["product"])
        expect(line.locator("[data-scans] i")).to_have_count(1)
    journey.shot(page, "purchaser-scanned")

    line_a = page.locator("tr[data-accept-line]").filter(has_text=a["product"])
    line_a.get_by_label("已验收").fill(str(ORDERED[0] - REFUSED_A))
    line_a.get_by_label("拒收", exact=True).fill(str(REFUSED_A))
    line_a.get_by_label("拒收理由").fill(REFUSAL_REASON)
    with journey.confirming(page, delivery):
        page.get_by_role("button", name="记录验收").click()
    expect_message(page, f"配送单 {delivery}：部分验收。")
    expect_page_status(page, "部分验收")
    done_a = page.locator("tr[data-line]").filter(has_text=a["product"])
    expect(done_a.locator("[data-accepted]")).to_have_text(str(ORDERED[0] - REFUSED_A))
    expect(done_a).to_contain_text(REFUSAL_REASON)
    done_b = page.locator("tr[data-line]").filter(has_text=b["product"])
    expect(done_b.locator("[data-accepted]")).to_have_text(str(ORDERED[1]))
    journey.shot(page, "purchaser-accepted")


def supplier_registers_invoice(journey: Journey, number: str, a: dict, b: dict) -> tuple:
    """Invoice what the hospital kept; (invoice number, amount)."""
    page = journey.login(journey.facts["supplier_user"])
    open_order(page, number)
    page.get_by_role("link", name="登记发票").click()
    expect(page.get_by_role("heading", name="登记发票")).to_be_visible()
    kept = {a["product"]: ORDERED[0] - REFUSED_A, b["product"]: ORDERED[1]}
    amount = sum(Decimal(p["price"]) * kept[p["product"]] for p in (a, b))
    for p in (a, b):
        row = page.locator("tr[data-invoice-line]").filter(has_text=p["product"])
        expect(row.get_by_label("数量")).to_have_value(str(kept[p["product"]]))
        expect(row.locator("[data-amount]")).to_have_text(
            cny(Decimal(p["price"]) * kept[p["product"]])
        )
    expect(page.locator("[data-preview-total]")).to_have_text(cny(amount))
    invoice = f"{clock.local_today():%y}3220000000{number[-8:].replace('-', '0')}"
    page.get_by_label("发票号码").fill(invoice)
    expect(page.get_by_label("开票日期")).to_have_value(clock.local_today().isoformat())
    expect(page.get_by_label("开票方")).to_contain_text(journey.facts["supplier"])
    journey.shot(page, "supplier-invoice-form")
    page.get_by_role("button", name="登记发票").click()
    expect_message(page, f"发票 {invoice}（{cny(amount)}）已登记，待医疗机构确认。")
    expect_page_status(page, "已登记")
    expect(page.locator("[data-invoice-amount]")).to_have_text(cny(amount))
    journey.shot(page, "supplier-invoice")
    return invoice, amount


def finance_confirms_invoice(journey: Journey, invoice: str, amount: Decimal) -> None:
    page = journey.login("h01_finance")
    menu(page, "发票").click()
    row = page.locator("tr").filter(has_text=invoice)
    expect_status(row, "已登记")
    expect(row).to_contain_text(cny(amount))
    journey.shot(page, "finance-invoices-to-confirm")
    row.get_by_role("link", name=invoice).first.click()
    expect(page.locator("[data-invoice-number]")).to_have_text(invoice)
    with journey.confirming(page, invoice, cny(amount), journey.facts["supplier"]):
        page.get_by_role("button", name="确认发票").click()
    expect_message(page, f"发票 {invoice} 已确认，可进入结算。")
    expect_page_status(page, "医疗机构已确认")
    expect(page.get_by_role("button", name="确认发票")).to_have_count(0)
    journey.shot(page, "finance-invoice-confirmed")


def test_order_from_cart_to_confirmed_invoice(journey):
    a, b = journey.facts["products"]
    number = purchaser_places_order(journey, a, b)
    delivery = supplier_confirms_and_delivers(journey, number, a, b)
    purchaser_accepts_with_scans(journey, delivery, a, b)
    invoice, amount = supplier_registers_invoice(journey, number, a, b)
    finance_confirms_invoice(journey, invoice, amount)

    # The purchaser's order page now tells the whole story, line by line.
    page = journey.login("h01_purchaser")
    open_order(page, number)
    for p, kept in ((a, ORDERED[0] - REFUSED_A), (b, ORDERED[1])):
        line = page.locator("[data-lines] tbody tr").filter(has_text=p["product"])
        expect(line.locator("[data-accepted]")).to_have_text(str(kept))
        expect(line.locator("[data-invoiced]")).to_have_text(str(kept))
    expect_page_status(page, "已完成")
    expect_status(page.locator("[data-invoices]"), "医疗机构已确认")
    journey.shot(page, "purchaser-order-after-invoice")
