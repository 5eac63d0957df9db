# ruff: noqa: S608  (the SQL below formats in only integers this module computes)
"""The provincial-size data set of `ui_pages`, built with set-based SQL and kept as a template.

At scale 1.0 (issue #11): 500,000 listed products, 300,000 orders with 1.55M lines over the
last 12 months, their delivery notes and invoices, and 1.8M change-feed events, spread over
120 hospitals, 60 manufacturers and 20 distributors. One hospital (``H0``) places a third of
the orders and one manufacturer (``S0``) receives a quarter of them (half delivered by the
distributor ``D0``), so their lists, cart year totals and feed are the heavy ones.

Build (once per migration state and scale, ~5 GB of disk at full scale for the template and
the same again for the copy a run works on; 0.2 needs ~1 GB each):

1. a fresh database ``<bench db>_tpl_<key>_<scale>``, migrated as the owner role;
2. organisations and users through the ORM (a few hundred rows, history as usual);
3. everything big with ``INSERT … SELECT generate_series`` as the owner role, with the tables'
   user triggers (pghistory's history rows, append-only guards) disabled for the load only:
   the history tables stay empty for the bulk rows, which none of the measured pages reads;
   check constraints and foreign keys are all enforced;
4. the backfill steps (``BACKFILLS``): each new table another change introduces (running
   totals, capped counts, feed fan-out) is filled here, by its app's command or SQL;
5. ``ANALYZE`` and a comment marking the template complete.

A run then makes its own copy with ``CREATE DATABASE … TEMPLATE`` (seconds), so a run's writes
(sessions, the cart) never reach the template. Templates of another key (older migrations or
builder) are dropped when a new one is built.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

FULL = {
    "consumables": 500_000,
    "orders": 300_000,
    "events": 1_800_000,
}
HOSPITALS = 120
MANUFACTURERS = 60
DISTRIBUTORS = 20
REGION = "320106"
PASSWORD = "Bench-ui-pages-2026!"  # noqa: S105 (a bench-only account's password)

GENERIC = [
    "冠状动脉支架", "一次性使用输液器", "医用缝合线", "人工髋关节", "骨科接骨板", "中心静脉导管",
    "一次性注射器", "医用外科口罩", "血管鞘", "球囊扩张导管", "吻合器", "止血夹",
    "人工晶状体", "心脏起搏器", "导丝", "胰岛素笔针", "气管插管", "引流管", "敷料", "穿刺针",
]  # fmt: skip
BRANDS = [
    "华康", "博瑞", "迈德", "康泰", "瑞祥", "安捷", "普惠", "英科", "威高", "乐普",
    "微创", "鱼跃", "蓝帆", "康德莱", "凯利泰", "先健", "心脉", "维力", "振德", "稳健",
]  # fmt: skip
SPECS = ["直径3.0mm", "长度20cm", "5ml", "规格A", "22G"]
MODELS = ["BX-1", "BX-2", "CT-10", "MD-3", "VS-7"]


def counts(scale: float) -> dict[str, int]:
    return {k: max(200, round(v * scale)) for k, v in FULL.items()}


# --- Backfill steps: run after the bulk load, in order. ---------------------------------------
# Each is (label, callable taking the owner's psycopg connection). A change that adds a table
# derived from orders, lines or events (running totals, capped counts, the feed fan-out) adds
# one line here: its app's rebuild command (``_command("name", "--all")``, run only when the
# command exists on this branch) or plain SQL (``_sql("INSERT INTO … SELECT …")``).


def _command(name: str, *args: str) -> Callable[[Any], None]:
    def run(_conn: Any) -> None:
        from django.core.management import call_command, get_commands

        if name in get_commands():
            call_command(name, *args)

    run.__name__ = f"command {name}"
    return run


def _sql(statement: str) -> Callable[[Any], None]:
    def run(conn: Any) -> None:
        conn.execute(statement)

    run.__name__ = statement.split("(")[0][:60]
    return run


def _migration_sql(module: str, name: str = "BACKFILL") -> Callable[[Any], None]:
    """The backfill a migration ran on the rows that existed then: the bulk rows arrive after
    ``migrate``, so the same statement fills them."""

    def run(conn: Any) -> None:
        conn.execute(getattr(importlib.import_module(module), name))

    run.__name__ = f"{module}.{name}"
    return run


BACKFILLS: list[tuple[str, Callable[[Any], None]]] = [
    ("feed fan-out", _migration_sql("procurement.migrations.0008_feed_entries")),
    ("cart/plan running totals", _migration_sql("procurement.migrations.0013_purchase_totals")),
]


# --- Template key ------------------------------------------------------------------------------


def migration_state_key() -> str:
    """A hash of every migration file on disk and of this builder: a change to either makes a
    new template."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for app, name in sorted(loader.disk_migrations):
        module = loader.disk_migrations[(app, name)]
        source = Path(__import__(module.__module__, fromlist=["_"]).__file__ or "")
        digest.update(f"{app}.{name}".encode())
        digest.update(source.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:10]


# --- Skeleton: organisations and users through the ORM -----------------------------------------


@dataclass
class Skeleton:
    hospitals: list[int]  # org ids, H0 first
    manufacturers: list[int]  # S0 first
    distributors: list[int]  # D0 first
    users: dict[str, int]  # username -> id


def skeleton() -> Skeleton:
    from django.contrib.auth.hashers import make_password

    from accounts.demo import demo_uscc
    from accounts.models import Organization, User
    from core import clock
    from procurement.models import ListingDistributor  # noqa: F401  (module loaded)

    hashed = make_password(PASSWORD)
    now = clock.now()

    def orgs(prefix: str, kind: str, n: int, name: str, authority: str, **extra) -> list[int]:
        rows = [
            Organization(
                uscc=demo_uscc(f"ui-{prefix}{i}", authority, REGION),
                kind=kind,
                name=f"{name}{i:03d}",
                region_code=REGION,
                **extra,
            )
            for i in range(n)
        ]
        return [o.pk for o in Organization.objects.bulk_create(rows)]

    hospitals = orgs("h", "hospital", HOSPITALS, "基准医院", "12", tier="tier3", ownership="public")
    manufacturers = orgs("m", "manufacturer", MANUFACTURERS, "基准生产企业", "91")
    distributors = orgs("d", "distributor", DISTRIBUTORS, "基准配送企业", "91")
    users = []
    for i, org in enumerate(hospitals):
        users.append((f"ui_h{i}_purchaser", org, ["hospital_purchaser"]))
        users.append((f"ui_h{i}_finance", org, ["hospital_finance"]))
    for i, org in enumerate(manufacturers):
        users.append((f"ui_m{i}_sales", org, ["supplier_sales"]))
    for i, org in enumerate(distributors):
        users.append((f"ui_d{i}_sales", org, ["supplier_sales"]))
    created = User.objects.bulk_create(
        [
            User(
                username=name,
                organization_id=org,
                roles=roles,
                password=hashed,
                password_changed_at=now,
                first_name=name,
            )
            for name, org, roles in users
        ]
    )
    return Skeleton(
        hospitals=hospitals,
        manufacturers=manufacturers,
        distributors=distributors,
        users={u.username: u.pk for u in created},
    )


# --- Bulk load ------------------------------------------------------------------------------------

BIG_TABLES = [
    "catalog_consumable",
    "catalog_referenceprice",
    "procurement_listing",
    "procurement_listingdistributor",
    "procurement_order",
    "procurement_orderline",
    "procurement_delivery",
    "procurement_deliveryline",
    "procurement_invoice",
    "procurement_invoiceline",
    "procurement_event",
]


def _terms_rows() -> list[tuple[int, str, str, str, str, str, list[str]]]:
    from catalog.search import consumable_search_terms

    rows = []
    n = 0
    for g in GENERIC:
        for b in BRANDS:
            for s in SPECS:
                for m in MODELS:
                    fields = {
                        "generic_name": g,
                        "product_name": f"{b}{g}",
                        "registered_name": f"{g}（{b}）",
                        "specification": s,
                        "model": m,
                        "company_name": f"{b}医疗器械有限公司",
                    }
                    rows.append((n, g, f"{b}{g}", s, m, b, consumable_search_terms(fields)))
                    n += 1
    return rows


def bulk_load(conn, sk: Skeleton, scale: float, log: Callable[[str], None]) -> dict[str, int]:
    """Everything big, as the owner (``conn``: autocommit psycopg connection)."""
    n = counts(scale)
    nc, no, ne = n["consumables"], n["orders"], n["events"]
    nm = len(sk.manufacturers)
    xid = int(conn.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()[0])
    for table in BIG_TABLES:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        _load(conn, sk, nc=nc, no=no, ne=ne, nm=nm, xid=xid, log=log)
    finally:
        for table in BIG_TABLES:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    for table in BIG_TABLES:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
    got = {}
    for table in BIG_TABLES:
        got[table] = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    return got


def _load(conn, sk: Skeleton, *, nc, no, ne, nm, xid, log) -> None:
    step = time.perf_counter()

    def done(what: str) -> None:
        nonlocal step
        now = time.perf_counter()
        log(f"  {what}: {now - step:.1f}s")
        step = now

    # Maps from the generated indexes to the skeleton's ids.
    conn.execute("CREATE TEMP TABLE t_h (i int PRIMARY KEY, org bigint, buyer bigint, fin bigint)")
    conn.execute("CREATE TEMP TABLE t_m (i int PRIMARY KEY, org bigint, sales bigint)")
    conn.execute("CREATE TEMP TABLE t_d (i int PRIMARY KEY, org bigint, sales bigint)")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO t_h VALUES (%s, %s, %s, %s)",
            [
                (i, org, sk.users[f"ui_h{i}_purchaser"], sk.users[f"ui_h{i}_finance"])
                for i, org in enumerate(sk.hospitals)
            ],
        )
        cur.executemany(
            "INSERT INTO t_m VALUES (%s, %s, %s)",
            [(i, org, sk.users[f"ui_m{i}_sales"]) for i, org in enumerate(sk.manufacturers)],
        )
        cur.executemany(
            "INSERT INTO t_d VALUES (%s, %s, %s)",
            [(i, org, sk.users[f"ui_d{i}_sales"]) for i, org in enumerate(sk.distributors)],
        )
    conn.execute(
        "CREATE TEMP TABLE t_terms (i int PRIMARY KEY, generic text, product text, spec text, "
        "model text, brand text, terms varchar(2)[])"
    )
    with conn.cursor() as cur, cur.copy("COPY t_terms FROM STDIN") as copy:
        for row in _terms_rows():
            copy.write_row(row)
    nt = len(GENERIC) * len(BRANDS) * len(SPECS) * len(MODELS)

    # Products: consumable i belongs to manufacturer i % nm; one listing each, capped (with a
    # confirmed reference price) for 4 in 5, alternate otherwise.
    conn.execute(
        f"""
        INSERT INTO catalog_consumable (id, code, base_code, category_l1, category_l2,
            category_l3, generic_group, material_code, feature_code, company_code, spec_serial,
            generic_name, product_name, registered_name, material, specification, model, unit,
            registration_number, registrant, company_name, is_high_value, status, search_terms,
            created_at, updated_at, manufacturer_id, feature, generic_name_code)
        SELECT g, c.code, substr(c.code, 1, 20), '02', '0201', '020111', '212', '00', '000',
            lpad((g % 99999)::text, 5, '0'), substr(c.code, 21, 7),
            t.generic, t.product, t.generic || '（' || t.brand || '）', '', t.spec, t.model, '个',
            '国械注准2019313' || lpad((g % 10000)::text, 4, '0'), t.brand || '医疗器械有限公司',
            t.brand || '医疗器械有限公司', g % 10 = 0, 'active', t.terms, now(), now(),
            m.org, '', ''
        FROM generate_series(1, {nc}) g
        CROSS JOIN LATERAL (SELECT 'C' || lpad(g::text, 26, '0') AS code) c
        JOIN t_terms t ON t.i = g % {nt}
        JOIN t_m m ON m.i = g % {nm}
        """
    )
    done(f"{nc} consumables")
    conn.execute(
        f"""
        INSERT INTO catalog_referenceprice (consumable_id, status, price, source_province,
            source_platform, is_increase, publicity_ends_estimated, note, proposed_at,
            confirmed_at)
        SELECT g, 'confirmed', 100 + (g % 4900), '', '', false, false, '',
            now() - interval '420 days', now() - interval '410 days'
        FROM generate_series(1, {nc}) g WHERE g % 5 <> 0
        """
    )
    done("reference prices")
    conn.execute(
        f"""
        INSERT INTO procurement_listing (id, price, companion_service, registration_number,
            green_channel, provinces_listed, catalogue, status, label, label_reason,
            review_reason, submitted_at, reviewed_at, created_at, consumable_id, manufacturer_id)
        SELECT g, 90 + (g % 4900), false, '国械注准2019313' || lpad((g % 10000)::text, 4, '0'),
            '', 0, CASE WHEN g % 5 = 0 THEN 'alternate' ELSE 'capped' END, 'listed',
            CASE WHEN g % 50 = 0 THEN 'preferred' ELSE 'normal' END, '', '',
            now() - interval '400 days', now() - interval '399 days',
            now() - interval '2 years' + (interval '1 year') * g / {nc}, g, m.org
        FROM generate_series(1, {nc}) g JOIN t_m m ON m.i = g % {nm}
        """
    )
    conn.execute(
        f"""
        INSERT INTO procurement_listingdistributor (listing_id, distributor_id, region_code)
        SELECT g, (SELECT org FROM t_d WHERE i = 0), '{REGION}'
        FROM generate_series({nm}, {nc}, {nm}) g
        """
    )
    done("listings")

    # Orders: o = 1..no, oldest first over the last 365 days. H0 places every third order, S0
    # receives every fourth (D0 delivers half of those). Status by o % 25: 0 draft,
    # 1 cancelled, 2 rejected, 3-4 submitted, 5-9 confirmed, else completed; the newest 2% are
    # still submitted or drafts, the way a live day's queue looks.
    per_m = nc // nm
    conn.execute(
        f"""
        CREATE TEMP TABLE t_o AS
        SELECT o,
            CASE WHEN o % 3 = 0 THEN 0 ELSE 1 + (o * 7) % ({len(sk.hospitals)} - 1) END AS h,
            CASE WHEN o % 4 = 0 THEN 0 ELSE 1 + (o * 11) % ({nm} - 1) END AS m,
            now() - (interval '365 days') * ({no} - o) / {no} - interval '1 hour' AS at,
            CASE
                WHEN o > {no} * 0.98 THEN CASE WHEN o % 5 = 0 THEN 'draft' ELSE 'submitted' END
                WHEN o % 25 = 0 THEN 'draft' WHEN o % 25 = 1 THEN 'cancelled'
                WHEN o % 25 = 2 THEN 'rejected' WHEN o % 25 IN (3, 4) THEN 'submitted'
                WHEN o % 25 < 10 THEN 'confirmed' ELSE 'completed' END AS status,
            1 + (o * 37) % 9 + CASE WHEN o % 6 = 0 THEN 1 ELSE 0 END AS nlines
        FROM generate_series(1, {no}) o
        """
    )
    conn.execute("ALTER TABLE t_o ADD PRIMARY KEY (o)")
    conn.execute(
        f"""
        CREATE TEMP TABLE t_l AS
        SELECT o.o, j, row_number() OVER (ORDER BY o.o, j) AS l,
            lst.id AS listing, lst.price, lst.catalogue, lst.label, 1 + (o.o + j) % 20 AS qty
        FROM t_o o
        CROSS JOIN LATERAL generate_series(1, o.nlines) j
        JOIN procurement_listing lst
            ON lst.id = o.m + {nm} * (1 + (o.o * 13 + j * 7919) % ({per_m} - 1))
        """
    )
    conn.execute("ALTER TABLE t_l ADD PRIMARY KEY (l)")
    conn.execute("CREATE INDEX ON t_l (o)")
    # Temporary tables get no autovacuum: without statistics the planner guesses badly.
    conn.execute("ANALYZE t_o")
    conn.execute("ANALYZE t_l")
    done("order plan")
    conn.execute(
        """
        INSERT INTO procurement_order (id, number, hospital_id, supplier_id, distributor_id,
            status, is_urgent, note, total, created_by_id, created_at, submitted_at,
            responded_at, closed_at, cancel_reason)
        SELECT o.o, 'UB' || lpad(o.o::text, 10, '0'), h.org, m.org,
            CASE WHEN o.m = 0 AND o.o % 2 = 0 THEN (SELECT org FROM t_d WHERE i = 0) END,
            o.status, o.o % 40 = 0, '', s.total, h.buyer, o.at,
            CASE WHEN o.status <> 'draft' THEN o.at + interval '10 minutes' END,
            CASE WHEN o.status IN ('confirmed', 'completed', 'rejected')
                THEN o.at + interval '5 hours' END,
            CASE WHEN o.status IN ('completed', 'cancelled', 'rejected')
                THEN o.at + interval '10 days' END,
            CASE WHEN o.status = 'cancelled' THEN '计划调整' ELSE '' END
        FROM t_o o JOIN t_h h ON h.i = o.h JOIN t_m m ON m.i = o.m
        JOIN (SELECT o, sum(price * qty) AS total FROM t_l GROUP BY o) s ON s.o = o.o
        """
    )
    done(f"{no} orders")
    conn.execute(
        """
        INSERT INTO procurement_orderline (id, order_id, listing_id, consumable_id, quantity,
            unit_price, amount, catalogue, label, restricted_reason, status, rejection_reason,
            promised_on, confirmed_at, delivered_quantity, accepted_quantity, refused_quantity,
            returned_quantity, invoiced_quantity)
        SELECT l.l, l.o, l.listing, l.listing, l.qty, l.price, l.price * l.qty, l.catalogue,
            l.label, '', ls.status, CASE WHEN ls.status = 'rejected' THEN '缺货' ELSE '' END,
            CASE WHEN ls.status = 'confirmed' THEN (o.at + interval '3 days')::date END,
            CASE WHEN ls.status = 'confirmed' THEN o.at + interval '5 hours' END,
            d.delivered, d.accepted, 0, 0, d.invoiced
        FROM t_l l JOIN t_o o ON o.o = l.o
        CROSS JOIN LATERAL (SELECT CASE o.status WHEN 'confirmed' THEN 'confirmed'
            WHEN 'completed' THEN 'confirmed' WHEN 'rejected' THEN 'rejected'
            WHEN 'cancelled' THEN 'cancelled' ELSE 'pending' END AS status) ls
        CROSS JOIN LATERAL (SELECT
            CASE WHEN o.status = 'completed' OR (o.status = 'confirmed' AND o.o % 2 = 1)
                THEN l.qty ELSE 0 END AS delivered,
            CASE WHEN o.status = 'completed' THEN l.qty ELSE 0 END AS accepted,
            CASE WHEN o.status = 'completed' THEN l.qty ELSE 0 END AS invoiced) d
        """
    )
    done("order lines")

    # One delivery note per delivered order (accepted for completed orders, waiting for the
    # hospital otherwise), one line per order line; one invoice per completed order.
    conn.execute(
        """
        INSERT INTO procurement_delivery (id, number, order_id, carrier_id, status, shipped_at,
            accepted_at, accepted_by_id, created_by_id)
        SELECT o.o, 'UD' || lpad(o.o::text, 10, '0'), o.o,
            CASE WHEN o.m = 0 AND o.o % 2 = 0 THEN d.org ELSE m.org END,
            CASE WHEN o.status = 'completed' THEN 'accepted' ELSE 'shipped' END,
            o.at + interval '2 days',
            CASE WHEN o.status = 'completed' THEN o.at + interval '3 days' END,
            CASE WHEN o.status = 'completed' THEN h.buyer END,
            CASE WHEN o.m = 0 AND o.o % 2 = 0 THEN d.sales ELSE m.sales END
        FROM t_o o JOIN t_h h ON h.i = o.h JOIN t_m m ON m.i = o.m
        CROSS JOIN (SELECT org, sales FROM t_d WHERE i = 0) d
        WHERE o.status = 'completed' OR (o.status = 'confirmed' AND o.o % 2 = 1)
        """
    )
    conn.execute(
        """
        INSERT INTO procurement_deliveryline (id, delivery_id, order_line_id, quantity, udi_di,
            lot, serial, production_date, expiry_date, barcode, accepted_quantity,
            refused_quantity, refusal_reason, returned_quantity)
        SELECT l.l, l.o, l.l, l.qty, '0' || lpad(l.listing::text, 13, '0'),
            'L' || to_char(o.at, 'YYMMDD'), '', (o.at - interval '90 days')::date,
            (o.at + interval '2 years')::date, '',
            CASE WHEN o.status = 'completed' THEN l.qty ELSE 0 END, 0, '', 0
        FROM t_l l JOIN t_o o ON o.o = l.o
        WHERE o.status = 'completed' OR (o.status = 'confirmed' AND o.o % 2 = 1)
        """
    )
    done("deliveries")
    conn.execute(
        """
        INSERT INTO procurement_invoice (id, number, issued_on, amount, issuer_id, hospital_id,
            order_id, status, rejection_reason, registered_by_id, registered_at,
            confirmed_by_id, confirmed_at)
        SELECT o.o, '2632' || lpad(o.o::text, 16, '0'), (o.at + interval '5 days')::date,
            ord.total, ord.carrier, h.org, o.o,
            CASE WHEN o.o % 5 = 0 THEN 'registered' ELSE 'confirmed' END, '',
            ord.sales, o.at + interval '5 days',
            CASE WHEN o.o % 5 <> 0 THEN h.fin END,
            CASE WHEN o.o % 5 <> 0 THEN o.at + interval '7 days' END
        FROM t_o o JOIN t_h h ON h.i = o.h
        JOIN (SELECT po.id, po.total, dl.carrier_id AS carrier, dl.created_by_id AS sales
              FROM procurement_order po JOIN procurement_delivery dl ON dl.order_id = po.id) ord
            ON ord.id = o.o
        WHERE o.status = 'completed'
        """
    )
    conn.execute(
        """
        INSERT INTO procurement_invoiceline (id, invoice_id, order_line_id, quantity, amount)
        SELECT l.l, l.o, l.l, l.qty, l.price * l.qty
        FROM t_l l JOIN t_o o ON o.o = l.o WHERE o.status = 'completed'
        """
    )
    done("invoices")

    # Change feed: each order's events in the order they happen (submitted, lines confirmed,
    # confirmed, shipped, accepted, invoice registered/confirmed, completed), cut or padded
    # with further line confirmations to ``ne`` events; txids rise with time below the build's
    # own transaction id, so every event is behind every reader's horizon.
    conn.execute(
        """
        CREATE TEMP TABLE t_e AS
        SELECT o.o, k, e.type, e.entity
        FROM t_o o
        CROSS JOIN LATERAL (VALUES
            (1, 'order.submitted', 'order', o.status <> 'draft'),
            (2, 'order.cancelled', 'order', o.status = 'cancelled'),
            (3, 'order.rejected', 'order', o.status = 'rejected'),
            (4, 'order_line.confirmed', 'order_line', o.status IN ('confirmed', 'completed')),
            (5, 'order_line.confirmed', 'order_line',
                o.status IN ('confirmed', 'completed') AND o.nlines > 1),
            (6, 'order.confirmed', 'order', o.status IN ('confirmed', 'completed')),
            (7, 'delivery.shipped', 'delivery',
                o.status = 'completed' OR (o.status = 'confirmed' AND o.o % 2 = 1)),
            (8, 'delivery.accepted', 'delivery', o.status = 'completed'),
            (9, 'invoice.registered', 'invoice', o.status = 'completed'),
            (10, 'invoice.confirmed', 'invoice', o.status = 'completed' AND o.o % 5 <> 0),
            (11, 'order.completed', 'order', o.status = 'completed')
        ) e(k, type, entity, happens)
        WHERE e.happens
        """
    )
    conn.execute("ANALYZE t_e")
    have = int(conn.execute("SELECT count(*) FROM t_e").fetchone()[0])
    if have < ne:  # pad: more line confirmations, spread over the orders
        conn.execute(
            f"""
            INSERT INTO t_e
            SELECT o.o, 4, 'order_line.confirmed', 'order_line'
            FROM (SELECT o FROM t_o WHERE status IN ('confirmed', 'completed')) o
            CROSS JOIN generate_series(1, 1 + {ne - have} / greatest(1, {no})) r
            LIMIT {ne - have}
            """
        )
    conn.execute(
        f"""
        INSERT INTO procurement_event (id, txid, type, hospital_id, supplier_id, order_id,
            entity, entity_id, payload, created_at)
        SELECT n, 1 + (n * ({xid} - 2)) / ({ne} + 1), e.type, h.org, m.org, e.o, e.entity,
            CASE e.entity WHEN 'order_line' THEN f.l ELSE e.o END,
            jsonb_build_object('number', 'UB' || lpad(e.o::text, 10, '0'), 'status',
                split_part(e.type, '.', 2)),
            o.at + (e.k || ' hours')::interval
        FROM (SELECT e.*, row_number() OVER (ORDER BY e.o, e.k) AS n FROM t_e e) e
        JOIN t_o o ON o.o = e.o JOIN t_h h ON h.i = o.h JOIN t_m m ON m.i = o.m
        JOIN (SELECT o, min(l) AS l FROM t_l GROUP BY o) f ON f.o = e.o
        WHERE n <= {ne}
        """
    )
    done("events")
    conn.execute(
        f"""
        INSERT INTO procurement_annualpurchaseplan (year, total, hospital_id, decision_reason,
            reason, status)
        SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int, {Decimal("5E8")},
            org, '', '', 'approved'
        FROM t_h
        ON CONFLICT DO NOTHING
        """
    )
    for table in ("t_terms", "t_e", "t_l", "t_o", "t_h", "t_m", "t_d"):
        conn.execute(f"DROP TABLE {table}")
