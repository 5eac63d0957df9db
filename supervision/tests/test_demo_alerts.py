"""The demo's alerts [R-ALERT-USE] [R-MISCONDUCT]: alerts of several kinds open in the
bureau's jurisdiction (a price rise, a regional price gap, overdue payments), one
acknowledged with an assignee, each with evidence; seeding again changes nothing."""

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from accounts.models import User
from catalog import demo as catalog_demo
from procurement import demo as procurement_demo
from settlement import demo as settlement_demo
from supervision import demo, demo_alerts, demo_five_rates
from supervision.models import Alert
from supervision.selectors.alerts import alert_evidence, alert_list

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            accounts_demo.seed()
            catalog_demo.seed()
            procurement_demo.seed()
            settlement_demo.seed()
            demo.seed()
            demo_five_rates.seed()
            demo_alerts.seed()
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_alerts_of_several_kinds_are_open_for_the_bureau(seeded):
    bureau = User.objects.get(username="bureau")
    rows = alert_list(actor=bureau, status=["open", "acknowledged"])
    kinds = set(rows.values_list("rule__code", flat=True))
    assert {"price_rise", "regional_price_gap", "payment_overdue"} <= kinds
    assert rows.filter(status="open").count() >= 2
    for alert in rows:
        assert alert_evidence(alert), alert


def test_one_alert_is_acknowledged_with_an_assignee(seeded):
    alert = Alert.objects.get(status="acknowledged")
    assert alert.rule.code == "price_rise"
    assert alert.assignee.username == "bureau"


def test_seeding_again_changes_nothing(seeded):
    before = list(Alert.objects.values_list("pk", "status", "refreshed_at"))
    demo_alerts.seed()
    assert list(Alert.objects.values_list("pk", "status", "refreshed_at")) == before
