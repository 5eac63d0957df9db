"""Order pages: the purchaser's cart -> order -> submit, the supplier's answer, delivery notes,
acceptance with a scan box, returns, invoices, usage records; tenancy through pages and exports;
formula escaping in XLSX; a pinned query count on the order list."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.tests.factories import (
    BureauFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from core import clock
from core.money import format_cny
from core.tests.helpers import browser
from procurement.choices import (
    Catalogue,
    DeliveryStatus,
    InvoiceStatus,
    LineStatus,
    OrderStatus,
    PurchaseLabel,
)
from procurement.models import Delivery, Invoice, Order, ReturnRecord
from procurement.services import deliveries, orders, usage
from procurement.tests.factories import AnnualPurchasePlanFactory, ListingFactory
from procurement.tests.order_world import (
    accepted,
    add_listing,
    confirmed,
    di_of,
    draft,
    gs1,
    invoiced,
    make_world,
    patient_hash,
    promised,
    shipped,
    submitted,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"procurement:{name}", args=args)


def sheet_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


@pytest.fixture
def w():
    return make_world()


# ---------------------------------------------------------------------------------------------
# Cart -> order -> submit


def test_purchaser_takes_the_cart_to_a_submitted_order(w):
    """The whole browser path: add to the cart, see the server's price and the cap, create the
    draft, submit it from the order page (which asks first, naming number and total)."""
    page = browser(w.purchaser)
    response = page.post(url("cart_add"), {"listing": w.listing.pk, "quantity": "3"})
    assert response.status_code == 302

    shown = page.get(url("order_place")).content.decode()
    assert f'data-cart-line="{w.listing.pk}"' in shown
    assert "¥300.00" in shown  # 3 x ¥100.00, computed by the server
    assert "data-cap-remaining" in shown

    page.post(url("cart_update"), {f"quantity_{w.listing.pk}": "4", "note": "急用"})
    response = page.post(
        url("cart_update"),
        {f"quantity_{w.listing.pk}": "4", "note": "急用", "department": "骨科", "action": "create"},
    )
    order = Order.objects.get(hospital=w.hospital)
    assert response.status_code == 302
    assert response["Location"] == url("order_detail", order.pk)
    assert order.status == OrderStatus.DRAFT
    assert order.total == Decimal("400.00")
    assert order.note == "急用"

    detail = page.get(url("order_detail", order.pk)).content.decode()
    assert "data-confirm=" in detail
    assert order.number in detail
    assert "¥400.00" in detail

    response = page.post(url("order_submit", order.pk))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert page.get(url("order_place")).context["cart_rows"] == []


def test_cart_splits_by_manufacturer_into_one_order_each(w):
    other = add_listing(w, manufacturer=OrganizationFactory(), price=Decimal("50.00"))
    page = browser(w.purchaser)
    page.post(url("cart_add"), {"listing": w.listing.pk, "quantity": "1"})
    page.post(url("cart_add"), {"listing": other.pk, "quantity": "2"})
    assert len(page.get(url("order_place")).context["cart_groups"]) == 2
    response = page.post(url("cart_update"), {"department": "骨科", "action": "create"})
    assert response["Location"] == url("order_list") + "?status=draft"
    assert Order.objects.filter(hospital=w.hospital, status=OrderStatus.DRAFT).count() == 2


def test_cart_adds_to_the_quantity_when_added_again(w):
    page = browser(w.purchaser)
    page.post(url("cart_add"), {"listing": w.listing.pk, "quantity": "2"})
    page.post(url("cart_add"), {"listing": w.listing.pk, "quantity": "3"})
    rows = page.get(url("order_place")).context["cart_rows"]
    assert [(row.listing_id, row.quantity) for row in rows] == [(w.listing.pk, "5")]


def test_restricted_product_asks_for_a_reason_and_keeps_what_was_typed(w):
    """[R-LABELS] a Restricted line needs a reason: the cart says so next to the line, keeps
    the typed quantity, and creates nothing until the reason is given."""
    restricted = add_listing(w, label=PurchaseLabel.RESTRICTED)
    page = browser(w.purchaser)
    page.post(url("cart_add"), {"listing": restricted.pk, "quantity": "1"})
    response = page.post(
        url("cart_update"),
        {f"quantity_{restricted.pk}": "7", "department": "骨科", "action": "create"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-line-error="restricted_reason_required"' in html
    assert f'name="quantity_{restricted.pk}" value="7"' in html
    assert not Order.objects.exists()

    response = page.post(
        url("cart_update"),
        {
            f"quantity_{restricted.pk}": "7",
            f"reason_{restricted.pk}": "临床特殊需要",
            "department": "骨科",
            "action": "create",
        },
    )
    assert response.status_code == 302
    line = Order.objects.get().lines.get()
    assert (line.quantity, line.restricted_reason) == (7, "临床特殊需要")


def test_bad_quantity_is_shown_next_to_its_line(w):
    page = browser(w.purchaser)
    page.post(url("cart_add"), {"listing": w.listing.pk, "quantity": "2"})
    response = page.post(
        url("cart_update"),
        {f"quantity_{w.listing.pk}": "1.5", "department": "骨科", "action": "create"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-line-error="quantity_invalid"' in html
    assert f'name="quantity_{w.listing.pk}" value="1.5"' in html
    assert not Order.objects.exists()


def test_forbidden_product_is_shown_but_cannot_be_ordered(w):
    forbidden = add_listing(w, label=PurchaseLabel.FORBIDDEN)
    page = browser(w.purchaser)
    html = page.get(url("order_place")).content.decode()
    assert f'data-listing="{forbidden.pk}"' in html
    assert "data-not-orderable" in html

    response = page.post(url("cart_add"), {"listing": forbidden.pk, "quantity": "1"}, **HTMX)
    assert response.status_code == 200
    assert 'data-message="error"' in response.content.decode()
    assert response.context["cart_rows"] == []


def test_scan_box_puts_the_product_in_the_cart(w):
    page = browser(w.purchaser)
    response = page.post(url("cart_scan"), {"barcode": gs1(w.di)}, **HTMX)
    assert response.status_code == 200
    assert [row.listing_id for row in response.context["cart_rows"]] == [w.listing.pk]
    response = page.post(url("cart_scan"), {"barcode": gs1(w.di)}, **HTMX)
    assert response.context["cart_rows"][0].quantity == "2"


def test_scan_box_warns_of_an_expired_lot(w):
    page = browser(w.purchaser)
    expired = clock.local_today() - dt.timedelta(days=3)
    response = page.post(
        url("cart_scan"), {"barcode": gs1(w.di, lot="OLD7", expiry=expired)}, **HTMX
    )
    html = response.content.decode()
    assert 'data-message="warning"' in html
    assert "OLD7" in html
    assert expired.isoformat() in html
    fresh = page.post(url("cart_scan"), {"barcode": gs1(w.di)}, **HTMX).content.decode()
    assert 'data-message="warning"' not in fresh


def test_scan_box_says_why_a_barcode_cannot_be_ordered(w):
    page = browser(w.purchaser)
    response = page.post(url("cart_scan"), {"barcode": "(01)06901234567890"}, **HTMX)
    html = response.content.decode()
    assert 'data-message="error"' in html  # a wrong GS1 check digit
    assert response.context["cart_rows"] == []


def test_cart_shows_the_alternate_catalogue_cap(w):
    """[R-LIST-ALT-CAP] used / remaining, this cart's alternate amount, and a warning when
    submitting it would pass the cap."""
    alternate = add_listing(w, catalogue=Catalogue.ALTERNATE, price=Decimal("60000.00"))
    page = browser(w.purchaser)
    page.post(url("cart_add"), {"listing": alternate.pk, "quantity": "3"})
    response = page.get(url("order_place"))
    context = response.context
    assert context["cap"].cap == Decimal("150000.00")  # 15% of 1,000,000
    assert context["cart_alternate"] == Decimal("180000.00")
    assert context["over_cap"] is True
    assert "data-over-cap" in response.content.decode()


def test_R_LIST_ALT_CAP_cart_warns_when_there_is_no_base():
    """No purchases last year and no approved total: the cart says alternate-catalogue orders
    wait for the bureau's approval of a total."""
    world = make_world(plan_total=None)
    alternate = add_listing(world, catalogue=Catalogue.ALTERNATE, price=Decimal("10.00"))
    page = browser(world.purchaser)
    page.post(url("cart_add"), {"listing": alternate.pk, "quantity": "1"})
    response = page.get(url("order_place"))
    assert response.context["cap"].base == "previous_year"
    assert "data-cap-missing" in response.content.decode()


def test_supplier_cannot_use_the_cart(w):
    response = browser(w.sales).get(url("order_place"))
    assert response.status_code == 403


def test_a_drafts_lines_show_the_draft_state_not_awaiting_the_supplier(w):
    order = draft(w)
    page = browser(w.purchaser)
    html = page.get(url("order_detail", order.pk)).content.decode()
    assert "待企业确认" not in html
    assert html.count('data-status="draft">草稿</span>') == 2  # the order and its line
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    html = page.get(url("order_detail", order.pk)).content.decode()
    assert 'data-status="pending">待企业确认</span>' in html


def test_purchaser_cancels_a_draft_with_a_reason(w):
    order = draft(w)
    page = browser(w.purchaser)
    page.post(url("order_cancel", order.pk), {"reason": ""})
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    page.post(url("order_cancel", order.pk), {"reason": "重复下单"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "重复下单")


def test_submission_over_the_cap_is_refused_with_a_message(w):
    alternate = add_listing(w, catalogue=Catalogue.ALTERNATE, price=Decimal("60000.00"))
    order = orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": alternate.pk, "quantity": 3}]
    )[0]
    page = browser(w.purchaser)
    detail = url("order_detail", order.pk)
    response = page.post(url("order_submit", order.pk), HTTP_REFERER=detail, follow=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    assert any("150,000.00" in str(m) for m in response.context["messages"])


# ---------------------------------------------------------------------------------------------
# The supplier's answer


def test_supplier_confirms_and_rejects_lines_through_the_page(w):
    second = add_listing(w)
    order = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[{"listing": w.listing.pk, "quantity": 5}, {"listing": second.pk, "quantity": 2}],
    )[0]
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    first_line, second_line = order.lines.order_by("pk")
    page = browser(w.sales)
    html = page.get(url("order_detail", order.pk)).content.decode()
    assert f'data-respond-line="{first_line.pk}"' in html

    day = (clock.local_today() + dt.timedelta(days=2)).isoformat()
    response = page.post(
        url("order_respond", order.pk),
        {
            f"decision_{first_line.pk}": "confirm",
            f"promised_on_{first_line.pk}": day,
            f"decision_{second_line.pk}": "reject",
            f"reason_{second_line.pk}": "",
        },
    )
    # A rejection without a reason is refused next to its field; nothing changes.
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field-error="reason_{second_line.pk}"' in html
    assert f'value="{day}"' in html
    assert order.lines.filter(status=LineStatus.PENDING).count() == 2

    response = page.post(
        url("order_respond", order.pk),
        {
            f"decision_{first_line.pk}": "confirm",
            f"promised_on_{first_line.pk}": day,
            f"decision_{second_line.pk}": "reject",
            f"reason_{second_line.pk}": "缺货",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    first_line.refresh_from_db()
    second_line.refresh_from_db()
    assert (first_line.status, first_line.promised_on.isoformat()) == (LineStatus.CONFIRMED, day)
    assert (second_line.status, second_line.rejection_reason) == (LineStatus.REJECTED, "缺货")


def test_promised_date_in_the_past_is_refused_next_to_the_line(w):
    order = submitted(w)
    line = order.lines.get()
    yesterday = (clock.local_today() - dt.timedelta(days=1)).isoformat()
    response = browser(w.sales).post(
        url("order_respond", order.pk),
        {f"decision_{line.pk}": "confirm", f"promised_on_{line.pk}": yesterday},
    )
    assert response.status_code == 400
    assert f'data-field-error="promised_on_{line.pk}"' in response.content.decode()
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING


def test_supplier_names_the_delivering_distributor(w):
    order = submitted(w)
    page = browser(w.sales)
    form = page.get(url("order_detail", order.pk)).context["distributor_form"]
    assert (w.distributor.pk, w.distributor.name) in form.fields["distributor"].choices
    page.post(url("order_distributor", order.pk), {"distributor": w.distributor.pk})
    order.refresh_from_db()
    assert order.distributor_id == w.distributor.pk


def test_purchaser_cannot_answer_an_order(w):
    order = submitted(w)
    line = order.lines.get()
    day = (clock.local_today() + dt.timedelta(days=2)).isoformat()
    response = browser(w.purchaser).post(
        url("order_respond", order.pk),
        {f"decision_{line.pk}": "confirm", f"promised_on_{line.pk}": day},
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING


# ---------------------------------------------------------------------------------------------
# Delivery notes


def test_supplier_delivers_part_of_a_line_with_a_scan(w):
    order = confirmed(w, quantity=10)
    line = order.lines.get()
    page = browser(w.sales)
    assert page.get(url("delivery_create", order.pk)).status_code == 200
    response = page.post(
        url("delivery_create", order.pk),
        {f"quantity_{line.pk}": "4", f"barcode_{line.pk}": gs1(w.di, lot="A77")},
    )
    delivery = Delivery.objects.get(order=order)
    assert response["Location"] == url("delivery_detail", delivery.pk)
    delivery_line = delivery.lines.get()
    assert (delivery_line.quantity, delivery_line.lot, delivery_line.udi_di) == (4, "A77", w.di)
    line.refresh_from_db()
    assert line.delivered_quantity == 4


def test_delivery_of_another_products_barcode_is_refused_next_to_the_line(w):
    order = confirmed(w)
    line = order.lines.get()
    stranger = add_listing(w)
    response = browser(w.sales).post(
        url("delivery_create", order.pk),
        {f"quantity_{line.pk}": "10", f"barcode_{line.pk}": gs1(di_of(stranger))},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field-error="barcode_{line.pk}"' in html
    assert gs1(di_of(stranger)) in html  # the form keeps what was scanned
    assert not Delivery.objects.exists()


def _confirmed_with_two_lines(w):
    second = add_listing(w)
    order = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[{"listing": w.listing.pk, "quantity": 5}, {"listing": second.pk, "quantity": 5}],
    )[0]
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    orders.order_respond(
        actor=w.sales,
        order_id=order.pk,
        answers=[
            {"line": line.pk, "decision": "confirm", "promised_on": promised()}
            for line in order.lines.all()
        ],
    )
    return order, second


def test_delivery_form_flags_every_wrong_udi_line_at_once(w):
    order, second = _confirmed_with_two_lines(w)
    first_line, second_line = order.lines.order_by("pk")
    stranger = add_listing(w)
    expired = clock.local_today() - dt.timedelta(days=1)
    response = browser(w.sales).post(
        url("delivery_create", order.pk),
        {
            f"quantity_{first_line.pk}": "5",
            f"barcode_{first_line.pk}": gs1(di_of(stranger)),
            f"quantity_{second_line.pk}": "5",
            f"barcode_{second_line.pk}": gs1(di_of(second), expiry=expired),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert f"barcode_{first_line.pk}" in errors
    assert f"barcode_{second_line.pk}" in errors
    html = response.content.decode()
    assert expired.isoformat() in html
    assert not Delivery.objects.exists()


def test_distributor_named_on_the_order_delivers_through_the_page(w):
    order = confirmed(w, distributor=True)
    line = order.lines.get()
    response = browser(w.distributor_sales).post(
        url("delivery_create", order.pk),
        {f"quantity_{line.pk}": "10", f"barcode_{line.pk}": gs1(w.di)},
    )
    assert response.status_code == 302
    assert Delivery.objects.get().carrier_id == w.distributor.pk


def test_hospital_cannot_open_the_delivery_form(w):
    order = confirmed(w)
    assert browser(w.purchaser).get(url("delivery_create", order.pk)).status_code == 403


def test_print_view_shows_the_note_number_and_each_lines_udi(w):
    _order, delivery = shipped(w)
    html = browser(w.purchaser).get(url("delivery_print", delivery.pk)).content.decode()
    line = delivery.lines.get()
    assert delivery.number in html
    assert line.udi_di in html
    assert line.lot in html
    assert line.expiry_date.isoformat() in html


def test_print_view_totals_quantity_and_amount(w):
    order, second = _confirmed_with_two_lines(w)
    first_line, second_line = order.lines.order_by("pk")
    delivery = deliveries.delivery_create(
        actor=w.sales,
        order_id=order.pk,
        lines=[
            {"order_line": first_line.pk, "quantity": 3, "barcode": gs1(w.di)},
            {"order_line": second_line.pk, "quantity": 2, "barcode": gs1(di_of(second))},
        ],
    )
    html = browser(w.purchaser).get(url("delivery_print", delivery.pk)).content.decode()
    expected = first_line.amount_of(3) + second_line.amount_of(2)
    assert '<th class="num" data-total-quantity>5</th>' in html
    assert f'<th class="num" data-total-amount>{format_cny(expected)}</th>' in html


# ---------------------------------------------------------------------------------------------
# Acceptance with the scan box, returns


def test_purchaser_accepts_a_delivery_with_a_scan(w):
    order, delivery = shipped(w, quantity=10)
    line = delivery.lines.get()
    page = browser(w.purchaser)
    html = page.get(url("delivery_detail", delivery.pk)).content.decode()
    assert 'id="scan-box"' in html
    assert "autofocus" in html

    barcode = gs1(w.di)
    response = page.post(url("delivery_scan", delivery.pk), {"barcode": barcode}, **HTMX)
    html = response.content.decode()
    assert f'data-scan-matched="{line.pk}"' in html
    assert f'hx-swap-oob="beforeend:#scans-{line.pk}"' in html
    assert f'name="barcodes_{line.pk}"' in html

    response = page.post(
        url("delivery_accept", delivery.pk),
        {
            f"accepted_{line.pk}": "9",
            f"refused_{line.pk}": "1",
            f"reason_{line.pk}": "外包装破损",
            f"barcodes_{line.pk}": barcode,
        },
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PARTIALLY_ACCEPTED
    order_line = order.lines.get()
    assert (order_line.accepted_quantity, order_line.refused_quantity) == (9, 1)


@pytest.mark.parametrize(
    ("case", "code"),
    [("expired lot", "lot_expired"), ("another product", "udi_product_mismatch")],
)
def test_bad_scan_at_acceptance_shows_its_reason(w, case, code):
    _order, delivery = shipped(w)
    if case == "expired lot":
        barcode = gs1(w.di, expiry=clock.local_today() - dt.timedelta(days=1))
    else:
        barcode = gs1(di_of(add_listing(w)))
    response = browser(w.purchaser).post(
        url("delivery_scan", delivery.pk), {"barcode": barcode}, **HTMX
    )
    html = response.content.decode()
    assert f'data-error-code="{code}"' in html
    assert "data-scan-matched" not in html


def test_refusal_without_a_reason_is_shown_next_to_the_line_and_keeps_the_scans(w):
    _order, delivery = shipped(w, quantity=10)
    line = delivery.lines.get()
    barcode = gs1(w.di)
    response = browser(w.purchaser).post(
        url("delivery_accept", delivery.pk),
        {
            f"accepted_{line.pk}": "8",
            f"refused_{line.pk}": "2",
            f"reason_{line.pk}": "",
            f"barcodes_{line.pk}": barcode,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field-error="reason_{line.pk}"' in html
    assert f'name="barcodes_{line.pk}" value="{barcode}"' in html
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SHIPPED


def test_purchaser_returns_accepted_goods(w):
    _order, delivery = accepted(w, quantity=10)
    line = delivery.lines.get()
    page = browser(w.purchaser)
    assert "delivery_return" not in page.get(url("delivery_detail", delivery.pk)).content.decode()
    response = page.post(
        url("delivery_return", delivery.pk, line.pk), {"quantity": "2", "reason": "质量问题"}
    )
    assert response.status_code == 302
    record = ReturnRecord.objects.get()
    assert (record.quantity, record.reason) == (2, "质量问题")


# ---------------------------------------------------------------------------------------------
# Invoices


def test_supplier_registers_an_invoice_and_finance_confirms_it(w):
    order, _delivery = accepted(w, quantity=10)
    line = order.lines.get()
    page = browser(w.sales)
    shown = page.get(url("invoice_register", order.pk))
    assert shown.context["preview_total"] == Decimal("1000.00")

    preview = page.post(
        url("invoice_register", order.pk),
        {"number": "", f"quantity_{line.pk}": "6", "preview": "1", "issuer": w.manufacturer.pk},
        **HTMX,
    )
    assert preview.status_code == 200
    assert preview.context["preview_total"] == Decimal("600.00")
    assert not Invoice.objects.exists()

    today = clock.local_today().isoformat()
    response = page.post(
        url("invoice_register", order.pk),
        {
            "number": "044002100111-04400221",
            "issued_on": today,
            "issuer": w.manufacturer.pk,
            f"quantity_{line.pk}": "6",
        },
    )
    invoice = Invoice.objects.get()
    assert response["Location"] == url("invoice_detail", invoice.pk)
    assert (invoice.amount, invoice.status) == (Decimal("600.00"), InvoiceStatus.REGISTERED)

    finance = browser(w.finance)
    listed = finance.get(url("invoice_list"))
    assert listed.context["tab"] == InvoiceStatus.REGISTERED
    assert invoice in list(listed.context["page"])
    html = finance.get(url("invoice_detail", invoice.pk)).content.decode()
    assert "data-confirm=" in html
    assert "044002100111-04400221" in html
    assert "¥600.00" in html
    assert finance.post(url("invoice_confirm", invoice.pk)).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CONFIRMED


def test_invoice_above_the_accepted_quantity_is_refused_next_to_the_line(w):
    order, _delivery = accepted(w, quantity=10)
    line = order.lines.get()
    response = browser(w.sales).post(
        url("invoice_register", order.pk),
        {
            "number": "044002100111-04400222",
            "issued_on": clock.local_today().isoformat(),
            "issuer": w.manufacturer.pk,
            f"quantity_{line.pk}": "11",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field-error="quantity_{line.pk}"' in html
    assert 'value="044002100111-04400222"' in html
    assert not Invoice.objects.exists()


def test_invoice_number_in_no_format_in_use_is_refused_next_to_the_field(w):
    order, _delivery = accepted(w, quantity=10)
    line = order.lines.get()
    response = browser(w.sales).post(
        url("invoice_register", order.pk),
        {
            "number": "abc",
            "issued_on": clock.local_today().isoformat(),
            "issuer": w.manufacturer.pk,
            f"quantity_{line.pk}": "6",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="number"' in html
    assert "20" in response.context["form"].errors["number"][0]
    assert not Invoice.objects.exists()


def test_finance_rejects_an_invoice_with_a_reason(w):
    _order, invoice = invoiced(w)
    page = browser(w.finance)
    page.post(url("invoice_reject", invoice.pk), {"reason": ""})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED
    page.post(url("invoice_reject", invoice.pk), {"reason": "抬头错误"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.rejection_reason) == (InvoiceStatus.REJECTED, "抬头错误")


def test_confirming_the_last_invoice_completes_the_order(w):
    order, invoice = invoiced(w)
    browser(w.finance).post(url("invoice_confirm", invoice.pk))
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


# ---------------------------------------------------------------------------------------------
# Lists, tenancy, exports


def test_order_list_filters_by_status_tab_and_number(w):
    first = draft(w)
    second = submitted(w)
    page = browser(w.purchaser)
    response = page.get(url("order_list"), {"status": "submitted"})
    assert list(response.context["page"]) == [second]
    assert {v: n for v, _label, n in response.context["tabs"]}["draft"] == 1
    response = page.get(url("order_list"), {"number": first.number[-6:]})
    assert list(response.context["page"]) == [first]


@pytest.mark.parametrize(
    ("who", "status", "title"),
    [
        ("sales", "", "收到的订单"),
        ("sales", "submitted", "待响应订单"),
        ("sales", "confirmed", "收到的订单：企业已确认"),
        ("bureau", "", "辖区订单"),
        ("purchaser", "", "订单"),
    ],
)
def test_order_list_is_titled_by_what_it_shows(w, who, status, title):
    submitted(w)
    if who == "bureau":
        user = UserFactory(
            organization=BureauFactory(region_code="320100"), roles=[Role.BUREAU_OFFICER]
        )
    else:
        user = getattr(w, who)
    response = browser(user).get(url("order_list"), {"status": status} if status else {})
    assert response.context["title"] == title
    assert f'<h1 class="h4" data-list-title>{title}</h1>' in response.content.decode()


def test_order_list_keeps_a_bad_date_next_to_its_field(w):
    draft(w)
    response = browser(w.purchaser).get(url("order_list"), {"date_from": "2026-13-45"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"]
    assert len(response.context["page"]) == 1


def test_supplier_sees_incoming_orders_but_no_drafts(w):
    draft(w)
    incoming = submitted(w)
    response = browser(w.sales).get(url("order_list"))
    assert list(response.context["page"]) == [incoming]
    assert "draft" not in [value for value, _label, _n in response.context["tabs"]]


def test_hospital_never_sees_another_hospitals_orders(w):
    """Tenancy through the pages: B's order, delivery and invoice are 404 for A; B's orders are
    in neither A's list nor A's export."""
    order, invoice = invoiced(w)
    delivery = Delivery.objects.get(order=order)
    stranger = browser(w.other_purchaser)
    assert stranger.get(url("order_detail", order.pk)).status_code == 404
    assert stranger.get(url("delivery_detail", delivery.pk)).status_code == 404
    assert stranger.get(url("delivery_print", delivery.pk)).status_code == 404
    assert stranger.get(url("invoice_detail", invoice.pk)).status_code == 404
    assert stranger.post(url("order_cancel", order.pk), {"reason": "x"}).status_code == 404
    assert list(stranger.get(url("order_list")).context["page"]) == []
    rows = sheet_rows(stranger.get(url("order_list"), {"export": "xlsx"}))
    assert len(rows) == 1  # the header only
    assert order.number not in str(rows)
    own = sheet_rows(browser(w.purchaser).get(url("order_list"), {"export": "xlsx"}))
    assert own[1][0] == order.number


def test_exports_escape_formula_cells(w):
    """A name a supplier chose (=, +, -, @) must stay text in Excel and WPS."""
    evil = OrganizationFactory(name='=HYPERLINK("http://x","y")')
    listing = ListingFactory(manufacturer=evil)
    orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": listing.pk, "quantity": 1}]
    )
    rows = sheet_rows(browser(w.purchaser).get(url("order_list"), {"export": "xlsx"}))
    assert rows[1][4] == '\'=HYPERLINK("http://x","y")'


def test_delivery_and_invoice_lists_export(w):
    _order, invoice = invoiced(w)
    page = browser(w.sales)
    deliveries_sheet = sheet_rows(page.get(url("delivery_list"), {"export": "xlsx"}))
    assert deliveries_sheet[1][10] == w.di
    invoices_sheet = sheet_rows(page.get(url("invoice_list"), {"export": "xlsx"}))
    assert invoices_sheet[1][0] == invoice.number
    assert invoices_sheet[1][5] == 1000


@pytest.mark.parametrize(
    ("list_name", "sheet", "money_column"),
    [("order_list", "订单", 11), ("delivery_list", "配送单", None), ("invoice_list", "发票", 6)],
)
def test_exports_have_a_named_sheet_a_frozen_header_fitted_columns_and_money(
    w, list_name, sheet, money_column
):
    """Opened in Excel: the sheet is named after the list (in Chinese), the header row stays
    in view, columns are as wide as their text (bounded), amounts are numbers with cents."""
    invoiced(w)
    response = browser(w.sales).get(url(list_name), {"export": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [sheet]
    ws = book[sheet]
    assert ws.freeze_panes == "A2"
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
    assert all(6 <= width <= 50 for width in widths)
    assert widths[0] >= len(str(ws["A2"].value))  # the document number fits
    if money_column:
        cell = ws.cell(row=2, column=money_column)
        assert isinstance(cell.value, (int, float))
        assert cell.value > 0
        assert cell.number_format == "#,##0.00"


def test_the_order_page_links_the_bureau_to_the_orders_own_history(w):
    """The bureau of the hospital's region reads the order's history from the order's page:
    status labels and Beijing times, nothing of other objects."""
    order = submitted(w)
    officer = UserFactory(
        organization=BureauFactory(region_code="320100"), roles=[Role.BUREAU_OFFICER]
    )
    page = browser(officer)
    html = page.get(url("order_detail", order.pk)).content.decode()
    link = f"/history/?model=procurement.Order&amp;object_id={order.pk}"
    assert link in html
    history = page.get("/history/", {"model": "procurement.Order", "object_id": order.pk})
    assert history.status_code == 200
    events = history.context["page"].object_list
    assert events
    assert {e.pgh_obj_id for e in events} == {str(order.pk)}
    text = history.content.decode()
    assert "procurement.OrderEvent" not in text
    draft_label, submitted_label = OrderStatus.DRAFT.label, OrderStatus.SUBMITTED.label
    assert f"{draft_label} → {submitted_label}" in text  # choice labels, not draft → submitted
    assert "draft →" not in text
    own = browser(w.purchaser).get(url("order_detail", order.pk)).content.decode()
    assert "data-history-link" not in own  # a hospital may not read the history


def test_order_list_query_count_does_not_grow_with_the_page(w, django_assert_max_num_queries):
    """The list costs the same few queries for 2 orders or 20 (no N+1)."""
    page = browser(w.purchaser)
    for _ in range(2):
        submitted(w, quantity=1)
    page.get(url("order_list"))  # warm the session and permission caches
    with django_assert_max_num_queries(12) as few:
        page.get(url("order_list"))
    for _ in range(18):
        submitted(w, quantity=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page.get(url("order_list"))
    assert len(response.context["page"]) == 20


# ---------------------------------------------------------------------------------------------
# Usage records


def _usage(w, *, doctor: str, operation: str):
    usage.usage_record(
        actor=w.purchaser,
        records=[
            {
                "barcode": gs1(w.di, serial=f"S{operation}"),
                "operation_id": operation,
                "doctor_code": doctor,
                "department": "心内科",
                "patient_hash": patient_hash(operation),
                "used_at": clock.now() - dt.timedelta(hours=1),
            }
        ],
    )


def test_usage_list_filters_by_doctor_and_exports(w):
    _usage(w, doctor="D001", operation="OP1")
    _usage(w, doctor="D002", operation="OP2")
    page = browser(w.purchaser)
    response = page.get(url("usage_list"), {"doctor_code": "D002"})
    assert [u.operation_id for u in response.context["page"]] == ["OP2"]
    rows = sheet_rows(page.get(url("usage_list"), {"export": "xlsx", "department": "心内科"}))
    assert sorted(row[9] for row in rows[1:]) == ["OP1", "OP2"]


def test_bureau_sees_usage_of_its_regions_hospitals(w):
    _usage(w, doctor="D001", operation="OP1")
    officer = UserFactory(
        organization=BureauFactory(region_code="320100"), roles=[Role.BUREAU_OFFICER]
    )
    response = browser(officer).get(url("usage_list"))
    assert [u.operation_id for u in response.context["page"]] == ["OP1"]
    assert response.context["many_hospitals"] is True


def test_suppliers_have_no_usage_page(w):
    assert browser(w.sales).get(url("usage_list")).status_code == 403


# ---------------------------------------------------------------------------------------------
# Who sees which actions


def test_order_page_offers_each_party_its_own_actions(w):
    order = confirmed(w)
    purchaser_page = browser(w.purchaser).get(url("order_detail", order.pk)).context
    supplier_page = browser(w.sales).get(url("order_detail", order.pk)).context
    assert not purchaser_page["actions"]["deliver"]
    assert supplier_page["actions"]["deliver"]
    assert "respond_form" not in supplier_page  # nothing left to answer
    assert not supplier_page["actions"]["cancel"]


def test_acceptance_form_is_the_hospitals_only(w):
    _order, delivery = shipped(w)
    assert (
        browser(w.purchaser).get(url("delivery_detail", delivery.pk)).context["actions"]["accept"]
    )
    assert (
        not browser(w.sales).get(url("delivery_detail", delivery.pk)).context["actions"]["accept"]
    )


def test_second_hospital_with_its_own_plan_gets_its_own_cap(w):
    other_hospital = HospitalFactory(region_code="320106")
    AnnualPurchasePlanFactory(hospital=other_hospital, total=Decimal("2000000.00"))
    buyer = UserFactory(organization=other_hospital, roles=[Role.HOSPITAL_PURCHASER])
    cap = browser(buyer).get(url("order_place")).context["cap"]
    assert cap.cap == Decimal("300000.00")


def test_deliveries_page_lists_only_visible_notes(w):
    _order, delivery = shipped(w)
    assert list(browser(w.purchaser).get(url("delivery_list")).context["page"]) == [delivery]
    assert list(browser(w.other_purchaser).get(url("delivery_list")).context["page"]) == []


def test_accepted_delivery_can_still_be_printed_as_an_acceptance_record(w):
    _order, delivery = accepted(w, quantity=10, refused=1)
    response = browser(w.sales).get(url("delivery_print", delivery.pk))
    assert response.context["answered"] is True
    assert "破损" in response.content.decode()


def test_deliver_helpers_leave_nothing_to_do_when_all_delivered(w):
    order, _delivery = shipped(w)
    response = browser(w.sales).get(url("delivery_create", order.pk))
    assert response.status_code == 302
