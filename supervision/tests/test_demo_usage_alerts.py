"""The demo's usage-based alerts [R-ALERT-USE] [R-ZERO-MARKUP]: evaluated at today over the
seeded demo, each rule finds at least the case supervision.demo_usage_alerts staged; seeding
again records nothing more."""

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from accounts.demo import CITY
from catalog import demo as catalog_demo
from core import clock
from procurement import demo as procurement_demo
from procurement.models import UsageRecord
from supervision import demo_usage_alerts
from supervision.selectors.usage_alerts import (
    doctor_brand_share,
    off_platform,
    usage_per_operation,
    zero_markup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            accounts_demo.seed()
            catalog_demo.seed()
            procurement_demo.seed()
            demo_usage_alerts.seed()
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def evaluate(rule):
    return rule(region_code=CITY, params={}, as_of=clock.local_today())


def test_the_demo_doctor_prefers_one_brand_r_alert_use(seeded):
    [finding] = [
        f
        for f in evaluate(doctor_brand_share)
        if f":doctor:{demo_usage_alerts.BRAND_DOCTOR}:" in f.subject_key
    ]
    assert finding.measured == 90
    assert finding.severity == "medium"


def test_the_demo_operation_uses_far_more_than_its_peers_r_alert_use(seeded):
    findings = [
        f
        for f in evaluate(usage_per_operation)
        if f.subject_key.endswith(f":dept:{demo_usage_alerts.PER_OPERATION_DEPARTMENT}")
    ]
    assert len(findings) == 1
    assert findings[0].evidence[0]["quantity"] == 6
    assert findings[0].evidence[0]["peers"] == 12


def test_the_demo_charges_a_patient_over_the_purchase_price_r_zero_markup(seeded):
    [finding] = evaluate(zero_markup)
    assert finding.severity == "high"
    record = finding.evidence[1]
    assert record["lot_match"] is True
    assert record["charged_price"] != record["purchase_price"]


def test_the_demo_uses_a_product_never_bought_on_the_platform_r_alert_use(seeded):
    findings = evaluate(off_platform)
    staged = UsageRecord.objects.filter(
        operation_id__startswith=demo_usage_alerts.PREFIX, doctor_code="D01986"
    ).values_list("consumable_id", flat=True)
    assert staged
    assert set(staged) <= {int(f.subject_key.rsplit(":", 1)[1]) for f in findings}


def test_seeding_again_records_nothing_more(seeded):
    before = UsageRecord.objects.count()
    demo_usage_alerts.seed()
    assert UsageRecord.objects.count() == before
