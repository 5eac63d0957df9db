"""Browser journeys: Playwright for Python driving Debian's chromium against a live server.

``make e2e`` runs them; ``make test`` runs them too when chromium is there and says plainly
that it skipped them when not. Nothing is downloaded: the browser is the system's
(``apt-get install chromium``; ``E2E_CHROMIUM`` names another binary). Screenshots go to
``var/e2e-screenshots/<test>/`` (``E2E_SCREENSHOTS`` moves them); the folder is printed at the
end of the run. With ``E2E_REQUIRED=1`` (``make e2e``, CI) a missing browser is an error.

The server, its database and the demo data: e2e/server.py. What a journey uses: e2e/helpers.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parent
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS_DIR = Path(os.environ.get("E2E_SCREENSHOTS") or ROOT / "var" / "e2e-screenshots").resolve()
_state: dict = {}


def _is_ours(item: pytest.Item) -> bool:
    return E2E_DIR in Path(str(item.path)).resolve().parents


def _chromium_problem() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} not found (install it: apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: a browser journey (e2e/)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if _is_ours(item)]
    if not ours:
        return
    problem = _chromium_problem()
    if problem is None:
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        raise pytest.UsageError(f"e2e: the browser journeys cannot run: {problem}")
    # Not a silent skip: the run's summary says so in a line of its own.
    items[:] = [item for item in items if not _is_ours(item)]
    config.hook.pytest_deselected(items=ours)
    _state["skipped"] = (len(ours), problem)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if "skipped" in _state:
        count, problem = _state["skipped"]
        terminalreporter.write_sep("=", "browser journeys", yellow=True, bold=True)
        terminalreporter.write_line(
            f"e2e: SKIPPED all {count} browser journeys (e2e/): {problem}.", yellow=True
        )
        return
    if "shots" in _state:
        shots = sorted(SHOTS_DIR.rglob("*.png"))
        terminalreporter.write_sep("=", "browser journeys")
        for line in _state.get("notes", []):
            terminalreporter.write_line(f"e2e: {line}")
        terminalreporter.write_line(f"e2e: {len(shots)} screenshots in {SHOTS_DIR}/")
        if not _has_cjk_font():
            terminalreporter.write_line(
                "e2e: no Chinese font is installed, so screenshots show boxes for Chinese"
                " text (apt-get install fonts-wqy-microhei)",
                yellow=True,
            )


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return True  # cannot tell; say nothing
    found = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and _is_ours(item):
        item._e2e_failed = report.failed
    return report


def _clear_screenshots() -> None:
    """Last run's screenshots go (only .png files and the folders they leave empty)."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for png in SHOTS_DIR.glob("*/*.png"):
        png.unlink()
    for folder in SHOTS_DIR.iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


# --- the live system ---------------------------------------------------------------------------


# Package scope, not session: the browser (and Playwright's event loop, which makes Django
# refuse ORM calls in this thread) is gone before any test collected after e2e/ runs.
@pytest.fixture(scope="package")
def e2e_live():
    """The e2e database (fresh from the seeded template), the web server on it, and the demo
    facts the journeys use. Started once per run."""
    from django.conf import settings

    from core import clock
    from e2e import server

    _clear_screenshots()
    _state["shots"] = True
    database = server.prepare_database(
        settings.DATABASE_URL,
        settings.REDIS_URL,
        clock.local_today().isoformat(),
        owner_url=settings.MIGRATE_DATABASE_URL or None,
    )
    how = "reused the seeded template" if database.template_reused else "migrated and seeded"
    _state["notes"] = [f"database {how} in {database.seconds:.0f} s"]
    env = server.child_env(database.url, settings.REDIS_URL)
    facts = server.facts(env)
    with server.live_server(env) as base_url:
        _state["notes"].append(f"live server {base_url} (log: var/e2e/server.log)")
        yield {"base_url": base_url, "facts": facts, "env": env}


@pytest.fixture(scope="package")
def browser(e2e_live):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        started = time.monotonic()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _state["notes"].append(
            f"chromium {browser.version} ({CHROMIUM}) started in {time.monotonic() - started:.1f} s"
        )
        yield browser
        browser.close()


@pytest.fixture
def journey(request, e2e_live, browser):
    """One journey's browser session (e2e/helpers.py). It fails when a page answered 5xx,
    raised a script error or asked an unexpected question, and leaves a screenshot of every
    open page when the test failed."""
    from e2e.helpers import Journey

    journey = Journey(
        browser=browser,
        base_url=e2e_live["base_url"],
        shots_dir=SHOTS_DIR / request.node.name,
        facts=e2e_live["facts"],
    )
    yield journey
    journey.close(failed_shots=getattr(request.node, "_e2e_failed", False))
    problems = journey.problems()
    if problems:
        pytest.fail("the pages misbehaved:\n" + "\n".join(problems), pytrace=False)
