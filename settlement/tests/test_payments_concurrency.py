"""The payment flow under concurrent writers, on real PostgreSQL (each thread its own
connection, so these tests commit). [R-ESCROW] [R-DIRECT]"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.errors import DomainError, InvalidStateError
from core.policy import RegionPolicy
from settlement.choices import AccountKind, EntryKind, PaymentRequestStatus
from settlement.errors import SettlementBatchEmptyError
from settlement.models import Account, JournalEntry, PaymentRequest, SettlementBatch
from settlement.selectors.ledger import ledger_verify
from settlement.services import payments
from settlement.tests.pay_world import approved, make_pay_world, paid

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
TIMEOUT = 120
# The database's connections are shared with other test runs: at most this many of the 100
# duplicate requests hold one at the same moment.
IN_FLIGHT = 16


def _race(target, count: int, *, gate: threading.Semaphore | None = None) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(TIMEOUT)
            if gate is None:
                results[index] = target(index)
            else:
                with gate:
                    try:
                        results[index] = target(index)
                    finally:
                        connection.close()
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


def _unexpected(results) -> list:
    return [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]


def test_eight_threads_racing_to_pay_one_request_pay_it_once_r_escrow():
    pw = make_pay_world()
    request = approved(pw)

    def pay(index):
        return payments.payment_request_pay(
            actor=pw.finance, request_id=request.pk, transfer_reference=f"TR-{index}"
        )

    results = _race(pay, THREADS)
    assert _unexpected(results) == []
    assert sum(isinstance(r, PaymentRequest) for r in results) == 1
    assert sum(isinstance(r, InvalidStateError) for r in results) == THREADS - 1
    assert JournalEntry.objects.filter(kind=EntryKind.HOSPITAL_PAYMENT).count() == 1
    escrow = Account.objects.get(kind=AccountKind.ESCROW, region_code="320100")
    assert escrow.balance == Decimal("1000.00")
    assert ledger_verify() == []


def test_eight_threads_racing_to_settle_one_request_settle_it_once_r_escrow():
    pw = make_pay_world()
    request = paid(pw)

    results = _race(lambda _i: payments.settlement_batch_run(actor=pw.agency), THREADS)
    assert _unexpected(results) == []
    assert sum(isinstance(r, SettlementBatch) for r in results) == 1
    assert sum(isinstance(r, SettlementBatchEmptyError) for r in results) == THREADS - 1
    assert JournalEntry.objects.filter(kind=EntryKind.SETTLEMENT).count() == 1
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.SETTLED
    escrow = Account.objects.get(kind=AccountKind.ESCROW, region_code="320100")
    assert escrow.balance == Decimal("0.00")
    assert ledger_verify() == []


def test_hospital_and_fund_racing_to_pay_one_request_make_one_payment_r_direct():
    """Four threads pay into escrow while four pay from the fund: one of the eight wins, and
    the request is paid exactly once, by one route."""
    pw = make_pay_world()
    RegionPolicy.objects.create(region_code="320100", direct_settlement=True)
    request = approved(pw)

    def pay(index):
        if index % 2:
            return payments.payment_request_pay_direct(actor=pw.agency, request_id=request.pk)
        return payments.payment_request_pay(
            actor=pw.finance, request_id=request.pk, transfer_reference=f"TR-{index}"
        )

    results = _race(pay, THREADS)
    assert _unexpected(results) == []
    assert sum(isinstance(r, PaymentRequest) for r in results) == 1
    moved = JournalEntry.objects.filter(
        kind__in=[EntryKind.HOSPITAL_PAYMENT, EntryKind.DIRECT_PAYMENT]
    )
    assert moved.count() == 1
    assert ledger_verify() == []


def test_one_idempotency_key_sent_a_hundred_times_at_once_makes_one_payment_entry():
    """The same Idempotency-Key and body, from 100 threads at once: one ledger entry; every
    answer is the stored 200 or 409 "still in flight", never a second payment."""
    pw = make_pay_world()
    request = approved(pw)
    url = f"/api/v1/settlement/payment-requests/{request.pk}/pay/"
    body = {"transfer_reference": "BOC-20261202-0042"}

    def pay(_index):
        client = APIClient()
        client.force_authenticate(pw.finance)
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-42")
        return response.status_code, response.json()

    results = _race(pay, 100, gate=threading.Semaphore(IN_FLIGHT))
    assert not [r for r in results if isinstance(r, BaseException)], results
    statuses = [status for status, _body in results]
    assert set(statuses) <= {200, 409}, results
    assert 200 in statuses
    conflicts = {body["code"] for status, body in results if status == 409}
    assert conflicts <= {"idempotency_in_flight"}, conflicts
    assert JournalEntry.objects.filter(kind=EntryKind.HOSPITAL_PAYMENT).count() == 1
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.PAID
    assert request.transfer_reference == "BOC-20261202-0042"
    assert ledger_verify() == []
