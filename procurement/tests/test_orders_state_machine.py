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
    DeliveryAction,
    DeliveryStatus,
    InvoiceAction,
    InvoiceStatus,
    OrderAction,
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


# action -> (target status, who may do it, how, the service's action in a refusal's extra and
# the target it names there). An answer is the ``respond`` action, refused by the order's state
# before the answer decides where it leads, so its refusal names no target.
ORDER_ACTIONS = {
    "submit": (
        OrderStatus.SUBMITTED,
        "purchaser",
        lambda w, o, actor: orders.order_submit(actor=actor, order_id=o.pk),
        (OrderAction.SUBMIT, OrderStatus.SUBMITTED),
    ),
    "cancel": (
        OrderStatus.CANCELLED,
        "purchaser",
        lambda w, o, actor: orders.order_cancel(actor=actor, order_id=o.pk, reason="取消"),
        (OrderAction.CANCEL, OrderStatus.CANCELLED),
    ),
    "confirm": (
        OrderStatus.CONFIRMED,
        "sales",
        lambda w, o, actor: _answer_all(w, o, "confirm", actor),
        (OrderAction.RESPOND, ""),
    ),
    "reject": (
        OrderStatus.REJECTED,
        "sales",
        lambda w, o, actor: _answer_all(w, o, "reject", actor),
        (OrderAction.RESPOND, ""),
    ),
}


def _state_refusal(obj, kind: str, action: str, target: str = "") -> dict:
    """The refusal core.transitions gives ``action`` on ``obj`` in its current status."""
    return {
        "code": "invalid_state",
        "extra": {
            "object": kind,
            "id": obj.pk,
            "state": obj.status,
            "action": action,
            "target": target,
        },
    }


NOT_FOUND = {"code": "not_found", "extra": {}}


def _denied(permission: str) -> dict:
    return {"code": "permission_denied", "extra": {"action": permission}}


def _order_state_refusal(order: Order, action: str) -> dict:
    """What the rightful actor of ``action`` gets when the order's status does not allow it.
    An order never submitted (a draft, or a draft cancelled) is invisible to its supplier:
    refused as missing, not as a state."""
    _target, who, _call, (service_action, target) = ORDER_ACTIONS[action]
    if who == "sales" and order.submitted_at is None:
        return NOT_FOUND
    return _state_refusal(order, "order", service_action, target)


def _refusal_of(call, *args, **kwargs) -> dict:
    """Run ``call``, which must be refused and change nothing; its code and extra."""
    before = state()
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert state() == before
    return {"code": error.value.code, "extra": error.value.extra}


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
    target, who, call, _refusal = ORDER_ACTIONS[action]
    if target in ORDER_TRANSITIONS[status]:
        call(w, order, getattr(w, who))
        assert Order.objects.get(pk=order.pk).status == target
        return
    refusal = _refusal_of(call, w, order, getattr(w, who))
    assert refusal == _order_state_refusal(order, action)


ORDER_ACTORS = ["purchaser", "finance", "sales", "distributor_sales", "other_purchaser", "bureau"]

# The permission a refusal names when the actor sees the order but may not do the action.
ORDER_PERMISSIONS = {
    "submit": "order.submit",  # [R-HOSP-CATALOGUE] only purchasers submit
    "cancel": "order.place",
    "confirm": "order.respond",
    "reject": "order.respond",
}


def _order_refusal(who: str, action: str, start: str) -> dict | None:
    """None when ``who`` may act; else the refusal: a party that cannot see the order gets
    not_found (suppliers do not see drafts), one that sees it but has the wrong role or side
    gets permission_denied naming the permission."""
    if who == ORDER_ACTIONS[action][1]:
        return None
    if who == "other_purchaser":
        return NOT_FOUND
    if who in ("sales", "distributor_sales") and start == OrderStatus.DRAFT:
        return NOT_FOUND
    return _denied(ORDER_PERMISSIONS[action])


@pytest.mark.parametrize("who", ORDER_ACTORS)
@pytest.mark.parametrize("action", list(ORDER_ACTIONS))
def test_order_transition_per_role(action, who):
    """Each action from the state where the table allows it, by every kind of actor."""
    target, _rightful, call, _refusal = ORDER_ACTIONS[action]
    start = OrderStatus.DRAFT if action == "submit" else OrderStatus.SUBMITTED
    w = make_world()
    order = _order_in(w, start)
    expected = _order_refusal(who, action, start)
    if expected is None:
        call(w, order, _actor(w, who))
        assert Order.objects.get(pk=order.pk).status == target
        return
    assert _refusal_of(call, w, order, _actor(w, who)) == expected


@pytest.mark.parametrize("status", [s for s, targets in ORDER_TRANSITIONS.items() if not targets])
@pytest.mark.parametrize("action", list(ORDER_ACTIONS))
def test_no_service_leaves_a_terminal_order_status(action, status):
    w = make_world()
    order = _order_in(w, status)
    _target, who, call, _refusal = ORDER_ACTIONS[action]
    assert _refusal_of(call, w, order, getattr(w, who)) == _order_state_refusal(order, action)
    assert Order.objects.get(pk=order.pk).status == status


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(list(ORDER_ACTIONS)), min_size=1, max_size=5))
def test_random_walk_over_order_services_matches_the_table(walk):
    """Any sequence of actions by their rightful actors: each goes through exactly when the
    table allows it from where the order stands, and is refused by the state otherwise."""
    w = make_world()
    order = draft(w)
    for action in walk:
        current = Order.objects.get(pk=order.pk)
        target, who, call, _refusal = ORDER_ACTIONS[action]
        if target in ORDER_TRANSITIONS[current.status]:
            call(w, order, getattr(w, who))
            assert Order.objects.get(pk=order.pk).status == target
        else:
            assert _refusal_of(call, w, order, getattr(w, who)) == _order_state_refusal(
                current, action
            )


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


def _accept(w, delivery, accepted_quantity, refused_quantity, *, actor=None):
    actor = actor or w.purchaser
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
    refusal = _refusal_of(_accept, w, delivery, *DELIVERY_ANSWERS[target])
    assert refusal == _state_refusal(delivery, "delivery", DeliveryAction.ACCEPT)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("purchaser", None),
        ("finance", _denied("delivery.accept")),
        ("sales", _denied("delivery.accept")),
        ("other_purchaser", NOT_FOUND),
        ("bureau", _denied("delivery.accept")),
    ],
)
def test_delivery_acceptance_per_role(who, expected):
    w = make_world()
    delivery = _delivery_in(w, DeliveryStatus.SHIPPED)
    if expected is None:
        _accept(w, delivery, 10, 0, actor=_actor(w, who))
        assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.ACCEPTED
        return
    assert _refusal_of(_accept, w, delivery, 10, 0, actor=_actor(w, who)) == expected


# --- invoices --------------------------------------------------------------------------------

INVOICE_ACTIONS = {
    InvoiceStatus.CONFIRMED: lambda actor, invoice: invoices.invoice_confirm(
        actor=actor, invoice_id=invoice.pk
    ),
    InvoiceStatus.REJECTED: lambda actor, invoice: invoices.invoice_reject(
        actor=actor, invoice_id=invoice.pk, reason="金额有误"
    ),
}


INVOICE_ACTION_OF = {
    InvoiceStatus.CONFIRMED: InvoiceAction.CONFIRM,
    InvoiceStatus.REJECTED: InvoiceAction.REJECT,
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
    refusal = _refusal_of(INVOICE_ACTIONS[target], w.finance, invoice)
    assert refusal == _state_refusal(invoice, "invoice", INVOICE_ACTION_OF[target], target)


@pytest.mark.parametrize("target", list(INVOICE_ACTIONS))
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("finance", None),
        ("purchaser", _denied("invoice.confirm")),
        ("sales", _denied("invoice.confirm")),
        ("other_finance", NOT_FOUND),
        ("bureau", _denied("invoice.confirm")),
    ],
)
def test_invoice_answer_per_role(who, expected, target):
    w = make_world()
    invoice = _invoice_in(w, InvoiceStatus.REGISTERED)
    if expected is None:
        INVOICE_ACTIONS[target](_actor(w, who), invoice)
        assert Invoice.objects.get(pk=invoice.pk).status == target
        return
    assert _refusal_of(INVOICE_ACTIONS[target], _actor(w, who), invoice) == expected


def test_acceptance_and_returns_are_refused_on_a_completed_order():
    w = make_world()
    order, delivery = accepted(w, quantity=4, refused=4)  # nothing kept: completed at once
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.COMPLETED
    refusal = _refusal_of(
        deliveries.return_register,
        actor=w.purchaser,
        delivery_line_id=delivery.lines.get().pk,
        quantity=1,
        reason="x",
    )
    assert refusal == _state_refusal(order, "order", OrderAction.RETURN)
    delivery = Delivery.objects.get(pk=delivery.pk)
    refusal = _refusal_of(_accept, w, delivery, 4, 0)
    assert refusal == _state_refusal(delivery, "delivery", DeliveryAction.ACCEPT)
