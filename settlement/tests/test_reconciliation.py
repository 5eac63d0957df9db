"""Reconciliation [R-ESCROW]: the daily check's invariants between the payment flow's tables
and the ledger (escrow = received − paid out, batch totals, what was paid per invoice), each
shown by rewriting rows as the owner; and the published daily hashes that a consistently
rewritten history no longer reproduces."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import HospitalFactory, OrganizationFactory
from core import clock
from core.privileges import owner_connection
from settlement.choices import AccountKind, EntryKind
from settlement.models import JournalEntry, LedgerCheck, PublishedDayHash, SettlementPayout
from settlement.selectors.ledger import (
    books_verify,
    entry_hash,
    ledger_verify,
    timestamp_text,
)
from settlement.services import payments
from settlement.services.ledger import (
    Leg,
    account_for,
    day_hashes_publish,
    entry_post,
    ledger_check_run,
)
from settlement.tests.pay_world import make_pay_world, paid

pytestmark = pytest.mark.django_db

D = Decimal


def _checks(findings) -> list[tuple[str, str]]:
    return sorted((f.check, f.object) for f in findings)


def _owner(sql: str, params: list, *, table: str | None = None) -> None:
    """Rewrite rows as the owner (the runtime role may not); append-only tables' triggers off."""
    with owner_connection() as owner, owner.cursor() as cursor:
        if table:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if table:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.mark.django_db(transaction=True)
def test_each_drift_between_the_payment_tables_and_the_ledger_is_a_finding_r_escrow(caplog):
    pw = make_pay_world()
    settled_one, settled_two = paid(pw), paid(pw)
    batch = payments.settlement_batch_run(actor=pw.agency)
    waiting = paid(pw)  # paid into escrow, not yet paid out
    escrow = account_for(kind=AccountKind.ESCROW, region_code="320100")
    assert escrow.balance == waiting.amount
    # A clean run: no finding, and the check says the books hold.
    assert ledger_verify() == []
    assert ledger_check_run().ok is True

    # 1. Escrow: the recorded payment into escrow rewritten (one fen more).
    _owner(
        "UPDATE settlement_paymentrequest SET amount = amount + 0.01 WHERE id = %s", [waiting.pk]
    )
    findings = ledger_verify()
    assert _checks(findings) == [("escrow_drift", str(escrow))]
    assert findings[0].detail == {
        "account": escrow.pk,
        "region": "320100",
        "received": str(settled_one.amount + settled_two.amount + waiting.amount + D("0.01")),
        "paid_out": str(settled_one.amount + settled_two.amount),
        "expected": str(waiting.amount + D("0.01")),
        "ledger": str(waiting.amount),
    }
    _owner(
        "UPDATE settlement_paymentrequest SET amount = amount - 0.01 WHERE id = %s", [waiting.pk]
    )

    # 2. An invoice's paid amount rewritten on a request paid into escrow: the hospital's
    # payment entry for the request no longer says the same.
    line = waiting.lines.get()
    _owner("UPDATE settlement_paymentrequestline SET amount = 1.00 WHERE id = %s", [line.pk])
    findings = ledger_verify()
    assert _checks(findings) == [("invoice_paid_drift", f"payment request {waiting.number}")]
    assert findings[0].detail["invoices"] == [line.invoice.number]
    assert findings[0].detail["paid"] == "1.00"
    assert findings[0].detail["ledger"] == str(waiting.amount)
    assert findings[0].detail["entries"] == [waiting.payment_entry.seq]
    _owner(
        "UPDATE settlement_paymentrequestline SET amount = %s WHERE id = %s",
        [line.amount, line.pk],
    )

    # 3. A batch's payout rewritten (append-only: as the owner with its trigger off).
    payout = SettlementPayout.objects.get(batch=batch)
    _owner(
        "UPDATE settlement_settlementpayout SET amount = amount + 5 WHERE id = %s",
        [payout.pk],
        table="settlement_settlementpayout",
    )
    findings = ledger_verify()
    assert _checks(findings) == [("batch_total_drift", f"settlement batch {batch.number}")]
    assert findings[0].detail["payouts"] == str(batch.total + 5)
    assert findings[0].detail["total"] == findings[0].detail["requests"] == str(batch.total)
    _owner(
        "UPDATE settlement_settlementpayout SET amount = amount - 5 WHERE id = %s",
        [payout.pk],
        table="settlement_settlementpayout",
    )

    # 4. An invoice paid out by the batch rewritten: both its payment and its payout differ.
    line = settled_one.lines.get()
    _owner("UPDATE settlement_paymentrequestline SET amount = 2.00 WHERE id = %s", [line.pk])
    findings = ledger_verify()
    supplier = pw.sales.organization.name
    assert _checks(findings) == [
        ("invoice_paid_drift", f"payment request {settled_one.number}"),
        ("invoice_paid_drift", f"settlement batch {batch.number} · {supplier}"),
    ]
    payout_finding = next(f for f in findings if f.detail["stage"] == "payout")
    assert payout_finding.detail["ledger"] == str(batch.total)
    assert payout_finding.detail["paid"] == str(batch.total - line.amount + D("2.00"))

    # The daily check keeps the drift, logs an error and lists the findings on its page.
    with caplog.at_level(logging.ERROR, logger="settlement.services.ledger"):
        check = ledger_check_run()
    assert check.ok is False
    assert {f["check"] for f in check.findings} == {"invoice_paid_drift"}
    assert any("invoice_paid_drift" in r.getMessage() for r in caplog.records)
    client = Client()
    client.force_login(pw.agency)
    page = client.get(reverse("settlement:ledger_check_detail", args=[check.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-finding="invoice_paid_drift"') == 2
    assert settled_one.number in html
    listing = client.get(reverse("settlement:ledger_check_list"), {"ok": "0"}).content.decode()
    assert reverse("settlement:ledger_check_detail", args=[check.pk]) in listing
    api = client.get(f"/api/v1/settlement/ledger-checks/{check.pk}/")
    assert api.status_code == 200
    assert {f["check"] for f in api.json()["findings"]} == {"invoice_paid_drift"}
    assert LedgerCheck.objects.filter(ok=False).count() == 1


@pytest.fixture
def books():
    hospital, supplier = HospitalFactory(), OrganizationFactory()
    return (
        account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=hospital),
        account_for(kind=AccountKind.SUPPLIER_RECEIVABLE, organization=supplier),
    )


def _post(books, amount: str):
    payable, receivable = books
    return entry_post(
        kind=EntryKind.INVOICE_CONFIRMED,
        legs=[Leg(payable.pk, D(amount)), Leg(receivable.pk, -D(amount))],
    )


def test_the_check_publishes_each_day_once_the_day_is_over_r_escrow(books):
    for amount in ["10.00", "20.00"]:
        _post(books, amount)
    today = clock.local_today()
    assert day_hashes_publish(today) == []  # today is not over
    published = day_hashes_publish(today + dt.timedelta(days=1))
    last = JournalEntry.objects.get(seq=2)
    assert [(p.day, p.seq, p.hash) for p in published] == [(today, 2, last.hash)]
    assert day_hashes_publish(today + dt.timedelta(days=1)) == []
    _post(books, "30.00")
    assert day_hashes_publish(today + dt.timedelta(days=2)) == []  # that day is published
    assert PublishedDayHash.objects.count() == 1
    assert ledger_verify() == []


def test_the_public_page_and_api_list_each_days_hash_without_amounts_or_parties(books):
    _post(books, "1234.56")
    day_hashes_publish(clock.local_today() + dt.timedelta(days=1))
    entry = JournalEntry.objects.get()
    anonymous = Client()
    page = anonymous.get(reverse("public_ledger_hashes"))
    html = page.content.decode()
    assert page.status_code == 200
    assert entry.hash in html
    assert f'data-day="{clock.local_today():%Y-%m-%d}"' in html
    assert "1234.56" not in html
    assert "1,234.56" not in html
    assert books[0].organization.name not in html
    api = anonymous.get("/api/v1/public/ledger-hashes/")
    assert api.status_code == 200
    assert api.json()["results"] == [
        {"day": clock.local_today().isoformat(), "seq": 1, "hash": entry.hash}
    ]
    index = anonymous.get(reverse("public:index")).content.decode()
    assert reverse("public_ledger_hashes") in index


@pytest.mark.django_db(transaction=True)
def test_a_history_rewritten_after_publication_no_longer_matches_the_published_hash_r_escrow(
    books,
):
    """The owner rewrites the first entry's memo and recomputes every hash after it, so the
    chain itself is whole again: only the published hash shows the rewrite."""
    for amount in ["10.00", "20.00", "30.00"]:
        _post(books, amount)
    day_hashes_publish(clock.local_today() + dt.timedelta(days=1))
    published = PublishedDayHash.objects.get()
    assert (published.seq, ledger_verify()) == (3, [])

    prev = "0" * 64
    rewritten = []
    for entry in JournalEntry.objects.order_by("seq"):
        memo = "改写" if entry.seq == 1 else entry.memo
        new = entry_hash(
            prev_hash=prev,
            seq=entry.seq,
            kind=entry.kind,
            effective_date=entry.effective_date.isoformat(),
            created_at=timestamp_text(entry.created_at),
            source_type=entry.source_type,
            source_id=entry.source_id,
            reverses_id=entry.reverses_id,
            memo=memo,
            postings=list(entry.postings.values_list("account_id", "amount")),
        )
        rewritten.append((memo, prev, new, entry.pk))
        prev = new
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("ALTER TABLE settlement_journalentry DISABLE TRIGGER USER")
        for memo, prev_hash, new, pk in rewritten:
            cursor.execute(
                "UPDATE settlement_journalentry SET memo = %s, prev_hash = %s, hash = %s"
                " WHERE id = %s",
                [memo, prev_hash, new, pk],
            )
        cursor.execute("ALTER TABLE settlement_journalentry ENABLE TRIGGER USER")

    assert books_verify() == []  # the chain alone does not show it
    findings = ledger_verify()
    assert _checks(findings) == [
        ("published_hash_mismatch", f"{clock.local_today().isoformat()} · entry #3")
    ]
    assert findings[0].detail["published"] == published.hash
    assert findings[0].detail["computed"] == rewritten[-1][2] != published.hash
    # The public list still shows what was published, not the rewritten chain.
    html = Client().get(reverse("public_ledger_hashes")).content.decode()
    assert published.hash in html
    assert rewritten[-1][2] not in html
