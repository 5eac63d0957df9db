"""[R-CREDIT] [R-MISCONDUCT] the automatic credit sources of credit_sources_sweep (the beat
task): a supplier whose frozen delivery rate is below its threshold 3 months in a row
(LATE_DELIVERY_MONTHS) gets one ``delivery_failure`` event per run; a purchase contract whose
cycle ended with less than half its agreed quantity done gets one ``supply_failure`` event on
the manufacturer. Each fires at its threshold and not below it; sweeping again raises nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import HospitalFactory
from accounts.tests.factories import OrganizationFactory as ManufacturerFactory
from core import clock
from procurement.tests.award_world import bought, make_award_world, signed
from supervision.choices import CreditEventSource, Rate, SliceKind
from supervision.models import CreditEvent, FiveRatesFigure, FiveRatesSnapshot
from supervision.selectors.credit import LATE_DELIVERY_MONTHS
from supervision.services.credit import credit_sources_sweep
from supervision.tests.credit_world import after

pytestmark = pytest.mark.django_db


def _months_back(n: int) -> dt.date:
    month = clock.local_today().replace(day=1)
    for _i in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _frozen(months_ago: int, supplier, *districts: tuple[int, int]) -> None:
    """A frozen month with the supplier's delivery figures, one (on time, due) count pair per
    district (amounts in proportion), threshold 0.90 everywhere."""
    snapshot = FiveRatesSnapshot.objects.filter(month=_months_back(months_ago)).first()
    if snapshot is None:
        snapshot = FiveRatesSnapshot.objects.create(
            month=_months_back(months_ago), frozen_at=clock.now(), figure_count=0, report=b"x"
        )
    FiveRatesFigure.objects.bulk_create(
        [
            FiveRatesFigure(
                snapshot=snapshot,
                rate=Rate.DELIVERY,
                kind=SliceKind.SUPPLIER,
                key=str(supplier.pk),
                region_code=f"32010{n}",
                amount_numerator=Decimal(on_time * 100),
                amount_denominator=Decimal(due * 100),
                count_numerator=on_time,
                count_denominator=due,
                threshold=Decimal("0.9000"),
            )
            for n, (on_time, due) in enumerate(districts, start=1)
        ]
    )


def _late_events(supplier):
    return CreditEvent.objects.filter(subject=supplier, source=CreditEventSource.FIVE_RATES)


def test_three_months_below_in_a_row_raise_one_event_r_credit():
    """8/10 < 0.90 in each of the last three frozen months: one event, none on a second sweep."""
    supplier = ManufacturerFactory()
    for ago in (3, 2, 1):
        _frozen(ago, supplier, (8, 10))
    assert credit_sources_sweep() == 1
    (event,) = _late_events(supplier)
    assert event.item.code == "delivery_failure"
    assert f"{_months_back(3):%Y-%m}" in event.description
    assert event.sanctions.filter(kind="suspend_delivery").exists()
    assert credit_sources_sweep() == 0
    assert _late_events(supplier).count() == 1


def test_exactly_at_the_threshold_is_not_below_r_credit():
    """9/10 = 0.90 (two months 8/10): not three in a row."""
    supplier = ManufacturerFactory()
    _frozen(3, supplier, (8, 10))
    _frozen(2, supplier, (9, 10))
    _frozen(1, supplier, (8, 10))
    credit_sources_sweep()
    assert not _late_events(supplier).exists()


def test_two_months_below_is_not_a_pattern_r_credit():
    assert LATE_DELIVERY_MONTHS == 3
    supplier = ManufacturerFactory()
    _frozen(2, supplier, (0, 10))
    _frozen(1, supplier, (0, 10))
    credit_sources_sweep()
    assert not _late_events(supplier).exists()


def test_a_month_not_frozen_breaks_the_run_r_credit():
    supplier = ManufacturerFactory()
    for ago in (5, 4, 2, 1):
        _frozen(ago, supplier, (5, 10))
    credit_sources_sweep()
    assert not _late_events(supplier).exists()


def test_the_districts_are_summed_r_credit():
    """10/10 and 7/10 in two districts: 17 on time against 0.9 x 20 = 18 due: below."""
    supplier = ManufacturerFactory()
    for ago in (3, 2, 1):
        _frozen(ago, supplier, (10, 10), (7, 10))
    assert credit_sources_sweep() == 1
    assert _late_events(supplier).count() == 1


def test_a_run_going_on_is_one_pattern_and_a_new_run_another_r_credit():
    """Below for 4 months: one event; on track, then below 3 months again: a second one."""
    supplier = ManufacturerFactory()
    for ago in (8, 7, 6, 5):
        _frozen(ago, supplier, (1, 10))
    _frozen(4, supplier, (10, 10))
    credit_sources_sweep()
    assert _late_events(supplier).count() == 1
    for ago in (3, 2, 1):
        _frozen(ago, supplier, (1, 10))
    assert credit_sources_sweep() == 1
    assert _late_events(supplier).count() == 2


def test_a_hospitals_figures_are_not_a_suppliers_r_credit():
    hospital = HospitalFactory()
    for ago in (3, 2, 1):
        snapshot_month = _months_back(ago)
        snapshot = FiveRatesSnapshot.objects.filter(month=snapshot_month).first() or (
            FiveRatesSnapshot.objects.create(
                month=snapshot_month, frozen_at=clock.now(), figure_count=0, report=b"x"
            )
        )
        FiveRatesFigure.objects.create(
            snapshot=snapshot,
            rate=Rate.DELIVERY,
            kind=SliceKind.HOSPITAL,
            key=str(hospital.pk),
            region_code="320101",
            amount_numerator=0,
            amount_denominator=100,
            count_numerator=0,
            count_denominator=1,
            threshold=Decimal("0.9000"),
        )
    credit_sources_sweep()
    assert not CreditEvent.objects.filter(subject=hospital).exists()


# --- Contracts not supplied -------------------------------------------------------------------


def _contract(done: int):
    """Cycle of 400 days, started 40 days ago, agreed 80 units; ``done`` bought and kept."""
    aw = make_award_world(cycle_start=clock.local_today() - dt.timedelta(days=40), cycle_days=400)
    contract = signed(aw)
    if done:
        bought(aw, done)
    return aw, contract


def _contract_events(contract):
    return CreditEvent.objects.filter(source_key=f"contract_not_supplied:{contract.pk}")


@pytest.mark.parametrize(
    ("done", "fires"), [(39, True), (40, False)], ids=["below_half", "exactly_half"]
)
def test_a_contract_ended_far_below_its_agreed_quantity_r_misconduct(done, fires):
    aw, contract = _contract(done)
    assert credit_sources_sweep() == 0  # the cycle is running: nothing yet
    with after(361):
        credit_sources_sweep()
        assert _contract_events(contract).exists() is fires
        if fires:
            (event,) = _contract_events(contract)
            assert event.subject == aw.w.manufacturer
            assert event.item.code == "supply_failure"
            assert event.source == CreditEventSource.CONTRACT
            assert contract.number in event.description
            assert credit_sources_sweep() == 0
