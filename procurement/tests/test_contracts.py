"""Purchase contracts: signatures, orders counting toward progress, the lag flag, the winning
price beyond the agreed quantity, renewal and tenancy (procurement.services.contracts,
procurement.selectors.contracts)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core import clock
from core.errors import DomainError
from procurement.choices import ContractStatus, RenewalDecision
from procurement.models import Contract, GroupRenewal, Listing, PaymentStandard
from procurement.selectors import contracts as selectors
from procurement.selectors.awards import payment_standard_for
from procurement.services import contracts
from procurement.tests import round_world
from procurement.tests.award_world import bought, contracted, make_award_world, signed

pytestmark = pytest.mark.django_db


def _get(aw, contract, actor=None):
    return selectors.contract_get(actor=actor or aw.w.purchaser, contract_id=contract.pk)


def _refused(code, call, **kwargs):
    before = list(Contract.objects.order_by("pk").values())
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert error.value.code == code, error.value.as_dict()
    assert list(Contract.objects.order_by("pk").values()) == before
    return error.value


# --- progress ---------------------------------------------------------------------------------


def test_accepted_orders_count_toward_the_contract_by_month_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = signed(aw)
    bought(aw, 10)
    bought(aw, 5, kept=3)  # two refused on acceptance: not bought
    progress = selectors.contract_progress(contract=_get(aw, contract))
    assert (progress.agreed, progress.done) == (80, 13)
    this_month = clock.local_today().replace(day=1)
    assert progress.months[-1].month == this_month
    assert (progress.months[-1].done, progress.months[-1].cumulative) == (13, 13)
    assert sum(m.done for m in progress.months) == 13


def test_only_orders_delivered_by_the_contracts_distributor_count_R_VBP_CONTRACT():
    """The contract names D: goods the manufacturer delivered itself count toward none."""
    aw = make_award_world()
    contract = signed(aw)
    bought(aw, 6, by_d=False)
    bought(aw, 4)
    assert _get(aw, contract).done == 4


def test_orders_before_the_cycle_do_not_count_R_VBP_CONTRACT():
    aw = make_award_world(cycle_start=clock.local_today() + dt.timedelta(days=1))
    contract = signed(aw)
    bought(aw, 5)
    assert _get(aw, contract).done == 0


def test_buying_beyond_the_agreed_quantity_continues_at_the_winning_price_R_VBP_PRIORITY():
    aw = make_award_world(base=5)  # agreed volume 4
    contract = signed(aw)
    # The manufacturer raised the listed price since; the contract's winning price holds.
    Listing.objects.filter(pk=aw.w.listing.pk).update(price=Decimal("99.00"))
    bought(aw, 4)
    order = bought(aw, 6)
    assert order.lines.get().unit_price == Decimal("80.00")
    assert _get(aw, contract).done == 10


def test_companion_listing_keeps_its_own_price_R_VBP_COMPANION():
    aw = make_award_world()
    signed(aw)
    companion = Listing.objects.get(consumable=aw.w.listing.consumable, companion_service=True)
    from procurement.services import orders

    (order,) = orders.order_create(
        department="骨科", actor=aw.w.purchaser, lines=[{"listing": companion.pk, "quantity": 1}]
    )
    assert order.lines.get().unit_price == Decimal("95.00")


# --- the lag flag -----------------------------------------------------------------------------


def _lag_world():
    """Cycle of 400 days, 40 elapsed: 10% of the cycle; agreed 80, so 8 units are on track."""
    aw = make_award_world(cycle_start=clock.local_today() - dt.timedelta(days=40), cycle_days=400)
    return aw, signed(aw)


@pytest.mark.parametrize(
    ("done", "lagging"),
    [(7, True), (8, False), (9, False)],
    ids=["behind", "exactly_on_track", "ahead"],
)
def test_lag_flag_boundary_R_VBP_CONTRACT(done, lagging):
    aw, contract = _lag_world()
    bought(aw, done)
    row = _get(aw, contract)
    assert (row.done, row.elapsed_days, row.cycle_days, row.lagging) == (done, 40, 400, lagging)
    assert selectors.contract_progress(contract=row).lagging is lagging
    listed = selectors.contract_list(actor=aw.w.purchaser, lagging=True)
    assert (contract.pk in {c.pk for c in listed}) is lagging


def test_nothing_lags_before_the_cycle_starts_R_VBP_CONTRACT():
    aw = make_award_world(cycle_start=clock.local_today() + dt.timedelta(days=10))
    contract = signed(aw)
    row = _get(aw, contract)
    assert (row.elapsed_days, row.lagging) == (0, False)


def test_contract_awaiting_signatures_is_not_flagged_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = contracted(aw)
    assert _get(aw, contract).lagging is False


# --- tenancy ----------------------------------------------------------------------------------


def test_contracts_seen_by_their_parties_and_bureau_only():
    aw = make_award_world()
    contract = contracted(aw)
    for user in (aw.w.purchaser, aw.w.sales, aw.w.distributor_sales, aw.officer):
        assert _get(aw, contract, user).pk == contract.pk
    for user in (aw.w.other_purchaser, aw.sales_b, round_world.bureau_officer("110100")):
        with pytest.raises(DomainError) as error:
            _get(aw, contract, user)
        assert error.value.code == "not_found"


def test_another_hospital_cannot_sign_404():
    aw = make_award_world()
    contract = contracted(aw)
    _refused(
        "not_found", contracts.contract_sign, actor=aw.w.other_purchaser, contract_id=contract.pk
    )


# --- renewal ----------------------------------------------------------------------------------


def _at_cycle_end(contract, days_before=0):
    moment = dt.datetime.combine(
        contract.cycle_end - dt.timedelta(days=days_before), dt.time(10), tzinfo=clock.SHANGHAI
    )
    return time_machine.travel(moment, tick=False)


def test_renewal_with_price_cut_makes_next_cycle_contracts_R_VBP_CONTRACT_R_PAY_STANDARD():
    aw = make_award_world()
    contract = signed(aw)
    group = contract.group
    with _at_cycle_end(contract):
        (renewal,) = contracts.group_renew(
            actor=aw.officer,
            round_id=aw.tender.pk,
            group_id=group.pk,
            price_cut="0.05",
            reason="续约降价5%",
        )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.RENEWED
    assert (renewal.status, renewal.price, renewal.agreed_quantity, renewal.renewed_from_id) == (
        ContractStatus.AWAITING,
        Decimal("76.00"),
        80,
        contract.pk,
    )
    assert renewal.cycle_start == contract.cycle_end + dt.timedelta(days=1)
    assert Listing.objects.get(pk=aw.w.listing.pk).price == Decimal("76.00")
    # A new payment-standard version supersedes the old one from the next cycle.
    old_day = contract.cycle_end
    new_day = renewal.cycle_start
    assert payment_standard_for(consumable_id=aw.a.consumable_id, on=old_day).amount == Decimal(
        "80.00"
    )
    answer = payment_standard_for(consumable_id=aw.a.consumable_id, on=new_day)
    assert answer.amount == Decimal("76.00")
    assert answer.standard.supersedes_id == PaymentStandard.objects.order_by("pk").first().pk
    cap = payment_standard_for(consumable_id=aw.c.consumable_id, on=new_day)
    assert cap.amount == Decimal("80.75")
    assert GroupRenewal.objects.get().decision == RenewalDecision.RENEW


def test_renewal_refused_before_the_window_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = signed(aw)
    with _at_cycle_end(contract, days_before=31):
        error = _refused(
            "renewal_too_early",
            contracts.group_renew,
            actor=aw.officer,
            round_id=aw.tender.pk,
            group_id=contract.group_id,
            reason="续约",
        )
    assert error.extra["cycle_end"] == contract.cycle_end.isoformat()


def test_renewal_refused_without_contracts_in_force_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = contracted(aw)  # still awaiting signatures
    with _at_cycle_end(contract):
        _refused(
            "renewal_nothing_to_renew",
            contracts.group_renew,
            actor=aw.officer,
            round_id=aw.tender.pk,
            group_id=contract.group_id,
            reason="续约",
        )


@pytest.mark.parametrize("cut", ["1", "-0.1", "abc", 0.05, "0.00001"])
def test_renewal_price_cut_must_be_a_share(cut):
    aw = make_award_world()
    contract = signed(aw)
    with _at_cycle_end(contract):
        _refused(
            "price_cut_invalid",
            contracts.group_renew,
            actor=aw.officer,
            round_id=aw.tender.pk,
            group_id=contract.group_id,
            price_cut=cut,
            reason="续约",
        )


def test_retender_closes_the_contracts_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = signed(aw)
    with _at_cycle_end(contract):
        contracts.group_retender(
            actor=aw.officer, round_id=aw.tender.pk, group_id=contract.group_id, reason="重新招标"
        )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CLOSED
    assert GroupRenewal.objects.get().decision == RenewalDecision.RETENDER


def test_renewal_refused_to_a_hospital():
    aw = make_award_world()
    contract = signed(aw)
    with _at_cycle_end(contract):
        _refused(
            "permission_denied",
            contracts.group_renew,
            actor=aw.w.purchaser,
            round_id=aw.tender.pk,
            group_id=contract.group_id,
            reason="续约",
        )
