"""Reads of reconciliation [R-ESCROW]: the books against the payment flow, the ledger against
its published daily hashes, and the escrow account's bank statements against the transfers
the payment flow recorded.

The invariants ``reconciliation_findings`` adds to ``settlement.selectors.ledger.ledger_verify``
(each drift one Finding: what, where, the figures):

- ``escrow_drift``: per escrow account, its balance in the ledger (recomputed from its
  postings) equals what the payment tables say came in less what went out: the hospitals'
  payments into escrow (requests paid by transfer) less the requests the settlement batches
  paid out. A fund's direct payment [R-DIRECT] never passes through escrow.
- ``batch_total_drift``: a settlement batch's total equals its payouts' sum and the sum of the
  requests it settled.
- ``invoice_paid_drift``: what the payment tables say was paid for a request's invoices (the
  lines' amounts) equals what the ledger's entries for that document moved: the hospital's
  payment (or the fund's direct payment) per request, and per batch and supplier the payout
  to the supplier.
- ``published_hash_mismatch``: the hash the public pages published for a day's last entry is
  the hash recomputed from the chain today (``PublishedDayHash``): a history rewritten after
  publication shows, however consistently its hashes were recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import Organization, User
from core import clock, permissions
from core.errors import NotFoundError, PermissionDeniedError
from core.money import ZERO, quantize
from settlement.choices import AccountKind, EntryKind, PaymentLineStatus, PaymentMethod
from settlement.models import (
    Account,
    BankStatement,
    BankStatementLine,
    JournalEntry,
    PaymentRequest,
    PaymentRequestLine,
    Posting,
    PublishedDayHash,
    SettlementBatch,
    SettlementPayout,
    StatementMatch,
)
from settlement.selectors.findings import Finding, pooling_region

PAYMENT_KINDS = (EntryKind.HOSPITAL_PAYMENT, EntryKind.DIRECT_PAYMENT)


def _of_kinds(kinds: Iterable[str], prefix: str = "entry__") -> Q:
    """Entries of ``kinds`` and the reversals of such entries (a reversal keeps the source)."""
    kinds = list(kinds)
    return Q(**{f"{prefix}kind__in": kinds}) | Q(
        **{f"{prefix}kind": EntryKind.REVERSAL, f"{prefix}reverses__kind__in": kinds}
    )


def _money(value: Decimal | None) -> Decimal:
    return quantize(value or ZERO)


def escrow_findings() -> list[Finding]:
    """``escrow_drift``: each escrow account's ledger balance against received − paid out."""
    received: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid_out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    escrow_requests = PaymentRequest.objects.filter(
        method=PaymentMethod.ESCROW, paid_at__isnull=False
    )
    for region, total in (
        escrow_requests.values("region_code")
        .annotate(s=Sum("amount"))
        .values_list("region_code", "s")
    ):
        received[pooling_region(region)] += total or ZERO
    for region, total in (
        escrow_requests.filter(batch__isnull=False)
        .values("region_code")
        .annotate(s=Sum("amount"))
        .values_list("region_code", "s")
    ):
        paid_out[pooling_region(region)] += total or ZERO
    accounts = {
        account.region_code: account
        for account in Account.objects.filter(
            kind=AccountKind.ESCROW, organization__isnull=True
        ).annotate(posted=Sum("postings__amount"))
    }
    findings = []
    for region in sorted(set(accounts) | set(received)):
        account = accounts.get(region)
        ledger = _money(account.posted if account is not None else None)
        expected = quantize(received[region] - paid_out[region])
        if ledger != expected:
            findings.append(
                Finding(
                    "escrow_drift",
                    str(account) if account is not None else f"escrow {region}",
                    {
                        "account": account.pk if account is not None else None,
                        "region": region,
                        "received": str(_money(received[region])),
                        "paid_out": str(_money(paid_out[region])),
                        "expected": str(expected),
                        "ledger": str(ledger),
                    },
                )
            )
    return findings


def batch_findings() -> list[Finding]:
    """``batch_total_drift``: each batch's total, its payouts' sum, its requests' sum."""
    payouts = dict(
        SettlementPayout.objects.values("batch_id")
        .annotate(s=Sum("amount"))
        .values_list("batch_id", "s")
    )
    requests = dict(
        PaymentRequest.objects.filter(batch__isnull=False)
        .values("batch_id")
        .annotate(s=Sum("amount"))
        .values_list("batch_id", "s")
    )
    findings = []
    for pk, number, total in SettlementBatch.objects.values_list("pk", "number", "total"):
        paid, settled = _money(payouts.get(pk)), _money(requests.get(pk))
        if not (total == paid == settled):
            findings.append(
                Finding(
                    "batch_total_drift",
                    f"settlement batch {number}",
                    {
                        "batch": number,
                        "total": str(total),
                        "payouts": str(paid),
                        "requests": str(settled),
                    },
                )
            )
    return findings


def _invoices_by_request(request_ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for request_id, number in (
        PaymentRequestLine.objects.filter(request_id__in=list(request_ids))
        .exclude(status=PaymentLineStatus.DISPUTED)
        .order_by("pk")
        .values_list("request_id", "invoice__number")
    ):
        found[request_id].append(number)
    return found


def invoice_paid_findings() -> list[Finding]:
    """``invoice_paid_drift``: per request, its invoices' amounts as paid against the ledger's
    payment entry for the request; per batch and supplier, the invoices paid out against the
    batch's entry to the supplier."""
    findings: list[Finding] = []
    # 1. The hospital's payment into escrow or the fund's direct payment, per request: the
    # lines of a paid request against the credit to the hospital's payables.
    tables: dict[int, Decimal] = {
        request_id: _money(total)
        for request_id, total in PaymentRequestLine.objects.filter(request__paid_at__isnull=False)
        .exclude(status=PaymentLineStatus.DISPUTED)
        .values("request_id")
        .annotate(s=Sum("amount"))
        .values_list("request_id", "s")
    }
    ledger: dict[int, Decimal] = {}
    entries: dict[int, list[int]] = defaultdict(list)
    for request_id, amount, seq in (
        Posting.objects.filter(
            _of_kinds(PAYMENT_KINDS),
            entry__source_type="payment_request",
            account__kind=AccountKind.HOSPITAL_PAYABLE,
        )
        .order_by("entry__seq")
        .values_list("entry__source_id", "amount", "entry__seq")
    ):
        if request_id is None:
            continue
        ledger[request_id] = ledger.get(request_id, ZERO) - amount
        if seq not in entries[request_id]:
            entries[request_id].append(seq)
    drifted = [
        pk
        for pk in sorted(set(tables) | set(ledger))
        if tables.get(pk, ZERO) != ledger.get(pk, ZERO)
    ]
    if drifted:
        numbers = dict(PaymentRequest.objects.filter(pk__in=drifted).values_list("pk", "number"))
        invoices = _invoices_by_request(drifted)
        for pk in drifted:
            number = numbers.get(pk, f"#{pk}")
            findings.append(
                Finding(
                    "invoice_paid_drift",
                    f"payment request {number}",
                    {
                        "stage": "payment",
                        "request": number,
                        "invoices": invoices.get(pk, []),
                        "paid": str(_money(tables.get(pk))),
                        "ledger": str(_money(ledger.get(pk))),
                        "entries": entries.get(pk, []),
                    },
                )
            )
    # 2. The payout to the supplier, per batch and supplier: the invoices paid to the supplier
    # by escrow against the batch's debits to the supplier's receivables.
    paid: dict[tuple[int | None, int | None], Decimal] = defaultdict(lambda: ZERO)
    for batch_id, supplier_id, total in (
        PaymentRequestLine.objects.filter(status=PaymentLineStatus.PAID)
        .exclude(request__method=PaymentMethod.DIRECT)
        .values("request__batch_id", "request__supplier_id")
        .annotate(s=Sum("amount"))
        .values_list("request__batch_id", "request__supplier_id", "s")
    ):
        paid[(batch_id, supplier_id)] += total or ZERO
    posted: dict[tuple[int | None, int | None], Decimal] = defaultdict(lambda: ZERO)
    for source_id, organization_id, amount in Posting.objects.filter(
        _of_kinds([EntryKind.SETTLEMENT]),
        entry__source_type="settlement_batch",
        account__kind=AccountKind.SUPPLIER_RECEIVABLE,
    ).values_list("entry__source_id", "account__organization_id", "amount"):
        posted[(source_id, organization_id)] += amount
    keys = [k for k in set(paid) | set(posted) if _money(paid.get(k)) != _money(posted.get(k))]
    if keys:
        batches = dict(
            SettlementBatch.objects.filter(pk__in=[b for b, _s in keys if b]).values_list(
                "pk", "number"
            )
        )
        names: dict[int | None, str] = dict(
            Organization.objects.filter(pk__in=[s for _b, s in keys]).values_list("pk", "name")
        )
        for batch_key, supplier_key in sorted(keys, key=lambda k: (k[0] or 0, k[1] or 0)):
            batch = batches.get(batch_key, "-") if batch_key else "-"
            findings.append(
                Finding(
                    "invoice_paid_drift",
                    f"settlement batch {batch} · {names.get(supplier_key, str(supplier_key))}",
                    {
                        "stage": "payout",
                        "batch": batch,
                        "supplier": names.get(supplier_key, str(supplier_key)),
                        "paid": str(_money(paid.get((batch_key, supplier_key)))),
                        "ledger": str(_money(posted.get((batch_key, supplier_key)))),
                    },
                )
            )
    return findings


def published_hash_findings(computed: dict[int, str]) -> list[Finding]:
    """``published_hash_mismatch``: each published day's hash against the hash recomputed for
    its entry (``computed``: seq -> recomputed hash, from the chain's walk)."""
    findings = []
    for day, seq, published in PublishedDayHash.objects.order_by("day").values_list(
        "day", "seq", "hash"
    ):
        now = computed.get(seq)
        if now != published:
            findings.append(
                Finding(
                    "published_hash_mismatch",
                    f"{day.isoformat()} · entry #{seq}",
                    {"day": day.isoformat(), "seq": seq, "published": published, "computed": now},
                )
            )
    return findings


def published_seqs() -> set[int]:
    return set(PublishedDayHash.objects.values_list("seq", flat=True))


def reconciliation_findings(computed: dict[int, str]) -> list[Finding]:
    """The payment flow's tables against the ledger, and the ledger against its published
    hashes (the invariants of this module's docstring)."""
    return [
        *escrow_findings(),
        *batch_findings(),
        *invoice_paid_findings(),
        *published_hash_findings(computed),
    ]


# ---------------------------------------------------------------------------------------------
# The public list of daily hashes [R-ESCROW]


def day_hash_public_list() -> QuerySet[PublishedDayHash]:
    """Each published day's last entry and hash, newest first: no amounts, no parties."""
    return PublishedDayHash.objects.order_by("-day")


def days_to_publish(today: dt.date | None = None) -> list[tuple[dt.date, int, str]]:
    """The days not yet published that are over (Asia/Shanghai), each with its last entry's
    sequence number and stored hash: what the daily check publishes."""
    from django.db.models import Max
    from django.db.models.functions import TruncDate

    day = today or clock.local_today()
    start_of_today = dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)
    last = PublishedDayHash.objects.order_by("-seq").values_list("seq", "day").first()
    entries = JournalEntry.objects.filter(created_at__lt=start_of_today)
    if last is not None:
        entries = entries.filter(seq__gt=last[0])
    days = list(
        entries.annotate(day=TruncDate("created_at", tzinfo=clock.SHANGHAI))
        .values("day")
        .annotate(last=Max("seq"))
        .order_by("day")
        .values_list("day", "last")
    )
    if last is not None:
        days = [(d, s) for d, s in days if d > last[1]]
    hashes = dict(
        JournalEntry.objects.filter(seq__in=[s for _d, s in days]).values_list("seq", "hash")
    )
    return [(d, s, hashes[s]) for d, s in days]


# ---------------------------------------------------------------------------------------------
# Bank statements


def _require_view(actor: User) -> None:
    if not permissions.can(actor, "bank_statement.view"):
        raise PermissionDeniedError(action="bank_statement.view")


def bank_statement_list(*, actor: User) -> QuerySet[BankStatement]:
    _require_view(actor)
    return (
        BankStatement.objects.visible_to(actor)
        .select_related("imported_by")
        .annotate(matched=Count("lines__match"))
        .order_by("-imported_at", "-pk")
    )


def bank_statement_get(*, actor: User, statement_id: int) -> BankStatement:
    found = bank_statement_list(actor=actor).filter(pk=statement_id).first()
    if found is None:
        raise NotFoundError()
    return found


def statement_lines(*, statement: BankStatement) -> QuerySet[BankStatementLine]:
    return statement.lines.select_related(
        "match", "match__request", "match__payout", "match__payout__batch"
    ).order_by("row")


def unmatched_line_list(*, actor: User) -> QuerySet[BankStatementLine]:
    """The statement lines no recorded transfer accounts for (the home card's count)."""
    _require_view(actor)
    return (
        BankStatementLine.objects.visible_to(actor)
        .unmatched()
        .select_related("statement")
        .order_by("-booked_on", "-pk")
    )


def _in_pooling_region(region: str, rows: Iterable, field: str = "region_code") -> list:
    return [row for row in rows if pooling_region(getattr(row, field)) == region]


def _period(statement: BankStatement) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(statement.period_start, dt.time.min, tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(
        statement.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI
    )
    return start, end


def missing_payments(*, statement: BankStatement) -> list[PaymentRequest]:
    """Hospital payments into this escrow account recorded in the statement's period that no
    statement line accounts for."""
    start, end = _period(statement)
    rows = (
        PaymentRequest.objects.filter(
            method=PaymentMethod.ESCROW,
            paid_at__gte=start,
            paid_at__lt=end,
            region_code__startswith=statement.region_code[:2],
            statement_match__isnull=True,
        )
        .select_related("hospital", "supplier")
        .order_by("paid_at", "pk")
    )
    return _in_pooling_region(statement.region_code, rows)


def missing_payouts(*, statement: BankStatement) -> list[SettlementPayout]:
    """Settlement batch payouts out of this escrow account in the statement's period that no
    statement line accounts for."""
    start, end = _period(statement)
    return list(
        SettlementPayout.objects.filter(
            batch__created_at__gte=start,
            batch__created_at__lt=end,
            entry__postings__account_id=statement.account_id,
            statement_match__isnull=True,
        )
        .select_related("batch", "supplier")
        .distinct()
        .order_by("batch__created_at", "pk")
    )


def statement_summary(*, statement: BankStatement) -> dict:
    lines = statement.lines.all()
    matched = StatementMatch.objects.filter(line__statement=statement).count()
    return {"lines": lines.count(), "matched": matched, "unmatched": lines.count() - matched}


def finding_label(check: str) -> str:
    """What a finding's check means, for people."""
    from django.utils.translation import gettext as _

    return {
        "entry_unbalanced": _("An entry does not balance"),
        "account_totals_drift": _("An account's totals differ from its postings"),
        "account_below_floor": _("An account is below its floor"),
        "chain_gap": _("A gap in the entries' sequence"),
        "chain_broken": _("An entry's hash does not match its content"),
        "escrow_drift": _("Escrow's balance differs from what was received less paid out"),
        "batch_total_drift": _("A settlement batch's total differs from its payouts"),
        "invoice_paid_drift": _("What was paid for invoices differs from the ledger"),
        "published_hash_mismatch": _("A published daily hash no longer matches the ledger"),
    }.get(check, check)
