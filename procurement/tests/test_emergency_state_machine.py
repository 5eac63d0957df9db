"""The emergency purchase state machine, table-driven from procurement.choices: every decision
from every state is allowed exactly when the table says so, only for the bureau officer, and a
refused one changes nothing; ``emergency_actions`` offers exactly what the services accept.
[R-EMERG-CAP]"""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from core.errors import DomainError
from procurement.choices import EMERGENCY_TRANSITIONS, EmergencyAction, EmergencyStatus
from procurement.models import EmergencyPurchase
from procurement.selectors import emergency as selectors
from procurement.services import emergency as services
from procurement.tests.emergency_world import bought_last_year, on, register

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
SERVICES = {
    EmergencyAction.APPROVE: (services.emergency_purchase_approve, EmergencyStatus.APPROVED),
    EmergencyAction.REJECT: (services.emergency_purchase_reject, EmergencyStatus.REJECTED),
}


def _purchase_in(purchaser, officer, status) -> EmergencyPurchase:
    price = "100.00" if status == EmergencyStatus.REGISTERED else "3500.00"
    purchase = register(purchaser, bought_on=DAY, price=price)
    if status in (EmergencyStatus.APPROVED, EmergencyStatus.REJECTED):
        action = (
            EmergencyAction.APPROVE
            if status == EmergencyStatus.APPROVED
            else EmergencyAction.REJECT
        )
        SERVICES[action][0](actor=officer, purchase_id=purchase.pk, reason="决定")
    purchase.refresh_from_db()
    assert purchase.status == status
    return purchase


@pytest.mark.parametrize("action", list(EmergencyAction))
@pytest.mark.parametrize("status", list(EmergencyStatus))
def test_every_decision_from_every_state(purchaser, hospital, officer, status, action):
    bought_last_year(hospital, Decimal("100000.00"), year=2026)
    service, target = SERVICES[action]
    with on(DAY):
        purchase = _purchase_in(purchaser, officer, status)
        offered = selectors.emergency_actions(actor=officer, purchase=purchase)[action].allowed
        allowed = target in EMERGENCY_TRANSITIONS[status]
        assert offered is allowed
        before = EmergencyPurchase.objects.values().get(pk=purchase.pk)
        if allowed:
            service(actor=officer, purchase_id=purchase.pk, reason="理由")
            purchase.refresh_from_db()
            assert purchase.status == target
        else:
            with pytest.raises(DomainError) as error:
                service(actor=officer, purchase_id=purchase.pk, reason="理由")
            assert error.value.code == "invalid_state"
            assert error.value.extra["object"] == "emergency_purchase"
            assert EmergencyPurchase.objects.values().get(pk=purchase.pk) == before


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.BUREAU_OFFICER])
def test_only_the_bureau_officer_decides(purchaser, hospital, officer, role):
    bought_last_year(hospital, Decimal("100000.00"), year=2026)
    with on(DAY):
        purchase = _purchase_in(purchaser, officer, EmergencyStatus.PENDING)
    actor = purchaser if role == Role.HOSPITAL_PURCHASER else user_with_role(role)
    assert not selectors.emergency_actions(actor=actor, purchase=purchase).allowed()
    for service, _target in SERVICES.values():
        with pytest.raises(DomainError) as error:
            service(actor=actor, purchase_id=purchase.pk, reason="理由")
        assert error.value.code in {"permission_denied", "not_found"}
    purchase.refresh_from_db()
    assert purchase.status == EmergencyStatus.PENDING
