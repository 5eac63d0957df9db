# ruff: noqa: S608  (the SQL below formats in only integers this module computes)
"""The data set of `settlement_batch`, built with set-based SQL and kept as a template database.

For ``invoices`` confirmed invoices of ``suppliers`` suppliers to ``hospitals`` hospitals of
Nanjing (320106; the agency of 320100 runs the batch):

1. organisations and users through the ORM (a few thousand rows);
2. as the owner role, with the big tables' user triggers (history rows, append-only guards)
   disabled for the load only (foreign keys and check constraints enforced): five products
   and listings per supplier; one completed order per invoice with one or two lines at the
   listing's price; its delivery accepted with a scanned UDI; the invoice, confirmed, billing
   what was accepted; so that the three flows (settlement.selectors.payments
   .three_flows_mismatches) agree on every invoice;
3. one payment request per supplier and hospital (the supplier's invoices to that hospital,
   one line each), approved and paid into escrow with its transfer reference;
4. through the real ledger service (``entries_post_many``, as the runtime role): per request
   the approval (Dr hospital_payable / Cr supplier_receivable) and the payment into escrow
   (Dr escrow / Cr hospital_payable), on one hash chain; the requests then link to them;
5. ``VACUUM ANALYZE``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

REGION = "320106"  # the hospitals' district
AGENCY_REGION = "320100"  # the agency (and escrow) of the city
PRODUCTS_PER_SUPPLIER = 5
AGENCY_USER = "sb_agency"

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
    agency_user: int
    hospitals: list[tuple[int, int, int]]  # (org, purchaser, finance)
    suppliers: list[tuple[int, int]]  # (org, sales)


def skeleton(n_hospitals: int, n_suppliers: int) -> Skeleton:
    from accounts.choices import OrganizationKind, Role
    from accounts.demo import demo_uscc
    from accounts.models import Organization, User
    from core import clock

    now = clock.now()
    agency = Organization.objects.create(
        uscc=demo_uscc("sb-agency", "11", AGENCY_REGION),
        kind=OrganizationKind.AGENCY,
        name="基准医保经办机构",
        region_code=AGENCY_REGION,
    )
    hospitals = Organization.objects.bulk_create(
        Organization(
            uscc=demo_uscc(f"sb-h{i}", "12", REGION),
            kind=OrganizationKind.HOSPITAL,
            name=f"基准结算医院{i:03d}",
            region_code=REGION,
            tier="tier3",
            ownership="public",
        )
        for i in range(n_hospitals)
    )
    suppliers = Organization.objects.bulk_create(
        Organization(
            uscc=demo_uscc(f"sb-s{i}", "91", REGION),
            kind=OrganizationKind.MANUFACTURER,
            name=f"基准结算企业{i:04d}",
            region_code=REGION,
        )
        for i in range(n_suppliers)
    )

    def user(name: str, org: int, role: str) -> User:
        # Unusable passwords: nobody logs in; the benchmark calls the services directly.
        return User(
            username=name,
            organization_id=org,
            roles=[role],
            password="!",  # noqa: S106
            password_changed_at=now,
            first_name=name,
        )

    rows = [user(AGENCY_USER, agency.pk, Role.AGENCY_FINANCE)]
    for i, h in enumerate(hospitals):
        rows.append(user(f"sb_h{i}_purchaser", h.pk, Role.HOSPITAL_PURCHASER))
        rows.append(user(f"sb_h{i}_finance", h.pk, Role.HOSPITAL_FINANCE))
    for i, s in enumerate(suppliers):
        rows.append(user(f"sb_s{i}_sales", s.pk, Role.SUPPLIER_SALES))
    ids = {u.username: u.pk for u in User.objects.bulk_create(rows, batch_size=2000)}
    return Skeleton(
        agency_user=ids[AGENCY_USER],
        hospitals=[
            (h.pk, ids[f"sb_h{i}_purchaser"], ids[f"sb_h{i}_finance"])
            for i, h in enumerate(hospitals)
        ],
        suppliers=[(s.pk, ids[f"sb_s{i}_sales"]) for i, s in enumerate(suppliers)],
    )


def bulk_load(conn, sk: Skeleton, invoices: int, log: Callable[[str], None]) -> None:
    """Products to paid payment requests, as the owner (``conn``: autocommit psycopg)."""
    for table in BIG_TABLES:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        _load(conn, sk, invoices, log)
    finally:
        for table in BIG_TABLES:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    for table in BIG_TABLES:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def _load(conn, sk: Skeleton, n: int, log: Callable[[str], None]) -> None:
    step = time.perf_counter()

    def done(what: str) -> None:
        nonlocal step
        now = time.perf_counter()
        log(f"  {what}: {now - step:.1f}s")
        step = now

    ns, nh, pp = len(sk.suppliers), len(sk.hospitals), PRODUCTS_PER_SUPPLIER
    conn.execute("CREATE TEMP TABLE t_h (i int PRIMARY KEY, org bigint, buyer bigint, fin bigint)")
    conn.execute("CREATE TEMP TABLE t_s (i int PRIMARY KEY, org bigint, sales bigint)")
    with conn.cursor() as cur:
        with cur.copy("COPY t_h FROM STDIN") as copy:
            for i, hospital in enumerate(sk.hospitals):
                copy.write_row((i, *hospital))
        with cur.copy("COPY t_s FROM STDIN") as copy:
            for i, supplier in enumerate(sk.suppliers):
                copy.write_row((i, *supplier))
    # Products: supplier s makes consumables s*pp+1 .. s*pp+pp, each listed at its price.
    conn.execute(
        f"""
        INSERT INTO catalog_consumable (id, code, base_code, category_l1, category_l2,
            category_l3, generic_group, material_code, feature_code, company_code, spec_serial,
            generic_name, product_name, registered_name, material, specification, model, unit,
            registration_number, registrant, company_name, is_high_value, status, search_terms,
            created_at, updated_at, manufacturer_id, feature, generic_name_code)
        SELECT g, c.code, substr(c.code, 1, 20), '02', '0201', '020111', '212', '00', '000',
            lpad((g % 99999)::text, 5, '0'), substr(c.code, 21, 7),
            '一次性使用输液器', '结算耗材' || g, '一次性使用输液器', '', '规格A', 'M-' || g, '个',
            '国械注准2019313' || lpad((g % 10000)::text, 4, '0'), '基准结算企业',
            '基准结算企业', false, 'active', '{{}}', now(), now(), s.org, '', ''
        FROM generate_series(1, {ns * pp}) g
        CROSS JOIN LATERAL (SELECT 'C' || lpad(g::text, 26, '0') AS code) c
        JOIN t_s s ON s.i = (g - 1) / {pp}
        """
    )
    conn.execute(
        f"""
        INSERT INTO procurement_listing (id, price, companion_service, registration_number,
            green_channel, provinces_listed, catalogue, status, label, label_reason,
            review_reason, submitted_at, reviewed_at, created_at, consumable_id, manufacturer_id)
        SELECT g, 10 + (g % 490) + (g % 97) / 100.0, false,
            '国械注准2019313' || lpad((g % 10000)::text, 4, '0'), '', 0, 'capped', 'listed',
            'normal', '', '', now() - interval '400 days', now() - interval '399 days',
            now() - interval '400 days', g, s.org
        FROM generate_series(1, {ns * pp}) g JOIN t_s s ON s.i = (g - 1) / {pp}
        """
    )
    done(f"{ns * pp} products and listings")
    # Invoice o (= its order, its delivery) of supplier (o-1) % ns to hospital
    # ((o-1) / ns) % nh, accepted 40 to 10 days ago; one or two lines.
    conn.execute(
        f"""
        CREATE TEMP TABLE t_o AS
        SELECT o, (o - 1) % {ns} AS s, ((o - 1) / {ns}) % {nh} AS h,
            now() - interval '40 days' + (interval '30 days') * o / {n} AS at,
            1 + o % 2 AS nlines
        FROM generate_series(1, {n}) o
        """
    )
    conn.execute("ALTER TABLE t_o ADD PRIMARY KEY (o)")
    conn.execute(
        f"""
        CREATE TEMP TABLE t_l AS
        SELECT o.o, j, row_number() OVER (ORDER BY o.o, j) AS l, lst.id AS listing,
            lst.price, 1 + (o.o + j) % 20 AS qty
        FROM t_o o
        CROSS JOIN LATERAL generate_series(1, o.nlines) j
        JOIN procurement_listing lst ON lst.id = o.s * {pp} + 1 + (o.o + j) % {pp}
        """
    )
    conn.execute("ALTER TABLE t_l ADD PRIMARY KEY (l)")
    conn.execute("CREATE INDEX ON t_l (o)")
    conn.execute("ANALYZE t_o")
    conn.execute("ANALYZE t_l")
    conn.execute(
        """
        INSERT INTO procurement_order (id, number, hospital_id, supplier_id, distributor_id,
            status, is_urgent, note, total, created_by_id, created_at, submitted_at,
            responded_at, closed_at, cancel_reason, department)
        SELECT o.o, 'SO' || lpad(o.o::text, 10, '0'), h.org, s.org, NULL, 'completed', false,
            '', t.total, h.buyer, o.at - interval '5 days', o.at - interval '5 days',
            o.at - interval '4 days', o.at + interval '5 days', '', ''
        FROM t_o o JOIN t_h h ON h.i = o.h JOIN t_s s ON s.i = o.s
        JOIN (SELECT o, sum(price * qty) AS total FROM t_l GROUP BY o) t ON t.o = o.o
        """
    )
    conn.execute(
        """
        INSERT INTO procurement_orderline (id, order_id, listing_id, consumable_id, quantity,
            unit_price, amount, catalogue, label, restricted_reason, status, rejection_reason,
            promised_on, confirmed_at, delivered_quantity, accepted_quantity, refused_quantity,
            returned_quantity, invoiced_quantity)
        SELECT l.l, l.o, l.listing, l.listing, l.qty, l.price, l.price * l.qty, 'capped',
            'normal', '', 'confirmed', '', (o.at - interval '2 days')::date,
            o.at - interval '4 days', l.qty, l.qty, 0, 0, l.qty
        FROM t_l l JOIN t_o o ON o.o = l.o
        """
    )
    done(f"{n} orders")
    conn.execute(
        """
        INSERT INTO procurement_delivery (id, number, order_id, carrier_id, status, shipped_at,
            accepted_at, accepted_by_id, created_by_id)
        SELECT o.o, 'SD' || lpad(o.o::text, 10, '0'), o.o, s.org, 'accepted',
            o.at - interval '1 day', o.at, h.buyer, s.sales
        FROM t_o o JOIN t_h h ON h.i = o.h JOIN t_s s ON s.i = o.s
        """
    )
    conn.execute(
        """
        INSERT INTO procurement_deliveryline (id, delivery_id, order_line_id, quantity, udi_di,
            lot, serial, production_date, expiry_date, barcode, accepted_quantity,
            refused_quantity, refusal_reason, returned_quantity)
        SELECT l.l, l.o, l.l, l.qty, '0' || lpad(l.listing::text, 13, '0'),
            'L' || to_char(o.at, 'YYMMDD'), '', (o.at - interval '90 days')::date,
            (o.at + interval '2 years')::date, '', l.qty, 0, '', 0
        FROM t_l l JOIN t_o o ON o.o = l.o
        """
    )
    done("deliveries")
    conn.execute(
        """
        INSERT INTO procurement_invoice (id, number, issued_on, amount, issuer_id, hospital_id,
            order_id, status, rejection_reason, registered_by_id, registered_at,
            confirmed_by_id, confirmed_at)
        SELECT o.o, '2632' || lpad(o.o::text, 16, '0'), (o.at + interval '1 day')::date,
            t.total, s.org, h.org, o.o, 'confirmed', '', s.sales, o.at + interval '1 day',
            h.fin, o.at + interval '2 days'
        FROM t_o o JOIN t_h h ON h.i = o.h JOIN t_s s ON s.i = o.s
        JOIN (SELECT o, sum(price * qty) AS total FROM t_l GROUP BY o) t ON t.o = o.o
        """
    )
    conn.execute(
        """
        INSERT INTO procurement_invoiceline (id, invoice_id, order_line_id, quantity, amount)
        SELECT l.l, l.o, l.l, l.qty, l.price * l.qty FROM t_l l
        """
    )
    done("invoices")
    # One request per supplier and hospital, approved and paid into escrow.
    conn.execute(
        """
        CREATE TEMP TABLE t_r AS
        SELECT dense_rank() OVER (ORDER BY o.s, o.h) AS r, o.o, o.s, o.h, o.at
        FROM t_o o
        """
    )
    conn.execute("ANALYZE t_r")
    conn.execute(
        """
        INSERT INTO settlement_paymentrequest (id, number, supplier_id, hospital_id,
            region_code, status, amount, requested_by_id, requested_at, approved_by_id,
            approved_at, method, transfer_reference, paid_by_id, paid_at)
        SELECT r.r, 'SR' || lpad(r.r::text, 10, '0'), s.org, h.org, %s, 'paid', r.total,
            s.sales, r.at + interval '3 days', h.fin, r.at + interval '4 days', 'escrow',
            'TR' || lpad(r.r::text, 12, '0'), h.fin, r.at + interval '5 days'
        FROM (SELECT r.r, r.s, r.h, max(r.at) AS at, sum(i.amount) AS total
              FROM t_r r JOIN procurement_invoice i ON i.id = r.o GROUP BY r.r, r.s, r.h) r
        JOIN t_h h ON h.i = r.h JOIN t_s s ON s.i = r.s
        """,
        [REGION],
    )
    conn.execute(
        """
        INSERT INTO settlement_paymentrequestline (id, request_id, invoice_id, amount, status,
            dispute_reason)
        SELECT r.o, r.r, r.o, i.amount, 'open', ''
        FROM t_r r JOIN procurement_invoice i ON i.id = r.o
        """
    )
    done("payment requests")
    for table in ("t_r", "t_l", "t_o", "t_h", "t_s"):
        conn.execute(f"DROP TABLE {table}")


CHUNK = 4000  # entries per transaction while building


def post_entries(owner, log: Callable[[str], None]) -> list[tuple[int, int, int]]:
    """Through the ledger service, as the runtime role: each request's approval and payment
    into escrow, a few thousand per transaction, the ledger's tables analysed after the first
    (the balance triggers' per-entry sums would otherwise be planned for empty tables, as
    sequential scans). Returns (request, payable entry, payment entry)."""
    from django.db import transaction

    from accounts.models import Organization
    from settlement.choices import AccountKind, EntryKind
    from settlement.models import PaymentRequest
    from settlement.services.ledger import EntrySpec, Leg, account_for, entries_post_many
    from settlement.services.payments import escrow_account

    started = time.perf_counter()
    requests = list(
        PaymentRequest.objects.order_by("pk").values_list(
            "pk", "number", "supplier_id", "hospital_id", "amount", "transfer_reference"
        )
    )
    orgs = Organization.objects.in_bulk(
        {r[2] for r in requests} | {r[3] for r in requests}, field_name="pk"
    )
    with transaction.atomic():
        # Opened first: the lookups below then find them.
        escrow = escrow_account(REGION).pk
        payable = {
            h: account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=orgs[h]).pk
            for h in sorted({r[3] for r in requests})
        }
        receivable = {
            s: account_for(kind=AccountKind.SUPPLIER_RECEIVABLE, organization=orgs[s]).pk
            for s in sorted({r[2] for r in requests})
        }
        specs = []
        for pk, number, supplier, hospital, amount, reference in requests:
            specs.append(
                EntrySpec(
                    kind=EntryKind.INVOICE_CONFIRMED,
                    legs=[Leg(payable[hospital], amount), Leg(receivable[supplier], -amount)],
                    source=("payment_request", pk),
                    memo=number,
                )
            )
            specs.append(
                EntrySpec(
                    kind=EntryKind.HOSPITAL_PAYMENT,
                    legs=[Leg(escrow, amount), Leg(payable[hospital], -amount)],
                    source=("payment_request", pk),
                    memo=f"{number} {reference}",
                )
            )
    entries = []
    for start in range(0, len(specs), CHUNK):
        with transaction.atomic():
            entries += entries_post_many(specs[start : start + CHUNK])
        if start == 0:
            owner.execute("ANALYZE settlement_journalentry, settlement_posting, settlement_account")
    log(f"  {len(entries)} ledger entries: {time.perf_counter() - started:.1f}s")
    return [
        (requests[i][0], entries[2 * i].pk, entries[2 * i + 1].pk) for i in range(len(requests))
    ]


def link_entries(conn, links: list[tuple[int, int, int]]) -> None:
    """The requests' payable and payment entries (owner, history triggers off)."""
    conn.execute("ALTER TABLE settlement_paymentrequest DISABLE TRIGGER USER")
    try:
        conn.execute("CREATE TEMP TABLE t_link (r bigint PRIMARY KEY, payable bigint, paid bigint)")
        with conn.cursor() as cur, cur.copy("COPY t_link FROM STDIN") as copy:
            for row in links:
                copy.write_row(row)
        conn.execute(
            "UPDATE settlement_paymentrequest p SET payable_entry_id = t.payable, "
            "payment_entry_id = t.paid FROM t_link t WHERE p.id = t.r"
        )
        conn.execute("DROP TABLE t_link")
    finally:
        conn.execute("ALTER TABLE settlement_paymentrequest ENABLE TRIGGER USER")
