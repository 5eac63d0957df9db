"""The order API: permission matrix per endpoint, tenancy, bad input, constant query counts.
[R-ORDER-ONLINE]"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from core import clock
from core.tests.helpers import client_for
from procurement.models import Order
from procurement.services import invoices, orders
from procurement.tests.factories import OrderFactory, OrderLineFactory
from procurement.tests.order_world import (
    accepted,
    add_listing,
    confirmed,
    di_of,
    draft,
    gs1,
    invoiced,
    make_world,
    promised,
    shipped,
    state,
    submitted,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/procurement"


def post(client, url, body=None):
    return client.post(url, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def _other_supplier():
    return UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])


# Each case: how to reach the state, the request, and who is right / of the wrong role /
# of another organisation of the same kind.
def _case(name, w):
    if name == "order_submit":
        order = draft(w)
        return (
            "post",
            f"{API}/orders/{order.pk}/submit/",
            {},
            "purchaser",
            "finance",
            "other_purchaser",
        )
    if name == "order_cancel":
        order = submitted(w)
        body = {"reason": "取消"}
        return (
            "post",
            f"{API}/orders/{order.pk}/cancel/",
            body,
            "purchaser",
            "finance",
            "other_purchaser",
        )
    if name == "order_respond":
        order = submitted(w)
        body = {
            "lines": [
                {
                    "line": order.lines.get().pk,
                    "decision": "confirm",
                    "promised_on": str(promised()),
                }
            ]
        }
        return (
            "post",
            f"{API}/orders/{order.pk}/respond/",
            body,
            "sales",
            "purchaser",
            "other_supplier",
        )
    if name == "order_line_confirm":
        order = submitted(w)
        url = f"{API}/orders/{order.pk}/lines/{order.lines.get().pk}/confirm/"
        return "post", url, {"promised_on": str(promised())}, "sales", "purchaser", "other_supplier"
    if name == "order_line_reject":
        order = submitted(w)
        url = f"{API}/orders/{order.pk}/lines/{order.lines.get().pk}/reject/"
        return "post", url, {"reason": "缺货"}, "sales", "purchaser", "other_supplier"
    if name == "order_distributor":
        order = submitted(w)
        url = f"{API}/orders/{order.pk}/distributor/"
        return (
            "post",
            url,
            {"distributor": w.distributor.pk},
            "sales",
            "purchaser",
            "other_supplier",
        )
    if name == "order_detail":
        order = submitted(w)
        return "get", f"{API}/orders/{order.pk}/", None, "purchaser", None, "other_purchaser"
    if name == "delivery_create":
        order = confirmed(w, quantity=2)
        body = {
            "order": order.pk,
            "lines": [{"order_line": order.lines.get().pk, "quantity": 2, "barcode": gs1(w.di)}],
        }
        return "post", f"{API}/deliveries/", body, "sales", "purchaser", "other_supplier"
    if name == "delivery_detail":
        _order, delivery = shipped(w, quantity=2)
        return "get", f"{API}/deliveries/{delivery.pk}/", None, "purchaser", None, "other_purchaser"
    if name == "delivery_accept":
        _order, delivery = shipped(w, quantity=2)
        body = {
            "lines": [
                {
                    "delivery_line": delivery.lines.get().pk,
                    "accepted_quantity": 2,
                    "barcodes": [gs1(w.di)],
                }
            ]
        }
        url = f"{API}/deliveries/{delivery.pk}/accept/"
        return "post", url, body, "purchaser", "sales", "other_purchaser"
    if name == "return_create":
        _order, delivery = accepted(w, quantity=2)
        body = {"delivery_line": delivery.lines.get().pk, "quantity": 1, "reason": "召回"}
        return "post", f"{API}/returns/", body, "purchaser", "finance", "other_purchaser"
    if name == "invoice_create":
        order, _delivery = accepted(w, quantity=2)
        line = order.lines.get()
        amount = str(line.unit_price * 2)
        body = {
            "order": order.pk,
            "number": "26322000000000000051",
            "issued_on": str(clock.local_today()),
            "amount": amount,
            "lines": [{"order_line": line.pk, "quantity": 2, "amount": amount}],
        }
        return "post", f"{API}/invoices/", body, "sales", "purchaser", "other_supplier"
    if name == "invoice_detail":
        _order, invoice = invoiced(w, quantity=2)
        return "get", f"{API}/invoices/{invoice.pk}/", None, "finance", None, "other_finance"
    if name == "invoice_confirm":
        _order, invoice = invoiced(w, quantity=2)
        return (
            "post",
            f"{API}/invoices/{invoice.pk}/confirm/",
            {},
            "finance",
            "purchaser",
            "other_finance",
        )
    if name == "invoice_reject":
        _order, invoice = invoiced(w, quantity=2)
        url = f"{API}/invoices/{invoice.pk}/reject/"
        return "post", url, {"reason": "有误"}, "finance", "purchaser", "other_finance"
    raise AssertionError(name)


CASES = [
    "order_submit",
    "order_cancel",
    "order_respond",
    "order_line_confirm",
    "order_line_reject",
    "order_distributor",
    "order_detail",
    "delivery_create",
    "delivery_detail",
    "delivery_accept",
    "return_create",
    "invoice_create",
    "invoice_detail",
    "invoice_confirm",
    "invoice_reject",
]


def _user(w, key):
    if key == "other_supplier":
        return _other_supplier()
    if key == "other_finance":
        return UserFactory(organization=w.other_hospital, roles=[Role.HOSPITAL_FINANCE])
    return getattr(w, key)


# Reads are open to every role (order.view); the scope alone decides, so they have no
# wrong-role case.
READS = {"order_detail", "delivery_detail", "invoice_detail"}
MATRIX = [
    pytest.param(case, who, id=f"{case}-{who}")
    for case in CASES
    for who in ("anonymous", "other_org", "wrong_role", "right_role")
    if not (case in READS and who == "wrong_role")
]


@pytest.mark.parametrize(("case", "who"), MATRIX)
def test_permission_matrix(case, who):
    w = make_world()
    method, url, body, right, wrong, other = _case(case, w)
    user = {
        "anonymous": None,
        "other_org": _user(w, other),
        "wrong_role": _user(w, wrong) if wrong else None,
        "right_role": _user(w, right),
    }[who]
    before = state()
    client = client_for(user)
    response = client.get(url) if method == "get" else post(client, url, body)
    expected = {"anonymous": 401, "other_org": 404, "wrong_role": 403}.get(who)
    if expected is None:
        assert response.status_code in (200, 201), response.json()
        return
    assert response.status_code == expected, response.json()
    assert state() == before


# --- tenancy ---------------------------------------------------------------------------------


def test_a_hospital_never_sees_another_hospitals_orders():
    w = make_world()
    mine = submitted(w)
    [theirs] = orders.order_create(
        department="骨科", actor=w.other_purchaser, lines=[{"listing": w.listing.pk, "quantity": 1}]
    )
    client = client_for(w.purchaser)
    listed = client.get(f"{API}/orders/").json()
    assert [o["id"] for o in listed["results"]] == [mine.pk]
    assert client.get(f"{API}/orders/{theirs.pk}/").status_code == 404
    assert client.get(f"{API}/orders/", {"hospital": w.other_hospital.pk}).json()["results"] == []
    other = client_for(w.other_purchaser)
    assert other.get(f"{API}/orders/{mine.pk}/").status_code == 404
    assert [o["id"] for o in other.get(f"{API}/orders/").json()["results"]] == [theirs.pk]


def test_deliveries_and_invoices_lists_are_scoped():
    w = make_world()
    _order, invoice = invoiced(w, quantity=2)
    delivery = invoice.order.deliveries.get()
    other = client_for(w.other_purchaser)
    assert other.get(f"{API}/deliveries/").json()["count"] == 0
    assert other.get(f"{API}/invoices/").json()["count"] == 0
    assert other.get(f"{API}/deliveries/{delivery.pk}/").status_code == 404
    assert other.get(f"{API}/invoices/{invoice.pk}/").status_code == 404
    mine = client_for(w.finance)
    assert [d["id"] for d in mine.get(f"{API}/deliveries/").json()["results"]] == [delivery.pk]
    assert mine.get(f"{API}/invoices/").json()["results"][0]["ready_for_settlement"] is False


def test_supplier_sees_submitted_orders_addressed_to_it_only():
    w = make_world()
    draft(w)
    sent = submitted(w)
    listed = client_for(w.sales).get(f"{API}/orders/").json()
    assert [o["id"] for o in listed["results"]] == [sent.pk]
    assert client_for(_other_supplier()).get(f"{API}/orders/").json()["results"] == []


def test_order_list_filters_by_status():
    w = make_world()
    draft(w)
    sent = submitted(w)
    done = confirmed(w)
    client = client_for(w.purchaser)
    ids = [
        o["id"]
        for o in client.get(f"{API}/orders/", {"status": "submitted,confirmed"}).json()["results"]
    ]
    assert ids == [done.pk, sent.pk]
    response = client.get(f"{API}/orders/", {"status": "shipped"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# --- bad input through the API ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ({"quantity": 0}, "quantity_invalid"),
        ({"quantity": -1}, "quantity_invalid"),
        ({"quantity": 1.5}, "quantity_invalid"),
        ({"quantity": "x"}, "quantity_invalid"),
        ({"quantity": 1, "unit_price": "0.01"}, "client_price_refused"),
        ({"quantity": 1, "amount": "1.00"}, "client_price_refused"),
    ],
    ids=["zero", "negative", "fraction", "text", "client-unit-price", "client-amount"],
)
def test_order_create_refuses_bad_lines_and_creates_nothing(line, code):
    w = make_world()
    before = state()
    response = post(
        client_for(w.purchaser),
        f"{API}/orders/",
        {"lines": [{"listing": w.listing.pk, **line}], "department": "骨科"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert state() == before


def test_order_create_returns_the_drafts_with_server_prices():
    w = make_world(price=Decimal("99.90"))
    response = post(
        client_for(w.purchaser),
        f"{API}/orders/",
        {"lines": [{"listing": w.listing.pk, "quantity": 3}], "department": "骨科"},
    )
    assert response.status_code == 201
    [order] = response.json()["orders"]
    assert order["status"] == "draft"
    assert order["total"] == "299.70"
    assert order["lines"][0]["unit_price"] == "99.90"
    assert order["lines"][0]["consumable"]["code"] == w.listing.consumable.code


def test_quote_groups_a_cart_by_supplier_and_shows_the_cap():
    w = make_world(price=Decimal("10.00"))
    response = post(
        client_for(w.purchaser),
        f"{API}/orders/quote/",
        {"lines": [{"listing": w.listing.pk, "quantity": 2}], "department": "骨科"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["total"] == "20.00"
    assert body["groups"][0]["supplier"]["id"] == w.manufacturer.pk
    assert body["cap"]["cap"] == "150000.00"
    assert body["over_cap"] is False
    assert Order.objects.count() == 0


def test_actions_return_the_updated_order():
    w = make_world()
    order = draft(w)
    client = client_for(w.purchaser)
    body = post(client, f"{API}/orders/{order.pk}/submit/").json()
    assert body["status"] == "submitted"
    again = post(client, f"{API}/orders/{order.pk}/submit/")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"


# --- constant query counts -------------------------------------------------------------------


def _orders_with_lines(w, count: int, lines: int = 3):
    for _ in range(count):
        order = OrderFactory(hospital=w.hospital, supplier=w.manufacturer, status="submitted")
        for _ in range(lines):
            OrderLineFactory(order=order, listing=w.listing)


@pytest.mark.parametrize("count", [10, 50], ids=["10-orders", "50-orders"])
def test_order_list_page_takes_a_constant_number_of_queries(count, django_assert_num_queries):
    """List endpoints pin their query count: one statement selects the page and builds its
    documents (procurement.api.order_documents); no count, no query per order or per line."""
    w = make_world()
    _orders_with_lines(w, count)
    client = client_for(w.purchaser)
    with django_assert_num_queries(1):
        response = client.get(f"{API}/orders/", {"page_size": 50})
    body = response.json()
    assert len(body["results"]) == count
    assert all(len(order["lines"]) == 3 for order in body["results"])


def test_delivery_and_invoice_lists_take_a_constant_number_of_queries(django_assert_num_queries):
    w = make_world()
    for number in range(4):
        _order, _invoice = invoiced(w, quantity=1, number=f"2632200000000000{number:04d}")
    client = client_for(w.finance)
    with django_assert_num_queries(3):
        assert len(client.get(f"{API}/deliveries/").json()["results"]) == 4
    with django_assert_num_queries(3):
        assert len(client.get(f"{API}/invoices/").json()["results"]) == 4


def test_his_key_sees_the_same_as_the_browser():
    from accounts.services import api_client_create

    w = make_world()
    order = submitted(w)
    issued = api_client_create(actor=None, organization=w.hospital, name="HIS")
    his = APIClient()
    his.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert his.get(f"{API}/orders/{order.pk}/").json()["number"] == order.number
    other = api_client_create(actor=None, organization=w.other_hospital, name="HIS")
    his.credentials(HTTP_AUTHORIZATION=f"Bearer {other.key}")
    assert his.get(f"{API}/orders/{order.pk}/").status_code == 404


def test_delivery_with_several_wrong_udi_lines_names_every_line_via_api():
    w = make_world()
    second = add_listing(w)
    order = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[{"listing": w.listing.pk, "quantity": 5}, {"listing": second.pk, "quantity": 5}],
    )[0]
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    lines = list(order.lines.order_by("pk"))
    orders.order_respond(
        actor=w.sales,
        order_id=order.pk,
        answers=[{"line": x.pk, "decision": "confirm", "promised_on": promised()} for x in lines],
    )
    expired = clock.local_today() - dt.timedelta(days=1)
    stranger = di_of(add_listing(w))
    body = {
        "order": order.pk,
        "lines": [
            {"order_line": lines[0].pk, "quantity": 5, "barcode": gs1(stranger)},
            {
                "order_line": lines[1].pk,
                "quantity": 5,
                "barcode": gs1(di_of(second), expiry=expired),
            },
        ],
    }
    response = post(client_for(w.sales), f"{API}/deliveries/", body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "lines_refused"
    assert [(x["line"], x["code"]) for x in answer["extra"]["lines"]] == [
        (1, "udi_product_mismatch"),
        (2, "lot_expired"),
    ]
    assert not order.deliveries.exists()


def test_invoice_with_a_number_in_no_format_in_use_is_refused_via_api():
    w = make_world()
    order, _delivery = accepted(w, quantity=2)
    line = order.lines.get()
    amount = str(line.unit_price * 2)
    body = {
        "order": order.pk,
        "number": "abc",
        "issued_on": str(clock.local_today()),
        "amount": amount,
        "lines": [{"order_line": line.pk, "quantity": 2, "amount": amount}],
    }
    response = post(client_for(w.sales), f"{API}/invoices/", body)
    assert response.status_code == 400
    answer = response.json()
    assert (answer["code"], answer["extra"]["field"]) == ("invoice_number_invalid", "number")
    assert not order.invoices.exists()


def test_invoice_is_ready_for_settlement_once_confirmed():
    w = make_world()
    _order, invoice = invoiced(w, quantity=1)
    invoices.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)
    body = client_for(w.sales).get(f"{API}/invoices/{invoice.pk}/").json()
    assert (body["status"], body["ready_for_settlement"]) == ("confirmed", True)


def test_acceptance_refused_for_an_expired_scan_via_api():
    import datetime as dt

    w = make_world()
    _order, delivery = shipped(w, quantity=2)
    expired = gs1(w.di, expiry=clock.local_today() - dt.timedelta(days=1))
    before = state()
    response = post(
        client_for(w.purchaser),
        f"{API}/deliveries/{delivery.pk}/accept/",
        {
            "lines": [
                {
                    "delivery_line": delivery.lines.get().pk,
                    "accepted_quantity": 2,
                    "barcodes": [expired],
                }
            ]
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "lot_expired"
    assert state() == before


@pytest.mark.parametrize("lines", [1, 20], ids=["1-line", "20-lines"])
def test_order_detail_takes_a_constant_number_of_queries(lines, django_assert_num_queries):
    w = make_world()
    order = OrderFactory(hospital=w.hospital, supplier=w.manufacturer, status="submitted")
    for _ in range(lines):
        OrderLineFactory(order=order, listing=w.listing)
    client = client_for(w.purchaser)
    with django_assert_num_queries(1):  # the scoped selection and the document together
        body = client.get(f"{API}/orders/{order.pk}/").json()
    assert len(body["lines"]) == lines


def test_regulators_see_their_regions_orders_and_invoices_only():
    """The Nanjing bureau and agency see Nanjing hospitals' trade, not Suzhou's (404 there);
    a platform administrator sees both."""
    from accounts.tests.factories import AgencyFactory, BureauFactory, HospitalFactory

    w = make_world()  # its hospitals lie in Nanjing (320106)
    _order, invoice = invoiced(w, quantity=1)
    nanjing_order = invoice.order
    suzhou = HospitalFactory(region_code="320505")
    suzhou_order = OrderFactory(hospital=suzhou, supplier=w.manufacturer, status="submitted")
    OrderLineFactory(order=suzhou_order, listing=w.listing)
    bureau = UserFactory(organization=BureauFactory(region_code="320100"))
    agency = UserFactory(organization=AgencyFactory(region_code="320100"))
    admin = UserFactory(organization=BureauFactory(), roles=[Role.PLATFORM_ADMIN])
    for regulator in (bureau, agency):
        client = client_for(regulator)
        listed = [o["id"] for o in client.get(f"{API}/orders/").json()["results"]]
        assert nanjing_order.pk in listed
        assert suzhou_order.pk not in listed
        assert client.get(f"{API}/orders/{suzhou_order.pk}/").status_code == 404
        assert client.get(f"{API}/orders/{nanjing_order.pk}/").status_code == 200
        invoices_seen = [i["id"] for i in client.get(f"{API}/invoices/").json()["results"]]
        assert invoices_seen == [invoice.pk]
    listed = [o["id"] for o in client_for(admin).get(f"{API}/orders/").json()["results"]]
    assert {nanjing_order.pk, suzhou_order.pk} <= set(listed)


def test_quote_takes_the_same_queries_for_one_listing_or_four(django_assert_num_queries):
    """The quote reads its listings with their products and manufacturers in one query: no
    query per line for the manufacturer's name."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from procurement.selectors.cart import order_quote
    from procurement.tests.factories import ListingFactory

    w = make_world()
    others = [ListingFactory() for _ in range(3)]
    one = [{"listing": w.listing.pk, "quantity": 1}]
    four = one + [{"listing": listing.pk, "quantity": 1} for listing in others]
    with CaptureQueriesContext(connection) as single:
        order_quote(actor=w.purchaser, lines=one)
    with django_assert_num_queries(len(single.captured_queries)):
        quote = order_quote(actor=w.purchaser, lines=four)
    assert len(quote.groups) == 4
    assert {group.supplier_name for group in quote.groups} >= {o.manufacturer.name for o in others}
