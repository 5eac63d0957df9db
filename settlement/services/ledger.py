"""Writes of the ledger: open an account, post an entry, reverse one [R-ESCROW].

``entry_post`` is the only way money moves. It checks what Python can (two or more legs,
amounts exact to the fen and not zero, a zero sum, no account below its floor), locks the
accounts in pk order, then the chain, appends the entry with its hash and its postings, and
updates the accounts' totals, all in the caller's transaction: an entry either lands whole,
with its effect on every balance, or not at all (a worker killed half-way leaves nothing).
PostgreSQL checks the zero sum again at commit and the floors as CHECK constraints.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import Organization, User
from core import clock
from core.money import ZERO, format_cny, quantize
from settlement.choices import NORMAL_SIDE, EntryKind
from settlement.errors import (
    AccountFloorError,
    EntryAlreadyReversedError,
    EntryUnbalancedError,
    PostingAmountInvalidError,
    ReversalOfReversalError,
)
from settlement.locks import lock_accounts, lock_chain
from settlement.models import Account, JournalEntry, LedgerCheck, Posting, PublishedDayHash
from settlement.selectors.ledger import (
    chain_head,
    entry_hash,
    ledger_verify,
    pooling_region,
    timestamp_text,
)
from settlement.selectors.reconciliation import days_to_publish

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Leg:
    """One side of a movement: ``amount`` > 0 debits the account, < 0 credits it."""

    account_id: int
    amount: Decimal


def account_for(
    *,
    kind: str,
    organization: Organization | None = None,
    region_code: str | None = None,
    floor: Decimal | None = None,
) -> Account:
    """The account of ``kind`` for the organisation (or, for escrow and the fund, the pooling
    region of ``region_code``: its city), opened on first use. Two first uses at once open
    one account."""
    if organization is not None:
        region = organization.region_code
    elif region_code:
        region = pooling_region(region_code)
    else:
        raise ValueError("an account needs an organisation or a region")
    lookup = {"kind": kind, "organization": organization}
    if organization is None:
        lookup["region_code"] = region
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(
                kind=kind,
                normal_side=NORMAL_SIDE[kind],
                organization=organization,
                region_code=region,
                floor=floor,
            )
    except IntegrityError:
        return Account.objects.get(**lookup)


def _legs_checked(legs: Sequence[Leg]) -> list[Leg]:
    checked = []
    for leg in legs:
        if isinstance(leg.amount, float) or not isinstance(leg.amount, Decimal):
            raise PostingAmountInvalidError(amount=repr(leg.amount), reason="not a Decimal")
        if quantize(leg.amount) != leg.amount or not leg.amount.is_finite():
            raise PostingAmountInvalidError(amount=str(leg.amount), reason="not exact to the fen")
        if leg.amount == 0:
            raise PostingAmountInvalidError(amount=str(leg.amount), reason="zero")
        checked.append(Leg(leg.account_id, quantize(leg.amount)))
    total = sum((leg.amount for leg in checked), ZERO)
    if len(checked) < 2 or total != 0:
        raise EntryUnbalancedError(legs=len(checked), total=format_cny(total))
    return checked


@transaction.atomic
def entry_post(
    *,
    kind: str,
    legs: Sequence[Leg],
    effective_date=None,
    source: tuple[str, int | None] | None = None,
    memo: str = "",
    actor: User | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Append one balanced entry and apply it to its accounts' totals."""
    checked = _legs_checked(legs)
    accounts = lock_accounts(leg.account_id for leg in checked)
    moves: dict[int, tuple[Decimal, Decimal]] = {}
    for leg in checked:
        debit, credit = moves.get(leg.account_id, (ZERO, ZERO))
        if leg.amount > 0:
            debit += leg.amount
        else:
            credit -= leg.amount
        moves[leg.account_id] = (debit, credit)
    for account_id, (debit, credit) in moves.items():
        account = accounts[account_id]
        account.debits += debit
        account.credits += credit
        if account.floor is not None and account.balance < account.floor:
            taken = credit - debit if account.normal_side == "debit" else debit - credit
            raise AccountFloorError(
                account=str(account),
                balance=format_cny(account.balance + taken),
                amount=format_cny(taken),
                floor=format_cny(account.floor),
            )
    lock_chain()
    seq, prev_hash = chain_head()
    seq += 1
    created_at = clock.now()
    day = effective_date or clock.local_today()
    source_type, source_id = source if source is not None else ("", None)
    entry = JournalEntry(
        seq=seq,
        kind=kind,
        effective_date=day,
        memo=memo,
        source_type=source_type,
        source_id=source_id,
        reverses=reverses,
        created_at=created_at,
        created_by=actor,
        prev_hash=prev_hash,
        hash=entry_hash(
            prev_hash=prev_hash,
            seq=seq,
            kind=kind,
            effective_date=day.isoformat(),
            created_at=timestamp_text(created_at),
            source_type=source_type,
            source_id=source_id,
            reverses_id=reverses.pk if reverses is not None else None,
            memo=memo,
            postings=[(leg.account_id, leg.amount) for leg in checked],
        ),
    )
    entry.save(force_insert=True)
    Posting.objects.bulk_create(
        [Posting(entry=entry, account_id=leg.account_id, amount=leg.amount) for leg in checked]
    )
    for account_id, (debit, credit) in moves.items():
        Account.objects.filter(pk=account_id).update(
            debits=F("debits") + debit, credits=F("credits") + credit
        )
    return entry


@transaction.atomic
def entry_reverse(*, entry_id: int, reason: str, actor: User | None = None) -> JournalEntry:
    """A correction: the same legs with their signs turned, linked to the entry it undoes.
    An entry is reversed at most once (a unique link), and a reversal is not itself reversed."""
    # No row lock: the runtime role may not lock ledger rows (FOR UPDATE needs UPDATE). Two
    # reversals at once both pass the check below; the unique link refuses the second.
    original = JournalEntry.objects.get(pk=entry_id)
    if original.kind == EntryKind.REVERSAL:
        raise ReversalOfReversalError(seq=original.seq)
    already = JournalEntry.objects.filter(reverses=original).values_list("seq", flat=True).first()
    if already is not None:
        raise EntryAlreadyReversedError(seq=original.seq, by=already)
    legs = [
        Leg(account_id, -amount)
        for account_id, amount in original.postings.values_list("account_id", "amount")
    ]
    try:
        with transaction.atomic():
            return entry_post(
                kind=EntryKind.REVERSAL,
                legs=legs,
                source=(original.source_type, original.source_id) if original.source_type else None,
                memo=reason,
                actor=actor,
                reverses=original,
            )
    except IntegrityError as error:
        if "reverses" not in str(error):
            raise
        by = JournalEntry.objects.filter(reverses=original).values_list("seq", flat=True).first()
        raise EntryAlreadyReversedError(seq=original.seq, by=by) from None


def ledger_check_run() -> LedgerCheck:
    """The daily reconciliation: verify every invariant of the books and of their
    reconciliation with the payment flow and the published hashes, keep the result, and
    publish the hashes of the days that are over (only from a chain that verified); any
    finding is logged as an error for the operators' alerting."""
    findings = ledger_verify()
    seq, last = chain_head()
    check = LedgerCheck.objects.create(
        checked_at=clock.now(),
        entries=seq,
        last_hash=last,
        ok=not findings,
        findings=[dataclasses.asdict(f) for f in findings],
    )
    if findings:
        logger.error(
            "ledger check %s: %d findings (%s), first %s",
            check.pk,
            len(findings),
            ", ".join(sorted({f.check for f in findings})),
            findings[0],
        )
    if not any(f.check in CHAIN_CHECKS for f in findings):
        day_hashes_publish()
    return check


CHAIN_CHECKS = frozenset({"chain_broken", "chain_gap"})


def day_hashes_publish(today=None) -> list[PublishedDayHash]:
    """[R-ESCROW] publish each day that is over and not yet published: its last entry's
    sequence number and hash (settlement.selectors.reconciliation.days_to_publish). A day is
    published once (unique; a concurrent run's rows are skipped, never overwritten)."""
    now = clock.now()
    rows = [
        PublishedDayHash(day=day, seq=seq, hash=hash_, published_at=now)
        for day, seq, hash_ in days_to_publish(today)
    ]
    # ON CONFLICT DO NOTHING needs INSERT only: the table stays append-only.
    PublishedDayHash.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


@dataclasses.dataclass(frozen=True)
class EntrySpec:
    """One entry of a bulk posting (``entries_post_many``)."""

    kind: str
    legs: Sequence[Leg]
    source: tuple[str, int | None] | None = None
    memo: str = ""


@transaction.atomic
def entries_post_many(
    specs: Sequence[EntrySpec], *, effective_date=None, actor: User | None = None
) -> list[JournalEntry]:
    """Append many balanced entries at once (a settlement batch): the same checks as
    ``entry_post``, every account locked once in pk order, then the chain; hashes computed in
    order in Python; entries and postings written with one COPY each, the accounts' totals
    with one UPDATE. All or nothing, in the caller's transaction. The entries come back with
    their pks in the order given."""
    from core.bulk import copy_insert

    if not specs:
        return []
    checked = [_legs_checked(spec.legs) for spec in specs]
    moves: dict[int, list[Decimal]] = {}
    for legs in checked:
        for leg in legs:
            move = moves.setdefault(leg.account_id, [ZERO, ZERO])
            if leg.amount > 0:
                move[0] += leg.amount
            else:
                move[1] -= leg.amount
    accounts = lock_accounts(moves)
    for account_id, (debit, credit) in moves.items():
        account = accounts[account_id]
        balance_before = account.balance
        account.debits += debit
        account.credits += credit
        if account.floor is not None and account.balance < account.floor:
            raise AccountFloorError(
                account=str(account),
                balance=format_cny(balance_before),
                amount=format_cny(balance_before - account.balance),
                floor=format_cny(account.floor),
            )
    lock_chain()
    seq, prev_hash = chain_head()
    created_at = clock.now()
    day = effective_date or clock.local_today()
    stamp = timestamp_text(created_at)
    entries = []
    for spec, legs in zip(specs, checked, strict=True):
        seq += 1
        source_type, source_id = spec.source if spec.source is not None else ("", None)
        digest = entry_hash(
            prev_hash=prev_hash,
            seq=seq,
            kind=spec.kind,
            effective_date=day.isoformat(),
            created_at=stamp,
            source_type=source_type,
            source_id=source_id,
            reverses_id=None,
            memo=spec.memo,
            postings=[(leg.account_id, leg.amount) for leg in legs],
        )
        entries.append(
            JournalEntry(
                seq=seq,
                kind=spec.kind,
                effective_date=day,
                memo=spec.memo,
                source_type=source_type,
                source_id=source_id,
                created_at=created_at,
                created_by=actor,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest
    first_seq = entries[0].seq
    copy_insert(JournalEntry, entries)
    ids = dict(
        JournalEntry.objects.filter(seq__gte=first_seq, seq__lte=seq).values_list("seq", "pk")
    )
    postings: list[Posting] = []
    for entry, legs in zip(entries, checked, strict=True):
        entry.pk = ids[entry.seq]
        postings.extend(
            Posting(entry_id=entry.pk, account_id=leg.account_id, amount=leg.amount) for leg in legs
        )
    copy_insert(Posting, postings)
    from django.db import connection

    with connection.cursor() as cursor:
        values = ", ".join(["(%s, %s::numeric, %s::numeric)"] * len(moves))
        params: list = []
        for account_id, (debit, credit) in moves.items():
            params.extend([account_id, debit, credit])
        table = connection.ops.quote_name(Account._meta.db_table)
        cursor.execute(
            f"UPDATE {table} AS a SET debits = a.debits + v.d, credits = a.credits + v.c "  # noqa: S608
            f"FROM (VALUES {values}) AS v(id, d, c) WHERE a.id = v.id",
            params,
        )
    return entries
