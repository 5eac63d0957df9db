"""The demo's credit [R-CREDIT]: a supplier under a sanction that blocks it (a suspended
listing a hospital cannot order), a serious case on the public pages, a repair application
awaiting the bureau; the previous month's five rates frozen, with its report and the
notifications of the parties below threshold [R-FIVE-RATES]; seeding again changes nothing."""

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from accounts.models import User
from catalog import demo as catalog_demo
from core.errors import DomainError
from procurement import demo as procurement_demo
from procurement.services import orders
from settlement import demo as settlement_demo
from supervision import demo, demo_five_rates
from supervision.choices import RepairStatus
from supervision.models import CreditEvent, CreditRepair, Sanction
from supervision.selectors.credit import credit_public_cases

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
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_a_supplier_is_under_a_sanction_that_blocks_its_listing_r_credit(seeded):
    sanction = Sanction.objects.get(kind="suspend_listing", subject__name=demo.M08)
    purchaser = User.objects.get(username="h01_purchaser")
    with pytest.raises(DomainError) as error:
        orders.order_create(
            actor=purchaser,
            lines=[{"listing": sanction.listing_id, "quantity": 1}],
            department="心内科",
        )
    assert error.value.code in {"sanction_in_force", "catalogue_not_admitted"}


def test_a_serious_case_is_public_and_a_repair_awaits_the_bureau_r_credit(seeded):
    assert [e.subject.name for e in credit_public_cases()] == [demo.D05]
    assert CreditRepair.objects.filter(status=RepairStatus.PENDING).count() == 1


def test_seeding_again_changes_nothing(seeded):
    before = CreditEvent.objects.count()
    demo.seed()
    assert CreditEvent.objects.count() == before


def test_the_previous_month_is_frozen_with_rates_above_and_below_r_five_rates(seeded):
    from io import BytesIO

    from openpyxl import load_workbook

    from supervision.choices import NotificationKind, SliceKind
    from supervision.models import FiveRatesFigure, FiveRatesSnapshot, Notification
    from supervision.selectors.five_rates import current_month, previous_month

    snapshot = FiveRatesSnapshot.objects.get()
    assert snapshot.month == previous_month(current_month())
    book = load_workbook(BytesIO(bytes(snapshot.report)))
    assert len(book.sheetnames) == len(SliceKind.values)
    hospitals = FiveRatesFigure.objects.filter(snapshot=snapshot, kind=SliceKind.HOSPITAL)
    assert hospitals.values("key").distinct().count() >= 5
    counted = hospitals.filter(amount_denominator__gt=0)
    below = counted.below()
    assert below.exists()  # some rates below their threshold...
    assert counted.exclude(pk__in=below).exists()  # ...and some above
    told = Notification.objects.filter(kind=NotificationKind.FIVE_RATES)
    assert told.filter(organization__name="南京市第一医院").count() == 1
    demo_five_rates.seed()
    assert Notification.objects.filter(kind=NotificationKind.FIVE_RATES).count() == told.count()
    assert FiveRatesSnapshot.objects.count() == 1
