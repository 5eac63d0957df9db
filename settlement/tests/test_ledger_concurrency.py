"""The ledger under concurrent writers, on real PostgreSQL (each thread its own connection, so
these tests commit). [R-ADVANCE-OFFSET] [R-ESCROW]"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import HospitalFactory
from core import clock
from core.errors import DomainError
from settlement.choices import AccountKind, EntryKind
from settlement.errors import AccountFloorError, EntryAlreadyReversedError
from settlement.models import Account, JournalEntry
from settlement.selectors.ledger import books_verify, ledger_verify
from settlement.services.ledger import Leg, account_for, entry_post, entry_reverse

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 120
D = Decimal


def _race(target, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(TIMEOUT)
            results[index] = target(index)
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return results


def test_fifty_threads_offsetting_thirty_from_an_advance_of_a_thousand_r_advance_offset():
    """An advance account holding 1,000.00 with a floor of zero; 50 threads each offset 30.00
    at once. Exactly 33 succeed, 17 are refused with the figures, the balance ends at 10.00 and
    the chain holds 34 entries in order."""
    hospital = HospitalFactory()
    fund = account_for(kind=AccountKind.FUND, region_code="320100")
    claims = account_for(kind=AccountKind.FUND_CLAIMS, region_code="320100")
    advance = account_for(kind=AccountKind.HOSPITAL_ADVANCE, organization=hospital, floor=D("0.00"))
    entry_post(
        kind=EntryKind.ADVANCE, legs=[Leg(advance.pk, D("1000.00")), Leg(fund.pk, D("-1000.00"))]
    )

    def offset(_index):
        return entry_post(
            kind=EntryKind.ADVANCE_OFFSET,
            legs=[Leg(claims.pk, D("30.00")), Leg(advance.pk, D("-30.00"))],
        )

    results = _race(offset, 50)
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)
    ]
    assert unexpected == []
    assert sum(isinstance(r, JournalEntry) for r in results) == 33
    refused = [r for r in results if isinstance(r, AccountFloorError)]
    assert len(refused) == 17
    assert refused[0].extra["amount"] == "¥30.00"
    assert Account.objects.get(pk=advance.pk).balance == D("10.00")
    assert list(JournalEntry.objects.values_list("seq", flat=True)) == list(range(1, 35))
    assert ledger_verify() == []


def test_eight_threads_reversing_one_entry_make_one_reversal():
    hospital = HospitalFactory()
    payable = account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=hospital)
    escrow = account_for(kind=AccountKind.ESCROW, region_code="320100")
    entry = entry_post(
        kind=EntryKind.HOSPITAL_PAYMENT,
        legs=[Leg(escrow.pk, D("50.00")), Leg(payable.pk, D("-50.00"))],
    )

    results = _race(lambda _i: entry_reverse(entry_id=entry.pk, reason="重复付款"), 8)
    assert sum(isinstance(r, JournalEntry) for r in results) == 1
    assert sum(isinstance(r, EntryAlreadyReversedError) for r in results) == 7
    assert Account.objects.get(pk=escrow.pk).balance == D("0.00")
    assert ledger_verify() == []


def test_racing_entries_on_disjoint_accounts_all_land_in_one_unbroken_chain():
    hospitals = [HospitalFactory() for _ in range(8)]
    escrow = account_for(kind=AccountKind.ESCROW, region_code="320100")
    payables = [account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=h) for h in hospitals]

    def pay(index):
        return entry_post(
            kind=EntryKind.HOSPITAL_PAYMENT,
            legs=[Leg(escrow.pk, D("1.00")), Leg(payables[index].pk, D("-1.00"))],
        )

    results = _race(pay, 8)
    assert all(isinstance(r, JournalEntry) for r in results), results
    assert Account.objects.get(pk=escrow.pk).balance == D("8.00")
    # The books' own invariants: these payments into escrow have no payment request behind
    # them, which the reconciliation with the payment flow (ledger_verify) would report.
    assert books_verify() == []


def test_eight_agency_clerks_settling_one_month_at_once_settle_it_once_r_fund_monthly():
    from accounts.tests.factories import AgencyFactory, user_with_role
    from settlement.choices import FundSettlementStatus
    from settlement.models import FundSettlement
    from settlement.services import fund

    hospital = HospitalFactory()
    agency = user_with_role("agency_finance", AgencyFactory(region_code="320100"))
    settlement = fund.fund_settlement_open(
        actor=agency, hospital_id=hospital.pk, month=clock.local_today()
    )
    fund.fund_claim_add(actor=agency, settlement_id=settlement.pk, reference="A", amount="800.00")

    results = _race(
        lambda _i: fund.fund_settlement_settle(actor=agency, settlement_id=settlement.pk), 8
    )
    assert sum(isinstance(r, FundSettlement) for r in results) == 1
    assert all(
        getattr(r, "code", None) == "invalid_state" for r in results if isinstance(r, DomainError)
    )
    assert FundSettlement.objects.get().status == FundSettlementStatus.SETTLED
    # The claims entry and the payout, once.
    assert JournalEntry.objects.count() == 2
    assert account_for(kind=AccountKind.FUND, region_code="320100").balance == D("800.00")
    assert ledger_verify() == []
