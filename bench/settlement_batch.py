"""Benchmark: one settlement batch paying 100,000 invoices to 2,000 suppliers out of escrow,
against hand-written SQL doing the same postings (issue #14).

    python -m bench settlement_batch [--invoices 100000] [--suppliers 2000] [--hospitals 10]
        [--repeat 1] [--rebuild] [--profile FILE]

Set-up (not timed; bench/settlement_data.py): confirmed invoices whose order, UDI-scanned
acceptance and invoice agree, one payment request per supplier and hospital, approved and paid
into escrow (20,000 requests by default), the ledger holding their approvals and payments on
one hash chain. Built once per migration state and size as a template database; each run
copies it twice (``CREATE DATABASE … TEMPLATE``), one copy per side, so both start from
identical data.

- project: ``settlement.services.payments.settlement_batch_run`` as the agency's finance user:
  the paid requests locked, the three flows checked for every invoice [R-ESCROW], one entry
  per supplier (Dr supplier_receivable / Cr escrow) through ``entries_post_many`` with its
  hash chain, the accounts' totals, the payouts, the requests and lines marked paid.
- baseline: the same in hand-written SQL over one psycopg connection: the requests locked,
  the three-flows check as one query, the per-supplier totals into a temporary table, the
  accounts locked, the chain's advisory lock and head, the entries' hashes (the project's
  ``entry_hash``: 2,000 calls), entries and postings by COPY, the accounts' totals, the
  payouts, the requests and lines updated by one UPDATE each.

Both as the runtime role, history triggers on. Afterwards, on each copy:
``settlement.selectors.ledger.ledger_verify()`` finds nothing (every entry balanced, every
account's totals equal to its postings, no account below its floor, the chain unbroken), no
request is left paid, and both copies hold the same payouts. Target ratio <= 2.0.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.common import ROOT, WORK_DIR, Result, peak_rss_mb, report
from bench.ui_pages import _admin, _db_of, _owner_role, _urls, _with_db

sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
DONE_COMMENT = "settlement_batch template complete"


def _key(args) -> str:
    """The migrations on disk, this benchmark's builder and the size: a change makes a new
    template."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/[0-9]*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    digest.update((Path(__file__).parent / "settlement_data.py").read_bytes())
    return f"{digest.hexdigest()[:8]}_{args.invoices}_{args.suppliers}_{args.hospitals}"


def _ready(conn, name: str) -> bool:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return bool(row and row[0] and row[0].startswith(DONE_COMMENT))


def ensure_template(app_url: str, owner_url: str, args) -> str:
    prefix = f"{_db_of(app_url)}_sbtpl_"
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
            # Another migration state or builder; this size's if asked or left half-built.
            other = stale[len(prefix) :].split("_")[0] != key
            if other or (stale == name and (args.rebuild or not _ready(conn, name))):
                print(f"# dropping template {stale}", flush=True)
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
            "bench.settlement_batch",
            "--build",
            f"--invoices={args.invoices}",
            f"--suppliers={args.suppliers}",
            f"--hospitals={args.hospitals}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with _admin(owner_url) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{DONE_COMMENT}'")
    print(f"# template {name} built in {time.perf_counter() - started:.0f}s", flush=True)
    return name


def build(args) -> None:
    """In a subprocess whose DATABASE_URL names the new template."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    from bench import settlement_data as data

    def log(text: str) -> None:
        print(f"# {text}", flush=True)

    call_command("migrate", verbosity=0)
    log("migrated")
    sk = data.skeleton(args.hospitals, args.suppliers)
    log("organisations and users")
    with psycopg.connect(os.environ["MIGRATE_DATABASE_URL"], autocommit=True) as conn:
        data.bulk_load(conn, sk, args.invoices, log)
        links = data.post_entries(conn, log)
        data.link_entries(conn, links)
        conn.execute("VACUUM ANALYZE")
    connection.close()


# --- The baseline ------------------------------------------------------------------------------


class _Timed:
    """A psycopg cursor whose statements are timed, by their first words (``--steps``)."""

    def __init__(self, cur, steps: dict[str, float] | None):
        self.cur, self.steps = cur, steps

    def __getattr__(self, name):
        return getattr(self.cur, name)

    def execute(self, sql, params=None):
        start = time.perf_counter()
        try:
            return self.cur.execute(sql, params)
        finally:
            if self.steps is not None:
                label = " ".join(sql.split()[:4])
                self.steps[label] = self.steps.get(label, 0.0) + time.perf_counter() - start


def baseline(
    conn,
    *,
    agency_user: int,
    agency_org: int,
    region_prefix: str,
    steps: dict[str, float] | None = None,
) -> int:
    """The batch in hand-written SQL, in one transaction of ``conn`` (psycopg, the runtime
    role, not autocommit): what settlement_batch_run writes, the same way (the history rows'
    context included). Returns the batch's pk."""
    import json
    import uuid

    from core import clock
    from settlement.locks import CHAIN_LOCK_KEY
    from settlement.selectors.ledger import GENESIS_HASH, entry_hash, timestamp_text

    like = region_prefix + "%"
    with conn.cursor() as raw:
        cur = _Timed(raw, steps)
        cur.execute(
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true)",
            [
                str(uuid.uuid4()),
                json.dumps(
                    {
                        "action": "settlement_batch_run",
                        "user": agency_user,
                        "organization": agency_org,
                    }
                ),
            ],
        )
        cur.execute(
            "CREATE TEMP TABLE t_req ON COMMIT DROP AS SELECT id, supplier_id, region_code "
            "FROM settlement_paymentrequest WHERE status = 'paid' AND region_code LIKE %s "
            "ORDER BY id FOR UPDATE",
            [like],
        )
        cur.execute("ALTER TABLE t_req ADD PRIMARY KEY (id)")
        cur.execute("ANALYZE t_req")
        cur.execute(
            "CREATE TEMP TABLE t_line ON COMMIT DROP AS SELECT l.id, l.request_id, "
            "l.invoice_id, l.amount FROM settlement_paymentrequestline l "
            "JOIN t_req r ON r.id = l.request_id WHERE l.status = 'open'"
        )
        cur.execute("ANALYZE t_line")
        # [R-ESCROW] the three flows, every rule of three_flows_mismatches in one query.
        cur.execute(
            """
            WITH il AS (
                SELECT il.invoice_id, il.order_line_id, il.quantity, il.amount
                FROM procurement_invoiceline il
                WHERE il.invoice_id IN (SELECT invoice_id FROM t_line)),
            ol AS (SELECT DISTINCT order_line_id FROM il),
            kept AS (
                SELECT dl.order_line_id, sum(dl.accepted_quantity - dl.returned_quantity) AS n
                FROM procurement_deliveryline dl JOIN ol USING (order_line_id)
                WHERE dl.udi_di <> '' GROUP BY 1),
            billed AS (
                SELECT x.order_line_id, sum(x.quantity) AS n
                FROM procurement_invoiceline x JOIN ol USING (order_line_id)
                JOIN procurement_invoice i ON i.id = x.invoice_id
                WHERE i.status <> 'rejected' GROUP BY 1),
            sums AS (SELECT invoice_id, sum(amount) AS s FROM il GROUP BY 1)
            SELECT
                (SELECT count(*) FROM il JOIN procurement_orderline o ON o.id = il.order_line_id
                 WHERE il.amount <> round(o.unit_price * il.quantity, 2))
              + (SELECT count(*) FROM il LEFT JOIN kept k USING (order_line_id)
                 LEFT JOIN billed b USING (order_line_id)
                 WHERE coalesce(b.n, 0) > coalesce(k.n, 0))
              + (SELECT count(*) FROM t_line l JOIN procurement_invoice i ON i.id = l.invoice_id
                 LEFT JOIN sums s ON s.invoice_id = i.id
                 WHERE coalesce(s.s, 0) <> i.amount OR l.amount <> i.amount)
            """
        )
        (mismatches,) = cur.fetchone()
        if mismatches:
            raise RuntimeError(f"baseline: {mismatches} three-flows mismatches")
        # One payout per supplier and escrow account (the pooling region: the city).
        cur.execute(
            """
            CREATE TEMP TABLE t_pay ON COMMIT DROP AS
            SELECT r.supplier_id, CASE WHEN r.region_code LIKE '%%0000' THEN r.region_code
                    ELSE left(r.region_code, 4) || '00' END AS region,
                sum(l.amount) AS amount, count(*) AS n
            FROM t_line l JOIN t_req r ON r.id = l.request_id
            GROUP BY 1, 2
            """
        )
        cur.execute(
            """
            SELECT p.supplier_id, p.region, p.amount, p.n, rec.id, esc.id, o.name
            FROM t_pay p
            JOIN accounts_organization o ON o.id = p.supplier_id
            JOIN settlement_account rec
                ON rec.kind = 'supplier_receivable' AND rec.organization_id = p.supplier_id
            JOIN settlement_account esc
                ON esc.kind = 'escrow' AND esc.organization_id IS NULL
                AND esc.region_code = p.region
            ORDER BY p.supplier_id, p.region
            """
        )
        pays = cur.fetchall()
        cur.execute("SELECT count(*) FROM t_pay")
        if cur.fetchone()[0] != len(pays):
            raise RuntimeError("baseline: a supplier or escrow account is missing")
        accounts = sorted({p[4] for p in pays} | {p[5] for p in pays})
        cur.execute(
            "SELECT id FROM settlement_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [accounts],
        )
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        cur.execute("SELECT seq, hash FROM settlement_journalentry ORDER BY seq DESC LIMIT 1")
        seq, prev = cur.fetchone() or (0, GENESIS_HASH)
        now = clock.now()
        day = clock.local_today()
        cur.execute("SELECT nextval(pg_get_serial_sequence('settlement_settlementbatch', 'id'))")
        (batch_id,) = cur.fetchone()
        number = f"SB{day:%Y%m%d}-{batch_id:06d}"
        cur.execute(
            """
            INSERT INTO settlement_settlementbatch (id, number, region_code, status, total,
                request_count, invoice_count, supplier_count, created_by_id, created_at)
            SELECT %s, %s, %s, 'settled', sum(amount), (SELECT count(*) FROM t_req), sum(n),
                count(DISTINCT supplier_id), %s, %s
            FROM t_pay
            """,
            [batch_id, number, region_prefix.ljust(6, "0"), agency_user, now],
        )
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence('settlement_journalentry', 'id')) "
            "FROM generate_series(1, %s)",
            [len(pays)],
        )
        entry_ids = [row[0] for row in cur.fetchall()]
        stamp = timestamp_text(now)
        with cur.copy(
            "COPY settlement_journalentry (id, seq, kind, effective_date, memo, source_type, "
            "source_id, created_at, created_by_id, prev_hash, hash) FROM STDIN"
        ) as copy:
            for entry_id, (_supplier, _region, amount, _n, rec, esc, name) in zip(
                entry_ids, pays, strict=True
            ):
                seq += 1
                memo = f"{number} {name}"
                digest = entry_hash(
                    prev_hash=prev,
                    seq=seq,
                    kind="settlement",
                    effective_date=day.isoformat(),
                    created_at=stamp,
                    source_type="settlement_batch",
                    source_id=batch_id,
                    reverses_id=None,
                    memo=memo,
                    postings=[(rec, amount), (esc, -amount)],
                )
                copy.write_row(
                    (entry_id, seq, "settlement", day, memo, "settlement_batch", batch_id, now,
                     agency_user, prev, digest)
                )  # fmt: skip
                prev = digest
        with cur.copy("COPY settlement_posting (entry_id, account_id, amount) FROM STDIN") as copy:
            for entry_id, (_s, _r, amount, _n, rec, esc, _name) in zip(
                entry_ids, pays, strict=True
            ):
                copy.write_row((entry_id, rec, amount))
                copy.write_row((entry_id, esc, -amount))
        cur.execute(
            "CREATE TEMP TABLE t_entry (supplier_id bigint, region text, entry_id bigint) "
            "ON COMMIT DROP"
        )
        with cur.copy("COPY t_entry FROM STDIN") as copy:
            for entry_id, pay in zip(entry_ids, pays, strict=True):
                copy.write_row((pay[0], pay[1], entry_id))
        cur.execute(
            """
            UPDATE settlement_account a
            SET debits = a.debits + v.d, credits = a.credits + v.c
            FROM (
                SELECT rec.id, sum(p.amount) AS d, 0 AS c
                FROM t_pay p JOIN settlement_account rec
                    ON rec.kind = 'supplier_receivable' AND rec.organization_id = p.supplier_id
                GROUP BY rec.id
                UNION ALL
                SELECT esc.id, 0, sum(p.amount)
                FROM t_pay p JOIN settlement_account esc
                    ON esc.kind = 'escrow' AND esc.organization_id IS NULL
                    AND esc.region_code = p.region
                GROUP BY esc.id
            ) v
            WHERE a.id = v.id
            """
        )
        cur.execute(
            """
            INSERT INTO settlement_settlementpayout (batch_id, supplier_id, amount,
                invoice_count, entry_id)
            SELECT %s, p.supplier_id, sum(p.amount), sum(p.n), min(e.entry_id)
            FROM t_pay p JOIN t_entry e USING (supplier_id, region)
            GROUP BY p.supplier_id
            """,
            [batch_id],
        )
        cur.execute(
            "UPDATE settlement_paymentrequest p SET status = 'settled', batch_id = %s, "
            "settled_at = %s FROM t_req r WHERE p.id = r.id",
            [batch_id, now],
        )
        cur.execute(
            "UPDATE settlement_paymentrequestline l SET status = 'paid', paid_at = %s "
            "FROM t_line t WHERE l.id = t.id",
            [now],
        )
    start = time.perf_counter()
    conn.commit()
    if steps is not None:
        steps["COMMIT"] = time.perf_counter() - start
    return batch_id


# --- The run -----------------------------------------------------------------------------------


def _copies(owner_url: str, template: str, names: list[str]) -> None:
    with _admin(owner_url) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER "{_owner_role(owner_url)}"'
            )


def _drop(owner_url: str, names: list[str]) -> None:
    from django.db import connections

    connections.close_all()
    with _admin(owner_url) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _use(name: str) -> None:
    """Point Django's default connection at database ``name``."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _checks(side: str) -> list[str]:
    """What must hold after a batch, on the database Django points at now."""
    from settlement.models import PaymentRequest, PaymentRequestLine
    from settlement.selectors.ledger import ledger_verify

    problems = [f"{side}: ledger {f.check} {f.object} {f.detail}" for f in ledger_verify()]
    left = PaymentRequest.objects.filter(status="paid").count()
    if left:
        problems.append(f"{side}: {left} requests still paid into escrow, not settled")
    open_lines = PaymentRequestLine.objects.filter(status="open").count()
    if open_lines:
        problems.append(f"{side}: {open_lines} lines still open")
    return problems


def _payouts() -> list[tuple[int, Decimal, int]]:
    from settlement.models import SettlementPayout

    return list(
        SettlementPayout.objects.order_by("supplier_id").values_list(
            "supplier_id", "amount", "invoice_count"
        )
    )


def run_once(app_url: str, owner_url: str, template: str, args) -> tuple[dict, list[str], dict]:
    import psycopg
    from django.db import connection, transaction

    from accounts.models import User
    from bench.settlement_data import AGENCY_USER
    from settlement.models import SettlementBatch
    from settlement.services.payments import settlement_batch_run

    base = _db_of(app_url)
    project_db, baseline_db = f"{base}_bench_sb_project", f"{base}_bench_sb_baseline"
    started = time.perf_counter()
    _copies(owner_url, template, [project_db, baseline_db])
    print(f"# two copies of {template}: {time.perf_counter() - started:.1f}s", flush=True)
    times: dict[str, float] = {}
    problems: list[str] = []
    # The baseline first, then the project: each on its own fresh copy.
    _use(baseline_db)
    agency = User.objects.get(username=AGENCY_USER)
    connection.close()
    # The project's session settings (plan_cache_mode: how the triggers' queries are planned).
    options = connection.settings_dict.get("OPTIONS", {}).get("options", "")
    with psycopg.connect(_with_db(app_url, baseline_db), options=options) as conn:
        start = time.perf_counter()
        steps: dict[str, float] = {}
        baseline(
            conn,
            agency_user=agency.pk,
            agency_org=agency.organization_id,
            region_prefix=agency.organization.jurisdiction,
            steps=steps,
        )
        times["baseline"] = time.perf_counter() - start
    if args.steps:
        for label, seconds in sorted(steps.items(), key=lambda kv: -kv[1])[:12]:
            print(f"# baseline {seconds:7.2f}s  {label}", flush=True)
    _use(project_db)
    agency = User.objects.select_related("organization").get(username=AGENCY_USER)
    connection.ensure_connection()
    profiler = cProfile.Profile() if args.profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    batch = settlement_batch_run(actor=agency)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    times["project"] = time.perf_counter() - start
    assert transaction.get_autocommit()  # committed, not inside an outer atomic
    info = {
        "requests": batch.request_count,
        "invoices": batch.invoice_count,
        "suppliers": batch.supplier_count,
    }
    problems += _checks("project")
    project_payouts = _payouts()
    if SettlementBatch.objects.count() != 1:
        problems.append("project: not exactly one batch")
    _use(baseline_db)
    problems += _checks("baseline")
    if _payouts() != project_payouts:
        problems.append("the two sides' payouts differ")
    if len(project_payouts) != args.suppliers:
        problems.append(f"{len(project_payouts)} payouts for {args.suppliers} suppliers")
    if not args.keep:
        _drop(owner_url, [project_db, baseline_db])
    return times, problems, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=2_000)
    parser.add_argument("--hospitals", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template")
    parser.add_argument("--keep", action="store_true", help="keep the two copies")
    parser.add_argument("--profile", default="", help="write the project's cProfile stats here")
    parser.add_argument("--steps", action="store_true", help="print the baseline's slow steps")
    parser.add_argument("--rows", type=int, default=None, help="ignored (make bench's option)")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.suppliers > args.invoices:
        parser.error("--suppliers must not exceed --invoices")
    if args.build:
        build(args)
        return 0
    app_url, owner_url = _urls()
    template = ensure_template(app_url, owner_url, args)
    # Never the template itself (a database being copied may have no connection).
    project_db = f"{_db_of(app_url)}_bench_sb_project"
    os.environ["DATABASE_URL"] = _with_db(app_url, project_db)
    os.environ["MIGRATE_DATABASE_URL"] = _with_db(owner_url, project_db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("settlement").setLevel(logging.WARNING)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    runs: list[dict] = []
    problems: list[str] = []
    info: dict = {}
    for _ in range(args.repeat):
        times, found, info = run_once(app_url, owner_url, template, args)
        runs.append(times)
        problems += found
    result = Result(
        "settlement_batch",
        info.get("invoices", args.invoices),
        min(r["project"] for r in runs),
        min(r["baseline"] for r in runs),
        peak_rss_mb(),
        extra=(
            f"suppliers={info.get('suppliers')} requests={info.get('requests')} "
            f"target_ratio<={TARGET_RATIO} verified={'no' if problems else 'yes'}"
        ),
    )
    report(result)
    for problem in problems[:20]:
        print(f"verification failed: {problem}", file=sys.stderr)
    failed = bool(problems)
    if result.ratio > TARGET_RATIO:
        print(f"target missed (ratio <= {TARGET_RATIO}): settlement_batch", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
