"""The demo's monitoring figures are real [R-MONITOR] [R-RETAINED] [R-CUTS-1000]: the bureau
sees overdue payments and lagging VBP contracts this month, retained savings this year and
products cut in price this year."""

import pytest
from django.core.management import call_command

from accounts.models import User
from core import clock
from core.management.commands.seed_demo import DEMO_MODULES
from supervision.selectors import monitoring, price_cuts, retained_savings

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            call_command("seed_demo", verbosity=0)
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_demo_monitoring_figures_are_not_zero_r_monitor_r_retained_r_cuts_1000(seeded):
    assert "supervision.demo" in DEMO_MODULES
    bureau = User.objects.get(username="bureau")
    today = clock.local_today()
    totals = monitoring.monitoring_totals(actor=bureau, month=today.replace(day=1))
    assert totals.payment.overdue_amount > 0
    assert totals.payment.overdue_count > 0
    assert totals.volume.contracts > 0
    assert totals.volume.lagging > 0
    savings, retained = retained_savings.retained_savings_totals(actor=bureau, year=today.year)
    assert savings > 0
    assert retained > 0
    count, target = price_cuts.price_cut_progress(bureau, today.year)
    assert count > 0
    assert target == 1000
