"""Row locks live in one module per app (procurement/locks.py, catalog/locks.py), and several
rows are always locked in primary-key order, so that two services never take the same locks
in opposite orders and deadlock."""

import ast
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog import locks as catalog_locks
from catalog.tests.factories import ReferencePriceFactory
from procurement import locks
from procurement.services import orders
from procurement.tests.order_world import add_listing, make_world, shipped

ROOT = Path(__file__).resolve().parent.parent
LOCK_MODULES = {
    "procurement/locks.py",
    "catalog/locks.py",
    "settlement/locks.py",
    "supervision/locks.py",
}
# Apps outside procurement and catalog keep their few locks next to their services for now.
ELSEWHERE = {"accounts/services.py", "core/services.py"}


def _locking_files() -> set[str]:
    found = set()
    packages = [p for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"]
    for path in (path for package in packages for path in package.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(
            isinstance(node, ast.Attribute) and node.attr == "select_for_update"
            for node in ast.walk(tree)
        ):
            found.add(relative)
    return found


def test_rows_are_locked_only_in_the_lock_modules():
    assert _locking_files() - ELSEWHERE == LOCK_MODULES


def _locking_sql(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]


@pytest.mark.django_db
def test_an_orders_lines_are_locked_in_primary_key_order():
    w = make_world()
    second = add_listing(w)
    _order, delivery = shipped(w)

    two = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[{"listing": second.pk, "quantity": 1}, {"listing": w.listing.pk, "quantity": 1}],
    )[0]
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        lines = locks.lock_order_lines(order=two)
        delivery_lines = locks.lock_delivery_lines(delivery=delivery)
    assert [line.pk for line in lines] == sorted(line.pk for line in lines)
    assert len(lines) == 2
    assert len(delivery_lines) == 1
    sql = _locking_sql(captured)
    assert len(sql) == 2
    assert 'ORDER BY "procurement_orderline"."id" ASC' in sql[0]
    assert 'ORDER BY "procurement_deliveryline"."id" ASC' in sql[1]


@pytest.mark.django_db
def test_a_products_reference_prices_are_locked_in_primary_key_order():
    rp = ReferencePriceFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        list(catalog_locks.lock_reference_prices_of(consumable=rp.consumable))
    (sql,) = _locking_sql(captured)
    assert 'ORDER BY "catalog_referenceprice"."id" ASC' in sql
