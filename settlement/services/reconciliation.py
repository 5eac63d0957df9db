"""Writes of reconciliation [R-ESCROW]: importing the escrow account's bank statement and
matching its lines to the transfers the payment flow recorded.

The statement is the bank's CSV export of the pooling region's escrow account (columns in
docs/settlement-bank-file.md), UTF-8 with or without BOM or GB18030 (as Chinese banks export).
Every row is checked before anything is written; any problem refuses the whole file with every
problem's row and column. The very same file (its SHA-256) is refused the second time, and a
line whose bank serial number was imported before (an overlapping statement) is refused too,
so no bank line is ever counted twice.

Matching (``statement_match``, run by the import and again on demand, when transfers were
recorded after the import) pairs each line with at most one recorded transfer, each transfer
with at most one line (unique constraints: two runs at once match each once):

- money in, a hospital's payment into escrow: the request's transfer reference is the line's
  对方转账参考号 (or appears in its 摘要), and the amounts agree;
- money out, a settlement batch's payout to a supplier: the batch number (the bank file's
  批次号/用途) is in the line's 对方转账参考号 or 摘要, the payee (对方户名) is the supplier,
  and the amounts agree;
- a fund's direct payment [R-DIRECT] (when its transfer passes through this account): the
  payment request's number is in the reference or memo, and the amounts agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from core.errors import PermissionDeniedError
from core.money import ZERO, AmountInvalidError, parse_amount, quantize
from core.permissions import require
from settlement.choices import PaymentMethod, StatementMatchKind
from settlement.errors import BankStatementDuplicateError, BankStatementFileError
from settlement.models import (
    BankStatement,
    BankStatementLine,
    PaymentRequest,
    SettlementPayout,
    StatementMatch,
)
from settlement.selectors.ledger import pooling_region
from settlement.services.payments import escrow_account

MAX_STATEMENT_BYTES = 5 * 1024 * 1024
MAX_STATEMENT_LINES = 20_000
MAX_PROBLEMS = 100
# The header row may follow a few lines of preamble (account, period) as banks write them.
HEADER_SEARCH_ROWS = 20

# Each column's name, and the other names banks give it.
DATE = "交易日期"
SERIAL = "交易流水号"
REFERENCE = "对方转账参考号"
NAME = "对方户名"
ACCOUNT = "对方账号"
IN = "收入金额"
OUT = "支出金额"
MEMO = "摘要"
COLUMNS: dict[str, tuple[str, ...]] = {
    DATE: ("交易日期", "交易时间", "记账日期"),
    SERIAL: ("交易流水号", "流水号", "交易流水"),
    REFERENCE: ("对方转账参考号", "参考号", "对方参考号", "业务参考号"),
    NAME: ("对方户名", "对方账户名称", "对方名称", "对方单位"),
    ACCOUNT: ("对方账号", "对方账户", "对方卡号"),
    IN: ("收入金额", "贷方发生额", "收入"),
    OUT: ("支出金额", "借方发生额", "支出"),
    MEMO: ("摘要", "用途", "附言", "备注"),
}
REQUIRED = (DATE, SERIAL, IN, OUT)
LIMITS = {SERIAL: 64, REFERENCE: 120, NAME: 200, ACCOUNT: 64, MEMO: 500}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
SUMMARY_ROWS = ("合计", "总计", "本页合计", "小计")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")


@dataclass(frozen=True)
class ParsedLine:
    row: int
    booked_on: dt.date
    bank_reference: str
    counterparty_reference: str
    counterparty_name: str
    counterparty_account: str
    amount_in: Decimal
    amount_out: Decimal
    memo: str


def _problem(row: int, column: str, error: str) -> dict:
    return {"row": row, "column": column, "error": error}


def _refuse(problems: list[dict]) -> BankStatementFileError:
    first = problems[0]
    where = f"{first['row']}/{first['column']}" if first["column"] else str(first["row"])
    return BankStatementFileError(
        count=len(problems), first=f"{where}: {first['error']}", problems=problems[:MAX_PROBLEMS]
    )


def decode_statement(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (a BOM is dropped), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                return data.decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                pass
    raise _refuse([_problem(1, "", _("the file is neither UTF-8 nor GB18030 text"))])


def _cell(value: str) -> str:
    """A cell as written, without the ="…" or leading tab banks add to keep Excel off it."""
    text = value.strip().strip("\t").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    return text


def _date(text: str) -> dt.date | None:
    head = text.split()[0] if text.split() else ""
    head = head.split("T")[0]
    for form in DATE_FORMATS:
        try:
            # A calendar date as the bank wrote it: no time of day, no zone.
            return dt.datetime.strptime(head, form).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _amount(text: str) -> Decimal:
    if text in ("", "-", "--"):
        return ZERO
    value = parse_amount(text)
    if value < 0:
        raise AmountInvalidError(value=text, reason=_("negative"))
    return quantize(value)


def parse_statement(text: str) -> list[ParsedLine]:
    """Every line of the statement, or BankStatementFileError with every problem."""
    if "\x00" in text:
        raise _refuse([_problem(1, "", _("the file is not text (it contains NUL bytes)"))])
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise _refuse([_problem(1, "", _("not a CSV file: %s") % error)]) from None
    header_at, columns = None, {}
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        names = [_cell(c) for c in record]
        found = {}
        for column, aliases in COLUMNS.items():
            for position, name in enumerate(names):
                if name in aliases:
                    found[column] = position
                    break
        if DATE in found:
            header_at, columns = index, found
            break
    if header_at is None:
        raise _refuse(
            [_problem(1, DATE, _("no header row: the columns are named in docs (交易日期, …)"))]
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise _refuse([_problem(header_at + 1, c, _("the column is missing")) for c in missing])
    problems: list[dict] = []
    lines: list[ParsedLine] = []
    serials: dict[str, int] = {}
    for index, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        cells = [_cell(c) for c in record]
        if not any(cells):
            continue

        def get(column: str, cells=cells) -> str:
            position = columns.get(column)
            return cells[position] if position is not None and position < len(cells) else ""

        if any(get(DATE).startswith(word) for word in SUMMARY_ROWS) or (
            cells and any(cells[0].startswith(word) for word in SUMMARY_ROWS)
        ):
            continue
        if len(lines) >= MAX_STATEMENT_LINES:
            problems.append(_problem(index, "", _("more than %s lines") % MAX_STATEMENT_LINES))
            break
        row_problems = len(problems)
        booked = _date(get(DATE))
        if booked is None:
            problems.append(_problem(index, DATE, _("not a date (YYYY-MM-DD)")))
        serial = get(SERIAL)
        if not serial:
            problems.append(_problem(index, SERIAL, _("missing")))
        elif serial in serials:
            problems.append(_problem(index, SERIAL, _("repeats row %s") % serials[serial]))
        else:
            serials[serial] = index
        for column, limit in LIMITS.items():
            if len(get(column)) > limit:
                problems.append(_problem(index, column, _("longer than %s characters") % limit))
        amounts = {}
        for column in (IN, OUT):
            try:
                amounts[column] = _amount(get(column))
            except AmountInvalidError as error:
                problems.append(_problem(index, column, error.message))
        if len(amounts) == 2 and (amounts[IN] > 0) == (amounts[OUT] > 0):
            problems.append(
                _problem(
                    index,
                    IN,
                    _("exactly one of 收入金额 and 支出金额 must be an amount above zero"),
                )
            )
        if len(problems) > row_problems:
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        if booked is None:  # counted above; for the type checker
            continue
        lines.append(
            ParsedLine(
                row=index,
                booked_on=booked,
                bank_reference=serial,
                counterparty_reference=get(REFERENCE),
                counterparty_name=get(NAME),
                counterparty_account=get(ACCOUNT),
                amount_in=amounts[IN],
                amount_out=amounts[OUT],
                memo=get(MEMO),
            )
        )
    if not problems and not lines:
        problems.append(_problem(header_at + 2, "", _("the statement has no lines")))
    if problems:
        raise _refuse(problems)
    return lines


def _agency_region(actor: User) -> str:
    org = actor.organization
    if org is None or not org.is_regulator:
        raise PermissionDeniedError(action="bank_statement.import")
    return pooling_region(org.region_code)


def bank_statement_import(*, actor: User, file_name: str, data: bytes) -> BankStatement:
    """The agency imports its escrow account's bank statement (CSV): refused whole, with every
    problem's row and column, if any row is bad; refused if the same file was imported
    before; then its lines are matched to the recorded transfers (``statement_match``)."""
    require(actor, "bank_statement.import")
    region = _agency_region(actor)
    if len(data) > MAX_STATEMENT_BYTES:
        raise _refuse([_problem(1, "", _("the file is larger than 5 MB"))])
    digest = hashlib.sha256(data).hexdigest()
    _refuse_duplicate(digest)
    text, encoding = decode_statement(data)
    lines = parse_statement(text)
    account = escrow_account(region)
    taken = dict(
        BankStatementLine.objects.filter(
            account=account, bank_reference__in=[line.bank_reference for line in lines]
        ).values_list("bank_reference", "statement__file_name")
    )
    if taken:
        raise _refuse(
            [
                _problem(
                    line.row,
                    SERIAL,
                    _("already imported (statement %s)") % taken[line.bank_reference],
                )
                for line in lines
                if line.bank_reference in taken
            ]
        )
    try:
        with transaction.atomic():
            statement = BankStatement.objects.create(
                account=account,
                region_code=region,
                file_name=(file_name or "statement.csv")[:200],
                content_hash=digest,
                encoding=encoding,
                period_start=min(line.booked_on for line in lines),
                period_end=max(line.booked_on for line in lines),
                line_count=len(lines),
                total_in=quantize(sum((line.amount_in for line in lines), ZERO)),
                total_out=quantize(sum((line.amount_out for line in lines), ZERO)),
                imported_by=actor,
                imported_at=clock.now(),
            )
            BankStatementLine.objects.bulk_create(
                BankStatementLine(
                    statement=statement,
                    account=account,
                    row=line.row,
                    booked_on=line.booked_on,
                    bank_reference=line.bank_reference,
                    counterparty_reference=line.counterparty_reference,
                    counterparty_name=line.counterparty_name,
                    counterparty_account=line.counterparty_account,
                    amount_in=line.amount_in,
                    amount_out=line.amount_out,
                    memo=line.memo,
                )
                for line in lines
            )
    except IntegrityError:
        # The same file, or one of its lines, imported at the same moment by someone else.
        _refuse_duplicate(digest)
        raise _refuse([_problem(1, SERIAL, _("already imported (at the same moment)"))]) from None
    _match(statement)
    return statement


def _refuse_duplicate(digest: str) -> None:
    before = BankStatement.objects.filter(content_hash=digest).first()
    if before is not None:
        raise BankStatementDuplicateError(
            statement=before.pk,
            file_name=before.file_name,
            imported_at=clock.to_local(before.imported_at).strftime("%Y-%m-%d %H:%M"),
        )


def bank_statement_match(*, actor: User, statement_id: int) -> int:
    """Match the statement's unmatched lines again (transfers recorded since the import):
    how many lines were matched now."""
    from settlement.selectors.reconciliation import bank_statement_get

    require(actor, "bank_statement.import")
    statement = bank_statement_get(actor=actor, statement_id=statement_id)
    return _match(statement)


def _tokens(line: BankStatementLine) -> set[str]:
    found = set(_TOKEN.findall(line.counterparty_reference)) | set(_TOKEN.findall(line.memo))
    if line.counterparty_reference:
        found.add(line.counterparty_reference)
    return found


def _match(statement: BankStatement) -> int:
    """Pair the statement's unmatched lines with unmatched recorded transfers (module doc)."""
    lines = list(statement.lines.filter(match__isnull=True).order_by("row"))
    if not lines:
        return 0
    tokens = {line.pk: _tokens(line) for line in lines}
    every = set().union(*tokens.values())
    region = statement.region_code
    payments = [
        r
        for r in PaymentRequest.objects.filter(
            method=PaymentMethod.ESCROW,
            paid_at__isnull=False,
            transfer_reference__in=every,
            statement_match__isnull=True,
        )
        if pooling_region(r.region_code) == region
    ]
    directs = [
        r
        for r in PaymentRequest.objects.filter(
            method=PaymentMethod.DIRECT, number__in=every, statement_match__isnull=True
        )
        if pooling_region(r.region_code) == region
    ]
    payouts = list(
        SettlementPayout.objects.filter(
            batch__number__in=every,
            statement_match__isnull=True,
            entry__postings__account_id=statement.account_id,
        )
        .select_related("batch", "supplier")
        .distinct()
    )
    now = clock.now()
    taken_requests: set[int] = set()
    taken_payouts: set[int] = set()
    matches: list[StatementMatch] = []
    for line in lines:
        words = tokens[line.pk]
        found: StatementMatch | None = None
        if line.amount_in > 0:
            for r in payments:
                if (
                    r.pk not in taken_requests
                    and r.transfer_reference in words
                    and r.amount == line.amount_in
                ):
                    found = StatementMatch(
                        line=line, kind=StatementMatchKind.HOSPITAL_PAYMENT, request=r
                    )
                    taken_requests.add(r.pk)
                    break
        if found is None and line.amount_out > 0:
            for p in payouts:
                if (
                    p.pk not in taken_payouts
                    and p.batch.number in words
                    and p.amount == line.amount_out
                    and (not line.counterparty_name or line.counterparty_name == p.supplier.name)
                ):
                    found = StatementMatch(line=line, kind=StatementMatchKind.PAYOUT, payout=p)
                    taken_payouts.add(p.pk)
                    break
        if found is None:
            for r in directs:
                if r.pk not in taken_requests and r.number in words and r.amount == line.amount:
                    found = StatementMatch(
                        line=line, kind=StatementMatchKind.DIRECT_PAYMENT, request=r
                    )
                    taken_requests.add(r.pk)
                    break
        if found is not None:
            found.matched_at = now
            matches.append(found)
    # Two runs at once: the unique line and transfer columns keep each match once.
    before = StatementMatch.objects.filter(line__statement=statement).count()
    StatementMatch.objects.bulk_create(matches, ignore_conflicts=True)
    return StatementMatch.objects.filter(line__statement=statement).count() - before
