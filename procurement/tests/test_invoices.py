"""Invoices: amounts match accepted goods, the two-invoice rule, hospital confirmation.
[R-TWO-INVOICE] [R-ORDER-ONLINE] [R-PAY-30]"""

from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import DistributorFactory, OrganizationFactory, UserFactory
from core import clock
from procurement.choices import InvoiceStatus, OrderStatus
from procurement.models import Event, Invoice, OrderLine
from procurement.services import deliveries, invoices
from procurement.tests.factories import ListingDistributorFactory
from procurement.tests.order_world import accepted, confirmed, invoiced, make_world, refused

pytestmark = pytest.mark.django_db


def _register(w, order, *, quantity=10, amount=None, total=None, actor=None, **kwargs):
    line = order.lines.get()
    amount = amount if amount is not None else str(line.unit_price * quantity)
    params = {
        "actor": actor or w.sales,
        "order_id": order.pk,
        "number": "26322000000000000001",
        "issued_on": clock.local_today(),
        "amount": total if total is not None else amount,
        "lines": [{"order_line": line.pk, "quantity": quantity, "amount": amount}],
    }
    params.update(kwargs)
    return invoices.invoice_register(**params)


def test_register_an_invoice_for_accepted_goods():
    w = make_world(price=Decimal("12.34"))
    order, _delivery = accepted(w, quantity=10)
    invoice = _register(w, order, quantity=10, amount="123.40")
    assert (invoice.amount, invoice.issuer, invoice.hospital) == (
        Decimal("123.40"),
        w.manufacturer,
        w.hospital,
    )
    assert invoice.status == InvoiceStatus.REGISTERED
    assert OrderLine.objects.get(order=order).invoiced_quantity == 10
    assert Event.objects.filter(type="invoice.registered", entity_id=invoice.pk).exists()


def test_partial_invoices_add_up_to_the_accepted_quantity():
    w = make_world()
    order, _delivery = accepted(w, quantity=10)
    _register(w, order, quantity=6, number="26322000000000000011")
    _register(w, order, quantity=4, number="26322000000000000012")
    error = refused(
        _register,
        "invoice_exceeds_accepted",
        w=w,
        order=order,
        quantity=1,
        number="26322000000000000013",
    )
    assert error.extra["available"] == 0


def test_invoice_above_the_accepted_quantity_is_refused():
    """Accepted 7 of 10 delivered (3 refused): invoicing 8 is refused."""
    w = make_world()
    order, _delivery = accepted(w, quantity=10, refused=3)
    error = refused(_register, "invoice_exceeds_accepted", w=w, order=order, quantity=8)
    assert (error.extra["requested"], error.extra["available"]) == (8, 7)


def test_returned_goods_cannot_be_invoiced():
    w = make_world()
    order, delivery = accepted(w, quantity=10)
    deliveries.return_register(
        actor=w.purchaser, delivery_line_id=delivery.lines.get().pk, quantity=2, reason="召回"
    )
    refused(_register, "invoice_exceeds_accepted", w=w, order=order, quantity=9)
    _register(w, order, quantity=8)


@pytest.mark.parametrize(
    ("amount", "total", "code"),
    [
        ("999.99", None, "invoice_amount_mismatch"),
        ("1000.00", "1000.01", "invoice_total_mismatch"),
        ("1000.001", None, "amount_invalid"),
        (1000.0, None, "amount_invalid"),
        ("abc", None, "amount_invalid"),
        ("1000.00", "-1", "amount_invalid"),
    ],
    ids=["line-amount-wrong", "total-wrong", "three-decimals", "float", "text", "negative"],
)
def test_amounts_must_be_quantity_times_the_order_price(amount, total, code):
    w = make_world(price=Decimal("100.00"))
    order, _delivery = accepted(w, quantity=10)
    refused(_register, code, w=w, order=order, quantity=10, amount=amount, total=total)


def test_the_invoice_date_cannot_be_in_the_future():
    import datetime as dt

    w = make_world()
    order, _delivery = accepted(w, quantity=10)
    tomorrow = clock.local_today() + dt.timedelta(days=1)
    refused(_register, "invoice_date_invalid", w=w, order=order, issued_on=tomorrow)


def test_an_issuers_invoice_number_is_used_once():
    w = make_world()
    order, _delivery = accepted(w, quantity=10)
    _register(w, order, quantity=5, number="26322000000000000021")
    refused(
        _register,
        "invoice_number_taken",
        w=w,
        order=order,
        quantity=5,
        number="26322000000000000021",
    )


def test_invoice_before_acceptance_is_refused():
    w = make_world()
    order = confirmed(w, quantity=10)
    error = refused(_register, "invoice_exceeds_accepted", w=w, order=order, quantity=1)
    assert error.extra["available"] == 0


# --- [R-TWO-INVOICE] -------------------------------------------------------------------------


def test_two_invoice_rule_allows_the_manufacturer():
    """[R-TWO-INVOICE] manufacturer -> hospital: one invoice."""
    w = make_world()
    order, _delivery = accepted(w)
    assert _register(w, order, issuer_id=w.manufacturer.pk).issuer == w.manufacturer


def test_two_invoice_rule_allows_a_distributor_authorised_for_the_region():
    """[R-TWO-INVOICE] manufacturer -> authorised distributor -> hospital: two invoices. The
    manufacturer may register it on the distributor's behalf."""
    w = make_world()
    order, _delivery = accepted(w)
    invoice = _register(w, order, issuer_id=w.distributor.pk)
    assert invoice.issuer == w.distributor


def test_two_invoice_rule_allows_the_named_distributor_to_register_its_own_invoice():
    """[R-TWO-INVOICE]"""
    w = make_world()
    order = confirmed(w, quantity=2, distributor=True)
    line = order.lines.get()
    delivery = deliveries.delivery_create(
        actor=w.distributor_sales,
        order_id=order.pk,
        lines=[{"order_line": line.pk, "quantity": 2, "udi_di": w.di, "lot": "L"}],
    )
    deliveries.delivery_accept(
        actor=w.purchaser,
        delivery_id=delivery.pk,
        lines=[{"delivery_line": delivery.lines.get().pk, "accepted_quantity": 2}],
    )
    invoice = _register(w, order, quantity=2, actor=w.distributor_sales)
    assert invoice.issuer == w.distributor


@pytest.mark.parametrize(
    "issuer",
    [
        "unauthorised-distributor",
        "distributor-of-another-region",
        "another-manufacturer",
        "hospital",
    ],
)
def test_two_invoice_rule_refuses_any_other_issuer(issuer):
    """[R-TWO-INVOICE] a third party in the chain would make a third invoice."""
    w = make_world()
    order, _delivery = accepted(w)
    elsewhere = DistributorFactory()
    ListingDistributorFactory(listing=w.listing, distributor=elsewhere, region_code="310000")
    issuer_id = {
        "unauthorised-distributor": DistributorFactory().pk,
        "distributor-of-another-region": elsewhere.pk,
        "another-manufacturer": OrganizationFactory().pk,
        "hospital": w.hospital.pk,
    }[issuer]
    refused(_register, "two_invoice_rule", w=w, order=order, issuer_id=issuer_id)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("hospital", "permission_denied"),
        ("other-supplier", "not_found"),
        ("distributor-not-named", "not_found"),
    ],
)
def test_only_the_orders_supplier_or_its_distributor_registers(who, code):
    w = make_world()
    order, _delivery = accepted(w)
    actor = {
        "hospital": w.purchaser,
        "other-supplier": UserFactory(
            organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]
        ),
        "distributor-not-named": w.distributor_sales,
    }[who]
    refused(_register, code, w=w, order=order, actor=actor)


# --- confirmation ----------------------------------------------------------------------------


def test_confirmation_makes_the_invoice_ready_and_completes_the_order():
    w = make_world()
    order, invoice = invoiced(w, quantity=10)
    invoices.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert (invoice.status, invoice.confirmed_by) == (InvoiceStatus.CONFIRMED, w.finance)
    assert order.status == OrderStatus.COMPLETED
    types = list(Event.objects.filter(order=order).order_by("id").values_list("type", flat=True))
    assert types[-2:] == ["invoice.confirmed", "order.completed"]


def test_order_stays_open_while_goods_remain_uninvoiced():
    w = make_world()
    order, _delivery = accepted(w, quantity=10)
    invoice = _register(w, order, quantity=6)
    invoices.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    second = _register(w, order, quantity=4, number="26322000000000000002")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    invoices.invoice_confirm(actor=w.finance, invoice_id=second.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_rejection_frees_the_quantities_for_a_corrected_invoice():
    w = make_world()
    order, invoice = invoiced(w, quantity=10)
    invoices.invoice_reject(actor=w.finance, invoice_id=invoice.pk, reason="抬头错误")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.rejection_reason) == (InvoiceStatus.REJECTED, "抬头错误")
    assert OrderLine.objects.get(order=order).invoiced_quantity == 0
    corrected = _register(w, order, quantity=10, number="3200261130-00000002")
    assert corrected.status == InvoiceStatus.REGISTERED


def test_rejection_needs_a_reason():
    w = make_world()
    _order, invoice = invoiced(w)
    refused(
        invoices.invoice_reject,
        "reason_required",
        actor=w.finance,
        invoice_id=invoice.pk,
        reason="",
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("purchaser", "permission_denied"),
        ("supplier", "permission_denied"),
        ("other-hospital-finance", "not_found"),
    ],
)
def test_only_the_hospitals_finance_confirms(who, code):
    w = make_world()
    _order, invoice = invoiced(w)
    actor = {
        "purchaser": w.purchaser,
        "supplier": w.sales,
        "other-hospital-finance": UserFactory(
            organization=w.other_hospital, roles=[Role.HOSPITAL_FINANCE]
        ),
    }[who]
    refused(invoices.invoice_confirm, code, actor=actor, invoice_id=invoice.pk)


@pytest.mark.parametrize("first", ["confirm", "reject"])
def test_an_answered_invoice_cannot_be_answered_again(first):
    w = make_world()
    _order, invoice = invoiced(w, quantity=5)
    if first == "confirm":
        invoices.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)
    else:
        invoices.invoice_reject(actor=w.finance, invoice_id=invoice.pk, reason="错")
    refused(invoices.invoice_confirm, "invalid_state", actor=w.finance, invoice_id=invoice.pk)
    refused(
        invoices.invoice_reject, "invalid_state", actor=w.finance, invoice_id=invoice.pk, reason="x"
    )
    expected = InvoiceStatus.CONFIRMED if first == "confirm" else InvoiceStatus.REJECTED
    assert Invoice.objects.get(pk=invoice.pk).status == expected


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("26322000000000000077", "26322000000000000077"),
        ("144031900111-12345678", "144031900111-12345678"),
        ("1440319001 12345678", "1440319001-12345678"),
        ("144031900112345678", "1440319001-12345678"),
    ],
)
def test_invoice_numbers_in_the_formats_in_use_are_stored(typed, stored):
    w = make_world()
    order, _delivery = accepted(w, quantity=10)
    assert _register(w, order, number=typed).number == stored


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "",
        "2632200000000000007",
        "263220000000000000777",
        "14403190011-12345678",
        "144031900111-1234567",
        "INV-0001",
    ],
)
def test_invoice_number_in_no_format_in_use_is_refused_with_the_field(typed):
    w = make_world()
    order, _delivery = accepted(w, quantity=10)
    error = refused(_register, "invoice_number_invalid", w=w, order=order, number=typed)
    assert error.extra["field"] == "number"
    assert "20" in error.message
    assert "8" in error.message
