"""The contract state machine, table-driven from procurement.choices: signing is allowed
exactly where CONTRACT_TRANSITIONS says, by each party once; the last signature puts the
contract in force; a refusal is exact and changes nothing. [R-VBP-CONTRACT]"""

import datetime as dt

import pytest
import time_machine

from accounts.choices import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from core import clock
from core.errors import DomainError
from procurement.choices import (
    CONTRACT_STATES,
    CONTRACT_TRANSITIONS,
    ContractAction,
    ContractStatus,
)
from procurement.models import Contract
from procurement.selectors.contracts import contract_actions
from procurement.services import contracts
from procurement.tests.award_world import contracted, make_award_world, signed

pytestmark = pytest.mark.django_db


def _contract_in(aw, status):
    if status == ContractStatus.AWAITING:
        return contracted(aw)
    contract = signed(aw)
    if status == ContractStatus.ACTIVE:
        return contract
    moment = dt.datetime.combine(contract.cycle_end, dt.time(10), tzinfo=clock.SHANGHAI)
    with time_machine.travel(moment, tick=False):
        if status == ContractStatus.RENEWED:
            contracts.group_renew(
                actor=aw.officer, round_id=aw.tender.pk, group_id=contract.group_id, reason="续约"
            )
        else:
            contracts.group_retender(
                actor=aw.officer, round_id=aw.tender.pk, group_id=contract.group_id, reason="重招"
            )
    return Contract.objects.get(pk=contract.pk)


def _snapshot():
    return list(Contract.objects.order_by("pk").values())


@pytest.mark.parametrize("status", ContractStatus.values)
def test_sign_allowed_exactly_where_the_table_says_R_VBP_CONTRACT(status):
    aw = make_award_world()
    contract = _contract_in(aw, status)
    allowed = CONTRACT_STATES.allows(status, ContractAction.SIGN)
    # Only a contract awaiting signatures leads to "active" (the table) and may be signed.
    assert allowed == (ContractStatus.ACTIVE in CONTRACT_TRANSITIONS[status])
    actions = contract_actions(actor=aw.w.purchaser, contract=contract)
    if allowed:
        assert actions["sign"].allowed
        contracts.contract_sign(actor=aw.w.purchaser, contract_id=contract.pk)
        return
    assert actions["sign"].code == "invalid_state"
    before = _snapshot()
    with pytest.raises(DomainError) as error:
        contracts.contract_sign(actor=aw.w.purchaser, contract_id=contract.pk)
    assert error.value.code == "invalid_state"
    assert error.value.extra == {
        "object": "contract",
        "id": contract.pk,
        "state": status,
        "action": "sign",
        "target": "",
    }
    assert _snapshot() == before


def test_third_signature_puts_the_contract_in_force_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = contracted(aw)
    statuses = []
    for user in (aw.w.distributor_sales, aw.w.purchaser, aw.w.sales):
        statuses.append(contracts.contract_sign(actor=user, contract_id=contract.pk).status)
    assert statuses == [ContractStatus.AWAITING, ContractStatus.AWAITING, ContractStatus.ACTIVE]
    contract.refresh_from_db()
    assert contract.hospital_signed_by == aw.w.purchaser
    assert contract.distributor_signed_by == aw.w.distributor_sales
    assert contract.manufacturer_signed_at is not None


def test_a_party_signs_once_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = contracted(aw)
    contracts.contract_sign(actor=aw.w.sales, contract_id=contract.pk)
    before = _snapshot()
    with pytest.raises(DomainError) as error:
        contracts.contract_sign(actor=aw.w.sales, contract_id=contract.pk)
    assert error.value.code == "contract_already_signed"
    assert error.value.extra["number"] == contract.number
    assert _snapshot() == before
    fresh = Contract.objects.get(pk=contract.pk)
    assert contract_actions(actor=aw.w.sales, contract=fresh)["sign"].code == (
        "contract_already_signed"
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [("finance", "permission_denied"), ("officer", "permission_denied")],
)
def test_sign_refused_to_the_wrong_role_R_VBP_CONTRACT(who, code):
    aw = make_award_world()
    contract = contracted(aw)
    actor = aw.w.finance if who == "finance" else aw.officer
    before = _snapshot()
    with pytest.raises(DomainError) as error:
        contracts.contract_sign(actor=actor, contract_id=contract.pk)
    assert error.value.code == code
    assert _snapshot() == before


def test_manufacturer_delivering_itself_signs_both_sides_R_VBP_CONTRACT():
    aw = make_award_world()
    aw.w.listing.distributors.all().delete()  # no distributor: the manufacturer delivers
    contract = contracted(aw)
    assert contract.distributor_id == contract.manufacturer_id
    contracts.contract_sign(actor=aw.w.purchaser, contract_id=contract.pk)
    active = contracts.contract_sign(actor=aw.w.sales, contract_id=contract.pk)
    assert active.status == ContractStatus.ACTIVE
    assert active.distributor_signed_by == aw.w.sales


def test_another_supplier_sees_nothing_404():
    aw = make_award_world()
    contract = contracted(aw)
    stranger = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    with pytest.raises(DomainError) as error:
        contracts.contract_sign(actor=stranger, contract_id=contract.pk)
    assert error.value.code == "not_found"
