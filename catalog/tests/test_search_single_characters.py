"""A one-character catalogue search is served by the search-terms GIN index (its single
characters), not by an ILIKE over every product."""

import importlib

import pytest
from django.db import connection

from catalog import search
from catalog.models import Consumable
from catalog.search import bigrams, consumable_search_terms, filter_consumables
from catalog.tests.factories import ConsumableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    return {
        "stent": ConsumableFactory(
            generic_name="支架", product_name="冠脉支架", registered_name="冠脉支架", model="X"
        ),
        "lens": ConsumableFactory(
            generic_name="人工晶状体", product_name="非球面人工晶状体", registered_name="晶体"
        ),
        "catheter": ConsumableFactory(
            generic_name="导管", product_name="球囊扩张导管", registered_name="球囊导管"
        ),
    }


def _found(q: str) -> set[int]:
    return set(filter_consumables(Consumable.objects.all(), q).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("架", {"stent"}),
        ("晶", {"lens"}),
        ("管", {"catheter"}),
        ("x", {"stent"}),  # a one-character field, case-folded
        ("球", {"lens", "catheter"}),  # 非球面, 球囊
        ("骨", set()),
        ("架 冠", {"stent"}),  # each one-character word must match
    ],
)
def test_one_character_search_finds_the_products_holding_it(products, q, expected):
    assert _found(q) == {products[name].pk for name in expected}


def test_search_terms_hold_single_characters_and_bigrams():
    assert search.search_terms("冠脉 支架", "X") == sorted(
        {"冠", "脉", "支", "架", "x", "冠脉", "脉支", "支架"}
    )


def _plan(q: str) -> str:
    queryset = filter_consumables(Consumable.objects.all(), q).order_by()
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Too few rows to make the index worth it on cost; the question is whether it can.
        # A GIN index is read by a bitmap scan: plain index scans (a walk of the code
        # index, filtering every row) are off too.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_one_character_search_uses_the_gin_index(products, monkeypatch):
    assert "consumable_search_gin" in _plan("架")
    # Without the character in the terms (the ILIKE alone, as before), it cannot.
    monkeypatch.setattr(search, "query_terms", lambda word: sorted(bigrams(word)))
    assert "consumable_search_gin" not in _plan("架")


def test_the_migration_adds_the_characters_of_rows_written_with_bigrams_only(products):
    """The backfill gives rows imported before it what the importer writes now."""
    for product in Consumable.objects.all():
        old = sorted(term for term in product.search_terms if len(term) == 2)
        Consumable.objects.filter(pk=product.pk).update(search_terms=old)
    migration = importlib.import_module("catalog.migrations.0006_search_single_characters")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    for product in Consumable.objects.all():
        assert product.search_terms == consumable_search_terms(product)
