"""Reads of the ledger: balances, statements, the chain's hashes and the verification that the
daily reconciliation runs (invariants recomputed from the postings themselves)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from core import clock, permissions
from core.errors import NotFoundError, PermissionDeniedError
from settlement.models import Account, JournalEntry, LedgerCheck, Posting
from settlement.selectors import reconciliation
from settlement.selectors.findings import Finding, pooling_region

__all__ = ["Finding", "pooling_region"]  # re-exported: read from here by services and tests

GENESIS_HASH = "0" * 64


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    kind: str,
    effective_date: str,
    created_at: str,
    source_type: str,
    source_id: int | None,
    reverses_id: int | None,
    memo: str,
    postings: Iterable[tuple[int, Decimal]],
) -> str:
    """SHA-256 of the entry's content and postings (sorted, amounts as fixed 2-place text)
    after the previous entry's hash: the link of the chain."""
    body = {
        "prev": prev_hash,
        "seq": seq,
        "kind": kind,
        "effective_date": effective_date,
        "created_at": created_at,
        "source": [source_type, source_id],
        "reverses": reverses_id,
        "memo": memo,
        "postings": sorted([account_id, f"{amount:.2f}"] for account_id, amount in postings),
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def timestamp_text(value: dt.datetime) -> str:
    """The created_at as hashed: UTC, microseconds, ISO 8601 (what PostgreSQL gives back)."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def chain_head() -> tuple[int, str]:
    """The last entry's sequence number and hash (0 and the genesis hash for an empty ledger)."""
    last = JournalEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last is not None else (0, GENESIS_HASH)


def last_hash_on(day: dt.date) -> str | None:
    """The hash of the last entry created on or before ``day`` (Asia/Shanghai): what the
    public pages publish each day, so that a rewritten history shows."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    return (
        JournalEntry.objects.filter(created_at__lt=end)
        .order_by("-seq")
        .values_list("hash", flat=True)
        .first()
    )


def account_list(*, actor: User) -> QuerySet[Account]:
    """The accounts the actor may see (Account.tenant_q), with their balances."""
    if not permissions.can(actor, "fund_settlement.view"):
        raise PermissionDeniedError(action="fund_settlement.view")
    return Account.objects.visible_to(actor).select_related("organization").order_by("kind", "pk")


def account_get(*, actor: User, account_id: int) -> Account:
    found = account_list(actor=actor).filter(pk=account_id).first()
    if found is None:
        raise NotFoundError()
    return found


def account_statement(*, account_id: int) -> QuerySet[Posting]:
    return (
        Posting.objects.filter(account_id=account_id)
        .select_related("entry")
        .order_by("entry__seq", "pk")
    )


def _chain_findings(
    batch: int = 2000, *, wanted: set[int] | None = None, computed: dict[int, str] | None = None
) -> Iterator[Finding]:
    """Walk the chain in ``seq`` order, recomputing each entry's hash; the recomputed hashes
    of the entries in ``wanted`` are put in ``computed`` (the published days' last entries)."""
    prev_hash, expected_seq = GENESIS_HASH, 1
    entries = JournalEntry.objects.order_by("seq").values_list(
        "pk",
        "seq",
        "kind",
        "effective_date",
        "created_at",
        "source_type",
        "source_id",
        "reverses_id",
        "memo",
        "prev_hash",
        "hash",
    )
    last_seq = 0
    while True:
        rows = list(entries.filter(seq__gt=last_seq)[:batch])
        if not rows:
            return
        legs: dict[int, list[tuple[int, Decimal]]] = {}
        for entry_id, account_id, amount in Posting.objects.filter(
            entry_id__in=[row[0] for row in rows]
        ).values_list("entry_id", "account_id", "amount"):
            legs.setdefault(entry_id, []).append((account_id, amount))
        for pk, seq, kind, day, created, stype, sid, rev, memo, stored_prev, stored in rows:
            if seq != expected_seq:
                yield Finding("chain_gap", f"entry #{seq}", {"expected_seq": expected_seq})
            recomputed = entry_hash(
                prev_hash=prev_hash,
                seq=seq,
                kind=kind,
                effective_date=day.isoformat(),
                created_at=timestamp_text(created),
                source_type=stype,
                source_id=sid,
                reverses_id=rev,
                memo=memo,
                postings=legs.get(pk, []),
            )
            if wanted is not None and computed is not None and seq in wanted:
                computed[seq] = recomputed
            if stored_prev != prev_hash or stored != recomputed:
                yield Finding(
                    "chain_broken",
                    f"entry #{seq}",
                    {"stored": stored, "computed": recomputed, "prev_hash": prev_hash},
                )
            # Go on from the stored hash so one rewritten entry is one finding, not all after.
            prev_hash, expected_seq, last_seq = stored, seq + 1, seq


def ledger_verify() -> list[Finding]:
    """Every invariant, recomputed: the books' own (``books_verify``) and the reconciliation
    of the books with the payment flow and with the published daily hashes
    (settlement.selectors.reconciliation). An empty list: the books hold."""
    wanted = reconciliation.published_seqs()
    computed: dict[int, str] = {}
    findings = books_verify(wanted=wanted, computed=computed)
    return findings + reconciliation.reconciliation_findings(computed)


def books_verify(
    *, wanted: set[int] | None = None, computed: dict[int, str] | None = None
) -> list[Finding]:
    """The books' own invariants: each entry balanced with two or more legs, each account's
    kept totals equal to its postings, no account below its floor, and the hash chain
    unbroken (``wanted``/``computed``: see ``_chain_findings``)."""
    findings: list[Finding] = []
    unbalanced = (
        JournalEntry.objects.annotate(total=Sum("postings__amount"), legs=Count("postings"))
        .filter(Q(legs__lt=2) | ~Q(total=0))
        .values_list("seq", "total", "legs")
    )
    for seq, total, legs in unbalanced:
        findings.append(
            Finding("entry_unbalanced", f"entry #{seq}", {"total": str(total), "legs": legs})
        )
    sums = Account.objects.annotate(
        posted_debits=Sum("postings__amount", filter=Q(postings__amount__gt=0)),
        posted_credits=Sum("postings__amount", filter=Q(postings__amount__lt=0)),
    )
    for account in sums:
        debits = account.posted_debits or Decimal("0.00")
        credits = -(account.posted_credits or Decimal("0.00"))
        if (debits, credits) != (account.debits, account.credits):
            findings.append(
                Finding(
                    "account_totals_drift",
                    str(account),
                    {
                        "account": account.pk,
                        "kept": [str(account.debits), str(account.credits)],
                        "posted": [str(debits), str(credits)],
                    },
                )
            )
        if account.floor is not None and account.balance < account.floor:
            findings.append(
                Finding(
                    "account_below_floor",
                    str(account),
                    {"balance": str(account.balance), "floor": str(account.floor)},
                )
            )
    findings.extend(_chain_findings(wanted=wanted, computed=computed))
    return findings


def ledger_check_list(*, actor: User, ok: bool | None = None) -> QuerySet[LedgerCheck]:
    """The daily reconciliations, newest first (``ok=False``: those that found drift)."""
    if not permissions.can(actor, "ledger_check.view"):
        raise PermissionDeniedError(action="ledger_check.view")
    checks = LedgerCheck.objects.all()
    return checks if ok is None else checks.filter(ok=ok)
