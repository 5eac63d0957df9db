"""A settlement batch killed half-way, for real: a separate process runs the batch against the
test database and is SIGKILLed inside its transaction; nothing of it remains, and running it
again settles each request once [R-ESCROW].

Held half-way deterministically, not by timing: the test locks the payment lines' table
against writes, so the batch reads its requests, posts its journal entries and their postings,
updates the accounts, and then waits to mark the lines paid, its last statement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.tests.test_import_worker_killed import connect, wait_until, worker_database_url
from settlement.choices import AccountKind, EntryKind, PaymentLineStatus, PaymentRequestStatus
from settlement.models import Account, JournalEntry, PaymentRequest, SettlementBatch
from settlement.selectors.ledger import ledger_verify
from settlement.services import payments
from settlement.tests.pay_world import confirmed_invoice, make_pay_world, paid

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import django
django.setup()
from accounts.models import User
from settlement.services.payments import settlement_batch_run
settlement_batch_run(actor=User.objects.get(pk={agency}))
print("settled")
"""


def test_a_batch_killed_half_way_leaves_no_entry_and_a_rerun_settles_once_r_escrow():
    pw = make_pay_world()
    requests = [paid(pw, confirmed_invoice(pw, 10)), paid(pw, confirmed_invoice(pw, 3))]
    entries_before = JournalEntry.objects.count()
    lock = connect()
    lock.execute("BEGIN")
    lock.execute("LOCK TABLE settlement_paymentrequestline IN EXCLUSIVE MODE")
    env = {
        **{k: v for k, v in os.environ.items() if k != "MIGRATE_DATABASE_URL"},
        "DATABASE_URL": worker_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SCRIPT.format(agency=pw.agency.pk)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        watcher = connect()

        def waiting_with_entries_written() -> bool:
            # The batch's session waits on the lines' table, holding the locks of its inserts
            # into the journal (its entries are written, not committed).
            row = watcher.execute(
                """
                SELECT count(*) FROM pg_locks waiting JOIN pg_locks held
                    ON held.pid = waiting.pid AND held.granted
                 WHERE NOT waiting.granted
                   AND waiting.relation = 'settlement_paymentrequestline'::regclass
                   AND held.relation = 'settlement_journalentry'::regclass
                   AND held.mode = 'RowExclusiveLock'
                """
            ).fetchone()
            return bool(row and row[0])

        wait_until(waiting_with_entries_written, "the batch to wait half-way")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        watcher.close()
    finally:
        if process.poll() is None:
            process.kill()
        lock.execute("ROLLBACK")
        lock.close()
    assert process.returncode == -signal.SIGKILL
    # The killed session's transaction is rolled back once PostgreSQL notices it gone.
    probe = connect()
    wait_until(
        lambda: (
            not probe.execute(
                "SELECT 1 FROM pg_locks WHERE relation = 'settlement_journalentry'::regclass "
                "AND pid <> pg_backend_pid()"
            ).fetchone()
        ),
        "the killed batch's session to end",
    )
    probe.close()
    assert JournalEntry.objects.count() == entries_before
    assert not SettlementBatch.objects.exists()
    assert set(PaymentRequest.objects.values_list("status", flat=True)) == {
        PaymentRequestStatus.PAID
    }
    escrow = Account.objects.get(kind=AccountKind.ESCROW, region_code="320100")
    assert escrow.balance == Decimal("1300.00")

    batch = payments.settlement_batch_run(actor=pw.agency)
    assert (batch.total, batch.request_count, batch.invoice_count) == (Decimal("1300.00"), 2, 2)
    assert JournalEntry.objects.filter(kind=EntryKind.SETTLEMENT).count() == 1
    for request in requests:
        request.refresh_from_db()
        assert request.status == PaymentRequestStatus.SETTLED
        assert set(request.lines.values_list("status", flat=True)) == {PaymentLineStatus.PAID}
    escrow.refresh_from_db()
    assert escrow.balance == Decimal("0.00")
    assert ledger_verify() == []
