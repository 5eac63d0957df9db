"""Delivery notes, acceptance with scans, returns. [R-ORDER-DELIVERY] [R-TRACE]"""

import datetime as dt
import re

import pytest
import time_machine

from accounts.choices import Role
from accounts.tests.factories import DistributorFactory, OrganizationFactory, UserFactory
from catalog.tests.factories import DeviceIdentifierFactory
from core import clock
from core.errors import DomainError
from procurement.choices import DeliveryStatus, OrderStatus
from procurement.models import DeliveryLine, Event, OrderLine, ReturnRecord
from procurement.selectors.deliveries import delivery_scan_match
from procurement.services import deliveries, orders
from procurement.tests.factories import ListingDistributorFactory
from procurement.tests.order_world import (
    accepted,
    add_listing,
    confirmed,
    di_of,
    gs1,
    make_world,
    refused,
    shipped,
    submitted,
)

pytestmark = pytest.mark.django_db


def _ship(w, order, *, quantity, actor=None, **udi):
    line = order.lines.get()
    udi = udi or {"barcode": gs1(w.di)}
    return deliveries.delivery_create(
        actor=actor or w.sales,
        order_id=order.pk,
        lines=[{"order_line": line.pk, "quantity": quantity, **udi}],
    )


# --- delivery_create -------------------------------------------------------------------------


def test_partial_deliveries_up_to_the_confirmed_quantity():
    w = make_world()
    order = confirmed(w, quantity=10)
    first = _ship(w, order, quantity=4, barcode=gs1(w.di, lot="A1"))
    second = _ship(w, order, quantity=6, barcode=gs1(w.di, lot="A2"))
    assert re.fullmatch(r"DN\d{8}-\d{6}", first.number)
    assert first.number != second.number
    line = order.lines.get()
    line.refresh_from_db()
    assert line.delivered_quantity == 10
    stored = DeliveryLine.objects.get(delivery=first)
    assert (stored.udi_di, stored.lot, stored.quantity) == (w.di, "A1", 4)
    assert stored.expiry_date is not None
    assert Event.objects.filter(type="delivery.shipped").count() == 2


def test_delivery_beyond_the_confirmed_quantity_is_refused():
    w = make_world()
    order = confirmed(w, quantity=10)
    _ship(w, order, quantity=7)
    error = refused(_ship, "delivery_quantity_exceeded", w=w, order=order, quantity=4)
    assert (error.extra["outstanding"], error.extra["requested"]) == (3, 4)


def test_two_lines_of_one_delivery_count_together():
    w = make_world()
    order = confirmed(w, quantity=10)
    line = order.lines.get()
    lines = [
        {"order_line": line.pk, "quantity": 6, "barcode": gs1(w.di, lot="A")},
        {"order_line": line.pk, "quantity": 6, "barcode": gs1(w.di, lot="B")},
    ]
    refused(
        deliveries.delivery_create,
        "delivery_quantity_exceeded",
        actor=w.sales,
        order_id=order.pk,
        lines=lines,
    )


def test_udi_fields_instead_of_a_barcode():
    w = make_world()
    order = confirmed(w, quantity=2)
    expiry = clock.local_today() + dt.timedelta(days=100)
    delivery = _ship(w, order, quantity=2, udi_di=w.di[1:], lot="L9", expiry_date=expiry)
    stored = delivery.lines.get()
    assert (stored.udi_di, stored.lot, stored.expiry_date) == (w.di, "L9", expiry)


@pytest.mark.parametrize(
    ("udi", "code"),
    [
        ("other-product", "udi_product_mismatch"),
        ("unknown-di", "udi_unknown"),
        ("expired", "lot_expired"),
        ("no-lot", "udi_missing"),
        ("no-di", "udi_missing"),
        ("unreadable", "barcode_invalid"),
        ("both", "invalid"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_delivery_udi_is_checked_against_the_ordered_product(udi, code):
    w = make_world()
    order = confirmed(w, quantity=2)
    yesterday = clock.local_today() - dt.timedelta(days=1)
    given = {
        "other-product": {"barcode": gs1(DeviceIdentifierFactory().di)},
        "unknown-di": {"barcode": gs1("06901234567892")},
        "expired": {"barcode": gs1(w.di, expiry=yesterday)},
        "no-lot": {"udi_di": w.di},
        "no-di": {"lot": "L1"},
        "unreadable": {"barcode": "hello"},
        "both": {"barcode": gs1(w.di), "lot": "L1"},
    }[udi]
    refused(_ship, code, w=w, order=order, quantity=1, **given)


def test_a_lot_expiring_today_can_still_be_delivered():
    w = make_world()
    order = confirmed(w, quantity=1)
    _ship(w, order, quantity=1, barcode=gs1(w.di, expiry=clock.local_today()))


def test_delivery_needs_a_confirmed_order():
    w = make_world()
    order = submitted(w)
    refused(_ship, "invalid_state", w=w, order=order, quantity=1)


def test_authorised_distributor_named_on_the_order_delivers():
    """[R-ORDER-DELIVERY]"""
    w = make_world()
    order = confirmed(w, quantity=3, distributor=True)
    delivery = _ship(w, order, quantity=3, actor=w.distributor_sales)
    assert delivery.carrier == w.distributor


def test_distributor_whose_authorisation_ended_cannot_deliver():
    """[R-ORDER-DELIVERY] the authorisation is checked again at delivery."""
    w = make_world()
    order = confirmed(w, quantity=3, distributor=True)
    w.listing.distributors.all().delete()
    ListingDistributorFactory(listing=w.listing, distributor=w.distributor, region_code="310000")
    refused(
        _ship, "distributor_not_authorised", w=w, order=order, quantity=1, actor=w.distributor_sales
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("authorised-but-not-named", "not_found"),
        ("other-supplier", "not_found"),
        ("hospital", "permission_denied"),
    ],
    ids=["authorised-but-not-named", "other-supplier", "hospital"],
)
def test_only_the_manufacturer_or_the_named_distributor_delivers(who, code):
    w = make_world()
    order = confirmed(w, quantity=3)
    actor = {
        "authorised-but-not-named": w.distributor_sales,
        "other-supplier": UserFactory(
            organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]
        ),
        "hospital": w.purchaser,
    }[who]
    refused(_ship, code, w=w, order=order, quantity=1, actor=actor)


def test_unauthorised_distributor_cannot_be_named_to_deliver():
    w = make_world()
    stranger = DistributorFactory()
    order = submitted(w)
    refused(
        orders.order_respond,
        "distributor_not_authorised",
        actor=w.sales,
        order_id=order.pk,
        answers=[
            {
                "line": order.lines.get().pk,
                "decision": "confirm",
                "promised_on": clock.local_today(),
            }
        ],
        distributor_id=stranger.pk,
    )


# --- delivery_accept -------------------------------------------------------------------------


def _accept(
    w, delivery, *, accepted_quantity, refused_quantity=0, reason="", barcodes=(), actor=None
):
    line = delivery.lines.get()
    return deliveries.delivery_accept(
        actor=actor or w.purchaser,
        delivery_id=delivery.pk,
        lines=[
            {
                "delivery_line": line.pk,
                "accepted_quantity": accepted_quantity,
                "refused_quantity": refused_quantity,
                "reason": reason,
                "barcodes": list(barcodes),
            }
        ],
    )


def test_acceptance_updates_the_counters_and_records_an_event():
    w = make_world()
    order, delivery = shipped(w, quantity=10)
    _accept(
        w,
        delivery,
        accepted_quantity=8,
        refused_quantity=2,
        reason="外包装破损",
        barcodes=[gs1(w.di)],
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PARTIALLY_ACCEPTED
    assert delivery.accepted_by == w.purchaser
    line = OrderLine.objects.get(order=order)
    assert (line.delivered_quantity, line.accepted_quantity, line.refused_quantity) == (10, 8, 2)
    stored = delivery.lines.get()
    assert (stored.accepted_quantity, stored.refused_quantity, stored.refusal_reason) == (
        8,
        2,
        "外包装破损",
    )
    event = Event.objects.get(type="delivery.accepted")
    assert event.payload["status"] == "partial"
    assert event.payload["lines"][0]["refused"] == 2


@pytest.mark.parametrize(
    ("accepted_quantity", "refused_quantity", "status"),
    [(10, 0, DeliveryStatus.ACCEPTED), (0, 10, DeliveryStatus.REFUSED), (3, 7, "partial")],
    ids=["all-accepted", "all-refused", "partly"],
)
def test_acceptance_status_follows_the_answers(accepted_quantity, refused_quantity, status):
    w = make_world()
    _order, delivery = shipped(w, quantity=10)
    _accept(
        w,
        delivery,
        accepted_quantity=accepted_quantity,
        refused_quantity=refused_quantity,
        reason="不合格" if refused_quantity else "",
    )
    delivery.refresh_from_db()
    assert delivery.status == status


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"accepted_quantity": 9}, "acceptance_incomplete"),
        ({"accepted_quantity": 10, "refused_quantity": 1, "reason": "x"}, "acceptance_incomplete"),
        ({"accepted_quantity": 8, "refused_quantity": 2}, "reason_required"),
        ({"accepted_quantity": -1, "refused_quantity": 11, "reason": "x"}, "quantity_invalid"),
        ({"accepted_quantity": 1.5, "refused_quantity": 8.5, "reason": "x"}, "quantity_invalid"),
        ({"accepted_quantity": "x"}, "quantity_invalid"),
    ],
    ids=["short", "over", "refusal-without-reason", "negative", "fraction", "text"],
)
def test_acceptance_answers_are_validated(answer, code):
    w = make_world()
    _order, delivery = shipped(w, quantity=10)
    line = delivery.lines.get()
    refused(
        deliveries.delivery_accept,
        code,
        actor=w.purchaser,
        delivery_id=delivery.pk,
        lines=[{"delivery_line": line.pk, **answer}],
    )


def test_a_scan_of_another_product_is_refused_and_changes_nothing():
    w = make_world()
    _order, delivery = shipped(w, quantity=10)
    other = DeviceIdentifierFactory()
    error = refused(
        _accept,
        "udi_product_mismatch",
        w=w,
        delivery=delivery,
        accepted_quantity=10,
        barcodes=[gs1(w.di), gs1(other.di)],
    )
    assert error.extra["di"] == other.di


def test_a_scan_of_an_expired_lot_is_refused():
    w = make_world()
    _order, delivery = shipped(w, quantity=10)
    yesterday = clock.local_today() - dt.timedelta(days=1)
    refused(
        _accept,
        "lot_expired",
        w=w,
        delivery=delivery,
        accepted_quantity=10,
        barcodes=[gs1(w.di, expiry=yesterday)],
    )


def test_goods_that_expired_in_transit_are_refused_unless_the_line_is_refused():
    w = make_world()
    _order, delivery = shipped(w, quantity=10)  # the lot expires in 365 days
    with time_machine.travel(dt.timedelta(days=400)):
        refused(_accept, "lot_expired", w=w, delivery=delivery, accepted_quantity=10)
        _accept(w, delivery, accepted_quantity=0, refused_quantity=10, reason="已过期")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REFUSED


def test_a_scan_of_another_lot_than_declared_is_refused():
    w = make_world()
    _order, delivery = shipped(w, quantity=10)  # declared lot LOT1
    refused(
        _accept,
        "scan_lot_mismatch",
        w=w,
        delivery=delivery,
        accepted_quantity=10,
        barcodes=[gs1(w.di, lot="LOT2")],
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("supplier", "permission_denied"),
        ("other-hospital", "not_found"),
        ("finance", "permission_denied"),
    ],
    ids=["supplier", "other-hospital", "hospital-finance"],
)
def test_only_the_ordering_hospitals_purchaser_accepts(who, code):
    w = make_world()
    _order, delivery = shipped(w, quantity=10)
    actor = {"supplier": w.sales, "other-hospital": w.other_purchaser, "finance": w.finance}[who]
    refused(_accept, code, w=w, delivery=delivery, accepted_quantity=10, actor=actor)


def test_a_delivery_is_accepted_once():
    w = make_world()
    _order, delivery = accepted(w, quantity=10)
    refused(_accept, "invalid_state", w=w, delivery=delivery, accepted_quantity=10)


def test_every_line_of_the_note_must_be_answered():
    w = make_world()
    order = confirmed(w, quantity=10)
    line = order.lines.get()
    delivery = deliveries.delivery_create(
        actor=w.sales,
        order_id=order.pk,
        lines=[
            {"order_line": line.pk, "quantity": 4, "barcode": gs1(w.di, lot="A")},
            {"order_line": line.pk, "quantity": 6, "barcode": gs1(w.di, lot="B")},
        ],
    )
    first = delivery.lines.order_by("pk").first()
    refused(
        deliveries.delivery_accept,
        "acceptance_incomplete",
        actor=w.purchaser,
        delivery_id=delivery.pk,
        lines=[{"delivery_line": first.pk, "accepted_quantity": 4}],
    )


# --- scan box --------------------------------------------------------------------------------


def test_scan_box_finds_the_line_of_a_scanned_unit():
    w = make_world()
    second = add_listing(w)
    order = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[{"listing": w.listing.pk, "quantity": 2}, {"listing": second.pk, "quantity": 3}],
    )[0]
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    answers = [
        {"line": line.pk, "decision": "confirm", "promised_on": clock.local_today()}
        for line in order.lines.all()
    ]
    orders.order_respond(actor=w.sales, order_id=order.pk, answers=answers)
    first_line, second_line = order.lines.order_by("pk")
    delivery = deliveries.delivery_create(
        actor=w.sales,
        order_id=order.pk,
        lines=[
            {"order_line": first_line.pk, "quantity": 2, "barcode": gs1(w.di, lot="A")},
            {"order_line": second_line.pk, "quantity": 3, "barcode": gs1(di_of(second), lot="B")},
        ],
    )
    match = delivery_scan_match(
        actor=w.purchaser, delivery_id=delivery.pk, barcode=gs1(di_of(second), lot="B")
    )
    assert match.line.order_line_id == second_line.pk
    with pytest.raises(DomainError) as error:
        delivery_scan_match(
            actor=w.purchaser, delivery_id=delivery.pk, barcode=gs1(DeviceIdentifierFactory().di)
        )
    assert error.value.code == "udi_product_mismatch"


# --- returns ---------------------------------------------------------------------------------


def test_return_after_acceptance_lowers_what_can_be_invoiced():
    w = make_world()
    order, delivery = accepted(w, quantity=10)
    line = delivery.lines.get()
    record = deliveries.return_register(
        actor=w.purchaser, delivery_line_id=line.pk, quantity=3, reason="批次召回"
    )
    assert record.quantity == 3
    order_line = OrderLine.objects.get(order=order)
    assert (order_line.accepted_quantity, order_line.returned_quantity) == (10, 3)
    assert DeliveryLine.objects.get(pk=line.pk).returned_quantity == 3
    assert Event.objects.filter(type="return.registered").count() == 1


@pytest.mark.parametrize(
    ("quantity", "reason", "code"),
    [
        (11, "召回", "return_quantity_exceeded"),
        (0, "召回", "quantity_invalid"),
        (1, "", "reason_required"),
    ],
    ids=["more-than-accepted", "zero", "no-reason"],
)
def test_returns_are_validated(quantity, reason, code):
    w = make_world()
    _order, delivery = accepted(w, quantity=10)
    refused(
        deliveries.return_register,
        code,
        actor=w.purchaser,
        delivery_line_id=delivery.lines.get().pk,
        quantity=quantity,
        reason=reason,
    )


def test_return_before_acceptance_is_refused():
    w = make_world()
    _order, delivery = shipped(w, quantity=10)
    refused(
        deliveries.return_register,
        "invalid_state",
        actor=w.purchaser,
        delivery_line_id=delivery.lines.get().pk,
        quantity=1,
        reason="x",
    )
    assert ReturnRecord.objects.count() == 0


def test_order_whose_goods_were_all_refused_completes_without_an_invoice():
    w = make_world()
    order, _delivery = accepted(w, quantity=4, refused=4)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
