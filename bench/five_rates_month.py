# ruff: noqa: S608  (the SQL below formats in only table names and integers of this module)
"""Benchmark: freezing one month's five rates over 10,000,000 order lines and 2,000,000
invoices (12 months, 500 hospitals, 2,000 suppliers) against one hand-written SQL aggregate
computing the same figures (issue #15).

    python -m bench five_rates_month [--lines 10000000] [--invoices 2000000]
        [--hospitals 500] [--suppliers 2000] [--rebuild] [--profile FILE]
    quick check: python -m bench five_rates_month --lines 100000 --invoices 20000 \\
        --hospitals 50 --suppliers 200   (or BENCH_FIVE_RATES_SMALL=1)

Set-up (not timed; bench/five_rates_data.py): the data set, built once per migration state,
builder, size and calendar month as its own database (``<db>_5rtpl_<key>``) and kept; the
previous month is frozen while building, as the monthly task would have (the dashboard reads
it). Each run works on that database directly: the project's freeze runs inside an outer
transaction that is rolled back afterwards, so the data never changes and needs no copy.

- project: ``supervision.services.five_rates.five_rates_freeze`` of the month six months
  before the current one (the middle of the data): five aggregates (one per rate, every
  frozen slice kind by district), the XLSX report, the snapshot and its figures, the
  notifications of the parties below threshold.
- baseline: one hand-written SQL statement computing the same figures (each rate's rows
  reduced to one row per counted thing, then grouped by district, hospital, supplier and
  category), fetched; run once untimed first (both sides then read a warm cache).

Verified: the snapshot's figures (rate, kind, key, district, both numerators and
denominators) equal the baseline's row for row, and every rate over the whole platform lies
strictly between 0 and 1 by amount and by count. Target ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import ROOT, Result, peak_rss_mb
from bench.ui_pages import _admin, _db_of, _owner_role, _urls, _with_db

sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5
DONE_COMMENT = "five_rates_month data complete"
MONTHS_BACK = 6  # the month frozen: six before the current one
SMALL = {"lines": 100_000, "invoices": 20_000, "hospitals": 50, "suppliers": 200}


def _key(args) -> str:
    """The migrations on disk, the builder, the size and the month: a change makes new data."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/[0-9]*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    digest.update((Path(__file__).parent / "five_rates_data.py").read_bytes())
    digest.update(dt.datetime.now(tz=dt.UTC).strftime("%Y%m").encode())
    return (
        f"{digest.hexdigest()[:8]}_{args.lines}_{args.invoices}_{args.hospitals}_{args.suppliers}"
    )


def _ready(conn, name: str) -> bool:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return bool(row and row[0] and row[0].startswith(DONE_COMMENT))


def ensure_data(app_url: str, owner_url: str, args) -> str:
    """The data database's name, built if missing; stale ones of this benchmark dropped."""
    prefix = f"{_db_of(app_url)}_5rtpl_"
    name = f"{prefix}{_key(args)}"
    with _admin(owner_url) as conn:
        existing = [
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [prefix.replace("_", r"\_") + "%"],
            )
        ]
        key = _key(args).split("_")[0]
        for stale in existing:
            other = stale[len(prefix) :].split("_")[0] != key
            if other or (stale == name and (args.rebuild or not _ready(conn, name))):
                print(f"# dropping {stale}", flush=True)
                conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        if _ready(conn, name):
            return name
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{_owner_role(owner_url)}"')
    started = time.perf_counter()
    env = {
        **os.environ,
        "DATABASE_URL": _with_db(app_url, name),
        "MIGRATE_DATABASE_URL": _with_db(owner_url, name),
    }
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "bench.five_rates_month",
            "--build",
            f"--lines={args.lines}",
            f"--invoices={args.invoices}",
            f"--hospitals={args.hospitals}",
            f"--suppliers={args.suppliers}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with _admin(owner_url) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{DONE_COMMENT}'")
    print(f"# data {name} built in {time.perf_counter() - started:.0f}s", flush=True)
    return name


def build(args) -> None:
    """In a subprocess whose DATABASE_URL names the new database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import logging

    import psycopg
    from django.core.management import call_command
    from django.db import connection

    from bench import five_rates_data as data
    from supervision.services.five_rates import five_rates_freeze

    logging.getLogger("supervision").setLevel(logging.WARNING)

    def log(text: str) -> None:
        print(f"# {text}", flush=True)

    call_command("migrate", verbosity=0)
    log("migrated")
    sk = data.skeleton(args.hospitals, args.suppliers)
    log("organisations and users")
    with psycopg.connect(os.environ["MIGRATE_DATABASE_URL"], autocommit=True) as conn:
        data.bulk_load(conn, sk, args.invoices, args.lines // args.invoices, log)
        conn.execute("VACUUM ANALYZE")
    log("vacuumed")
    started = time.perf_counter()
    five_rates_freeze()  # the previous month, as the monthly task would have
    log(f"previous month frozen: {time.perf_counter() - started:.1f}s")
    connection.close()


# --- The baseline ------------------------------------------------------------------------------


def _policy_rows() -> list[tuple]:
    """(district, delivery h, urgent h, request d, confirm d, payment d, settle d) of every
    district with hospitals (core.policy.policy_for)."""
    from accounts.models import Organization
    from core.policy import policy_for

    codes = sorted(set(Organization.objects.hospitals().values_list("region_code", flat=True)))
    rows = []
    for code in codes:
        p = policy_for(code)
        rows.append(
            (
                code,
                p.delivery_deadline_hours,
                p.urgent_delivery_deadline_hours,
                p.payment_request_deadline_days,
                p.hospital_confirmation_deadline_days,
                p.payment_deadline_days,
                p.agency_settlement_deadline_days,
            )
        )
    return rows


def _local(col: str) -> str:
    return f"(({col}) AT TIME ZONE 'Asia/Shanghai')::date"


# One row per counted thing and category (rate, unit, category, district, hospital, supplier,
# amount, on time), then grouped: districts, hospitals and suppliers count each thing once;
# categories once per category it bills.
BASELINE_SQL = f"""
WITH pol (region, dh, uh, rd, cd, pd, sd) AS (
    SELECT * FROM unnest(%(codes)s::text[], %(dh)s::int[], %(uh)s::int[], %(rd)s::int[],
                         %(cd)s::int[], %(pd)s::int[], %(sd)s::int[])
),
hosp AS (
    SELECT h.id, pol.* FROM accounts_organization h JOIN pol ON pol.region = h.region_code
    WHERE h.kind = 'hospital'
),
rows AS (
    SELECT 'delivery' AS rate, ol.id AS unit, c.category_l1 AS category, h.region,
           o.hospital_id, o.supplier_id, ol.amount,
           COALESCE(sh.q, 0) >= ol.quantity AS ontime
    FROM procurement_order o
    JOIN hosp h ON h.id = o.hospital_id
    CROSS JOIN LATERAL (SELECT o.submitted_at + make_interval(
        hours => CASE WHEN o.is_urgent THEN h.uh ELSE h.dh END) AS deadline) dd
    JOIN procurement_orderline ol ON ol.order_id = o.id AND ol.status = 'confirmed'
    JOIN catalog_consumable c ON c.id = ol.consumable_id
    LEFT JOIN LATERAL (
        SELECT sum(dl.quantity - dl.refused_quantity) AS q
        FROM procurement_deliveryline dl JOIN procurement_delivery d ON d.id = dl.delivery_id
        WHERE dl.order_line_id = ol.id AND d.shipped_at <= dd.deadline
    ) sh ON true
    WHERE dd.deadline >= %(start)s AND dd.deadline < %(end)s
    UNION ALL
    SELECT 'payment_request', dl.id, c.category_l1, h.region, o.hospital_id, o.supplier_id,
           round(ol.unit_price * dl.accepted_quantity, 2),
           EXISTS (
               SELECT 1 FROM procurement_invoiceline il
               JOIN procurement_invoice i ON i.id = il.invoice_id AND i.status <> 'rejected'
               JOIN settlement_paymentrequestline pl ON pl.invoice_id = i.id
               JOIN settlement_paymentrequest r ON r.id = pl.request_id
               WHERE il.order_line_id = ol.id AND r.requested_at >= d.accepted_at
                 AND {_local("r.requested_at")} <= {_local("d.accepted_at")} + h.rd
           )
    FROM procurement_delivery d
    JOIN procurement_deliveryline dl ON dl.delivery_id = d.id AND dl.accepted_quantity > 0
    JOIN procurement_orderline ol ON ol.id = dl.order_line_id
    JOIN procurement_order o ON o.id = ol.order_id
    JOIN hosp h ON h.id = o.hospital_id
    JOIN catalog_consumable c ON c.id = ol.consumable_id
    WHERE d.accepted_at >= %(start)s AND d.accepted_at < %(end)s
    UNION ALL
    SELECT 'hospital_confirmation', pl.id, c.category_l1, h.region, r.hospital_id,
           o.supplier_id, il.amount,
           pl.status <> 'disputed' AND r.approved_at IS NOT NULL
               AND {_local("r.approved_at")} <= {_local("r.requested_at")} + h.cd
    FROM settlement_paymentrequest r
    JOIN hosp h ON h.id = r.hospital_id
    JOIN settlement_paymentrequestline pl ON pl.request_id = r.id
    JOIN procurement_invoice i ON i.id = pl.invoice_id
    JOIN procurement_order o ON o.id = i.order_id
    JOIN procurement_invoiceline il ON il.invoice_id = i.id
    JOIN procurement_orderline ol ON ol.id = il.order_line_id
    JOIN catalog_consumable c ON c.id = ol.consumable_id
    WHERE r.requested_at >= %(start)s AND r.requested_at < %(end)s
    UNION ALL
    SELECT 'payment', i.id, c.category_l1, h.region, i.hospital_id, o.supplier_id, il.amount,
           EXISTS (
               SELECT 1 FROM settlement_paymentrequestline pl
               WHERE pl.invoice_id = i.id AND pl.status = 'paid'
                 AND {_local("pl.paid_at")} <= due.day
           )
    FROM (
        SELECT il.invoice_id, max(d.accepted_at) AS accepted_at
        FROM procurement_invoiceline il
        JOIN procurement_deliveryline dl ON dl.order_line_id = il.order_line_id
        JOIN procurement_delivery d ON d.id = dl.delivery_id
        WHERE il.invoice_id IN (
            SELECT il2.invoice_id FROM procurement_delivery d2
            JOIN procurement_deliveryline dl2 ON dl2.delivery_id = d2.id
            JOIN procurement_invoiceline il2 ON il2.order_line_id = dl2.order_line_id
            WHERE d2.accepted_at >= %(start)s - make_interval(days => %(pd_max)s + 1)
              AND d2.accepted_at < %(end)s - make_interval(days => %(pd_min)s - 1)
        )
        GROUP BY il.invoice_id
    ) acc
    JOIN procurement_invoice i ON i.id = acc.invoice_id AND i.status = 'confirmed'
    JOIN hosp h ON h.id = i.hospital_id
    CROSS JOIN LATERAL (SELECT {_local("acc.accepted_at")} + h.pd AS day) due
    JOIN procurement_order o ON o.id = i.order_id
    JOIN procurement_invoiceline il ON il.invoice_id = i.id
    JOIN procurement_orderline ol ON ol.id = il.order_line_id
    JOIN catalog_consumable c ON c.id = ol.consumable_id
    WHERE due.day >= %(first)s AND due.day < %(next)s
    UNION ALL
    SELECT 'agency_settlement', pl.id, c.category_l1, h.region, r.hospital_id, o.supplier_id,
           il.amount,
           r.settled_at IS NOT NULL
               AND {_local("r.settled_at")} <= {_local("r.paid_at")} + h.sd
    FROM settlement_paymentrequest r
    JOIN hosp h ON h.id = r.hospital_id
    JOIN settlement_paymentrequestline pl ON pl.request_id = r.id AND pl.status <> 'disputed'
    JOIN procurement_invoice i ON i.id = pl.invoice_id
    JOIN procurement_order o ON o.id = i.order_id
    JOIN procurement_invoiceline il ON il.invoice_id = i.id
    JOIN procurement_orderline ol ON ol.id = il.order_line_id
    JOIN catalog_consumable c ON c.id = ol.consumable_id
    WHERE r.method = 'escrow' AND r.paid_at >= %(start)s AND r.paid_at < %(end)s
),
per_category AS (
    SELECT rate, unit, category, region, sum(amount) AS amount, bool_and(ontime) AS ontime
    FROM rows GROUP BY rate, unit, category, region
),
per_unit AS (
    SELECT rate, unit, region, hospital_id, supplier_id, sum(amount) AS amount,
           bool_and(ontime) AS ontime
    FROM rows GROUP BY rate, unit, region, hospital_id, supplier_id
)
SELECT rate, CASE WHEN GROUPING(hospital_id) = 0 THEN 'hospital'
                  WHEN GROUPING(supplier_id) = 0 THEN 'supplier' ELSE 'district' END,
       COALESCE(hospital_id::text, supplier_id::text, region), region,
       COALESCE(sum(amount) FILTER (WHERE ontime), 0), sum(amount),
       count(*) FILTER (WHERE ontime), count(*)
FROM per_unit
GROUP BY GROUPING SETS ((rate, region, hospital_id), (rate, region, supplier_id),
                        (rate, region))
UNION ALL
SELECT rate, 'category', category, region, COALESCE(sum(amount) FILTER (WHERE ontime), 0),
       sum(amount), count(*) FILTER (WHERE ontime), count(*)
FROM per_category GROUP BY rate, category, region
"""

Figure = tuple[str, str, str, str, Decimal, Decimal, int, int]


def baseline(cursor, month: dt.date) -> list[Figure]:
    """The month's figures, hand-written: one statement (the policy read first)."""
    from supervision.selectors.five_rates import month_start, next_month

    policies = _policy_rows()
    names = ("codes", "dh", "uh", "rd", "cd", "pd", "sd")
    params: dict[str, Any] = {name: [row[i] for row in policies] for i, name in enumerate(names)}
    params.update(
        start=month_start(month),
        end=month_start(next_month(month)),
        first=month,
        next=next_month(month),
        pd_max=max(params["pd"], default=0),
        pd_min=min(params["pd"], default=0),
    )
    cursor.execute(BASELINE_SQL, params)
    return [
        (rate, kind, key, district, Decimal(a_num), Decimal(a_den), c_num, c_den)
        for rate, kind, key, district, a_num, a_den, c_num, c_den in cursor.fetchall()
    ]


def _frozen(snapshot) -> list[Figure]:
    from supervision.models import FiveRatesFigure

    return [
        (f.rate, f.kind, f.key, f.region_code, f.amount_numerator, f.amount_denominator,
         f.count_numerator, f.count_denominator)
        for f in FiveRatesFigure.objects.filter(snapshot=snapshot)
    ]  # fmt: skip


def verify(project: list[Figure], hand: list[Figure]) -> list[str]:
    """What differs between the two sides' figures, and any platform rate not in (0, 1)."""
    problems = []
    mine, theirs = set(project), set(hand)
    if len(mine) != len(project) or len(theirs) != len(hand):
        problems.append("duplicate figures")
    for figure in sorted(mine - theirs)[:10]:
        problems.append(f"project only: {figure}")
    for figure in sorted(theirs - mine)[:10]:
        problems.append(f"baseline only: {figure}")
    from supervision.choices import Rate

    for rate in Rate.values:
        rows = [f for f in project if f[0] == rate and f[1] == "district"]
        a_num, a_den = sum(f[4] for f in rows), sum(f[5] for f in rows)
        c_num, c_den = sum(f[6] for f in rows), sum(f[7] for f in rows)
        if not (0 < a_num < a_den and 0 < c_num < c_den):
            problems.append(f"{rate}: {a_num}/{a_den}, {c_num}/{c_den} is not strictly in (0, 1)")
    return problems


# --- The run -----------------------------------------------------------------------------------


def frozen_month() -> dt.date:
    from supervision.selectors.five_rates import current_month, previous_month

    month = current_month()
    for _ in range(MONTHS_BACK):
        month = previous_month(month)
    return month


def run_once(args) -> tuple[dict[str, float], list[str], dict[str, int]]:
    from django.db import connection, transaction
    from django.urls import reverse

    from supervision.services.five_rates import five_rates_freeze

    month = frozen_month()
    # The URLconf, imported by the notifications' link on a process's first reverse(): a
    # worker has it loaded long before the monthly task runs.
    reverse("supervision:five_rates")
    times: dict[str, float] = {}
    with connection.cursor() as cursor:
        baseline(cursor, month)  # warm the cache, untimed
        start = time.perf_counter()
        hand = baseline(cursor, month)
        times["baseline"] = time.perf_counter() - start
    profiler = cProfile.Profile() if args.profile else None
    with transaction.atomic():
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        snapshot = five_rates_freeze(month=month)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        times["project"] = time.perf_counter() - start
        project = _frozen(snapshot)
        transaction.set_rollback(True)  # the data stays as built
    problems = verify(project, hand)
    return times, problems, {"figures": len(project)}


def _counts() -> tuple[int, int]:
    from procurement.models import Invoice, OrderLine

    return OrderLine.objects.count(), Invoice.objects.count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--invoices", type=int, default=2_000_000)
    parser.add_argument("--hospitals", type=int, default=500)
    parser.add_argument("--suppliers", type=int, default=2_000)
    parser.add_argument("--small", action="store_true", help="the quick size (also env)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data")
    parser.add_argument("--profile", default="", help="write the project's cProfile stats here")
    parser.add_argument("--rows", type=int, default=None, help="ignored (make bench's option)")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.small or os.environ.get("BENCH_FIVE_RATES_SMALL"):
        for name, value in SMALL.items():
            setattr(args, name, value)
    if args.lines < args.invoices or args.lines % args.invoices:
        parser.error("--lines must be a multiple of --invoices")
    if args.build:
        build(args)
        return 0
    app_url, owner_url = _urls()
    name = ensure_data(app_url, owner_url, args)
    os.environ["DATABASE_URL"] = _with_db(app_url, name)
    os.environ["MIGRATE_DATABASE_URL"] = _with_db(owner_url, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("supervision").setLevel(logging.WARNING)
    runs = []
    problems: list[str] = []
    info: dict[str, int] = {}
    for _ in range(args.repeat):
        times, found, info = run_once(args)
        runs.append(times)
        problems += found
    lines, invoices = _counts()
    result = Result(
        "five_rates_month",
        lines,
        min(r["project"] for r in runs),
        min(r["baseline"] for r in runs),
        peak_rss_mb(),
    )
    print(
        f"five_rates_month lines={lines} invoices={invoices} month={frozen_month():%Y-%m} "
        f"figures={info.get('figures')} project_s={result.project_s:.2f} "
        f"baseline_s={result.baseline_s:.2f} ratio={result.ratio:.2f} "
        f"target_ratio<={TARGET_RATIO} peak_rss_mb={result.peak_rss_mb:.0f} "
        f"verified={'no' if problems else 'yes'}",
        flush=True,
    )
    for problem in problems[:20]:
        print(f"verification failed: {problem}", file=sys.stderr)
    failed = bool(problems)
    if result.ratio > TARGET_RATIO:
        print(f"target missed (ratio <= {TARGET_RATIO}): five_rates_month", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
