"""Benchmark: the nightly national-lowest-price sync against the same work in bare SQL.

    python -m bench.lowest_price_sync [--rows N] [--lower-share 0.1] [--repeat 1]

A catalogue of N/4 products, each with a confirmed reference price, is written with COPY. The
feed has 4 provinces' prices per product (N rows); for ``--lower-share`` of the products one
province sells 10% below the reference price, every other row is at or above it
(``--lower-share 1.0``: every product, 500,000 proposals at the default size).

- project: ``catalog.services.sync.lowest_price_sync`` on a file:// feed (lock, run record,
  hashing and framing checks, COPY into staging, validation of every row, lowest price per
  product, confirmation pass, proposals in publicity with history, observations).
- baseline: the same database, the same file: raw COPY into a typed staging table, then one
  set-based INSERT of the proposals (lowest price per product, where below the confirmed one).

Both start from the same state (prices reset and analysed before each), run with the same
session settings (work_mem, no JIT), and write their proposals through the pghistory triggers (part of the database) with
a history context and immediate foreign-key checks, as the sync does. With ``--repeat`` the
best time of each over the rounds counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys

import psycopg

from bench.common import WORK_DIR, Result, peak_rss_mb, report, setup_django, timed

PROVINCES = [
    ("440000", "广东省药品交易中心"),
    ("320000", "江苏省医疗保障局阳光采购平台"),
    ("330000", "浙江省药械采购平台"),
    ("110000", "北京市医药阳光采购平台"),
]
OBSERVED_ON = dt.date(2026, 1, 5)


def code(i: int) -> str:
    # C + level-1 (01-17) + 0101 + generic (3) + material/feature 00000 + company (5) + serial (7)
    return f"C{i % 17 + 1:02d}0101{i % 1000:03d}00000{i % 100000:05d}{i:07d}"


def base_price_cents(i: int) -> int:
    return 10_000 + (i * 7919) % 1_990_000  # 100.00 .. 20,000.00


def is_lower(i: int, share: float) -> bool:
    return (i * 2654435761) % 1000 < share * 1000


def build_catalogue(cursor, products: int) -> None:
    """COPY ``products`` consumables straight into the table (no ORM, no per-row Python work
    beyond formatting)."""
    cursor.execute("TRUNCATE catalog_consumable CASCADE")
    columns = (
        "code, base_code, category_l1, category_l2, category_l3, generic_group, material_code, "
        "feature_code, company_code, spec_serial, generic_name, product_name, registered_name, "
        "material, specification, model, unit, registration_number, registrant, company_name, "
        "is_high_value, status, search_terms, created_at, updated_at"
    )
    with cursor.copy(f"COPY catalog_consumable ({columns}) FROM STDIN") as copy:
        block = []
        for i in range(products):
            c = code(i)
            block.append(
                f"{c}\t{c[:20]}\t{c[1:3]}\t{c[1:5]}\t{c[1:7]}\t{c[7:10]}\t{c[10:12]}\t"
                f"{c[12:15]}\t{c[15:20]}\t{c[20:]}\t冠状动脉支架\t药物洗脱冠状动脉支架系统{i}\t\t"
                f"\t直径3.0mm\tM{i}\t套\t\t\t\tt\tactive\t{{}}\t2026-01-01 00:00+08\t"
                "2026-01-01 00:00+08\n"
            )
            if len(block) == 10_000:
                copy.write("".join(block))
                block.clear()
        copy.write("".join(block))


def reset_prices(conn, products: int) -> None:
    """Every product with one confirmed reference price, nothing else."""
    with conn.cursor() as cursor:
        cursor.execute(
            "TRUNCATE catalog_referencepricecut, catalog_priceobjection, "
            "catalog_priceobjectionevent, catalog_priceobservation, catalog_referenceprice, "
            "catalog_referencepriceevent, catalog_syncrun CASCADE"
        )
        # Setup data, consistent by construction: skip the history and FK triggers where the
        # role may (a superuser, as locally), else write them the way the sync does.
        try:
            cursor.execute("SAVEPOINT replica")
            cursor.execute("SET LOCAL session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            cursor.execute("ROLLBACK TO SAVEPOINT replica")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _history_context(cursor, "bench setup")
        # Set-based, so that the benchmark process's peak memory is the sync's, not the setup's.
        cursor.execute(
            """
            INSERT INTO catalog_referenceprice
                   (consumable_id, price, status, source_province, source_platform, observed_on,
                    is_increase, proposed_at, confirmed_at, note)
            SELECT id, (10000 + (substr(code, 21, 7)::bigint * 7919) % 1990000) / 100.0,
                   'confirmed', '440000', '广东省药品交易中心', '2025-12-01', false,
                   '2025-12-01 00:00+08', '2025-12-10 00:00+08', ''
            FROM catalog_consumable
            """
        )
        assert cursor.rowcount == products
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cursor:
        for table in ("catalog_referenceprice", "catalog_priceobservation", "catalog_consumable"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    conn.autocommit = False


def _history_context(cursor, why: str) -> None:
    """Attach a pghistory context to the transaction, as any real writer does (who and why).
    Bulk writes into tracked tables also need SET CONSTRAINTS ALL IMMEDIATE: with deferred
    foreign-key checks, every history trigger's subtransaction makes PostgreSQL walk the
    growing queue and the inserts become quadratic (see docs/lowest-price-feed.md)."""
    cursor.execute(
        "SELECT set_config('pghistory.context_id', gen_random_uuid()::text, true), "
        "set_config('pghistory.context_metadata', %s, true)",
        [json.dumps({"bench": why})],
    )


def write_feed(rows: int, share: float):
    """The feed file (cached under var/bench: the same parameters give the same file)."""
    products = rows // len(PROVINCES)
    path = WORK_DIR / f"lowest_prices_{rows}_{int(share * 1000)}.csv"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    day = OBSERVED_ON.isoformat()
    with open(tmp, "w", encoding="utf-8", newline="") as out:
        out.write("nhsa_code,udi_di,province_code,source_platform,price,observed_on\n")
        block = []
        for i in range(products):
            c = code(i)
            cents = base_price_cents(i)
            lower = is_lower(i, share)
            for p, (province, platform) in enumerate(PROVINCES):
                if p == 0:
                    price = cents * 9 // 10 if lower else cents  # the lowest row
                else:
                    price = cents + p * 137 + i % 50  # the other provinces sell higher
                block.append(f"{c},,{province},{platform},{price // 100}.{price % 100:02d},{day}\n")
            if len(block) >= 40_000:
                out.write("".join(block))
                block.clear()
        out.write("".join(block))
        out.write(f"#EOF rows={products * len(PROVINCES)}\n")
    tmp.rename(path)
    return path


def baseline(conn, path, today, ends) -> int:
    """Raw COPY into a typed staging table, then one set-based INSERT of the proposals."""
    from catalog.services.sync import WORK_MEM

    trailer = len(f"#EOF rows={path_rows(path)}\n")
    size = path.stat().st_size
    with conn.cursor() as cursor:
        # The same session settings as the sync's transaction.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")
        # What the project does too (see catalog/services/sync.py): without these, the history
        # triggers make the insert quadratic and the baseline would look slow for no reason.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _history_context(cursor, "baseline")
        cursor.execute(
            "CREATE TEMP TABLE base_stage (nhsa_code text, udi_di text, province_code text, "
            "source_platform text, price numeric(18, 2), observed_on date) ON COMMIT DROP"
        )
        with (
            cursor.copy("COPY base_stage FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            open(path, "rb") as source,
        ):
            remaining = size - trailer
            while remaining > 0:
                block = source.read(min(1 << 20, remaining))
                copy.write(block)
                remaining -= len(block)
        cursor.execute(
            """
            INSERT INTO catalog_referenceprice
                   (consumable_id, price, status, source_province, source_platform, observed_on,
                    previous_price, is_increase, publicity_starts_on, publicity_ends_on,
                    proposed_at, note)
            SELECT l.consumable_id, l.price, 'publicity', l.province_code, l.source_platform,
                   l.observed_on, r.price, false, %s, %s, now(), ''
            FROM (
                SELECT DISTINCT ON (c.id) c.id AS consumable_id, s.price, s.province_code,
                       s.source_platform, s.observed_on
                FROM base_stage s JOIN catalog_consumable c ON c.code = s.nhsa_code
                ORDER BY c.id, s.price
            ) l
            JOIN catalog_referenceprice r
              ON r.consumable_id = l.consumable_id AND r.status = 'confirmed'
            WHERE l.price < r.price
            """,
            [today, ends],
        )
        inserted = cursor.rowcount
    conn.commit()
    return inserted


def path_rows(path) -> int:
    with open(path, "rb") as f:
        f.seek(-64, 2)
        return int(f.read().rstrip().rsplit(b"=", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--lower-share", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best of each counts")
    args = parser.parse_args()
    setup_django(database_suffix="_bench_prices")

    import time_machine
    from django.db import connection

    from catalog.choices import ReferencePriceStatus, SyncRunStatus
    from catalog.models import Consumable, ReferencePrice
    from catalog.services.prices import publicity_window
    from catalog.services.sync import lowest_price_sync
    from core.policy import system_region_policy

    products = args.rows // len(PROVINCES)
    expected = sum(1 for i in range(products) if is_lower(i, args.lower_share))
    path = write_feed(args.rows, args.lower_share)
    conn = psycopg.connect(**connection.get_connection_params())
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE code IN (%s, %s)) FROM catalog_consumable",
            [code(0), code(products - 1)],
        )
        row = cursor.fetchone()
        assert row is not None  # count(*) always answers one row
        count, ends_present = row
    if (count, ends_present) != (products, 2):
        with conn.cursor() as cursor:
            build_catalogue(cursor, products)
        conn.commit()
    times: dict[str, float] = {"baseline": float("inf"), "project": float("inf")}
    # Nightly at 02:00 the day after the observations.
    with time_machine.travel(dt.datetime(2026, 1, 5, 18, 0, tzinfo=dt.UTC), tick=True):
        today = dt.date(2026, 1, 6)
        ends = publicity_window(today, system_region_policy()).ends
        # Alternate the two, from the same state each time; on a shared, noisy machine the
        # best of several rounds is the fairest estimate of each.
        for _round in range(args.repeat):
            reset_prices(conn, products)
            lap: dict[str, float] = {}
            with timed(lap, "baseline"):
                inserted = baseline(conn, path, today, ends)
            assert inserted == expected, (inserted, expected)

            reset_prices(conn, products)
            gc.collect()
            with timed(lap, "project"):
                run = lowest_price_sync(feed_url=path.as_uri())
            assert run.status == SyncRunStatus.SUCCEEDED, run.error
            assert (run.rows_read, run.rows_rejected, run.proposals) == (args.rows, 0, expected)
            in_publicity = ReferencePrice.objects.filter(status=ReferencePriceStatus.PUBLICITY)
            assert in_publicity.count() == expected
            for key, seconds in lap.items():
                times[key] = min(times[key], seconds)
            if args.repeat > 1:
                print(
                    f"  round {_round + 1}: project_s={lap['project']:.2f} "
                    f"baseline_s={lap['baseline']:.2f}",
                    file=sys.stderr,
                )
    conn.close()
    assert Consumable.objects.count() == products
    report(
        Result(
            name="lowest_price_sync",
            rows=args.rows,
            project_s=times["project"],
            baseline_s=times["baseline"],
            peak_rss_mb=peak_rss_mb(),
        )
    )


if __name__ == "__main__":
    main()
