"""api_order_create and api_order_list: the HIS API through the real HTTP stack (gunicorn).

Each is measured against bench/urls.py's bare endpoint on the same server, database and key
authentication in the same run, and prints both throughputs and their ratio:

    api_order_create clients=16 requests=N project_rps=X baseline_rps=Y ratio=X/Y errors=0
    api_order_list clients=16 orders=100000 ... ratio=X/Y errors=0 queries_per_page=Q

Targets: create ratio >= 0.3 and list ratio >= 0.5, with zero errors.
Usage: python -m bench.api_orders [--seconds S] [--orders N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal

from bench.common import ROOT, peak_rss_mb, setup_django

CLIENTS = 16
LINES = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(orders_wanted: int) -> dict:
    """Hospitals with HIS keys, a manufacturer with listed capped products, and one hospital
    with ``orders_wanted`` orders of two lines each. Idempotent across runs."""
    from accounts.demo import demo_uscc
    from accounts.models import Organization, User
    from accounts.services import api_client_create
    from catalog.models import Consumable, ReferencePrice
    from catalog.search import consumable_search_terms
    from procurement.models import AnnualPurchasePlan, Listing, Order

    manufacturer, _ = Organization.objects.get_or_create(
        uscc=demo_uscc("bench-m", "91", "320106"),
        defaults={"kind": "manufacturer", "name": "基准测试生产企业", "region_code": "320106"},
    )
    listings = []
    for n in range(10):
        code = f"C020111212000001076{n + 1:08d}"
        fields = {
            "generic_name": "冠状动脉支架",
            "product_name": f"基准支架{n}",
            "specification": "直径3.0mm",
            "model": f"B{n}",
        }
        consumable, _ = Consumable.objects.get_or_create(
            code=code,
            defaults=dict(
                base_code=code[:20],
                category_l1="02",
                category_l2="0201",
                category_l3="020111",
                generic_group="212",
                material_code="00",
                feature_code="000",
                company_code="10766",
                spec_serial=code[20:],
                search_terms=consumable_search_terms(fields),
                **fields,
            ),
        )
        ReferencePrice.objects.get_or_create(
            consumable=consumable, status="confirmed", defaults={"price": Decimal("800.00")}
        )
        listing, _ = Listing.objects.get_or_create(
            manufacturer=manufacturer,
            consumable=consumable,
            defaults={
                "price": Decimal("700.00"),
                "registration_number": "国械注准20193130001",
                "catalogue": "capped",
                "status": "listed",
                "label": "normal",
            },
        )
        listings.append(listing.pk)
    keys = []
    hospitals = []
    for n in range(CLIENTS):
        hospital, _ = Organization.objects.get_or_create(
            uscc=demo_uscc(f"bench-h{n}", "12", "320106"),
            defaults={
                "kind": "hospital",
                "name": f"基准测试医院{n}",
                "region_code": "320106",
                "tier": "tier3",
                "ownership": "public",
            },
        )
        AnnualPurchasePlan.objects.get_or_create(
            hospital=hospital,
            year=time.gmtime().tm_year,
            defaults={"total": Decimal("100000000000.00")},
        )
        keys.append(api_client_create(actor=None, organization=hospital, name=f"bench {n}").key)
        hospitals.append(hospital)
        # [R-HOSP-CATALOGUE] the hospital orders only what its own catalogue admitted.
        from core import clock
        from procurement.models import CatalogueEntry

        now = clock.now()
        CatalogueEntry.objects.bulk_create(
            [
                CatalogueEntry(
                    hospital=hospital,
                    listing_id=pk,
                    consumable_id=Listing.objects.get(pk=pk).consumable_id,
                    decision_date=clock.local_today(),
                    decision_reference="基准测试",
                    admitted_at=now,
                    changed_at=now,
                )
                for pk in listings
            ],
            ignore_conflicts=True,
        )
    first = hospitals[0]
    have = Order.objects.filter(hospital=first).count()
    if have < orders_wanted:
        user = User.objects.filter(organization=first).first()
        base = Order.objects.count()
        batch = 5000
        for start in range(have, orders_wanted, batch):
            stop = min(start + batch, orders_wanted)
            created = Order.objects.bulk_create(
                [
                    Order(
                        number=f"BENCH{base + i:09d}",
                        hospital=first,
                        supplier=manufacturer,
                        status="submitted",
                        total=Decimal("2800.00"),
                        created_by=user,
                    )
                    for i in range(start, stop)
                ]
            )
            _lines(created, listings)
    # Fresh statistics, as autovacuum would have after a real day's trade: with stale ones the
    # planner scans the 100,000 orders instead of walking the (hospital, created_at) index.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procurement_order")
        cursor.execute("ANALYZE procurement_orderline")
    return {"keys": keys, "listings": listings}


def _lines(orders, listing_ids) -> None:
    from procurement.models import Listing, OrderLine

    consumable_of = dict(
        Listing.objects.filter(pk__in=listing_ids).values_list("pk", "consumable_id")
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                listing_id=listing_ids[j],
                consumable_id=consumable_of[listing_ids[j]],
                quantity=2,
                unit_price=Decimal("700.00"),
                amount=Decimal("1400.00"),
                catalogue="capped",
                label="normal",
            )
            for o in orders
            for j in (0, 1)
        ]
    )


def _worker(port, key, method, path, body_factory, seconds, start_at, out) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ok = errors = 0
    first_error = ""
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    while time.time() < deadline:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        body = None
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
            body = json.dumps(body_factory())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status in (200, 201):
                ok += 1
            else:
                errors += 1
                first_error = first_error or f"{response.status} {payload[:200]!r}"
        except (OSError, http.client.HTTPException) as exc:
            errors += 1
            first_error = first_error or repr(exc)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out.put((ok, errors, first_error))


def load(port, keys, method, path, body_factory=None, seconds=10.0) -> tuple[float, int, str]:
    out: mp.Queue = mp.Queue()
    start_at = time.time() + 1.0
    procs = [
        mp.Process(
            target=_worker, args=(port, key, method, path, body_factory, seconds, start_at, out)
        )
        for key in keys
    ]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    first_error = next((r[2] for r in results if r[2]), "")
    return ok / seconds, errors, first_error


class _OrderBody:
    def __init__(self, listings):
        self.listings = listings

    def __call__(self):
        return {
            "lines": [
                {"listing": pk, "quantity": 1 + i} for i, pk in enumerate(self.listings[:LINES])
            ],
            "department": "骨科",
        }


class _BareBody:
    def __call__(self):
        return {"lines": LINES}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=None, help="alias of --orders")
    args = parser.parse_args(argv)
    orders_wanted = args.rows or args.orders
    setup_django("_bench_orders")
    from django.db import connection

    from bench.urls import ensure_table

    ensure_table()
    data = prepare(orders_wanted)
    connection.close()
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "AUDIT_HMAC_KEY": "test-only-audit-hmac-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "YANGGUANG_BENCH_ENDPOINTS": "1",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.5)
        keys = data["keys"]
        order_path = "/api/v1/procurement/orders/"
        # Warm up both paths (imports, connection pools), then measure.
        load(port, keys[:4], "POST", "/api/bench/bare/", _BareBody(), seconds=1.5)
        load(port, keys[:4], "POST", order_path, _OrderBody(data["listings"]), seconds=1.5)
        bare_rps, bare_err, bare_msg = load(
            port, keys, "POST", "/api/bench/bare/", _BareBody(), args.seconds
        )
        order_rps, order_err, order_msg = load(
            port, keys, "POST", order_path, _OrderBody(data["listings"]), args.seconds
        )
        print(
            f"api_order_create clients={len(keys)} lines={LINES} "
            f"project_rps={order_rps:.0f} baseline_rps={bare_rps:.0f} "
            f"ratio={order_rps / bare_rps:.2f} errors={order_err + bare_err} "
            f"peak_rss_mb={peak_rss_mb():.0f}"
            + (f" first_error={order_msg or bare_msg}" if order_err + bare_err else ""),
            flush=True,
        )
        list_path = "/api/v1/procurement/orders/?page_size=50"
        list_keys = [keys[0]] * len(keys)  # the hospital with the many orders
        load(port, list_keys[:4], "GET", list_path, seconds=1.5)
        bare_rps, bare_err, bare_msg = load(
            port, list_keys, "GET", "/api/bench/bare/", seconds=args.seconds
        )
        list_rps, list_err, list_msg = load(port, list_keys, "GET", list_path, seconds=args.seconds)
        print(
            f"api_order_list clients={len(list_keys)} orders={orders_wanted} page=50 "
            f"project_rps={list_rps:.0f} baseline_rps={bare_rps:.0f} "
            f"ratio={list_rps / bare_rps:.2f} errors={list_err + bare_err} "
            f"peak_rss_mb={peak_rss_mb():.0f}"
            + (f" first_error={list_msg or bare_msg}" if list_err + bare_err else ""),
            flush=True,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
