# ruff: noqa: S608  (the SQL below formats in only integers and constants this module computes)
"""The data set of `five_rates_month` and `dashboard`, built with set-based SQL once and kept.

``invoices`` orders of ``lines // invoices`` lines each (10,000,000 lines and 2,000,000
invoices by default) between ``hospitals`` hospitals of Nanjing's districts and ``suppliers``
suppliers, sent over the 365 days before the build, each with one delivery note and one
invoice billing what was accepted; most invoices requested for payment, approved, paid into
escrow (some directly by the fund) and settled, each step sometimes late or missing, so
that every one of the five rates is strictly between 0 and 1:

- delivery: 20% of orders shipped 60 h after sending (the deadline is 48 h, urgent 24 h), and
  one line in 23 partly refused;
- payment request: 5% of invoices never requested, 10% requested 7 days after acceptance;
- hospital confirmation: 2% of requests never approved, 18% approved after 8 days, one line
  in 29 disputed;
- payment [R-PAY-30]: settlement 31 days after the receipt for one request in 16;
- agency settlement: 2% never paid into escrow, 2% never settled, one in 8 settled after 9
  days; one request in 13 paid directly by the fund (not counted).

A step that would fall after the build's ``now`` has not happened yet (its status stays
behind). Passes: organisations and users through the ORM; then, as the owner with the big
tables' user triggers disabled and their foreign keys and secondary indexes dropped for the
load (checks and unique constraints enforced), one temporary table of the orders' timestamps
and figures (2M rows) and one ``INSERT … SELECT`` per table from it; the indexes rebuilt and
every foreign key re-added (validated over the whole table); ``VACUUM ANALYZE``. No history
rows (pghistory's triggers are off): the benchmarks read none.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

CITY = "320100"  # the bureau's city
DISTRICTS = [
    "320102",
    "320104",
    "320105",
    "320106",
    "320111",
    "320113",
    "320114",
    "320115",
    "320116",
    "320117",
    "320118",
]
PRODUCTS_PER_SUPPLIER = 5
CATEGORIES = 9  # level-1 categories 01..09
BUREAU_USER = "fr_bureau"

BIG_TABLES = [
    "catalog_consumable",
    "procurement_listing",
    "procurement_order",
    "procurement_orderline",
    "procurement_delivery",
    "procurement_deliveryline",
    "procurement_invoice",
    "procurement_invoiceline",
    "settlement_paymentrequest",
    "settlement_paymentrequestline",
]


@dataclass
class Skeleton:
    bureau_user: int
    hospitals: list[tuple[int, int, int, str]]  # (org, purchaser, finance, district)
    suppliers: list[tuple[int, int]]  # (org, sales)


def skeleton(n_hospitals: int, n_suppliers: int) -> Skeleton:
    from accounts.choices import OrganizationKind, Role
    from accounts.demo import demo_uscc
    from accounts.models import Organization, User
    from core import clock

    now = clock.now()
    bureau = Organization.objects.create(
        uscc=demo_uscc("fr-bureau", "11", CITY),
        kind=OrganizationKind.BUREAU,
        name="基准五率医保局",
        region_code=CITY,
    )
    hospitals = Organization.objects.bulk_create(
        Organization(
            uscc=demo_uscc(f"fr-h{i}", "12", DISTRICTS[i % len(DISTRICTS)]),
            kind=OrganizationKind.HOSPITAL,
            name=f"基准五率医院{i:03d}",
            region_code=DISTRICTS[i % len(DISTRICTS)],
            tier="tier3",
            ownership="public",
        )
        for i in range(n_hospitals)
    )
    suppliers = Organization.objects.bulk_create(
        Organization(
            uscc=demo_uscc(f"fr-s{i}", "91", DISTRICTS[i % len(DISTRICTS)]),
            kind=OrganizationKind.MANUFACTURER,
            name=f"基准五率企业{i:04d}",
            region_code=DISTRICTS[i % len(DISTRICTS)],
        )
        for i in range(n_suppliers)
    )

    def user(name: str, org: int, role: str) -> User:
        # Unusable passwords: the benchmarks log in with force_login or call services.
        return User(
            username=name,
            organization_id=org,
            roles=[role],
            password="!",  # noqa: S106
            password_changed_at=now,
            first_name=name,
        )

    rows = [user(BUREAU_USER, bureau.pk, Role.BUREAU_OFFICER)]
    for i, h in enumerate(hospitals):
        rows.append(user(f"fr_h{i}_purchaser", h.pk, Role.HOSPITAL_PURCHASER))
        rows.append(user(f"fr_h{i}_finance", h.pk, Role.HOSPITAL_FINANCE))
    for i, s in enumerate(suppliers):
        rows.append(user(f"fr_s{i}_sales", s.pk, Role.SUPPLIER_SALES))
    ids = {u.username: u.pk for u in User.objects.bulk_create(rows, batch_size=2000)}
    return Skeleton(
        bureau_user=ids[BUREAU_USER],
        hospitals=[
            (h.pk, ids[f"fr_h{i}_purchaser"], ids[f"fr_h{i}_finance"], h.region_code)
            for i, h in enumerate(hospitals)
        ],
        suppliers=[(s.pk, ids[f"fr_s{i}_sales"]) for i, s in enumerate(suppliers)],
    )


def bulk_load(conn, sk: Skeleton, invoices: int, per: int, log: Callable[[str], None]) -> None:
    """Products to settled payment requests, as the owner (``conn``: autocommit psycopg).

    A bulk load: the big tables' user triggers (history, append-only) disabled, their foreign
    keys and secondary indexes dropped (primary keys, unique constraints and checks stay),
    then recreated after the load, so that every foreign key is validated by one statement
    instead of one deferred trigger event per row."""
    big = "ARRAY[" + ", ".join(f"'{t}'::regclass" for t in BIG_TABLES) + "]"
    foreign_keys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE contype = 'f' AND conrelid = ANY({big}) ORDER BY 1, 2"
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        f"WHERE indrelid = ANY({big}) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1"
    ).fetchall()
    for table, name, _ in foreign_keys:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    for table in BIG_TABLES:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        _load(conn, sk, invoices, per, log)
    finally:
        for table in BIG_TABLES:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        started = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            conn.execute(definition)
        log(f"  {len(indexes)} indexes: {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        for table, name, definition in foreign_keys:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        log(f"  {len(foreign_keys)} foreign keys validated: {time.perf_counter() - started:.1f}s")
    for table in BIG_TABLES:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


# The price of listing (and consumable) g, and a line's quantity and refused quantity:
# expressions, so that every table computes the same figures without a join.
def _price(g: str) -> str:
    return f"(10 + ({g}) % 490 + (({g}) % 97) / 100.0)::numeric(12, 2)"


def _qty(o: str, j: str) -> str:
    return f"(1 + (({o}) * 7 + ({j}) * 3) % 20)"


def _refused(o: str, j: str) -> str:
    return f"(CASE WHEN (({o}) + ({j})) % 23 = 0 AND {_qty(o, j)} >= 2 THEN 1 ELSE 0 END)"


def _load(conn, sk: Skeleton, n: int, per: int, log: Callable[[str], None]) -> None:
    step = time.perf_counter()

    def done(what: str) -> None:
        nonlocal step
        now = time.perf_counter()
        log(f"  {what}: {now - step:.1f}s")
        step = now

    ns, nh, pp = len(sk.suppliers), len(sk.hospitals), PRODUCTS_PER_SUPPLIER
    conn.execute(
        "CREATE TEMP TABLE t_h (i int PRIMARY KEY, org bigint, buyer bigint, fin bigint, "
        "region text)"
    )
    conn.execute("CREATE TEMP TABLE t_s (i int PRIMARY KEY, org bigint, sales bigint)")
    with conn.cursor() as cur:
        with cur.copy("COPY t_h FROM STDIN") as copy:
            for i, hospital in enumerate(sk.hospitals):
                copy.write_row((i, *hospital))
        with cur.copy("COPY t_s FROM STDIN") as copy:
            for i, supplier in enumerate(sk.suppliers):
                copy.write_row((i, *supplier))
    # Products: supplier s makes consumables s*pp+1 .. s*pp+pp, of level-1 categories 01..09.
    conn.execute(
        f"""
        INSERT INTO catalog_consumable (id, code, base_code, category_l1, category_l2,
            category_l3, generic_group, material_code, feature_code, company_code, spec_serial,
            generic_name, product_name, registered_name, material, specification, model, unit,
            registration_number, registrant, company_name, is_high_value, status, search_terms,
            created_at, updated_at, manufacturer_id, feature, generic_name_code)
        SELECT g, c.code, substr(c.code, 1, 20), c.cat, c.cat || '01', c.cat || '0111', '212',
            '00', '000', lpad((g % 99999)::text, 5, '0'), substr(c.code, 21, 7),
            '一次性使用输液器', '五率耗材' || g, '一次性使用输液器', '', '规格A', 'M-' || g, '个',
            '国械注准2019313' || lpad((g % 10000)::text, 4, '0'), '基准五率企业',
            '基准五率企业', false, 'active', '{{}}', now(), now(), s.org, '', ''
        FROM generate_series(1, {ns * pp}) g
        CROSS JOIN LATERAL (SELECT 'C' || lpad(g::text, 26, '0') AS code,
            lpad((1 + g % {CATEGORIES})::text, 2, '0') AS cat) c
        JOIN t_s s ON s.i = (g - 1) / {pp}
        """
    )
    conn.execute(
        f"""
        INSERT INTO procurement_listing (id, price, companion_service, registration_number,
            green_channel, provinces_listed, catalogue, status, label, label_reason,
            review_reason, submitted_at, reviewed_at, created_at, consumable_id, manufacturer_id)
        SELECT g, {_price("g")}, false,
            '国械注准2019313' || lpad((g % 10000)::text, 4, '0'), '', 0, 'capped', 'listed',
            'normal', '', '', now() - interval '400 days', now() - interval '399 days',
            now() - interval '400 days', g, s.org
        FROM generate_series(1, {ns * pp}) g JOIN t_s s ON s.i = (g - 1) / {pp}
        """
    )
    done(f"{ns * pp} products and listings")
    # Order o: supplier o % ns, hospital (o / 3) % nh, sent over the 365 days before now;
    # every later step's instant (NULL: not done, or not yet by now).
    conn.execute(
        f"""
        CREATE TEMP TABLE t_o AS
        SELECT o, si, h.org AS hospital, h.buyer, h.fin, h.region, s.org AS supplier, s.sales,
            urgent, sent, shipped, accepted, total, billed,
            requested, approved, method, paid, settled, disputed
        FROM (SELECT o, o % {ns} AS si, (o / 3) % {nh} AS hi, o % 9 = 0 AS urgent,
                now() - interval '365 days' + interval '345 days' * (o - 1) / {n}
                    + interval '1 minute' * ((o * 37) % 600) AS sent
              FROM generate_series(1, {n}) o) b
        JOIN t_h h ON h.i = b.hi JOIN t_s s ON s.i = b.si
        CROSS JOIN LATERAL (
            SELECT sum({_price(f"b.si * {pp} + 1 + (b.o + j) % {pp}")} * {_qty("b.o", "j")})
                    AS total,
                sum({_price(f"b.si * {pp} + 1 + (b.o + j) % {pp}")}
                    * ({_qty("b.o", "j")} - {_refused("b.o", "j")})) AS billed
            FROM generate_series(1, {per}) j
        ) t
        CROSS JOIN LATERAL (
            SELECT sent + CASE WHEN o % 10 >= 8 THEN interval '60 hours'
                ELSE interval '20 hours' END AS shipped
        ) sh
        CROSS JOIN LATERAL (SELECT shipped + interval '1 day' + interval '1 hour' * (o % 5)
            AS accepted) ac
        CROSS JOIN LATERAL (
            SELECT CASE WHEN o % 20 = 0 THEN NULL
                WHEN o % 10 = 9 THEN accepted + interval '7 days'
                ELSE accepted + interval '2 days' END AS req_at
        ) rq
        CROSS JOIN LATERAL (SELECT CASE WHEN req_at <= now() THEN req_at END AS requested) rq2
        CROSS JOIN LATERAL (
            SELECT CASE WHEN o % 50 = 1 THEN NULL
                WHEN o % 11 >= 9 THEN requested + interval '8 days'
                ELSE requested + interval '1 day' END AS appr_at,
                CASE WHEN o % 13 = 0 THEN 'direct' ELSE 'escrow' END AS method,
                o % 29 = 0 AS disputed
        ) ap
        CROSS JOIN LATERAL (SELECT CASE WHEN appr_at <= now() THEN appr_at END AS approved) ap2
        CROSS JOIN LATERAL (
            SELECT CASE WHEN o % 50 = 2 THEN NULL ELSE approved + interval '2 days' END AS paid_at
        ) pd
        CROSS JOIN LATERAL (SELECT CASE WHEN paid_at <= now() THEN paid_at END AS paid) pd2
        CROSS JOIN LATERAL (
            SELECT CASE WHEN o % 50 = 3 THEN NULL
                WHEN method = 'direct' THEN paid
                WHEN o % 16 = 0 THEN paid + interval '31 days'
                WHEN o % 8 = 7 THEN paid + interval '9 days'
                ELSE paid + interval '2 days' END AS settle_at
        ) st
        CROSS JOIN LATERAL (SELECT CASE WHEN settle_at <= now() THEN settle_at END AS settled) st2
        """
    )
    conn.execute("ALTER TABLE t_o ADD PRIMARY KEY (o)")
    conn.execute("ANALYZE t_o")
    done(f"{n} orders' timestamps")
    conn.execute(
        """
        INSERT INTO procurement_order (id, number, hospital_id, supplier_id, distributor_id,
            status, is_urgent, note, total, created_by_id, created_at, submitted_at,
            responded_at, closed_at, cancel_reason, department)
        SELECT o, 'FO' || lpad(o::text, 10, '0'), hospital, supplier, NULL, 'completed', urgent,
            '', total, buyer, sent, sent, sent + interval '2 hours', accepted, '', ''
        FROM t_o
        """
    )
    line = f"(o.o - 1) * {per} + j"
    listing = f"o.si * {pp} + 1 + (o.o + j) % {pp}"
    conn.execute(
        f"""
        INSERT INTO procurement_orderline (id, order_id, listing_id, consumable_id, quantity,
            unit_price, amount, catalogue, label, restricted_reason, status, rejection_reason,
            promised_on, confirmed_at, delivered_quantity, accepted_quantity, refused_quantity,
            returned_quantity, invoiced_quantity)
        SELECT {line}, o.o, {listing}, {listing}, {_qty("o.o", "j")}, {_price(listing)},
            {_price(listing)} * {_qty("o.o", "j")}, 'capped', 'normal', '', 'confirmed', '',
            (o.sent + interval '2 days')::date, o.sent + interval '2 hours',
            {_qty("o.o", "j")}, {_qty("o.o", "j")} - {_refused("o.o", "j")},
            {_refused("o.o", "j")}, 0, {_qty("o.o", "j")} - {_refused("o.o", "j")}
        FROM t_o o CROSS JOIN generate_series(1, {per}) j
        """
    )
    done(f"{n} orders, {n * per} lines")
    conn.execute(
        """
        INSERT INTO procurement_delivery (id, number, order_id, carrier_id, status, shipped_at,
            accepted_at, accepted_by_id, created_by_id)
        SELECT o, 'FD' || lpad(o::text, 10, '0'), o, supplier, 'accepted', shipped, accepted,
            buyer, sales
        FROM t_o
        """
    )
    conn.execute(
        f"""
        INSERT INTO procurement_deliveryline (id, delivery_id, order_line_id, quantity, udi_di,
            lot, serial, production_date, expiry_date, barcode, accepted_quantity,
            refused_quantity, refusal_reason, returned_quantity)
        SELECT {line}, o.o, {line}, {_qty("o.o", "j")},
            '0' || lpad(({listing})::text, 13, '0'), 'L' || to_char(o.shipped, 'YYMMDD'), '',
            (o.shipped - interval '90 days')::date, (o.shipped + interval '2 years')::date, '',
            {_qty("o.o", "j")} - {_refused("o.o", "j")}, {_refused("o.o", "j")},
            CASE WHEN {_refused("o.o", "j")} > 0 THEN '包装破损' ELSE '' END, 0
        FROM t_o o CROSS JOIN generate_series(1, {per}) j
        """
    )
    done("deliveries")
    conn.execute(
        """
        INSERT INTO procurement_invoice (id, number, issued_on, amount, issuer_id, hospital_id,
            order_id, status, rejection_reason, registered_by_id, registered_at,
            confirmed_by_id, confirmed_at)
        SELECT o, '2633' || lpad(o::text, 16, '0'), (accepted + interval '12 hours')::date,
            billed, supplier, hospital, o, 'confirmed', '', sales, accepted + interval '12 hours',
            fin, accepted + interval '20 hours'
        FROM t_o
        """
    )
    conn.execute(
        f"""
        INSERT INTO procurement_invoiceline (id, invoice_id, order_line_id, quantity, amount)
        SELECT {line}, o.o, {line}, {_qty("o.o", "j")} - {_refused("o.o", "j")},
            {_price(listing)} * ({_qty("o.o", "j")} - {_refused("o.o", "j")})
        FROM t_o o CROSS JOIN generate_series(1, {per}) j
        """
    )
    done("invoices")
    # One request per requested invoice (request, line and invoice share the order's id).
    conn.execute(
        """
        INSERT INTO settlement_paymentrequest (id, number, supplier_id, hospital_id,
            region_code, status, amount, requested_by_id, requested_at, approved_by_id,
            approved_at, method, transfer_reference, paid_by_id, paid_at, settled_at)
        SELECT o, 'FR' || lpad(o::text, 10, '0'), supplier, hospital, region,
            CASE WHEN settled IS NOT NULL THEN 'settled' WHEN paid IS NOT NULL THEN 'paid'
                WHEN approved IS NOT NULL THEN 'approved' ELSE 'requested' END,
            billed, sales, requested, CASE WHEN approved IS NOT NULL THEN fin END, approved,
            method, CASE WHEN paid IS NOT NULL AND method = 'escrow' THEN 'TF' || o ELSE '' END,
            CASE WHEN paid IS NOT NULL THEN fin END, paid, settled
        FROM t_o WHERE requested IS NOT NULL
        """
    )
    conn.execute(
        """
        INSERT INTO settlement_paymentrequestline (id, request_id, invoice_id, amount, status,
            dispute_reason, disputed_by_id, disputed_at, paid_at)
        SELECT o, o, o, billed,
            CASE WHEN disputed AND approved IS NOT NULL THEN 'disputed'
                WHEN settled IS NOT NULL THEN 'paid' ELSE 'open' END,
            CASE WHEN disputed AND approved IS NOT NULL THEN '数量不符' ELSE '' END,
            CASE WHEN disputed AND approved IS NOT NULL THEN fin END,
            CASE WHEN disputed AND approved IS NOT NULL THEN approved END,
            CASE WHEN settled IS NOT NULL AND NOT (disputed AND approved IS NOT NULL)
                THEN settled END
        FROM t_o WHERE requested IS NOT NULL
        """
    )
    done("payment requests")
    for table in ("t_o", "t_h", "t_s"):
        conn.execute(f"DROP TABLE {table}")
