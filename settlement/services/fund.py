"""The monthly fund settlement per hospital [R-FUND-MONTHLY], run by the agency:

    open (draft) --add claims (entered, or imported from XLSX)--> draft --settle--> settled

Settling posts, in one transaction, each a ledger entry with its reason:
1. the month's claims: Dr fund_claims / Cr the hospital's fund claims due;
2. recoveries of what the fund paid on the hospital's behalf [R-DIRECT]: Dr claims due /
   Cr hospital_direct;
3. deductions for standing emergency-purchase violations [R-EMERG-DEDUCT]: Dr claims due /
   Cr fund_claims (the fund does not pay for them);
4. each advance's offset [R-ADVANCE-OFFSET]: Dr claims due / Cr the hospital's advance;
5. the net paid to the hospital: Dr claims due / Cr fund.
The claims-due account has a floor of zero, so nothing can take off more than was claimed;
what does not fit waits for the next month (settlement.selectors.fund.fund_plan).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO

import openpyxl
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock
from core.errors import NotFoundError, ValidationError
from core.money import ZERO, parse_amount
from core.permissions import require
from settlement.choices import (
    FUND_SETTLEMENT_STATES,
    AccountKind,
    AdvanceStatus,
    EntryKind,
    FundClaimSource,
    FundSettlementAction,
    FundSettlementStatus,
)
from settlement.errors import (
    FundClaimExistsError,
    FundClaimsFileError,
    FundMonthInvalidError,
    FundSettlementEmptyError,
    FundSettlementExistsError,
)
from settlement.locks import lock_advances, lock_fund_settlement
from settlement.models import (
    Advance,
    DirectSettlement,
    FundAdjustment,
    FundClaim,
    FundSettlement,
)
from settlement.selectors.fund import fund_plan
from settlement.services.ledger import Leg, account_for, entry_post

MAX_IMPORT_ROWS = 20_000
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _month(value: dt.date) -> dt.date:
    month = value.replace(day=1)
    if month > clock.local_today().replace(day=1):
        raise FundMonthInvalidError(month=f"{month:%Y-%m}", reason=_("the month has not begun"))
    return month


def _hospital(actor: User, hospital_id: int) -> Organization:
    found = Organization.objects.visible_to(actor).hospitals().filter(pk=hospital_id).first()
    if found is None:
        raise NotFoundError()
    return found


@transaction.atomic
def fund_settlement_open(*, actor: User, hospital_id: int, month: dt.date) -> FundSettlement:
    require(actor, "fund_settlement.manage")
    hospital = _hospital(actor, hospital_id)
    first = _month(month)
    try:
        with transaction.atomic():
            return FundSettlement.objects.create(hospital=hospital, month=first)
    except IntegrityError:
        raise FundSettlementExistsError(hospital=hospital.name, month=f"{first:%Y-%m}") from None


def _reference(value: object) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 60:
        raise ValidationError(
            fields={"reference": [_("Give the claim's reference (1-60 characters).")]}
        )
    return text


def _positive(value: object, field: str = "amount") -> Decimal:
    amount = parse_amount(value)
    if amount <= 0:
        raise ValidationError(fields={field: [_("Give an amount above zero.")]})
    return amount


@transaction.atomic
def fund_claim_add(
    *, actor: User, settlement_id: int, reference: str, amount: object, description: str = ""
) -> FundClaim:
    settlement = lock_fund_settlement(
        actor=actor, settlement_id=settlement_id, action="fund_settlement.manage"
    )
    FUND_SETTLEMENT_STATES.check(settlement, FundSettlementAction.ADD_CLAIM)
    ref = _reference(reference)
    value = _positive(amount)
    if settlement.claims.filter(reference=ref).exists():
        raise FundClaimExistsError(reference=ref)
    return FundClaim.objects.create(
        settlement=settlement,
        reference=ref,
        description=str(description or "")[:200],
        amount=value,
        source=FundClaimSource.ENTERED,
    )


@transaction.atomic
def fund_settlement_settle(*, actor: User, settlement_id: int) -> FundSettlement:
    """Settle the month: post the claims, the adjustments of the plan and the net payout."""
    settlement = lock_fund_settlement(
        actor=actor, settlement_id=settlement_id, action="fund_settlement.manage"
    )
    FUND_SETTLEMENT_STATES.check(settlement, FundSettlementAction.SETTLE)
    if not settlement.claims.exists():
        raise FundSettlementEmptyError()
    hospital = settlement.hospital
    # The advances this settlement may offset, locked before the plan reads their progress.
    lock_advances(Advance.objects.filter(hospital=hospital).values_list("pk", flat=True))
    plan = fund_plan(settlement=settlement)
    region = hospital.region_code
    due = account_for(kind=AccountKind.HOSPITAL_FUND_CLAIM, organization=hospital, floor=ZERO)
    claims_expense = account_for(kind=AccountKind.FUND_CLAIMS, region_code=region)
    fund = account_for(kind=AccountKind.FUND, region_code=region)
    source = ("fund_settlement", settlement.pk)
    month = f"{settlement.month:%Y-%m}"
    entry_post(
        kind=EntryKind.FUND_CLAIM,
        legs=[Leg(claims_expense.pk, plan.claims), Leg(due.pk, -plan.claims)],
        source=source,
        memo=_("Fund claims of %(month)s") % {"month": month},
        actor=actor,
    )
    for item in plan.adjustments:
        if item.amount <= 0:
            continue
        if item.kind == FundAdjustment.Kind.RECOVERY:
            other = account_for(kind=AccountKind.HOSPITAL_DIRECT, organization=hospital)
            kind = EntryKind.DIRECT_RECOVERY
        elif item.kind == FundAdjustment.Kind.DEDUCTION:
            other, kind = claims_expense, EntryKind.DEDUCTION
        else:
            other = account_for(
                kind=AccountKind.HOSPITAL_ADVANCE, organization=hospital, floor=ZERO
            )
            kind = EntryKind.ADVANCE_OFFSET
        entry = entry_post(
            kind=kind,
            legs=[Leg(due.pk, item.amount), Leg(other.pk, -item.amount)],
            source=source,
            memo=item.reason[:500],
            actor=actor,
        )
        FundAdjustment.objects.create(
            settlement=settlement,
            kind=item.kind,
            amount=item.amount,
            reason=item.reason[:500],
            advance=item.advance,
            violation_id=item.violation_id,
            purchases_to_date=item.purchases_to_date,
            cumulative_offset=item.cumulative_offset,
            entry=entry,
        )
        if item.direct_id is not None:
            DirectSettlement.objects.filter(pk=item.direct_id, deducted_at__isnull=True).update(
                deducted_at=clock.now(), deducted_by_entry=entry
            )
        if item.advance is not None:
            advance = item.advance
            advance.offset_amount += item.amount
            if advance.offset_amount >= advance.amount:
                advance.status = AdvanceStatus.CLOSED
            advance.save(update_fields=["offset_amount", "status"])
    if plan.net > 0:
        entry_post(
            kind=EntryKind.FUND_PAYOUT,
            legs=[Leg(due.pk, plan.net), Leg(fund.pk, -plan.net)],
            source=source,
            memo=_("Fund settlement of %(month)s paid out") % {"month": month},
            actor=actor,
        )
    settlement.claims_total = plan.claims
    settlement.offsets_total = plan.total(FundAdjustment.Kind.OFFSET)
    settlement.recoveries_total = plan.total(FundAdjustment.Kind.RECOVERY)
    settlement.deductions_total = plan.total(FundAdjustment.Kind.DEDUCTION)
    settlement.net_amount = plan.net
    settlement.status = FundSettlementStatus.SETTLED
    settlement.settled_at = clock.now()
    settlement.settled_by = actor
    settlement.save()
    return settlement


# --- XLSX import ------------------------------------------------------------------------------

IMPORT_COLUMNS = ("医疗机构统一社会信用代码", "结算单号", "金额", "说明")


def fund_claims_import(*, actor: User, month: dt.date, file: IO[bytes]) -> list[FundClaim]:
    """Import a month's claims for several hospitals from XLSX (columns IMPORT_COLUMNS, header
    on the first row): every row is checked first and any problem refuses the whole file with
    its row and column; the hospitals' draft settlements are opened as needed."""
    require(actor, "fund_settlement.manage")
    first = _month(month)
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        raise FundClaimsFileError(count=1, first=_("not an XLSX workbook"), problems=[]) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    if tuple(header[: len(IMPORT_COLUMNS)]) != IMPORT_COLUMNS:
        problem = {
            "row": 1,
            "column": "",
            "error": _("the header must be: %s") % "、".join(IMPORT_COLUMNS),
        }
        raise FundClaimsFileError(count=1, first=problem["error"], problems=[problem])
    hospitals = {org.uscc: org for org in Organization.objects.visible_to(actor).hospitals()}
    problems: list[dict] = []
    parsed: list[tuple[Organization, str, Decimal, str]] = []
    seen: set[tuple[int, str]] = set()
    for number, row in enumerate(rows, start=2):
        if number > MAX_IMPORT_ROWS + 1:
            problems.append({"row": number, "column": "", "error": _("too many rows")})
            break
        cells = list(row) + [None] * 4
        if all(c in (None, "") for c in cells[:4]):
            continue
        uscc, reference, amount, description = cells[:4]
        hospital = hospitals.get(str(uscc or "").strip())
        if hospital is None:
            problems.append(
                {
                    "row": number,
                    "column": IMPORT_COLUMNS[0],
                    "error": _("no such hospital in your region"),
                }
            )
            continue
        try:
            ref = _reference(reference)
        except ValidationError:
            problems.append(
                {"row": number, "column": IMPORT_COLUMNS[1], "error": _("missing or too long")}
            )
            continue
        try:
            value = _positive(str(amount) if isinstance(amount, (int, float, Decimal)) else amount)
        except ValidationError as error:
            problems.append({"row": number, "column": IMPORT_COLUMNS[2], "error": error.message})
            continue
        if (hospital.pk, ref) in seen:
            problems.append(
                {"row": number, "column": IMPORT_COLUMNS[1], "error": _("repeated in the file")}
            )
            continue
        seen.add((hospital.pk, ref))
        parsed.append((hospital, ref, value, str(description or "")[:200]))
    if problems:
        first_problem = problems[0]
        raise FundClaimsFileError(
            count=len(problems),
            first=f"{first_problem['row']}/{first_problem['column']}: {first_problem['error']}",
            problems=problems[:100],
        )
    created = []
    with transaction.atomic():
        for hospital, ref, value, description in parsed:
            settlement, _created = FundSettlement.objects.get_or_create(
                hospital=hospital, month=first
            )
            settlement = lock_fund_settlement(
                actor=actor, settlement_id=settlement.pk, action="fund_settlement.manage"
            )
            FUND_SETTLEMENT_STATES.check(settlement, FundSettlementAction.ADD_CLAIM)
            if settlement.claims.filter(reference=ref).exists():
                raise FundClaimExistsError(reference=ref)
            created.append(
                FundClaim.objects.create(
                    settlement=settlement,
                    reference=ref,
                    amount=value,
                    description=description,
                    source=FundClaimSource.IMPORTED,
                )
            )
    return created
