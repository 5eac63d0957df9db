"""[R-CREDIT] credit repair, table-driven from supervision.choices: applying, approving and
rejecting are allowed exactly when the table says so, for the party and role they belong to,
and ``credit_repair_actions`` / ``credit_event_actions`` say the same as the services. A
refused step changes nothing."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import OrganizationFactory, user_with_role
from core.errors import DomainError
from procurement.services import orders
from procurement.tests.order_world import make_world
from supervision.choices import REPAIR_TRANSITIONS, CreditEventStatus, RepairAction, RepairStatus
from supervision.models import CreditEvent, CreditRepair, Notification, Sanction
from supervision.selectors.credit import (
    credit_event_actions,
    credit_repair_actions,
    credit_standing_unscoped,
)
from supervision.services import credit as services
from supervision.tests.credit_world import bureau_officer, record

pytestmark = pytest.mark.django_db


def _state():
    return {
        "events": list(CreditEvent.objects.values_list("pk", "status").order_by("pk")),
        "repairs": list(CreditRepair.objects.values_list("pk", "status").order_by("pk")),
        "sanctions": list(Sanction.objects.values_list("pk", "lifted_at").order_by("pk")),
    }


def _refused(call, **kwargs) -> dict:
    before = _state()
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert _state() == before
    return {"code": error.value.code, "extra": error.value.extra}


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def officer():
    return bureau_officer()


def _apply(w, event):
    return services.credit_repair_apply(
        actor=w.sales, event_id=event.pk, statement="已补足供货并完成整改"
    )


def _repair_in(w, officer, status):
    event = record(officer, w.manufacturer, listing=w.listing)
    repair = _apply(w, event)
    if status == RepairStatus.APPROVED:
        services.credit_repair_approve(actor=officer, repair_id=repair.pk, reason="整改到位")
    elif status == RepairStatus.REJECTED:
        services.credit_repair_reject(actor=officer, repair_id=repair.pk, reason="证据不足")
    repair.refresh_from_db()
    return repair


DECISIONS = {
    RepairAction.APPROVE: (RepairStatus.APPROVED, services.credit_repair_approve),
    RepairAction.REJECT: (RepairStatus.REJECTED, services.credit_repair_reject),
}


@pytest.mark.parametrize("status", list(RepairStatus))
@pytest.mark.parametrize("action", list(DECISIONS))
def test_decisions_follow_the_table_r_credit(w, officer, status, action):
    repair = _repair_in(w, officer, status)
    target, service = DECISIONS[action]
    allowed = target in REPAIR_TRANSITIONS[status]
    verdict = credit_repair_actions(actor=officer, repair=repair)[action]
    assert bool(verdict) == allowed
    if allowed:
        assert service(actor=officer, repair_id=repair.pk, reason="理由").status == target
    else:
        refusal = _refused(service, actor=officer, repair_id=repair.pk, reason="理由")
        assert refusal == {
            "code": "invalid_state",
            "extra": {
                "object": "credit_repair",
                "id": repair.pk,
                "state": status,
                "action": action,
                "target": target,
            },
        }
        assert verdict.code == "invalid_state"


@pytest.mark.parametrize("action", list(DECISIONS))
def test_only_the_bureau_decides_and_outside_its_region_sees_nothing_r_credit(w, officer, action):
    repair = _repair_in(w, officer, RepairStatus.PENDING)
    _target, service = DECISIONS[action]
    assert _refused(service, actor=w.sales, repair_id=repair.pk, reason="x")["code"] == (
        "permission_denied"
    )
    far = bureau_officer("440300")
    assert _refused(service, actor=far, repair_id=repair.pk, reason="x")["code"] == "not_found"
    assert not credit_repair_actions(actor=w.sales, repair=repair)[action]
    assert _refused(service, actor=officer, repair_id=repair.pk, reason=" ")["code"] == "invalid"


def test_approval_repairs_the_event_lifts_its_sanctions_and_restores_the_score_r_credit(w, officer):
    repair = _repair_in(w, officer, RepairStatus.PENDING)
    assert credit_standing_unscoped(subject_id=w.manufacturer.pk).score == 90
    services.credit_repair_approve(actor=officer, repair_id=repair.pk, reason="整改到位")
    event = CreditEvent.objects.get(pk=repair.event_id)
    assert event.status == CreditEventStatus.REPAIRED
    assert all(s.lifted_at is not None for s in event.sanctions.all())
    assert credit_standing_unscoped(subject_id=w.manufacturer.pk).score == 100
    # The listing can be ordered again at once.
    lines = [{"listing": w.listing.pk, "quantity": 1}]
    assert orders.order_create(actor=w.purchaser, lines=lines, department="骨科")
    decided = Notification.objects.filter(organization=w.manufacturer, kind="repair_decided")
    assert decided.count() == 1


def test_rejection_keeps_the_sanctions_and_a_new_application_may_follow_r_credit(w, officer):
    repair = _repair_in(w, officer, RepairStatus.REJECTED)
    event = repair.event
    assert event.status == CreditEventStatus.STANDING
    assert all(s.lifted_at is None for s in event.sanctions.all())
    assert credit_event_actions(actor=w.sales, event=event)[RepairAction.APPLY]
    assert _apply(w, event).status == RepairStatus.PENDING


def test_a_non_repairable_event_is_refused_with_its_reason_r_credit(w, officer):
    event = record(officer, w.manufacturer, "commercial_bribery")
    verdict = credit_event_actions(actor=w.sales, event=event)[RepairAction.APPLY]
    assert verdict.code == "credit_repair_not_allowed"
    assert "不可修复" in verdict.reason or "cannot be repaired" in verdict.reason
    refusal = _refused(
        services.credit_repair_apply, actor=w.sales, event_id=event.pk, statement="整改"
    )
    assert refusal["code"] == "credit_repair_not_allowed"


def test_one_application_at_a_time_r_credit(w, officer):
    repair = _repair_in(w, officer, RepairStatus.PENDING)
    refusal = _refused(
        services.credit_repair_apply, actor=w.sales, event_id=repair.event_id, statement="再次"
    )
    assert refusal["code"] == "credit_repair_pending"


def test_a_repaired_event_takes_no_new_application_r_credit(w, officer):
    repair = _repair_in(w, officer, RepairStatus.APPROVED)
    refusal = _refused(
        services.credit_repair_apply, actor=w.sales, event_id=repair.event_id, statement="再次"
    )
    assert refusal["code"] == "invalid_state"


def test_only_the_organisation_itself_applies_r_credit(w, officer):
    event = record(officer, w.manufacturer)
    stranger = user_with_role(Role.SUPPLIER_SALES, OrganizationFactory())
    assert (
        _refused(services.credit_repair_apply, actor=stranger, event_id=event.pk, statement="x")[
            "code"
        ]
        == "not_found"
    )
    assert (
        _refused(services.credit_repair_apply, actor=officer, event_id=event.pk, statement="x")[
            "code"
        ]
        == "permission_denied"
    )
    assert not credit_event_actions(actor=officer, event=event)[RepairAction.APPLY]


def test_applying_tells_the_bureau_of_the_region_r_credit(w, officer):
    event = record(officer, w.manufacturer)
    _apply(w, event)
    assert Notification.objects.filter(
        organization=officer.organization, kind="repair_applied"
    ).exists()
