"""What every browser journey uses: log in as a demo user, take screenshots, answer the
confirmation questions, and check what the page says, in Chinese.

A journey is a test that takes the ``journey`` fixture (e2e/conftest.py)::

    def test_bureau_lists_a_product(journey):
        page = journey.login("bureau")            # through the login page, Chinese UI
        page.get_by_role("link", name="挂网审核").click()
        journey.shot(page, "review-queue")         # var/e2e-screenshots/<test>/01-review-queue.png
        with journey.confirming(page, "挂网"):     # the window.confirm question must name this
            row.get_by_role("button", name="通过").click()
        expect_message(page, "当前状态：已挂网")

Assertions use Playwright's ``expect`` (it waits for htmx swaps and page loads), on the text a
user reads: Chinese labels, statuses and amounts as ``cny()`` formats them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Response, expect

from accounts.demo import DEMO_PASSWORD
from core.money import format_cny

VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def cny(amount: Decimal | str | int) -> str:
    """An amount as the pages show it: ¥1,234.56."""
    return format_cny(Decimal(str(amount)))


def expect_message(page: Page, text: str) -> None:
    """The page's message (the alert after an action) says ``text``."""
    expect(page.get_by_role("alert").filter(has_text=text).first).to_be_visible()


def expect_status(scope, label: str) -> None:
    """The first coloured status tag in ``scope`` (a row, a table) reads ``label``."""
    expect(scope.locator("[data-status]").first).to_have_text(label)


def expect_page_status(page: Page, label: str) -> None:
    """The status tag beside the page's heading (an order's, a delivery note's...)."""
    expect(page.locator("main h1 ~ [data-status]").first).to_have_text(label)


def menu(page: Page, label: str):
    """The left menu's entry called ``label`` (its icon is no part of the name)."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return page.locator("aside.yg-menu a.nav-link").filter(has_text=exact)


def row_of(scope, text: str):
    """The table row that contains ``text``."""
    return scope.locator("tr").filter(has_text=text)


@dataclass
class _Watch:
    """Everything a page does that a user would call broken: a server error, a script error,
    a question nobody expected. The journey fails on any of them at its end."""

    problems: list[str] = field(default_factory=list)
    expected_questions: list[tuple[str, ...]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    wrong_questions: list[str] = field(default_factory=list)

    def on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} from {response.url}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"script error: {error}")

    def on_dialog(self, dialog: Dialog) -> None:
        self.questions.append(dialog.message)
        if not self.expected_questions:
            self.problems.append(f"unexpected {dialog.type}: {dialog.message}")
            dialog.dismiss()
            return
        fragments = self.expected_questions.pop(0)
        missing = [f for f in fragments if f not in dialog.message]
        if missing:
            self.wrong_questions.append(f"the question {dialog.message!r} does not name {missing}")
            dialog.dismiss()
            return
        dialog.accept()


class Journey:
    """One test's browser session: a context per logged-in user, numbered screenshots."""

    def __init__(self, *, browser: Browser, base_url: str, shots_dir: Path, facts: dict):
        self.browser = browser
        self.base_url = base_url
        self.shots_dir = shots_dir
        self.facts = facts
        self.pages: dict[str, Page] = {}
        self._contexts: list[BrowserContext] = []
        self._watches: list[_Watch] = []
        self._shots = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    def new_page(self) -> Page:
        """A page in a fresh browser (no cookies), Chinese locale, Shanghai time."""
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=VIEWPORT,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self._contexts.append(context)
        page = context.new_page()
        watch = _Watch()
        page.on("response", watch.on_response)
        page.on("pageerror", watch.on_page_error)
        page.on("dialog", watch.on_dialog)
        page._yg_watch = watch  # type: ignore[attr-defined]
        self._watches.append(watch)
        return page

    def login(self, username: str) -> Page:
        """Log in as a demo user through the login page; the same page object is returned
        for the same user within a journey (one browser per person)."""
        if username in self.pages:
            return self.pages[username]
        page = self.new_page()
        page.goto("/accounts/login/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_role("heading", name="登录阳光采购平台")).to_be_visible()
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        # The header names who is logged in; the menu is the role's.
        expect(page.locator("nav.navbar")).to_contain_text(username)
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
        self.pages[username] = page
        return page

    def shot(self, page: Page, name: str) -> Path:
        """Save a full-page screenshot as ``NN-name.png`` in this journey's folder."""
        self._shots += 1
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
        path = self.shots_dir / f"{self._shots:02d}-{slug}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    @contextmanager
    def confirming(self, page: Page, *fragments: str) -> Iterator[None]:
        """The action in the block asks once (window.confirm); the question must contain
        every fragment (the object's number, the amount...). It is answered OK."""
        watch: _Watch = page._yg_watch  # type: ignore[attr-defined]
        asked = len(watch.questions)
        watch.expected_questions.append(fragments)
        yield
        assert len(watch.questions) > asked, f"no confirmation was asked (wanted {fragments})"
        assert not watch.wrong_questions, watch.wrong_questions.pop()
        page.wait_for_load_state()

    def problems(self) -> list[str]:
        return [problem for watch in self._watches for problem in watch.problems]

    def close(self, *, failed_shots: bool) -> None:
        if failed_shots:
            for username, page in self.pages.items():
                if not page.is_closed():
                    self.shot(page, f"failed-{username}")
        for context in self._contexts:
            context.close()
