"""Each trade alert rule firing just over its threshold and not at it (docs/alerts.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, OrganizationFactory, UserFactory
from catalog.models import PriceObservation
from core import clock
from procurement.tests.award_world import make_award_world, signed
from procurement.tests.emergency_world import bought_last_year, on, register
from procurement.tests.factories import ListingFactory
from settlement.tests.pay_world import confirmed_invoice, make_pay_world
from supervision.tests.alerts_world import evaluate, rise

pytestmark = pytest.mark.django_db


def _listing(price="100.00"):
    return ListingFactory(manufacturer=OrganizationFactory(region_code="320106"), price=price)


def test_price_rise_over_the_size_fires_and_at_it_does_not_r_misconduct():
    """rise_pct 10: a rise 100 -> 110 (10%) is at the threshold, 100 -> 110.01 over it."""
    at, over = _listing("110.00"), _listing("110.01")
    by = UserFactory(organization=at.manufacturer, roles=[Role.SUPPLIER_SALES])
    rise(at, "100.00", "110.00", by=by)
    rise(over, "100.00", "110.01", by=by)
    (found,) = evaluate("price_rise", rise_pct=10)
    assert found.subject_key == f"listing:{over.pk}"
    assert found.supplier_id == over.manufacturer_id
    assert (found.measured, found.threshold) == (Decimal("10.0100"), Decimal("10"))
    assert [r["kind"] for r in found.evidence] == ["listing", "price_change"]


def test_price_rise_more_often_than_allowed_fires_r_misconduct():
    """max_rises 2: two small rises in 12 months are allowed, a third fires; a rise 13
    months ago does not count."""
    two, three = _listing(), _listing()
    by = UserFactory(organization=two.manufacturer, roles=[Role.SUPPLIER_SALES])
    for listing in (two, three):
        rise(listing, "100.00", "101.00", by=by, days_ago=400)
        rise(listing, "100.00", "101.00", by=by, days_ago=100)
        rise(listing, "101.00", "102.00", by=by, days_ago=50)
    rise(three, "102.00", "103.00", by=by, days_ago=5)
    (found,) = evaluate("price_rise", max_rises=2)
    assert found.subject_key == f"listing:{three.pk}"
    assert (found.measured, found.threshold) == (Decimal(3), Decimal(2))


def test_price_rise_outside_the_jurisdiction_is_not_seen_r_misconduct():
    far = ListingFactory(manufacturer=OrganizationFactory(region_code="440300"))
    rise(far, "100.00", "150.00", by=UserFactory(organization=far.manufacturer))
    assert evaluate("price_rise") == []
    assert len(evaluate("price_rise", region="440300")) == 1


def _observe(consumable, price: str, days_ago: int = 3, province: str = "330000"):
    return PriceObservation.objects.create(
        consumable=consumable,
        province_code=province,
        source_platform="浙江省平台",
        price=Decimal(price),
        observed_on=clock.local_today() - dt.timedelta(days=days_ago),
    )


def test_regional_price_gap_above_k_times_the_national_lowest_fires_r_misconduct():
    """factor 1.3: 130.00 against a lowest of 100.00 is at it; 130.01 above it. The lowest is
    the minimum observed in the window (an older, lower one outside it does not count)."""
    at, over = _listing("130.00"), _listing("130.01")
    for listing in (at, over):
        _observe(listing.consumable, "100.00")
        _observe(listing.consumable, "120.00", province="440000")
        _observe(listing.consumable, "50.00", days_ago=200)
    (found,) = evaluate("regional_price_gap", factor="1.3", window_days=90)
    assert found.subject_key == f"listing:{over.pk}"
    assert (found.measured, found.threshold) == (Decimal("1.3001"), Decimal("1.3"))
    assert found.evidence[1]["kind"] == "price_observation"
    assert found.evidence[1]["price"] == "100.00"
    assert len(evaluate("regional_price_gap", factor="1.3", window_days=365)) == 2


def test_emergency_share_reaching_the_near_share_of_the_cap_fires_r_emerg_cap():
    """A tier-3 hospital with 100,000.00 bought last year, its cap from the seed ratio: 79% of
    the cap used does not fire at near_pct 80, 80% does."""
    from procurement.selectors.emergency import emergency_cap_status

    day = dt.date(2026, 6, 10)
    hospital = HospitalFactory(region_code="320106")
    purchaser = UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])
    bought_last_year(hospital, Decimal("100000.00"), year=2026)
    cap = emergency_cap_status(hospital=hospital, year=2026).cap
    with on(day):
        register(purchaser, bought_on=day, price=str(cap * Decimal("0.79")))
    assert evaluate("emergency_cap", as_of=day, near_pct=80) == []
    with on(day):
        register(purchaser, bought_on=day, price=str(cap * Decimal("0.01")))
    (found,) = evaluate("emergency_cap", as_of=day, near_pct=80)
    assert found.hospital_id == hospital.pk
    assert (found.measured, found.severity) == (Decimal("80.0000"), "medium")
    assert {r["kind"] for r in found.evidence} == {"emergency_purchase"}


def test_contract_lagging_more_than_the_points_fires_r_vbp_contract():
    """A 365-day cycle with nothing bought: lag_pct 20 is reached after 73 days (20% of the
    cycle), passed after 74."""
    aw = make_award_world(cycle_days=365)
    contract = signed(aw)
    start = contract.cycle_start
    assert evaluate("contract_lag", as_of=start + dt.timedelta(days=73), lag_pct=20) == []
    (found,) = evaluate("contract_lag", as_of=start + dt.timedelta(days=74), lag_pct=20)
    assert found.subject_key == f"contract:{contract.pk}"
    assert (found.hospital_id, found.supplier_id) == (
        contract.hospital_id,
        contract.manufacturer_id,
    )
    assert found.measured > Decimal(20)
    assert [r["kind"] for r in found.evidence] == ["contract", "period"]


def test_overdue_payment_past_the_deadline_fires_and_a_paid_invoice_does_not_r_pay_30():
    """Accepted 1 Nov, due by 1 Dec (30 days): not overdue on 1 Dec, overdue on 2 Dec; with
    grace_days 5 only from 7 Dec."""
    import time_machine

    pw = make_pay_world()
    with time_machine.travel(dt.datetime(2026, 11, 1, 10, 0, tzinfo=clock.SHANGHAI), tick=False):
        invoice = confirmed_invoice(pw)
    assert evaluate("payment_overdue", as_of=dt.date(2026, 12, 1)) == []
    (found,) = evaluate("payment_overdue", as_of=dt.date(2026, 12, 2))
    assert found.hospital_id == invoice.hospital_id
    assert [r["id"] for r in found.evidence] == [invoice.pk]
    assert found.evidence[0]["due_on"] == "2026-12-01"
    assert evaluate("payment_overdue", as_of=dt.date(2026, 12, 6), grace_days=5) == []
    assert len(evaluate("payment_overdue", as_of=dt.date(2026, 12, 7), grace_days=5)) == 1


def test_an_invoice_the_hospital_paid_into_escrow_is_not_overdue_r_pay_30():
    """Two invoices accepted 1 Nov, due by 1 Dec. The hospital pays one into the escrow
    account on 20 Nov; the agency's batch has not paid the supplier out yet, which is the
    agency's delay (its settlement rate), not the hospital's. On 2 Dec only the other one is
    the hospital's overdue payment."""
    import time_machine

    from settlement.tests.pay_world import paid

    pw = make_pay_world()
    with time_machine.travel(dt.datetime(2026, 11, 1, 10, 0, tzinfo=clock.SHANGHAI), tick=False):
        paid_one = confirmed_invoice(pw)
        unpaid = confirmed_invoice(pw)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.SHANGHAI), tick=False):
        paid(pw, paid_one)
    (found,) = evaluate("payment_overdue", as_of=dt.date(2026, 12, 2))
    assert [r["id"] for r in found.evidence] == [unpaid.pk]
