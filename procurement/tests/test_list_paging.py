"""The order, delivery and invoice lists at scale: counts capped at core.paging.COUNT_CAP
(shown "N+"), keyset pages past the numbered ones, capped status tabs, and a counterpart
dropdown that probes organisations instead of reading every order.

The cap is patched small so that a few rows pass it."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, OrganizationFactory, UserFactory
from core import clock, paging
from procurement.models import Delivery, Invoice, Order
from procurement.selectors import orders as order_selectors
from procurement.tests.factories import DeliveryFactory, InvoiceFactory, OrderFactory

pytestmark = pytest.mark.django_db

CAP = 5
NEXT = re.compile(r'rel="next" href="\?([^"]*)"')
PREVIOUS = re.compile(r'rel="prev" href="\?([^"]*)"')


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", CAP)


@pytest.fixture
def hospital():
    return HospitalFactory(region_code="320106")


@pytest.fixture
def purchaser(hospital):
    return UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _orders(hospital, supplier, n: int, **kwargs) -> list[Order]:
    made = [OrderFactory(hospital=hospital, supplier=supplier, **kwargs) for _ in range(n)]
    # Rows sharing one time, so that the id must break the tie in the keyset.
    same = clock.now() - dt.timedelta(days=1)
    Order.objects.filter(pk__in=[o.pk for o in made[3:9]]).update(created_at=same)
    return made


def _link(response, pattern: re.Pattern) -> str:
    found = pattern.search(response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else ""


def test_the_order_list_counts_no_further_than_the_cap(small_cap, hospital, purchaser):
    supplier = OrganizationFactory()
    _orders(hospital, supplier, CAP + 3, status="submitted")
    OrderFactory(hospital=hospital, supplier=supplier)  # one draft
    response = browser(purchaser).get(reverse("procurement:order_list"))
    html = response.content.decode()
    assert f'data-count="submitted">{CAP}+<' in html
    assert 'data-count="draft">1<' in html
    assert f'data-count="all">{CAP}+<' in html
    counts = order_selectors.order_status_counts(actor=purchaser)
    assert counts["submitted"] == CAP + 1  # stopped past the cap
    assert counts["draft"] == 1
    assert counts["confirmed"] == 0


def test_status_tab_counts_are_right_under_the_cap(hospital, purchaser):
    supplier = OrganizationFactory()
    _orders(hospital, supplier, 2, status="submitted")
    _orders(hospital, supplier, 3, status="confirmed")
    OrderFactory(supplier=supplier, status="confirmed")  # another hospital's
    counts = order_selectors.order_status_counts(actor=purchaser)
    assert {k: v for k, v in counts.items() if v} == {"submitted": 2, "confirmed": 3}
    sales = UserFactory(organization=supplier, roles=[Role.SUPPLIER_SALES])
    assert order_selectors.order_status_counts(actor=sales)["confirmed"] == 4


@pytest.mark.parametrize("kind", ["orders", "deliveries", "invoices"])
def test_keyset_pages_walk_every_row_once_while_rows_are_added(small_cap, hospital, kind):
    """Numbered pages up to the cap, then next links by keyset: every row once, in list
    order, although rows are written between two pages."""
    supplier = OrganizationFactory()
    finance = UserFactory(organization=hospital, roles=[Role.HOSPITAL_FINANCE])
    name, model, key = {
        "orders": ("order_list", Order, "created_at"),
        "deliveries": ("delivery_list", Delivery, "shipped_at"),
        "invoices": ("invoice_list", Invoice, "registered_at"),
    }[kind]
    path = reverse(f"procurement:{name}")

    def make(n: int) -> list[int]:
        orders = _orders(hospital, supplier, n, status="confirmed")
        if kind == "orders":
            return [o.pk for o in orders]
        if kind == "deliveries":
            rows = [DeliveryFactory(order=o, carrier=supplier) for o in orders]
        else:
            rows = [InvoiceFactory(order=o) for o in orders]
        same = clock.now() - dt.timedelta(days=2)
        model.objects.filter(pk__in=[r.pk for r in rows[10:16]]).update(**{key: same})
        return [r.pk for r in rows]

    created = make(47)
    expected = list(
        model.objects.filter(pk__in=created).order_by(f"-{key}", "-id").values_list("pk", flat=True)
    )
    client = browser(finance)
    params = {"status": "all"}
    first = client.get(path, params)
    assert first.status_code == 200
    seen = [row.pk for row in first.context["page"]]
    assert len(seen) == CAP + 1  # the numbered page: as far as the count went
    query = _link(first, NEXT)
    assert "after=" in query
    pages = 1
    while query:
        make(2)  # newer rows, written while the client pages
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200
        seen += [row.pk for row in response.context["page"]]
        pages += 1
        query = _link(response, NEXT)
    assert seen == expected
    assert pages == 4  # 6 numbered, then 20, 20 and 1

    # Back from the last page by the previous links: every row now listed, once, in order.
    back = [row.pk for row in response.context["page"]]
    query = _link(response, PREVIOUS)
    while query:
        response = client.get(f"{path}?{query}")
        back = [row.pk for row in response.context["page"]] + back
        query = _link(response, PREVIOUS)
    assert back == list(model.objects.order_by(f"-{key}", "-id").values_list("pk", flat=True))


def test_a_cursor_that_is_not_ours_gives_the_first_page(hospital, purchaser):
    _orders(hospital, OrganizationFactory(), 3, status="submitted")
    response = browser(purchaser).get(reverse("procurement:order_list"), {"after": "x!"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 3


def test_the_dropdown_lists_the_counterparts_without_reading_every_order(hospital, purchaser):
    suppliers = [OrganizationFactory(name=f"供应商{i}") for i in range(3)]
    for supplier in suppliers[:2]:
        _orders(hospital, supplier, 2, status="submitted")
    OrderFactory(supplier=suppliers[2])  # another hospital's order
    assert order_selectors.order_counterparts(actor=purchaser) == [
        (s.pk, s.name) for s in suppliers[:2]
    ]
    sales = UserFactory(organization=suppliers[0], roles=[Role.SUPPLIER_SALES])
    OrderFactory(hospital=HospitalFactory(), supplier=suppliers[0])  # a draft: not the supplier's
    assert order_selectors.order_counterparts(actor=sales) == [(hospital.pk, hospital.name)]
    with CaptureQueriesContext(connection) as queries:
        order_selectors.order_counterparts(actor=purchaser)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "DISTINCT" not in sql.upper()
    response = browser(purchaser).get(reverse("procurement:order_list"))
    field = response.context["form"].fields["counterpart"]
    options = [str(value) for value, _label in field.choices]
    assert {str(s.pk) for s in suppliers[:2]} <= set(options)
    assert str(suppliers[2].pk) not in options


def test_the_delivery_and_invoice_api_count_no_further_than_the_cap(small_cap, hospital):
    finance = UserFactory(organization=hospital, roles=[Role.HOSPITAL_FINANCE])
    for order in _orders(hospital, OrganizationFactory(), CAP + 2, status="confirmed"):
        InvoiceFactory(order=order)
        DeliveryFactory(order=order)
    api = APIClient()
    api.force_authenticate(finance)
    for path in ("/api/v1/procurement/deliveries/", "/api/v1/procurement/invoices/"):
        body = api.get(path).json()
        assert (body["count"], body["count_capped"]) == (CAP + 1, True), path


def test_the_order_page_counts_listings_no_further_than_the_cap(small_cap, purchaser):
    """The order page lists what is on sale: a province has half a million listings, so it
    counts no further than the cap and says to narrow the search."""
    from procurement.tests.factories import ListingFactory

    listings = [ListingFactory() for _ in range(CAP + 2)]
    with CaptureQueriesContext(connection) as queries:
        response = browser(purchaser).get(reverse("procurement:order_place"))
    page = response.context["page"]
    assert page.paginator.capped
    assert page.paginator.count_label == f"{CAP}+"
    assert page[0] == listings[-1]  # newest first
    counts = [
        q["sql"] for q in queries if "COUNT(" in q["sql"] and "procurement_listing" in q["sql"]
    ]
    assert counts
    assert all(f"LIMIT {CAP + 1}" in sql for sql in counts), counts
