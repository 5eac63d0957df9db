"""The negotiation state machines, table-driven from procurement.choices: every action from
every status is offered by ``negotiation_actions`` exactly when the service accepts it, and a
refused one changes nothing. [R-NEGOTIATION]"""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from core.errors import DomainError
from procurement.choices import NegotiationAction, NegotiationItemStatus, NegotiationStatus
from procurement.models import Negotiation, NegotiationItem
from procurement.selectors.negotiations import negotiation_actions
from procurement.services import negotiations as services
from procurement.tests.emergency_world import on
from procurement.tests.negotiation_world import agreed, drafted, invited, item_of, offered
from procurement.tests.order_world import make_world

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def world():
    return make_world(price=Decimal("100.00"))


def _negotiation_in(w, officer, status) -> Negotiation:
    """Open ones hold an agreed product, so that concluding is a matter of state alone."""
    if status == NegotiationStatus.DRAFT:
        return drafted(officer, [w.listing], [w.hospital])
    negotiation = agreed(officer, w.sales, w.listing, [w.hospital])
    if status == NegotiationStatus.CONCLUDED:
        services.negotiation_conclude(actor=officer, negotiation_id=negotiation.pk)
    elif status == NegotiationStatus.CANCELLED:
        services.negotiation_cancel(actor=officer, negotiation_id=negotiation.pk, reason="无需")
    negotiation.refresh_from_db()
    assert negotiation.status == status
    return negotiation


NEGOTIATION_ACTIONS = {
    NegotiationAction.INVITE: lambda officer, pk: services.negotiation_invite(
        actor=officer, negotiation_id=pk
    ),
    NegotiationAction.COUNTER: lambda officer, pk: services.negotiation_counter(
        actor=officer, negotiation_id=pk, deadline="2026-03-12"
    ),
    NegotiationAction.CONCLUDE: lambda officer, pk: services.negotiation_conclude(
        actor=officer, negotiation_id=pk
    ),
    NegotiationAction.CANCEL: lambda officer, pk: services.negotiation_cancel(
        actor=officer, negotiation_id=pk, reason="无需"
    ),
}


@pytest.mark.parametrize("action", list(NEGOTIATION_ACTIONS))
@pytest.mark.parametrize("status", list(NegotiationStatus))
def test_r_negotiation_every_action_from_every_status(world, officer, status, action):
    with on(DAY):
        negotiation = _negotiation_in(world, officer, status)
        offered_now = negotiation_actions(actor=officer, negotiation=negotiation)[action].allowed
        # The table: a draft is invited or cancelled; an open one countered, concluded,
        # cancelled; a concluded or cancelled one nothing.
        allowed = action in {
            NegotiationStatus.DRAFT: {NegotiationAction.INVITE, NegotiationAction.CANCEL},
            NegotiationStatus.OPEN: {
                NegotiationAction.COUNTER,
                NegotiationAction.CONCLUDE,
                NegotiationAction.CANCEL,
            },
        }.get(status, set())
        assert offered_now is allowed
        before = Negotiation.objects.values().get(pk=negotiation.pk)
        if allowed:
            NEGOTIATION_ACTIONS[action](officer, negotiation.pk)
        else:
            with pytest.raises(DomainError) as error:
                NEGOTIATION_ACTIONS[action](officer, negotiation.pk)
            assert error.value.code == "invalid_state"
            assert Negotiation.objects.values().get(pk=negotiation.pk) == before


def _item_in(w, officer, status) -> tuple[Negotiation, NegotiationItem]:
    maker = {
        NegotiationItemStatus.AWAITING_OFFER: lambda: invited(officer, [w.listing], [w.hospital]),
        NegotiationItemStatus.OFFERED: lambda: offered(officer, w.sales, w.listing, [w.hospital]),
        NegotiationItemStatus.AGREED: lambda: agreed(officer, w.sales, w.listing, [w.hospital]),
    }[status]
    negotiation = maker()
    return negotiation, item_of(negotiation)


@pytest.mark.parametrize(
    "action",
    [NegotiationAction.OFFER, NegotiationAction.ACCEPT_COUNTER, NegotiationAction.ACCEPT_OFFER],
)
@pytest.mark.parametrize(
    "status",
    [
        NegotiationItemStatus.AWAITING_OFFER,
        NegotiationItemStatus.OFFERED,
        NegotiationItemStatus.AGREED,
    ],
)
def test_r_negotiation_every_product_action_from_every_status(world, officer, status, action):
    w = world
    with on(DAY):
        negotiation, item = _item_in(w, officer, status)
        actor = officer if action == NegotiationAction.ACCEPT_OFFER else w.sales
        offered_now = negotiation_actions(actor=actor, negotiation=negotiation, item=item)[
            action
        ].allowed
        before = NegotiationItem.objects.values().get(pk=item.pk)
        call = {
            NegotiationAction.OFFER: lambda: services.negotiation_offer(
                actor=actor, negotiation_id=negotiation.pk, item_id=item.pk, price="70.00"
            ),
            NegotiationAction.ACCEPT_COUNTER: lambda: services.negotiation_accept_counter(
                actor=actor, negotiation_id=negotiation.pk, item_id=item.pk
            ),
            NegotiationAction.ACCEPT_OFFER: lambda: services.negotiation_accept_offer(
                actor=actor, negotiation_id=negotiation.pk, item_id=item.pk
            ),
        }[action]
        expected = {
            NegotiationItemStatus.AWAITING_OFFER: {
                NegotiationAction.OFFER,
                NegotiationAction.ACCEPT_COUNTER,
            },
            NegotiationItemStatus.OFFERED: {
                NegotiationAction.OFFER,
                NegotiationAction.ACCEPT_OFFER,
            },
        }
        allowed = action in expected.get(status, set())
        assert offered_now is allowed
        if allowed:
            call()
        else:
            with pytest.raises(DomainError) as error:
                call()
            assert error.value.code == "invalid_state"
            assert error.value.extra["object"] == "negotiation_item"
            assert NegotiationItem.objects.values().get(pk=item.pk) == before


@pytest.mark.parametrize(
    "role", [r for r in Role.values if r not in (Role.BUREAU_OFFICER, Role.AGENCY_FINANCE)]
)
def test_r_negotiation_only_regulators_manage(world, officer, role):
    w = world
    with on(DAY):
        negotiation = drafted(officer, [w.listing], [w.hospital])
        actor = user_with_role(role)
        assert not negotiation_actions(actor=actor, negotiation=negotiation).allowed()
        for call in NEGOTIATION_ACTIONS.values():
            with pytest.raises(DomainError) as error:
                call(actor, negotiation.pk)
            assert error.value.code in {"permission_denied", "not_found"}
    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.DRAFT
