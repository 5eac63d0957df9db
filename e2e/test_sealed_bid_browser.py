"""A price sealed in chromium by static/js/sealed_bid.js (the vendored jose) opens on the server
with custodians' shares (core/sealed): the two halves interoperate.

Standalone: no live Django server or demo database. A bid form is served from a temporary
folder next to copies of the real static/js/sealed_bid.js and static/vendor/jose/, by a small
HTTP server that records what the form posts. Playwright runs in a thread of its own, so this
test neither needs nor disturbs the package-scoped browser of the other journeys.
"""

from __future__ import annotations

import html
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from core.sealed import SealedBid, commitment, inspect_envelope, key_ceremony, open_bids
from e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS_DIR

PAGE = """<!doctype html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>投标</title></head><body>
<script id="round-key" type="application/json">{jwk}</script>
<form method="post" action="/bids/" data-sealed-bid data-sealed-key="round-key"
      data-sealed-round="{round}" data-sealed-max="{maximum}"
      data-msg-invalid="请输入大于零、最多两位小数的价格。"
      data-msg-above-max="报价高于本组最高有效申报价 {{max}}。">
  <select name="product" data-sealed-product-field>
    <option value="p-41">产品 41</option><option value="p-42">产品 42</option>
  </select>
  <label>报价 <input name="price" data-sealed-price autocomplete="off"></label>
  <input type="hidden" name="envelope" data-sealed-envelope>
  <div data-sealed-error hidden role="alert"></div>
  <button type="submit">密封提交</button>
</form>
<script type="module" src="/static/js/sealed_bid.js"></script>
</body></html>
"""


class _Recorder(SimpleHTTPRequestHandler):
    posts: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        type(self).posts.append(
            {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write("<p id='received'>已收到</p>".encode())

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def bid_site(tmp_path: Path):
    ceremony = key_ceremony(threshold=3, custodians=5)
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    shutil.copy(ROOT / "static/js/sealed_bid.js", static / "js/sealed_bid.js")
    shutil.copytree(ROOT / "static/vendor/jose", static / "vendor/jose")
    (tmp_path / "bid.html").write_text(
        PAGE.format(
            jwk=html.escape(json.dumps(ceremony.public_jwk), quote=False),
            round="round-12",
            maximum="500.00",
        ),
        encoding="utf-8",
    )

    class Handler(_Recorder):
        posts: list[dict] = []

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {
        "url": f"http://127.0.0.1:{server.server_address[1]}/bid.html",
        "ceremony": ceremony,
        "posts": Handler.posts,
    }
    server.shutdown()
    server.server_close()


def _in_browser(url: str, shots: Path) -> dict:
    """Refuse a price above the maximum and one with three decimals, then bid 123.4."""
    from playwright.sync_api import expect, sync_playwright

    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        price = page.get_by_label("报价")
        alert = page.get_by_role("alert")
        price.fill("500.01")
        page.get_by_role("button", name="密封提交").click()
        expect(alert).to_have_text("报价高于本组最高有效申报价 500.00。")
        page.screenshot(path=shots / "01-above-maximum.png")
        price.fill("12.345")
        page.get_by_role("button", name="密封提交").click()
        expect(alert).to_have_text("请输入大于零、最多两位小数的价格。")
        refused_envelope = page.locator("[data-sealed-envelope]").input_value()
        page.select_option("select[name=product]", "p-42")
        price.fill("123.4")
        page.get_by_role("button", name="密封提交").click()
        expect(page.locator("#received")).to_be_visible()
        page.screenshot(path=shots / "02-sealed-and-sent.png")
        browser.close()
    return {"errors": errors, "refused_envelope": refused_envelope}


def test_a_price_sealed_in_the_browser_opens_on_the_server_with_three_shares(bid_site):
    with ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(
            _in_browser, bid_site["url"], SHOTS_DIR / "test_sealed_bid_browser"
        ).result(timeout=120)
    assert seen["errors"] == []
    assert seen["refused_envelope"] == ""  # nothing sealed for a refused price
    posts = bid_site["posts"]
    assert len(posts) == 1, "only the valid price was submitted"
    post = posts[0]
    # The plaintext price never left the page: the field was emptied and disabled.
    assert "price" not in post or post["price"] == ""
    assert "123.4" not in json.dumps(post)
    assert post["product"] == "p-42"
    ceremony = bid_site["ceremony"]
    envelope = post["envelope"]
    info = inspect_envelope(envelope, ceremony.public_jwk)
    assert info.kid == ceremony.fingerprint
    receipt = commitment(
        envelope, round_fingerprint=ceremony.fingerprint, supplier="s-9", product="p-42"
    )
    opening = open_bids(
        [ceremony.shares[i].text for i in (0, 2, 4)],
        ceremony.public_jwk,
        [SealedBid(envelope, receipt, "s-9", "p-42", maximum=Decimal("500.00"))],
        round_ref="round-12",
    )
    assert opening.refused == []
    assert [(b.product, b.price) for b in opening.opened] == [("p-42", Decimal("123.40"))]
