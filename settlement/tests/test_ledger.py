"""The double-entry ledger [R-ESCROW]: balanced entries only, append-only rows, exact balances,
reversals as corrections, and a hash chain that shows a rewritten history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from accounts.tests.factories import HospitalFactory, OrganizationFactory
from core.privileges import owner_connection
from settlement.choices import AccountKind, EntryKind
from settlement.errors import (
    AccountFloorError,
    EntryAlreadyReversedError,
    EntryUnbalancedError,
    PostingAmountInvalidError,
    ReversalOfReversalError,
)
from settlement.models import Account, JournalEntry, Posting
from settlement.selectors.ledger import GENESIS_HASH, ledger_verify
from settlement.services.ledger import Leg, account_for, entry_post, entry_reverse

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def books():
    hospital, supplier = HospitalFactory(), OrganizationFactory()
    return {
        "payable": account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=hospital),
        "receivable": account_for(kind=AccountKind.SUPPLIER_RECEIVABLE, organization=supplier),
        "escrow": account_for(kind=AccountKind.ESCROW, region_code="320100", floor=D("0.00")),
        "fund": account_for(kind=AccountKind.FUND, region_code="320100"),
        "advance": account_for(
            kind=AccountKind.HOSPITAL_ADVANCE, organization=hospital, floor=D("0.00")
        ),
    }


def refresh(account: Account) -> Account:
    account.refresh_from_db()
    return account


def test_money_flows_from_a_confirmed_invoice_through_escrow_to_the_supplier_r_escrow(books):
    payable, receivable, escrow = books["payable"], books["receivable"], books["escrow"]
    entry_post(
        kind=EntryKind.INVOICE_CONFIRMED,
        legs=[Leg(payable.pk, D("1234.56")), Leg(receivable.pk, D("-1234.56"))],
        source=("invoice", 7),
    )
    entry_post(
        kind=EntryKind.HOSPITAL_PAYMENT,
        legs=[Leg(escrow.pk, D("1234.56")), Leg(payable.pk, D("-1234.56"))],
    )
    assert refresh(payable).balance == D("0.00")
    assert refresh(escrow).balance == D("1234.56")
    assert refresh(receivable).balance == D("1234.56")
    entry_post(
        kind=EntryKind.SETTLEMENT,
        legs=[Leg(receivable.pk, D("1234.56")), Leg(escrow.pk, D("-1234.56"))],
    )
    assert refresh(escrow).balance == D("0.00")
    assert refresh(receivable).balance == D("0.00")
    assert [e.seq for e in JournalEntry.objects.all()] == [1, 2, 3]
    assert ledger_verify() == []


@pytest.mark.parametrize(
    ("amounts", "error"),
    [
        ([D("10.00"), D("-9.99")], EntryUnbalancedError),
        ([D("10.00")], EntryUnbalancedError),
        ([D("10.001"), D("-10.001")], PostingAmountInvalidError),
        ([D("0.00"), D("0.00")], PostingAmountInvalidError),
        ([10.0, -10.0], PostingAmountInvalidError),
    ],
    ids=["sum-not-zero", "one-leg", "below-a-fen", "zero-legs", "floats"],
)
def test_an_entry_that_does_not_balance_or_is_not_fen_exact_is_refused_and_writes_nothing(
    books, amounts, error
):
    accounts = [books["payable"], books["receivable"]]
    legs = [Leg(account.pk, amount) for account, amount in zip(accounts, amounts, strict=False)]
    with pytest.raises(error):
        entry_post(kind=EntryKind.INVOICE_CONFIRMED, legs=legs)
    assert JournalEntry.objects.count() == 0
    assert Posting.objects.count() == 0
    assert refresh(books["payable"]).debits == D("0.00")


def test_an_entry_taking_an_account_below_its_floor_is_refused_with_the_figures(books):
    with pytest.raises(AccountFloorError) as refused:
        entry_post(
            kind=EntryKind.SETTLEMENT,
            legs=[Leg(books["receivable"].pk, D("5.00")), Leg(books["escrow"].pk, D("-5.00"))],
        )
    assert refused.value.extra["balance"] == "¥0.00"
    assert refused.value.extra["amount"] == "¥5.00"
    assert JournalEntry.objects.count() == 0
    assert refresh(books["escrow"]).balance == D("0.00")


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_an_unbalanced_entry_at_commit():
    """Raw inserts, as the runtime role, past every Python check: PostgreSQL refuses at commit
    an entry whose postings do not sum to zero, and one with a single leg."""
    hospital = HospitalFactory()
    a = account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=hospital)
    b = account_for(kind=AccountKind.ESCROW, region_code="320100")

    def raw(seq: int, amounts: list[str]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO settlement_journalentry (seq, kind, effective_date, memo,"
                " source_type, created_at, prev_hash, hash)"
                " VALUES (%s, 'deduction', '2026-12-01', '', '', now(), %s, %s) RETURNING id",
                [seq, GENESIS_HASH, f"{seq:064d}"],
            )
            (entry_id,) = cursor.fetchone()
            for account, amount in zip([a, b], amounts, strict=False):
                cursor.execute(
                    "INSERT INTO settlement_posting (entry_id, account_id, amount)"
                    " VALUES (%s, %s, %s)",
                    [entry_id, account.pk, amount],
                )

    with pytest.raises(IntegrityError, match="does not balance"):
        raw(1, ["10.00", "-9.00"])
    with pytest.raises(IntegrityError, match="does not balance"):
        raw(1, ["10.00"])
    with pytest.raises(IntegrityError, match="does not balance"):
        raw(1, [])
    assert JournalEntry.objects.count() == 0
    raw(1, ["10.00", "-10.00"])
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_postings_added_later_to_a_committed_entry_are_refused_at_commit(books):
    entry = entry_post(
        kind=EntryKind.INVOICE_CONFIRMED,
        legs=[Leg(books["payable"].pk, D("3.00")), Leg(books["receivable"].pk, D("-3.00"))],
    )
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        Posting.objects.create(entry=entry, account=books["fund"], amount=D("1.00"))
    assert entry.postings.count() == 2


@pytest.mark.parametrize("statement", ["UPDATE", "DELETE", "TRUNCATE"])
@pytest.mark.parametrize("table", ["settlement_journalentry", "settlement_posting"])
def test_the_runtime_role_cannot_rewrite_or_remove_ledger_rows(books, statement, table):
    entry_post(
        kind=EntryKind.INVOICE_CONFIRMED,
        legs=[Leg(books["payable"].pk, D("3.00")), Leg(books["receivable"].pk, D("-3.00"))],
    )
    sql = {
        "UPDATE": "UPDATE {} SET id = id",
        "DELETE": "DELETE FROM {}",
        "TRUNCATE": "TRUNCATE {} CASCADE",
    }[statement].format(table)
    with pytest.raises(ProgrammingError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    assert getattr(refused.value.__cause__, "sqlstate", None) == "42501"
    assert Posting.objects.count() == 2


def test_a_reversal_undoes_an_entry_once_and_is_linked_to_it(books):
    entry = entry_post(
        kind=EntryKind.INVOICE_CONFIRMED,
        legs=[Leg(books["payable"].pk, D("88.80")), Leg(books["receivable"].pk, D("-88.80"))],
        source=("invoice", 3),
    )
    reversal = entry_reverse(entry_id=entry.pk, reason="开票金额有误")
    assert reversal.reverses == entry
    assert (reversal.source_type, reversal.source_id) == ("invoice", 3)
    assert refresh(books["payable"]).balance == D("0.00")
    assert refresh(books["payable"]).debits == D("88.80")
    with pytest.raises(EntryAlreadyReversedError):
        entry_reverse(entry_id=entry.pk, reason="again")
    with pytest.raises(ReversalOfReversalError):
        entry_reverse(entry_id=reversal.pk, reason="undo the undo")
    assert JournalEntry.objects.count() == 2
    assert ledger_verify() == []


@pytest.mark.django_db(transaction=True)
def test_a_rewritten_posting_breaks_the_chain_and_the_totals_and_verification_shows_it(books):
    """Even the owner, with the trigger disabled, cannot rewrite history unseen: the amount
    changed in place breaks that entry's hash (and only its link), and the kept totals."""
    for amount in ["10.00", "20.00", "30.00"]:
        entry_post(
            kind=EntryKind.INVOICE_CONFIRMED,
            legs=[Leg(books["payable"].pk, D(amount)), Leg(books["receivable"].pk, -D(amount))],
        )
    assert ledger_verify() == []
    second = JournalEntry.objects.get(seq=2)
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("ALTER TABLE settlement_posting DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE settlement_posting SET amount = sign(amount) * 2.00 WHERE entry_id = %s",
            [second.pk],
        )
        cursor.execute("ALTER TABLE settlement_posting ENABLE TRIGGER USER")
    findings = ledger_verify()
    # Sorted both sides: the accounts' names sort differently once translated.
    assert sorted((f.check, f.object) for f in findings) == sorted(
        [
            ("account_totals_drift", str(books["payable"])),
            ("account_totals_drift", str(books["receivable"])),
            ("chain_broken", "entry #2"),
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_a_rewritten_entry_hash_shows_as_a_broken_link_to_the_next(books):
    for amount in ["10.00", "20.00"]:
        entry_post(
            kind=EntryKind.INVOICE_CONFIRMED,
            legs=[Leg(books["payable"].pk, D(amount)), Leg(books["receivable"].pk, -D(amount))],
        )
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("ALTER TABLE settlement_journalentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE settlement_journalentry SET memo = 'rewritten' WHERE seq = 1")
        cursor.execute("ALTER TABLE settlement_journalentry ENABLE TRIGGER USER")
    assert [f.object for f in ledger_verify() if f.check == "chain_broken"] == ["entry #1"]


def test_two_first_uses_of_an_account_open_one(books):
    hospital = books["payable"].organization
    again = account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=hospital)
    assert again.pk == books["payable"].pk
    assert Account.objects.filter(kind=AccountKind.HOSPITAL_PAYABLE).count() == 1


def test_the_effective_date_is_kept_apart_from_the_time_of_posting(books):
    entry = entry_post(
        kind=EntryKind.ADVANCE,
        legs=[Leg(books["advance"].pk, D("1.00")), Leg(books["fund"].pk, D("-1.00"))],
        effective_date=dt.date(2026, 11, 30),
    )
    entry.refresh_from_db()
    assert entry.effective_date == dt.date(2026, 11, 30)
    assert entry.prev_hash == GENESIS_HASH
    assert len(entry.hash) == 64
