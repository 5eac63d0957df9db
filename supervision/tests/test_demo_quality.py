"""The demo's quality report [R-QUALITY]: one UDI lot accepted (scanned) by two or three
demo hospitals through procurement's services; the first reports it, the others receive the
lot notice (notification and notice), never naming the reporter; seeding again changes
nothing."""

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from accounts.models import User
from catalog import demo as catalog_demo
from procurement import demo as procurement_demo
from settlement import demo as settlement_demo
from supervision import demo, demo_five_rates, demo_quality
from supervision.choices import NotificationKind
from supervision.models import LotNotice, Notification, QualityReport
from supervision.selectors.quality import lot_receivers_unscoped

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
            demo_quality.seed()
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _org(username):
    return User.objects.get(username=username).organization


def test_one_lot_reached_several_hospitals_by_udi_scans_r_quality(seeded):
    report = QualityReport.objects.get(lot=demo_quality.DEMO_LOT)
    receivers = lot_receivers_unscoped(consumable_id=report.consumable_id, lot=report.lot)
    assert len(receivers) >= 2
    assert report.hospital == _org(demo_quality.REPORTER)
    assert report.hospital_id in receivers
    assert report.status == "filed"  # awaits the bureau; general: no credit event yet
    assert report.credit_event_id is None


def test_the_other_hospitals_receive_the_lot_notice_without_the_reporter_r_quality(seeded):
    report = QualityReport.objects.get(lot=demo_quality.DEMO_LOT)
    told = {n.organization_id for n in LotNotice.objects.filter(report=report)}
    receivers = lot_receivers_unscoped(consumable_id=report.consumable_id, lot=report.lot)
    others = set(receivers) - {report.hospital_id}
    assert others
    assert told == others
    notices = Notification.objects.filter(
        kind=NotificationKind.LOT_NOTICE, organization_id__in=others
    )
    assert notices.count() == len(others)
    assert all(report.hospital.name not in n.text for n in notices)
    assert all(demo_quality.DEMO_LOT in n.text for n in notices)


def test_seeding_quality_again_changes_nothing(seeded):
    before = (QualityReport.objects.count(), LotNotice.objects.count())
    demo_quality.seed()
    assert (QualityReport.objects.count(), LotNotice.objects.count()) == before
