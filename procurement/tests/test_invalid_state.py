"""Every refusal for a wrong state, whatever the object, is the same for an API client:
``invalid_state`` (409) with the extra keys object, id, state, action and target
(core.transitions), so that a client branches on one code and reads one shape."""

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
from core.errors import InvalidStateError
from core.transitions import EXTRA_KEYS
from procurement.choices import ListingStatus
from procurement.models import Listing
from procurement.services import deliveries, invoices, labels, listings, orders
from procurement.tests.order_world import (
    accepted,
    add_listing,
    confirmed,
    draft,
    invoiced,
    make_world,
    promised,
    shipped,
    submitted,
)

pytestmark = pytest.mark.django_db


def _submit_twice(w):
    order = submitted(w)
    return (lambda: orders.order_submit(actor=w.purchaser, order_id=order.pk)), order.pk


def _cancel_confirmed(w):
    order = confirmed(w)
    return (
        lambda: orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="x"),
        order.pk,
    )


def _cancel_partly_answered(w):
    second = add_listing(w)
    order = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[{"listing": w.listing.pk, "quantity": 1}, {"listing": second.pk, "quantity": 1}],
    )[0]
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    first = order.lines.order_by("pk").first()
    orders.order_line_confirm(
        actor=w.sales, order_id=order.pk, line_id=first.pk, promised_on=promised()
    )
    return (
        lambda: orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="x"),
        order.pk,
    )


def _answer_a_confirmed_order(w):
    order = confirmed(w)
    line = order.lines.get()
    return (
        lambda: orders.order_line_reject(
            actor=w.sales, order_id=order.pk, line_id=line.pk, reason="x"
        ),
        order.pk,
    )


def _deliver_before_confirmation(w):
    order = submitted(w)
    line = order.lines.get()
    return (
        lambda: deliveries.delivery_create(
            actor=w.sales, order_id=order.pk, lines=[{"order_line": line.pk, "quantity": 1}]
        ),
        order.pk,
    )


def _invoice_before_confirmation(w):
    order = submitted(w)
    line = order.lines.get()
    return (
        lambda: invoices.invoice_register(
            actor=w.sales,
            order_id=order.pk,
            number="26322000000000000099",
            issued_on=clock.local_today(),
            amount="100.00",
            lines=[{"order_line": line.pk, "quantity": 1, "amount": "100.00"}],
        ),
        order.pk,
    )


def _accept_twice(w):
    _order, delivery = accepted(w)
    line = delivery.lines.get()
    answer = [{"delivery_line": line.pk, "accepted_quantity": line.quantity}]
    return (
        lambda: deliveries.delivery_accept(
            actor=w.purchaser, delivery_id=delivery.pk, lines=answer
        ),
        delivery.pk,
    )


def _return_before_acceptance(w):
    _order, delivery = shipped(w)
    line = delivery.lines.get()
    return (
        lambda: deliveries.return_register(
            actor=w.purchaser, delivery_line_id=line.pk, quantity=1, reason="破损"
        ),
        delivery.pk,
    )


def _confirm_invoice_twice(w):
    _order, invoice = invoiced(w)
    invoices.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)
    return (lambda: invoices.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)), invoice.pk


def _bureau():
    return UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])


def _approve_a_draft(w):
    listing = add_listing(w, status=ListingStatus.DRAFT)
    bureau = _bureau()
    return (
        lambda: listings.listing_approve(actor=bureau, listing_id=listing.pk, reason=""),
        listing.pk,
    )


def _label_a_delisted_listing(w):
    Listing.objects.filter(pk=w.listing.pk).update(status=ListingStatus.DELISTED)
    bureau = _bureau()
    return (
        lambda: labels.listing_label_set(
            actor=bureau, listing_id=w.listing.pk, label="normal", reason="复核"
        ),
        w.listing.pk,
    )


CASES = {
    # name: (setup, object, state, action, target)
    "submit-twice": (_submit_twice, "order", "submitted", "submit", "submitted"),
    "cancel-confirmed": (_cancel_confirmed, "order", "confirmed", "cancel", "cancelled"),
    "cancel-partly-answered": (
        _cancel_partly_answered,
        "order",
        "submitted",
        "cancel",
        "cancelled",
    ),
    "answer-confirmed": (_answer_a_confirmed_order, "order", "confirmed", "respond", ""),
    "deliver-submitted": (_deliver_before_confirmation, "order", "submitted", "deliver", ""),
    "invoice-submitted": (_invoice_before_confirmation, "order", "submitted", "invoice", ""),
    "accept-twice": (_accept_twice, "delivery", "accepted", "accept", ""),
    "return-shipped": (_return_before_acceptance, "delivery", "shipped", "return", ""),
    "confirm-invoice-twice": (
        _confirm_invoice_twice,
        "invoice",
        "confirmed",
        "confirm",
        "confirmed",
    ),
    "approve-draft": (_approve_a_draft, "listing", "draft", "approve", "listed"),
    "label-delisted": (_label_a_delisted_listing, "listing", "delisted", "set_label", ""),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_wrong_state_refusal_has_the_same_shape(name):
    setup, kind, state, action, target = CASES[name]
    call, object_id = setup(make_world())
    with pytest.raises(InvalidStateError) as error:
        call()
    refusal = error.value
    assert (refusal.code, refusal.http_status) == ("invalid_state", 409)
    assert tuple(refusal.extra) == EXTRA_KEYS
    assert refusal.extra == {
        "object": kind,
        "id": object_id,
        "state": state,
        "action": action,
        "target": target,
    }


def test_the_api_sends_the_same_keys():
    w = make_world()
    order = draft(w)
    orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="不要了")
    client = APIClient()
    client.force_authenticate(w.purchaser)
    response = client.post(
        f"/api/v1/procurement/orders/{order.pk}/submit/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_state"
    assert body["extra"] == {
        "object": "order",
        "id": order.pk,
        "state": "cancelled",
        "action": "submit",
        "target": "submitted",
    }
    assert order.number in body["message"]
