"""The demo's money: the finished round's advance offset month by month, one deduction, a
month left for the agency, and the books that hold afterwards."""

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from catalog import demo as catalog_demo
from procurement import demo as procurement_demo
from settlement import demo
from settlement.choices import FundSettlementStatus
from settlement.models import Advance, FundAdjustment, FundSettlement, JournalEntry
from settlement.selectors.ledger import ledger_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """As procurement's demo test: seeded once, committed, flushed at the end."""
    with django_db_blocker.unblock():
        try:
            accounts_demo.seed()
            catalog_demo.seed()
            procurement_demo.seed()
            demo.seed()
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_the_advance_is_offset_month_by_month_r_advance_offset(seeded):
    h01 = FundSettlement.objects.filter(hospital__name="南京市第一医院").order_by("month")
    assert h01.count() >= 5
    assert {s.status for s in h01} == {FundSettlementStatus.SETTLED}
    advance = Advance.objects.get(hospital__name="南京市第一医院")
    schedule = list(
        FundAdjustment.objects.filter(advance=advance)
        .order_by("settlement__month")
        .values_list("cumulative_offset", flat=True)
    )
    assert len(schedule) >= 3
    assert schedule == sorted(schedule)
    assert len(set(schedule)) == len(schedule)  # each month offsets a little more
    assert advance.offset_amount == schedule[-1] < advance.amount
    assert Advance.objects.count() >= 3  # every hospital whose contracts are in force


def test_the_late_registration_is_deducted_and_h03s_month_waits_r_emerg_deduct(seeded):
    (deduction,) = FundAdjustment.objects.filter(kind=FundAdjustment.Kind.DEDUCTION)
    assert deduction.settlement.hospital.name == "南京市第一医院"
    assert deduction.violation.kind == "late"
    draft = FundSettlement.objects.get(status=FundSettlementStatus.DRAFT)
    assert draft.hospital.name == "江苏省人民医院"
    assert draft.claims.count() == 2


def test_the_demo_books_hold_and_a_second_seed_changes_nothing(seeded):
    assert ledger_verify() == []
    entries = JournalEntry.objects.count()
    demo.seed()
    assert JournalEntry.objects.count() == entries
