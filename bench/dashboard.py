"""Benchmark: the bureau's dashboard through the real HTTP stack at the size of
`five_rates_month` (10,000,000 order lines, 2,000,000 invoices), against a trivial page of
the project in the same run (issue #15).

    python -m bench dashboard [--page /] [--page /supervision/dashboard/] [--seconds 10]
        [--lines … --invoices … --hospitals … --suppliers … | --small]

The data is `five_rates_month`'s database (bench/five_rates_data.py, built once and kept; the
previous month frozen). gunicorn serves the project as production does (2 workers x 4
threads, gthread, DEBUG off, as in `ui_pages`) as the runtime role; 8 clients, each with its
own session of the city bureau's officer (jurisdiction 3201: every hospital), load the
trivial logged-in page (/bench/page/: base.html, the same middleware) for ``--seconds``,
then the page, and the ratio of throughputs is printed:

    dashboard page=/ rows=10000000 dashboard_rps=X trivial_rps=Y ratio=X/Y target_ratio>=0.2 …

Before the server starts, the beat task's refresh (``dashboard_warm``) computes the kept
figures, as production's beat does every quarter of an hour, and a first look at the home
counts its kept watch cards (core/home.py); their time is printed as ``figures_refresh_s``
(the worker's, not a page's).

Pages: ``--page`` (repeatable; the target applies to each), else the dashboard page
(``supervision:dashboard``) and the home's dashboard panel (``supervision:dashboard_panel``,
the same figures as tiles), for which the target applies (ratio >= 0.2, zero errors: a
non-200 answer is an error), and the bureau's home ``/`` with its 32 work-queue cards,
reported without a target (errors still fail). ``--profile``: then each page once
in this process, its slowest statements printed (``#`` lines) and their EXPLAIN ANALYZE
written to var/bench/ui_pages_explain.txt.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import time

from bench import five_rates_month
from bench.common import ROOT, WORK_DIR, peak_rss_mb
from bench.ui_pages import (
    BASELINE,
    CLIENTS,
    SERVER_ENV,
    _free_port,
    _serve,
    _urls,
    _with_db,
    profile,
)
from bench.ui_pages import load as load_page

sys.path.insert(0, str(ROOT))

TARGET = 0.2
DASHBOARD_URL_NAME = "supervision:dashboard"
PANEL_URL_NAME = "supervision:dashboard_panel"
HOME = "/"


def pages_to_measure(explicit: list[str]) -> list[tuple[str, bool]]:
    """(path, whether the target applies): the pages asked for (all with the target), else
    the dashboard page and the home's dashboard panel (the issue's "dashboard page": the
    target applies) and the bureau's home with its work-queue cards (reported)."""
    if explicit:
        return [(path, True) for path in explicit]
    from django.urls import NoReverseMatch, reverse

    pages = []
    for name in (DASHBOARD_URL_NAME, PANEL_URL_NAME):
        with contextlib.suppress(NoReverseMatch):
            pages.append((reverse(name), True))
    pages.append((HOME, False))
    return pages


def sessions() -> list[str]:
    """CLIENTS session cookies of the bureau's officer."""
    from django.test import Client

    from accounts.models import User
    from bench.five_rates_data import BUREAU_USER

    user = User.objects.get(username=BUREAU_USER)
    cookies = []
    for _ in range(CLIENTS):
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return cookies


def warm() -> float:
    """The beat task's refresh of the regulators' default scopes, as production runs it
    every quarter of an hour (supervision.services.dashboard): the pages then read the kept
    figures. Its time is printed: it is what the worker spends, not what a page waits."""
    from django.core.cache import cache

    from accounts.models import User
    from bench.five_rates_data import BUREAU_USER
    from core.home import home_cards
    from supervision.services.dashboard import dashboard_warm

    cache.clear()
    started = time.perf_counter()
    scopes = dashboard_warm()
    took = time.perf_counter() - started
    print(f"# dashboard figures of {scopes} scopes computed in {took:.1f}s (the worker)")
    # The home's kept watch cards (core/home.py keep_for): the officer's first look counts
    # them, as the worker's refresh does afterwards.
    started = time.perf_counter()
    cards = home_cards(actor=User.objects.get(username=BUREAU_USER))
    counted = time.perf_counter() - started
    kept = sum(card.as_of is not None for card in cards)
    print(f"# home: {len(cards)} cards, {kept} kept, first look {counted:.1f}s")
    return took + counted


def _rows() -> int:
    from procurement.models import OrderLine

    return OrderLine.objects.count()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", action="append", default=[], help="a path to measure")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--invoices", type=int, default=2_000_000)
    parser.add_argument("--hospitals", type=int, default=500)
    parser.add_argument("--suppliers", type=int, default=2_000)
    parser.add_argument("--small", action="store_true", help="five_rates_month's quick size")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then load each page once in-process: its slowest SQL, EXPLAIN ANALYZE into "
        "var/bench/ui_pages_explain.txt",
    )
    parser.add_argument("--rows", type=int, default=None, help="ignored (make bench's option)")
    args = parser.parse_args(argv)
    if args.small or os.environ.get("BENCH_FIVE_RATES_SMALL"):
        for name, value in five_rates_month.SMALL.items():
            setattr(args, name, value)
    app_url, owner_url = _urls()
    name = five_rates_month.ensure_data(app_url, owner_url, args)
    os.environ["DATABASE_URL"] = _with_db(app_url, name)
    os.environ["MIGRATE_DATABASE_URL"] = _with_db(owner_url, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(SERVER_ENV)  # this process signs the sessions the server reads
    import django

    django.setup()
    from django.db import connection

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    pages = pages_to_measure(args.page)
    warm_s = warm()  # first: it empties the cache
    cookies = sessions()
    rows = _rows()
    connection.close()
    port = _free_port()
    server = _serve(port)
    failed = False
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)
        load_page(port, cookies, BASELINE, 1.5)  # warm up the workers
        for path, targeted in pages:
            load_page(port, cookies, path, 1.5)
            base = load_page(port, cookies, BASELINE, args.seconds)
            got = load_page(port, cookies, path, args.seconds)
            ratio = got["rps"] / base["rps"] if base["rps"] else 0.0
            errors = got["errors"] + base["errors"]
            failed |= (targeted and ratio < TARGET) or errors > 0
            print(
                f"dashboard page={path} rows={rows} clients={CLIENTS} "
                f"dashboard_rps={got['rps']:.1f} trivial_rps={base['rps']:.1f} "
                f"ratio={ratio:.3f} "
                + (f"target_ratio>={TARGET} " if targeted else "target=none(reported) ")
                + f"p50_ms={got['p50']:.0f} "
                f"figures_refresh_s={warm_s:.0f} "
                f"p95_ms={got['p95']:.0f} trivial_p95_ms={base['p95']:.0f} errors={errors} "
                f"peak_rss_mb={peak_rss_mb():.0f}"
                + (f" first_error={got['first_error'] or base['first_error']}" if errors else ""),
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if args.profile:
        profile({path: (path, cookies) for path, _targeted in pages})
    if failed:
        print(f"target missed (ratio >= {TARGET}) or errors: dashboard", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
