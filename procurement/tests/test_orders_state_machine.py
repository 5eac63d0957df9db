"""The state machines, table-driven from procurement.choices: every transition from every state
is allowed exactly when the table says so, and only for the role and organisation it belongs
to. A refused transition changes nothing. [R-ORDER-ONLINE] [R-ORDER-DELIVERY]"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from core.errors import DomainError
from procurement.choices import (
    DELIVERY_TRANSITIONS,
    INVOICE_TRANSITIONS,
    ORDER_TRANSITIONS,
    DeliveryStatus,
    InvoiceStatus,
    OrderStatus,
)
from procurement.models import Delivery, Invoice, Order
from procurement.services import deliveries, invoices, orders
from procurement.tests.order_world import (
    accepted,
    confirmed,
    draft,
    invoiced,
    make_world,
    promised,
    shipped,
    state,
    submitted,
)

pytestmark = pytest.mark.django_db

# --- orders ----------------------------------------------------------------------------------


def _order_in(w, status: str) -> Order:
    if status == OrderStatus.DRAFT:
        return draft(w)
    if status == OrderStatus.SUBMITTED:
        order = submitted(w)
        orders.order_distributor_set(
            actor=w.sales, order_id=order.pk, distributor_id=w.distributor.pk
        )
        return order
    if status == OrderStatus.CONFIRMED:
        return confirmed(w, distributor=True)
    if status == OrderStatus.REJECTED:
        order = submitted(w)
        return _answer_all(w, order, "reject", w.sales)
    if status == OrderStatus.CANCELLED:
        order = submitted(w)
        return orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="不需要")
    if status == OrderStatus.COMPLETED:
        order, invoice = invoiced(w)
        invoices.invoice_confirm(actor=w.finance, invoice_id=invoice.pk)
        return Order.objects.get(pk=order.pk)
    raise AssertionError(status)


def _answer_all(w, order, decision, actor):
    answers = [
        {"line": line.pk, "decision": decision, "promised_on": promised(), "reason": "缺货"}
        for line in order.lines.all()
    ]
    return orders.order_respond(actor=actor, order_id=order.pk, answers=answers)


# action -> (target status, who may do it, how)
ORDER_ACTIONS = {
    "submit": (
        OrderStatus.SUBMITTED,
        "purchaser",
        lambda w, o, actor: orders.order_submit(actor=actor, order_id=o.pk),
    ),
    "cancel": (
        OrderStatus.CANCELLED,
        "purchaser",
        lambda w, o, actor: orders.order_cancel(actor=actor, order_id=o.pk, reason="取消"),
    ),
    "confirm": (
        OrderStatus.CONFIRMED,
        "sales",
        lambda w, o, actor: _answer_all(w, o, "confirm", actor),
    ),
    "reject": (
        OrderStatus.REJECTED,
        "sales",
        lambda w, o, actor: _answer_all(w, o, "reject", actor),
    ),
}


def _actor(w, who: str):
    if who == "bureau":
        return user_with_role(Role.BUREAU_OFFICER)
    if who == "other_finance":
        return user_with_role(Role.HOSPITAL_FINANCE, w.other_hospital)
    return getattr(w, who)


@pytest.mark.parametrize("action", list(ORDER_ACTIONS))
@pytest.mark.parametrize("status", list(ORDER_TRANSITIONS))
def test_order_transition_follows_the_table(status, action):
    w = make_world()
    order = _order_in(w, status)
    assert order.status == status
    target, who, call = ORDER_ACTIONS[action]
    allowed = target in ORDER_TRANSITIONS[status]
    if allowed:
        call(w, order, getattr(w, who))
        assert Order.objects.get(pk=order.pk).status == target
        return
    before = state()
    with pytest.raises(DomainError) as error:
        call(w, order, getattr(w, who))
    # A hospital's draft is invisible to its supplier: refused as missing, not as a state.
    expected = "not_found" if who == "sales" and status == OrderStatus.DRAFT else "invalid_state"
    assert error.value.code == expected
    assert state() == before


ORDER_ACTORS = ["purchaser", "finance", "sales", "distributor_sales", "other_purchaser", "bureau"]


def _order_refusal(who: str, rightful: str) -> str | None:
    """None when ``who`` may act; else the code: a party that cannot see the order gets
    not_found, one that sees it but has the wrong role or side gets permission_denied."""
    if who == rightful:
        return None
    if who == "other_purchaser":
        return "not_found"
    return "permission_denied"


@pytest.mark.parametrize("who", ORDER_ACTORS)
@pytest.mark.parametrize("action", list(ORDER_ACTIONS))
def test_order_transition_per_role(action, who):
    """Each action from the state where the table allows it, by every kind of actor."""
    target, rightful, call = ORDER_ACTIONS[action]
    start = OrderStatus.DRAFT if action == "submit" else OrderStatus.SUBMITTED
    w = make_world()
    order = _order_in(w, start)
    code = _order_refusal(who, rightful)
    if code is None:
        call(w, order, _actor(w, who))
        assert Order.objects.get(pk=order.pk).status == target
        return
    before = state()
    with pytest.raises(DomainError) as error:
        call(w, order, _actor(w, who))
    if who in ("sales", "distributor_sales") and start == OrderStatus.DRAFT:
        code = "not_found"  # suppliers do not see drafts
    assert error.value.code == code
    assert state() == before


@pytest.mark.parametrize("status", [s for s, targets in ORDER_TRANSITIONS.items() if not targets])
def test_no_service_leaves_a_terminal_order_status(status):
    w = make_world()
    order = _order_in(w, status)
    for _target, who, call in ORDER_ACTIONS.values():
        with pytest.raises(DomainError):
            call(w, order, getattr(w, who))
    assert Order.objects.get(pk=order.pk).status == status


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(list(ORDER_ACTIONS)), min_size=1, max_size=5))
def test_random_walk_over_order_services_matches_the_table(walk):
    w = make_world()
    order = draft(w)
    for action in walk:
        before = Order.objects.get(pk=order.pk).status
        target, who, call = ORDER_ACTIONS[action]
        try:
            call(w, order, getattr(w, who))
        except DomainError:
            assert Order.objects.get(pk=order.pk).status == before
            assert target not in ORDER_TRANSITIONS[before] or before == OrderStatus.DRAFT
        else:
            assert target in ORDER_TRANSITIONS[before]
            assert Order.objects.get(pk=order.pk).status == target


# --- deliveries ------------------------------------------------------------------------------


def _delivery_in(w, status: str) -> Delivery:
    if status == DeliveryStatus.SHIPPED:
        return shipped(w, quantity=10)[1]
    answers = {
        DeliveryStatus.ACCEPTED: (10, 0),
        DeliveryStatus.PARTIALLY_ACCEPTED: (6, 4),
        DeliveryStatus.REFUSED: (0, 10),
    }[status]
    _order, delivery = shipped(w, quantity=10)
    _accept(w, delivery, *answers, actor=w.purchaser)
    return Delivery.objects.get(pk=delivery.pk)


def _accept(w, delivery, accepted_quantity, refused_quantity, *, actor):
    line = delivery.lines.get()
    return deliveries.delivery_accept(
        actor=actor,
        delivery_id=delivery.pk,
        lines=[
            {
                "delivery_line": line.pk,
                "accepted_quantity": accepted_quantity,
                "refused_quantity": refused_quantity,
                "reason": "不合格",
            }
        ],
    )


DELIVERY_ANSWERS = {
    DeliveryStatus.ACCEPTED: (10, 0),
    DeliveryStatus.PARTIALLY_ACCEPTED: (7, 3),
    DeliveryStatus.REFUSED: (0, 10),
}


@pytest.mark.parametrize("target", list(DELIVERY_ANSWERS))
@pytest.mark.parametrize("status", list(DELIVERY_TRANSITIONS))
def test_delivery_transition_follows_the_table(status, target):
    w = make_world()
    delivery = _delivery_in(w, status)
    if target in DELIVERY_TRANSITIONS[status]:
        _accept(w, delivery, *DELIVERY_ANSWERS[target], actor=w.purchaser)
        assert Delivery.objects.get(pk=delivery.pk).status == target
        return
    before = state()
    with pytest.raises(DomainError) as error:
        _accept(w, delivery, *DELIVERY_ANSWERS[target], actor=w.purchaser)
    assert error.value.code == "invalid_state"
    assert state() == before


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("purchaser", None),
        ("finance", "permission_denied"),
        ("sales", "permission_denied"),
        ("other_purchaser", "not_found"),
        ("bureau", "permission_denied"),
    ],
)
def test_delivery_acceptance_per_role(who, code):
    w = make_world()
    delivery = _delivery_in(w, DeliveryStatus.SHIPPED)
    if code is None:
        _accept(w, delivery, 10, 0, actor=_actor(w, who))
        assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.ACCEPTED
        return
    before = state()
    with pytest.raises(DomainError) as error:
        _accept(w, delivery, 10, 0, actor=_actor(w, who))
    assert error.value.code == code
    assert state() == before


# --- invoices --------------------------------------------------------------------------------

INVOICE_ACTIONS = {
    InvoiceStatus.CONFIRMED: lambda actor, invoice: invoices.invoice_confirm(
        actor=actor, invoice_id=invoice.pk
    ),
    InvoiceStatus.REJECTED: lambda actor, invoice: invoices.invoice_reject(
        actor=actor, invoice_id=invoice.pk, reason="金额有误"
    ),
}


def _invoice_in(w, status: str) -> Invoice:
    _order, invoice = invoiced(w)
    if status != InvoiceStatus.REGISTERED:
        INVOICE_ACTIONS[status](w.finance, invoice)
    return Invoice.objects.get(pk=invoice.pk)


@pytest.mark.parametrize("target", list(INVOICE_ACTIONS))
@pytest.mark.parametrize("status", list(INVOICE_TRANSITIONS))
def test_invoice_transition_follows_the_table(status, target):
    w = make_world()
    invoice = _invoice_in(w, status)
    if target in INVOICE_TRANSITIONS[status]:
        INVOICE_ACTIONS[target](w.finance, invoice)
        assert Invoice.objects.get(pk=invoice.pk).status == target
        return
    before = state()
    with pytest.raises(DomainError) as error:
        INVOICE_ACTIONS[target](w.finance, invoice)
    assert error.value.code == "invalid_state"
    assert state() == before


@pytest.mark.parametrize("target", list(INVOICE_ACTIONS))
@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("finance", None),
        ("purchaser", "permission_denied"),
        ("sales", "permission_denied"),
        ("other_finance", "not_found"),
        ("bureau", "permission_denied"),
    ],
)
def test_invoice_answer_per_role(who, code, target):
    w = make_world()
    invoice = _invoice_in(w, InvoiceStatus.REGISTERED)
    if code is None:
        INVOICE_ACTIONS[target](_actor(w, who), invoice)
        assert Invoice.objects.get(pk=invoice.pk).status == target
        return
    before = state()
    with pytest.raises(DomainError) as error:
        INVOICE_ACTIONS[target](_actor(w, who), invoice)
    assert error.value.code == code
    assert state() == before


def test_acceptance_and_returns_are_refused_on_a_completed_order():
    w = make_world()
    order, delivery = accepted(w, quantity=4, refused=4)  # nothing kept: completed at once
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    with pytest.raises(DomainError) as error:
        deliveries.return_register(
            actor=w.purchaser, delivery_line_id=delivery.lines.get().pk, quantity=1, reason="x"
        )
    assert error.value.code in {"invalid_state", "return_quantity_exceeded"}
