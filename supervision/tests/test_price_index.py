"""The quarterly price monitoring index [R-PRICE-INDEX] on the worked example of
supervision/selectors/price_index.py and docs/price-index.md, its quarters in Asia/Shanghai
time, its scope and its refusals."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.test import Client

from accounts.choices import Role
from accounts.tests.factories import (
    BureauFactory,
    HospitalFactory,
    OrganizationFactory,
    user_with_role,
)
from catalog.models import Category
from catalog.tests.factories import ConsumableFactory
from core.money import quantize
from procurement.tests.factories import ListingFactory, OrderFactory, OrderLineFactory
from supervision.selectors.price_index import IndexQuery, Quarter, index_query, price_index

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _product(category: str):
    manufacturer = OrganizationFactory()
    consumable = ConsumableFactory(
        manufacturer=manufacturer,
        category_l1=category,
        category_l2=f"{category}01",
        category_l3=f"{category}0101",
    )
    return ListingFactory(manufacturer=manufacturer, consumable=consumable)


def _buy(listing, hospital, quantity: int, price: str, at: dt.datetime, status: str = "submitted"):
    order = OrderFactory(
        hospital=hospital, supplier=listing.manufacturer, status=status, submitted_at=at
    )
    unit = Decimal(price)
    return OrderLineFactory(
        order=order,
        listing=listing,
        quantity=quantity,
        unit_price=unit,
        amount=quantize(unit * quantity),
    )


def _at(year: int, month: int, day: int = 15, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def example():
    """Category 13: A 10 × 100.00 and B 5 × 200.00 in 2026Q1; A 12 × 90.00 and B 4 × 210.00
    in Q2; only A, 10 × 99.00, in Q3. Category 14: C 3 × 50.00 in Q1 and 3 × 55.00 in Q2."""
    Category.objects.create(code="13", name="血管介入类", level=1)
    hospital = HospitalFactory()
    a, b, c = _product("13"), _product("13"), _product("14")
    _buy(a, hospital, 10, "100.00", _at(2026, 2))
    _buy(b, hospital, 5, "200.00", _at(2026, 3))
    _buy(a, hospital, 12, "90.00", _at(2026, 5))
    _buy(b, hospital, 4, "210.00", _at(2026, 6))
    _buy(a, hospital, 10, "99.00", _at(2026, 8))
    _buy(c, hospital, 3, "50.00", _at(2026, 1))
    _buy(c, hospital, 3, "55.00", _at(2026, 4))
    # Not purchases: a cancelled order and a draft do not move the index.
    _buy(a, hospital, 50, "500.00", _at(2026, 5), status="cancelled")
    _buy(b, hospital, 50, "500.00", _at(2026, 5), status="draft")
    return user_with_role(Role.BUREAU_OFFICER, organization=BureauFactory(region_code="320100"))


def _series(officer, first="2026Q1", last="2026Q3"):
    query = index_query(first=first, last=last)
    return {s.code: s for s in price_index(actor=officer, query=query)}


def test_the_worked_example_chains_the_links_quarter_by_quarter_r_price_index(example):
    series = _series(example)
    vascular = series["13"]
    assert vascular.name == "血管介入类"
    points = vascular.points
    assert [p.quarter.label() for p in points] == ["2026Q1", "2026Q2", "2026Q3"]
    # Q1 is the base: 100.
    assert points[0].index_shown == Decimal("100.00")
    assert points[0].link is None
    # (90×10 + 210×5) / (100×10 + 200×5) = 1950 / 2000: prices fell 2.5%.
    assert points[1].link_shown == Decimal("0.9750")
    assert points[1].index_shown == Decimal("97.50")
    assert points[1].matched == 2
    # Only A in Q3: 99×12 / 90×12 = 1.1, so 97.50 × 1.1 = 107.25.
    assert points[2].link_shown == Decimal("1.1000")
    assert points[2].index_shown == Decimal("107.25")
    assert (points[2].matched, points[2].products) == (1, 1)
    assert points[2].amount == Decimal("990.00")
    assert vascular.last_change == Decimal("10.0")


def test_each_category_has_its_own_series_and_all_purchases_one_together_r_price_index(example):
    series = _series(example)
    assert list(series) == ["all", "13", "14"]
    # C: 55/50 in Q2, then nothing bought in Q3: the index is carried over.
    assert [p.index_shown for p in series["14"].points] == [
        Decimal("100.00"),
        Decimal("110.00"),
        Decimal("110.00"),
    ]
    assert series["14"].points[2].matched == 0
    assert series["14"].last_change is None
    # All: (90×10 + 210×5 + 55×3) / (100×10 + 200×5 + 50×3) = 2115 / 2150.
    link = Decimal(2115) / Decimal(2150)
    assert series["all"].points[1].index_shown == (100 * link).quantize(Decimal("0.01"))


def test_a_quarter_is_counted_in_shanghai_time_r_price_index():
    """An order submitted at 2026-03-31 16:30 UTC was submitted at 00:30 on 1 April in
    Shanghai: it belongs to Q2, not Q1; one at 15:30 UTC (23:30 in Shanghai) to Q1."""
    hospital = HospitalFactory()
    a = _product("13")
    _buy(a, hospital, 1, "100.00", dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC))
    _buy(a, hospital, 1, "120.00", dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC))
    officer = user_with_role(Role.BUREAU_OFFICER, organization=BureauFactory(region_code="320100"))
    q1, q2 = _series(officer, "2026Q1", "2026Q2")["13"].points
    assert (q1.amount, q2.amount) == (Decimal("100.00"), Decimal("120.00"))
    assert q2.index_shown == Decimal("120.00")


def test_a_regulator_sees_only_its_jurisdictions_purchases(example):
    elsewhere = user_with_role(
        Role.BUREAU_OFFICER, organization=BureauFactory(region_code="320200")
    )
    series = _series(elsewhere)
    assert list(series) == ["all"]
    assert all(p.amount == 0 and p.products == 0 for p in series["all"].points)


@pytest.mark.parametrize(
    "role", [Role.HOSPITAL_PURCHASER, Role.HOSPITAL_FINANCE, Role.SUPPLIER_SALES]
)
def test_the_index_is_the_regulators_page_and_api(example, role):
    client = Client()
    client.force_login(user_with_role(role))
    assert client.get("/supervision/price-index/").status_code == 403
    assert client.get("/api/v1/supervision/price-index/").status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "4"}, "level"),
        ({"first": "2026Q5"}, "first"),
        ({"last": "Q3-2026x"}, "last"),
        ({"first": "2026Q3", "last": "2026Q1"}, "first"),
        ({"first": "2016Q1", "last": "2026Q1"}, "first"),
    ],
)
def test_a_bad_query_is_refused_with_the_field_and_why(example, params, field):
    client = Client()
    client.force_login(example)
    response = client.get("/api/v1/supervision/price-index/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"]
    page = client.get("/supervision/price-index/", params)
    assert page.status_code == 400


def test_the_api_and_the_page_show_the_same_figures_and_the_page_exports_them(example):
    client = Client()
    client.force_login(example)
    params = {"first": "2026Q1", "last": "2026Q3"}
    body = client.get("/api/v1/supervision/price-index/", params).json()
    vascular = next(s for s in body["series"] if s["code"] == "13")
    assert [p["index"] for p in vascular["points"]] == ["100.00", "97.50", "107.25"]
    assert vascular["points"][1]["link"] == "0.9750"
    html = client.get("/supervision/price-index/", params).content.decode()
    assert "107.25" in html
    assert "血管介入类" in html
    export = client.get("/supervision/price-index/", {**params, "export": "xlsx"})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    q3 = next(r for r in rows if r[:3] == ["13", "血管介入类", "2026Q3"])
    assert Decimal(str(q3[3])) == Decimal("107.25")


def test_quarters_step_across_the_year():
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    query = index_query(last="2027Q1", today=dt.date(2027, 2, 1))
    assert query == IndexQuery(1, Quarter(2025, 2), Quarter(2027, 1))
    assert len(query.quarters) == 8
