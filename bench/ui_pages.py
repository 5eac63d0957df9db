"""ui_pages: the busiest pages at provincial size through the real HTTP stack (issue #11).

The data (bench/ui_data.py) is built once per migration state and scale as a template
database, and each run works on a fresh copy of it. gunicorn serves the project as production
does (2 workers x 4 threads, gthread) as the runtime role; 8 clients, each with its own
logged-in session, load each page for ``--seconds``, and the same 8 load a trivial logged-in
page of the project (bench/ui_urls.py) right before it, for the ratio:

    ui_pages_cart clients=8 scale=1 project_rps=X baseline_rps=Y ratio=X/Y p50_ms= p95_ms= ...

Pages: the cart (the order page with three products in the cart: listing search, prices and
the alternate-catalogue cap over the hospital's year), the order, delivery and invoice lists
of the big hospital, and a page of the big manufacturer's change feed from the middle of its
history. Target: ratio >= 0.1 each, with zero errors. Then each page is loaded once more in
this process with every SQL statement timed; the slowest ones are printed (``#`` lines) and
their EXPLAIN ANALYZE written to var/bench/ui_pages_explain.txt.

Usage: python -m bench ui_pages [--scale 0.02] [--seconds 10] [--rebuild] [--no-profile]
Disk: ~5 GB at scale 1 (template + copy), ~1 GB at 0.2.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import signal
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import ROOT, WORK_DIR, peak_rss_mb

sys.path.insert(0, str(ROOT))

CLIENTS = 8
WORKERS = 2
THREADS = 4
TARGET = 0.1
BASELINE = "/bench/page/"
DONE_COMMENT = "ui_pages template complete"


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _db_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


_ADMIN_URL = ""


def _urls() -> tuple[str, str]:
    """(runtime URL, owner URL) of the project's database: the environment's, else the
    embedded servers' (as bench.common.setup_django). Databases are created and dropped as the
    owner (it needs CREATEDB), or as the embedded server's superuser."""
    global _ADMIN_URL
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        from config import embedded_servers

        urls = embedded_servers.postgres_urls()
        os.environ.setdefault("DATABASE_URL", urls["app"])
        os.environ.setdefault("MIGRATE_DATABASE_URL", urls["owner"])
        os.environ.setdefault("REDIS_URL", embedded_servers.ensure_redis())
        _ADMIN_URL = urls["superuser"]
    app = os.environ["DATABASE_URL"]
    owner = os.environ.get("MIGRATE_DATABASE_URL") or app
    _ADMIN_URL = _ADMIN_URL or owner
    return app, owner


def _admin(_owner_url: str):
    import psycopg

    return psycopg.connect(_with_db(_ADMIN_URL, "postgres"), autocommit=True)


def _owner_role(owner_url: str) -> str:
    from urllib.parse import unquote

    return unquote(urlsplit(owner_url).username or "")


def _scale_tag(scale: float) -> str:
    return f"{scale:g}".replace(".", "p")


# --- Template --------------------------------------------------------------------------------


def _template_ready(conn, name: str) -> bool:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return bool(row and row[0] and row[0].startswith(DONE_COMMENT))


def ensure_template(app_url: str, owner_url: str, scale: float, *, rebuild: bool) -> str:
    """The template's name, built if missing; stale templates of this project are dropped."""
    key = subprocess.run(
        [sys.executable, "-m", "bench.ui_pages", "--print-key"],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    prefix = f"{_db_of(app_url)}_uitpl_"
    name = f"{prefix}{key}_{_scale_tag(scale)}"
    with _admin(owner_url) as conn:
        existing = [
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [prefix.replace("_", r"\_") + "%"],
            )
        ]
        for stale in existing:
            stale_key = stale[len(prefix) :].split("_")[0]
            if stale_key != key or (stale == name and (rebuild or not _template_ready(conn, name))):
                print(f"# dropping template {stale}", flush=True)
                conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        if _template_ready(conn, name):
            return name
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{_owner_role(owner_url)}"')
    started = time.perf_counter()
    env = {
        **os.environ,
        "DATABASE_URL": _with_db(app_url, name),
        "MIGRATE_DATABASE_URL": _with_db(owner_url, name),
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.ui_pages", "--build", "--scale", str(scale)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with _admin(owner_url) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{DONE_COMMENT} scale={scale}'")
    print(f"# template {name} built in {time.perf_counter() - started:.0f}s", flush=True)
    return name


def build(scale: float) -> None:
    """In a subprocess whose DATABASE_URL names the new template: migrate, load, backfill."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    from bench import ui_data

    def log(text: str) -> None:
        print(f"# {text}", flush=True)

    call_command("migrate", verbosity=0)
    log("migrated")
    sk = ui_data.skeleton()
    log("organisations and users")
    with psycopg.connect(os.environ["MIGRATE_DATABASE_URL"], autocommit=True) as conn:
        got = ui_data.bulk_load(conn, sk, scale, log)
        for label, step in ui_data.BACKFILLS:
            log(f"backfill: {label}")
            step(conn)
        conn.execute("VACUUM ANALYZE")
        log("rows: " + " ".join(f"{k.split('_', 1)[1]}={v}" for k, v in got.items()))
    connection.close()


# --- Sessions --------------------------------------------------------------------------------


def prepare_sessions(scale: float) -> dict[str, Any]:
    """Per page: the path and CLIENTS session cookies of its user."""
    from django.test import Client

    from accounts.models import User
    from procurement.models import Event, Listing
    from procurement.selectors.events import encode_cursor

    def sessions(username: str, cart: list[dict] | None = None) -> list[str]:
        user = User.objects.get(username=username)
        cookies = []
        for _ in range(CLIENTS):
            client = Client()
            client.force_login(user)
            if cart is not None:
                session = client.session
                session["yg_cart"] = {"lines": cart, "note": "", "urgent": False}
                session.save()
            cookies.append(client.cookies["sessionid"].value)
        return cookies

    buyer = "ui_h0_purchaser"
    s0 = User.objects.get(username="ui_m0_sales").organization_id
    # Three products: two of the big manufacturer (capped) and one alternate of another.
    capped = list(
        Listing.objects.filter(manufacturer_id=s0, catalogue="capped")
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    alternate = (
        Listing.objects.filter(catalogue="alternate")
        .exclude(manufacturer_id=s0)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    cart = [
        {"listing": pk, "quantity": "2", "restricted_reason": ""} for pk in [*capped, alternate]
    ]
    supplier_events = Event.objects.filter(supplier_id=s0)
    middle = supplier_events.count() // 2
    mid = supplier_events.order_by("txid", "id").values_list("txid", "id")[middle]
    return {
        "cart": ("/procurement/orders/new/", sessions(buyer, cart)),
        "orders": ("/procurement/orders/", sessions(buyer)),
        "deliveries": ("/procurement/deliveries/", sessions(buyer)),
        "invoices": ("/procurement/invoices/", sessions("ui_h0_finance")),
        "feed": (f"/api/v1/events/?after={encode_cursor(*mid)}", sessions("ui_m0_sales")),
    }


# --- Load ------------------------------------------------------------------------------------


def _worker(port, cookie, path, seconds, start_at, out) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={cookie}", "Accept-Language": "zh-hans"}
    latencies: list[float] = []
    errors = 0
    first_error = ""
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    while time.time() < deadline:
        begun = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status == 200:
                latencies.append(time.perf_counter() - begun)
            else:
                errors += 1
                first_error = first_error or f"{response.status} {payload[:200]!r}"
        except (OSError, http.client.HTTPException) as exc:
            errors += 1
            first_error = first_error or repr(exc)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out.put((latencies, errors, first_error))


def load(port: int, cookies: list[str], path: str, seconds: float) -> dict[str, Any]:
    out: mp.Queue = mp.Queue()
    start_at = time.time() + 0.5
    procs = [
        mp.Process(target=_worker, args=(port, c, path, seconds, start_at, out)) for c in cookies
    ]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r[0])

    def pct(q: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0
        )

    return {
        "rps": len(latencies) / seconds,
        "errors": sum(r[1] for r in results),
        "first_error": next((r[2] for r in results if r[2]), ""),
        "p50": pct(0.5),
        "p95": pct(0.95),
    }


# --- SQL profile -----------------------------------------------------------------------------


def profile(pages: dict[str, Any], top: int = 5) -> None:
    """Each page once in this process, every statement timed; print the slowest, EXPLAIN
    ANALYZE them into var/bench/ui_pages_explain.txt."""
    from django.db import connection
    from django.test import Client

    explain_path = WORK_DIR / "ui_pages_explain.txt"
    with explain_path.open("w") as explain:
        for page, (path, cookies) in pages.items():
            timed: list[tuple[float, str, Any]] = []

            def wrapper(execute, sql, params, many, context, timed=timed):
                begun = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    timed.append((time.perf_counter() - begun, sql, params))

            client = Client()
            client.cookies["sessionid"] = cookies[0]
            client.get(path)  # warm (caches, prepared statements)
            timed.clear()
            with connection.execute_wrapper(wrapper):
                begun = time.perf_counter()
                response = client.get(path)
                total = time.perf_counter() - begun
            sql_s = sum(t for t, _s, _p in timed)
            print(
                f"# ui_pages_{page} profile status={response.status_code} queries={len(timed)} "
                f"sql_ms={sql_s * 1000:.0f} total_ms={total * 1000:.0f}",
                flush=True,
            )
            for seconds, sql, params in sorted(timed, key=lambda t: -t[0])[:top]:
                short = re.sub(r"\s+", " ", sql)
                print(f"#   {seconds * 1000:7.1f} ms  {short[:220]}", flush=True)
                if not short.lstrip().upper().startswith("SELECT"):
                    continue
                explain.write(f"=== ui_pages_{page} {seconds * 1000:.1f} ms\n{sql}\n{params}\n")
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    explain.write("\n".join(r[0] for r in cursor.fetchall()) + "\n\n")
    print(f"# EXPLAIN ANALYZE of the slowest statements: {explain_path}", flush=True)


# --- Main ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The server's settings, production-like; this process uses them too (its sessions must be
# signed with the server's key).
SERVER_ENV = {
    "DJANGO_DEBUG": "0",
    "AUDIT_HMAC_KEY": "test-only-audit-hmac-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "YANGGUANG_BENCH_ENDPOINTS": "1",
    "LOG_LEVEL": "WARNING",
}


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV}
    # As the Dockerfile does: DEBUG off serves the hashed files of collectstatic's manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--rows", type=int, default=None, help="ignored (make bench's option)")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--print-key", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(args.scale)
        return 0
    if args.print_key:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
        from bench.ui_data import migration_state_key

        print(migration_state_key())
        return 0

    app_url, owner_url = _urls()
    template = ensure_template(app_url, owner_url, args.scale, rebuild=args.rebuild)
    bench_db = f"{_db_of(app_url)}_bench_ui"
    started = time.perf_counter()
    with _admin(owner_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        conn.execute(
            f'CREATE DATABASE "{bench_db}" TEMPLATE "{template}" OWNER "{_owner_role(owner_url)}"'
        )
    print(f"# copy {bench_db} from {template}: {time.perf_counter() - started:.1f}s", flush=True)
    os.environ["DATABASE_URL"] = _with_db(app_url, bench_db)
    if owner_url != app_url:
        os.environ["MIGRATE_DATABASE_URL"] = _with_db(owner_url, bench_db)
    else:
        os.environ["MIGRATE_DATABASE_URL"] = os.environ["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(SERVER_ENV)
    import django

    django.setup()
    from django.db import connection

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    pages = prepare_sessions(args.scale)
    connection.close()
    port = _free_port()
    server = _serve(port)  # collectstatic first, so this process's pages render too
    failed = False
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)
        baseline_cookies = pages["orders"][1]
        load(port, baseline_cookies, BASELINE, 1.5)  # warm up the workers
        for page, (path, cookies) in pages.items():
            load(port, cookies, path, 1.5)
            base = load(port, cookies, BASELINE, args.seconds)
            got = load(port, cookies, path, args.seconds)
            ratio = got["rps"] / base["rps"] if base["rps"] else 0.0
            errors = got["errors"] + base["errors"]
            failed |= ratio < TARGET or errors > 0
            print(
                f"ui_pages_{page} clients={CLIENTS} scale={args.scale:g} "
                f"project_rps={got['rps']:.1f} baseline_rps={base['rps']:.1f} "
                f"ratio={ratio:.3f} target={TARGET} p50_ms={got['p50']:.0f} "
                f"p95_ms={got['p95']:.0f} baseline_p95_ms={base['p95']:.0f} errors={errors} "
                f"peak_rss_mb={peak_rss_mb():.0f}"
                + (f" first_error={got['first_error'] or base['first_error']}" if errors else ""),
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if not args.no_profile:
        profile(pages)
    connection.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
