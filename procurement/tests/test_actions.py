"""The allowed-actions selectors say what the services do: an action they allow succeeds, an
action they refuse is refused by the service with the same code. Pages and the API show
these answers, so a button is there exactly when pressing it would work (as far as who and
the state go), and the line arithmetic (OrderLine, DeliveryLine) is the one the services use.
Also: a quote reports every line it cannot order at once."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
from core.errors import DomainError, NotFoundError
from procurement.choices import InvoiceAction, ListingStatus, OrderAction, PurchaseLabel
from procurement.models import Order
from procurement.selectors import cart, deliveries, invoices
from procurement.selectors import orders as order_selectors
from procurement.services import deliveries as delivery_services
from procurement.services import invoices as invoice_services
from procurement.services import orders
from procurement.tests.order_world import (
    accepted,
    add_listing,
    confirmed,
    draft,
    gs1,
    invoiced,
    make_world,
    promised,
    shipped,
    submitted,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/procurement"


# --- orders -----------------------------------------------------------------------------------

STAGES = {
    "draft": lambda w: draft(w),
    "submitted": lambda w: submitted(w),
    "confirmed": lambda w: confirmed(w),
    "shipped": lambda w: shipped(w)[0],
    "accepted": lambda w: accepted(w)[0],
    "invoiced": lambda w: invoiced(w)[0],
}
ACTORS = ["purchaser", "finance", "sales", "distributor_sales", "bureau"]
ORDER_ACTIONS = ["submit", "cancel", "respond", "choose_distributor", "deliver", "invoice"]
# "Nothing left" is the order page's answer for the whole order; the service, given a line,
# refuses that line's quantity (the same arithmetic: OrderLine.deliverable_quantity...).
LINE_CODES = {
    "nothing_to_deliver": "delivery_quantity_exceeded",
    "nothing_to_invoice": "invoice_exceeds_accepted",
}


def _actor(w, name):
    if name == "bureau":
        return UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    return getattr(w, name)


def _do(w, actor, order, action):
    line = order.lines.get()
    if action == OrderAction.SUBMIT:
        orders.order_submit(actor=actor, order_id=order.pk)
    elif action == OrderAction.CANCEL:
        orders.order_cancel(actor=actor, order_id=order.pk, reason="不需要了")
    elif action == OrderAction.RESPOND:
        orders.order_line_confirm(
            actor=actor, order_id=order.pk, line_id=line.pk, promised_on=promised()
        )
    elif action == OrderAction.CHOOSE_DISTRIBUTOR:
        orders.order_distributor_set(actor=actor, order_id=order.pk, distributor_id=None)
    elif action == OrderAction.DELIVER:
        delivery_services.delivery_create(
            actor=actor,
            order_id=order.pk,
            lines=[{"order_line": line.pk, "quantity": 1, "barcode": gs1(w.di)}],
        )
    elif action == OrderAction.INVOICE:
        amount = str(line.unit_price)
        invoice_services.invoice_register(
            actor=actor,
            order_id=order.pk,
            number="26322000000000000031",
            issued_on=clock.local_today(),
            amount=amount,
            lines=[{"order_line": line.pk, "quantity": 1, "amount": amount}],
        )


def _outcome(w, actor, order, action) -> str:
    """What the service answers (rolled back, so every action starts from the same state)."""
    try:
        with transaction.atomic():
            _do(w, actor, order, action)
            transaction.set_rollback(True)
    except DomainError as error:
        return error.code
    return "ok"


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("stage", list(STAGES))
def test_order_actions_say_what_the_services_do(stage, who):
    """For every stage and party: each action order_actions allows goes through its service,
    each it refuses is refused by the service with the same code. A party that does not see
    the order (a supplier, before submission) gets not_found from every service."""
    w = make_world()
    order = STAGES[stage](w)
    if stage != "draft":  # the supplier named its distributor, who now sees the order
        Order.objects.filter(pk=order.pk).update(distributor=w.distributor)
    actor = _actor(w, who)
    try:
        shown = order_selectors.order_get(actor=actor, order_id=order.pk)
    except NotFoundError:
        assert (stage, who) in {("draft", "sales"), ("draft", "distributor_sales")}
        assert {_outcome(w, actor, order, a) for a in ORDER_ACTIONS} == {"not_found"}
        return
    actions = order_selectors.order_actions(actor=actor, order=shown)
    assert list(actions) == ORDER_ACTIONS
    for action, verdict in actions.items():
        expected = "ok" if verdict else LINE_CODES.get(verdict.code, verdict.code)
        assert _outcome(w, actor, order, action) == expected, (stage, who, action)


def test_manufacturer_does_not_deliver_once_a_distributor_is_named():
    """[R-ORDER-DELIVERY] the order page, the actions API and the service all say no, naming
    the distributor; the distributor delivers."""
    w = make_world()
    order = confirmed(w, distributor=True)
    shown = order_selectors.order_get(actor=w.sales, order_id=order.pk)
    verdict = order_selectors.order_actions(actor=w.sales, order=shown)["deliver"]
    assert not verdict
    assert verdict.code == "delivered_by_distributor"
    assert w.distributor.name in verdict.error.message
    assert _outcome(w, w.sales, order, "deliver") == "delivered_by_distributor"
    assert _outcome(w, w.distributor_sales, order, "deliver") == "ok"
    page = Client()
    page.force_login(w.sales)
    html = page.get(reverse("procurement:order_detail", args=[order.pk])).content.decode()
    assert reverse("procurement:delivery_create", args=[order.pk]) not in html
    api = APIClient()
    api.force_authenticate(w.sales)
    body = api.get(f"{API}/orders/{order.pk}/actions/").json()
    deliver = next(a for a in body["actions"] if a["action"] == "deliver")
    assert (deliver["allowed"], deliver["code"]) == (False, "delivered_by_distributor")
    assert w.distributor.name in deliver["reason"]


def test_order_actions_give_the_reason_when_not():
    w = make_world()
    order = confirmed(w)
    actions = order_selectors.order_actions(
        actor=w.purchaser, order=order_selectors.order_get(actor=w.purchaser, order_id=order.pk)
    )
    assert actions.allowed() == []
    assert actions["cancel"].code == "invalid_state"
    assert order.number in actions["cancel"].reason
    assert actions["deliver"].code == "permission_denied"


def test_nothing_left_to_deliver_or_invoice_is_its_own_reason():
    w = make_world()
    order, _invoice = invoiced(w)
    actions = order_selectors.order_actions(
        actor=w.sales, order=order_selectors.order_get(actor=w.sales, order_id=order.pk)
    )
    assert (actions["deliver"].code, actions["invoice"].code) == (
        "nothing_to_deliver",
        "nothing_to_invoice",
    )


def test_the_order_page_shows_the_buttons_the_actions_allow():
    w = make_world()
    order = draft(w)
    page = Client()
    page.force_login(w.purchaser)
    html = page.get(reverse("procurement:order_detail", args=[order.pk])).content.decode()
    assert reverse("procurement:order_submit", args=[order.pk]) in html
    assert reverse("procurement:order_cancel", args=[order.pk]) in html
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    line = order.lines.get()
    orders.order_line_confirm(
        actor=w.sales, order_id=order.pk, line_id=line.pk, promised_on=promised()
    )
    html = page.get(reverse("procurement:order_detail", args=[order.pk])).content.decode()
    assert reverse("procurement:order_submit", args=[order.pk]) not in html
    assert reverse("procurement:order_cancel", args=[order.pk]) not in html


def test_the_api_lists_the_same_actions():
    w = make_world()
    order = submitted(w)
    client = APIClient()
    client.force_authenticate(w.sales)
    body = client.get(f"{API}/orders/{order.pk}/actions/").json()
    allowed = {a["action"]: a["allowed"] for a in body["actions"]}
    assert allowed == {
        "submit": False,
        "cancel": False,
        "respond": True,
        "choose_distributor": True,
        "deliver": False,
        "invoice": False,
    }
    submit = next(a for a in body["actions"] if a["action"] == "submit")
    assert submit["code"] == "permission_denied"
    assert submit["reason"]
    respond = next(a for a in body["actions"] if a["action"] == "respond")
    assert (respond["code"], respond["reason"]) == (None, None)
    stranger = APIClient()
    stranger.force_authenticate(w.other_purchaser)
    assert stranger.get(f"{API}/orders/{order.pk}/actions/").status_code == 404


# --- deliveries and invoices -------------------------------------------------------------------


def test_a_delivery_can_be_returned_only_while_something_is_neither_returned_nor_invoiced():
    """The return form appears when DeliveryLine.returnable_quantity is positive: accepted,
    not returned, and not invoiced on its order line (what return_register allows)."""
    w = make_world()
    order, delivery = accepted(w, quantity=2)
    shown = deliveries.delivery_get(actor=w.purchaser, delivery_id=delivery.pk)
    assert deliveries.delivery_actions(actor=w.purchaser, delivery=shown)["return"]
    line = order.lines.get()
    amount = str(line.unit_price * 2)
    invoice_services.invoice_register(
        actor=w.sales,
        order_id=order.pk,
        number="26322000000000000032",
        issued_on=clock.local_today(),
        amount=amount,
        lines=[{"order_line": line.pk, "quantity": 2, "amount": amount}],
    )
    shown = deliveries.delivery_get(actor=w.purchaser, delivery_id=delivery.pk)
    verdict = deliveries.delivery_actions(actor=w.purchaser, delivery=shown)["return"]
    assert verdict.code == "nothing_to_return"
    with pytest.raises(DomainError) as error:
        delivery_services.return_register(
            actor=w.purchaser, delivery_line_id=shown.lines.get().pk, quantity=1, reason="破损"
        )
    assert error.value.code == "return_quantity_exceeded"


def test_delivery_actions_accept_only_a_shipped_note_for_its_hospital():
    w = make_world()
    _order, delivery = shipped(w)
    shown = deliveries.delivery_get(actor=w.purchaser, delivery_id=delivery.pk)
    assert deliveries.delivery_actions(actor=w.purchaser, delivery=shown)["accept"]
    as_sales = deliveries.delivery_get(actor=w.sales, delivery_id=delivery.pk)
    assert deliveries.delivery_actions(actor=w.sales, delivery=as_sales)["accept"].code == (
        "permission_denied"
    )
    _order, done = accepted(w)
    shown = deliveries.delivery_get(actor=w.purchaser, delivery_id=done.pk)
    assert deliveries.delivery_actions(actor=w.purchaser, delivery=shown)["accept"].code == (
        "invalid_state"
    )


def test_invoice_actions_follow_the_invoice_services():
    w = make_world()
    _order, invoice = invoiced(w)
    shown = invoices.invoice_get(actor=w.finance, invoice_id=invoice.pk)
    assert invoices.invoice_actions(actor=w.finance, invoice=shown).allowed() == [
        "confirm",
        "reject",
    ]
    as_purchaser = invoices.invoice_actions(actor=w.purchaser, invoice=shown)
    assert as_purchaser["confirm"].code == "permission_denied"
    invoice_services.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)
    shown = invoices.invoice_get(actor=w.finance, invoice_id=invoice.pk)
    after = invoices.invoice_actions(actor=w.finance, invoice=shown)
    assert after[InvoiceAction.REJECT].code == "invalid_state"


# --- the distributor choice -------------------------------------------------------------------


def test_the_distributor_choice_offers_only_who_may_deliver_every_line():
    """[R-ORDER-DELIVERY] the same rule as order_distributor_set: authorised for every live
    line's listing in the hospital's region, and active."""
    w = make_world()
    order = submitted(w)
    assert order_selectors.order_distributor_choices(order=order) == [w.distributor]
    w.distributor.is_active = False
    w.distributor.save(update_fields=["is_active"])
    assert order_selectors.order_distributor_choices(order=order) == []


# --- the quote --------------------------------------------------------------------------------


def test_a_quote_reports_every_line_it_cannot_order_at_once():
    w = make_world()
    restricted = add_listing(w, label=PurchaseLabel.RESTRICTED)
    forbidden = add_listing(w, label=PurchaseLabel.FORBIDDEN)
    hidden = add_listing(w, status=ListingStatus.SUBMITTED)
    lines = [
        {"listing": w.listing.pk, "quantity": 2},
        {"listing": restricted.pk, "quantity": 1},
        {"listing": forbidden.pk, "quantity": 1},
        {"listing": hidden.pk, "quantity": 1},
        {"listing": add_listing(w).pk, "quantity": "x"},
    ]
    quote = cart.order_quote(actor=w.purchaser, lines=lines)
    assert [(r.index, r.error.code) for r in quote.refusals] == [
        (2, "restricted_reason_required"),
        (3, "listing_forbidden"),
        (4, "not_found"),
        (5, "quantity_invalid"),
    ]
    assert [r.listing for r in quote.refusals[:2]] == [restricted, forbidden]
    assert quote.refusals[2].listing is None  # an application under review stays unseen
    assert [line.listing for group in quote.groups for line in group.lines] == [w.listing]
    # What ordering would meet first: the bad input, before any listing's refusal.
    assert quote.first_error.code == "quantity_invalid"
    with pytest.raises(DomainError) as error:
        orders.order_create(department="骨科", actor=w.purchaser, lines=lines)
    assert error.value.code == "quantity_invalid"


def test_the_cart_page_shows_every_problem_in_one_answer():
    w = make_world()
    forbidden = add_listing(w, label=PurchaseLabel.FORBIDDEN)
    restricted = add_listing(w, label=PurchaseLabel.RESTRICTED)
    page = Client()
    page.force_login(w.purchaser)
    session = page.session
    session["yg_cart"] = {
        "lines": [
            {"listing": w.listing.pk, "quantity": "3", "restricted_reason": ""},
            {"listing": forbidden.pk, "quantity": "1", "restricted_reason": ""},
            {"listing": restricted.pk, "quantity": "1", "restricted_reason": ""},
        ],
        "note": "",
        "urgent": False,
    }
    session.save()
    context = page.get(reverse("procurement:order_place")).context
    problems = {row.listing_id: row.error.code for row in context["cart_problems"]}
    assert problems == {
        forbidden.pk: "listing_forbidden",
        restricted.pk: "restricted_reason_required",
    }
    assert context["cart_total"] == w.listing.price * 3


# --- every actions endpoint -------------------------------------------------------------------


def _endpoints(w):
    """(url, the actor whose answer is checked, a stranger who must get 404, the codes)."""
    from procurement.tests.factories import AgreedPriceFactory

    order, invoice = invoiced(w)
    delivery = order.deliveries.get()
    agreed = AgreedPriceFactory(listing=w.listing, hospital=w.hospital, proposed_by=w.hospital)
    return {
        "order": (f"{API}/orders/{order.pk}/actions/", w.sales, w.other_purchaser),
        "delivery": (f"{API}/deliveries/{delivery.pk}/actions/", w.purchaser, w.other_purchaser),
        "invoice": (f"{API}/invoices/{invoice.pk}/actions/", w.finance, w.other_purchaser),
        "listing": (f"{API}/listings/{w.listing.pk}/actions/", w.sales, None),
        "agreed_price": (f"{API}/agreed-prices/{agreed.pk}/actions/", w.sales, w.other_purchaser),
    }


@pytest.mark.parametrize("kind", ["order", "delivery", "invoice", "listing", "agreed_price"])
def test_every_actions_endpoint_answers_for_its_caller_only(kind):
    w = make_world()
    url, actor, stranger = _endpoints(w)[kind]
    anonymous = APIClient().get(url)
    assert anonymous.status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(actor)
    body = client.get(url).json()
    assert body["actions"], body
    for item in body["actions"]:
        assert set(item) == {"action", "allowed", "code", "reason"}
        assert item["allowed"] is (item["code"] is None)
    if stranger is not None:
        other = APIClient()
        other.force_authenticate(stranger)
        assert other.get(url).status_code == 404


def test_the_reference_price_actions_endpoint_says_what_the_publicity_page_offers():
    from accounts.tests.factories import BureauFactory
    from catalog.tests.factories import ReferencePriceFactory

    rp = ReferencePriceFactory(status="proposed")
    client = APIClient()
    client.force_authenticate(
        UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    )
    body = client.get(f"/api/v1/catalog/reference-prices/{rp.pk}/actions/").json()
    allowed = {a["action"]: a["allowed"] for a in body["actions"]}
    assert allowed == {
        "start_publicity": True,
        "confirm": False,
        "withdraw": True,
        "object": False,
    }
