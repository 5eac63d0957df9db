"""The advance fund and the monthly fund settlement: the advance paid when contracts start
[R-ADVANCE], offset month by month [R-ADVANCE-OFFSET], direct payments recovered [R-DIRECT],
violations deducted [R-EMERG-DEDUCT], each a ledger entry [R-FUND-MONTHLY]."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from accounts.choices import Role
from accounts.tests.factories import AgencyFactory, HospitalFactory, UserFactory, user_with_role
from core import clock
from core.errors import InvalidStateError, NotFoundError, PermissionDeniedError
from core.money import quantize
from core.policy import RegionPolicy
from procurement.tests.award_world import bought, make_award_world, signed
from settlement.choices import AccountKind, AdvanceStatus, EntryKind, FundSettlementStatus
from settlement.errors import (
    AdvanceExistsError,
    FundClaimsFileError,
    FundMonthInvalidError,
    FundSettlementEmptyError,
)
from settlement.models import Account, Advance, FundClaim, FundSettlement, JournalEntry
from settlement.selectors.advances import offset_due
from settlement.selectors.fund import fund_settlement_actions, fund_settlement_get
from settlement.selectors.ledger import ledger_verify
from settlement.services import advances, fund

pytestmark = pytest.mark.django_db

D = Decimal


def balance(kind: str, organization=None, region="320100") -> Decimal:
    lookup = {"kind": kind}
    lookup.update({"organization": organization} if organization else {"region_code": region})
    account = Account.objects.filter(**lookup).first()
    return account.balance if account is not None else D("0.00")


@pytest.fixture
def aw():
    world = make_award_world()
    world.contract = signed(world)
    world.agency = user_with_role("agency_finance", AgencyFactory(region_code="320100"))
    return world


def test_the_worked_example_of_the_offset_formula_r_advance_offset():
    """The numbers of offset_due's docstring: agreed 1,000,000.00 at 30%."""
    advance, agreed = D("300000.00"), D("1000000.00")
    jan = offset_due(
        advance=advance,
        agreed=agreed,
        purchases=D("120000.00"),
        offset_so_far=D(0),
        cycle_ended=False,
    )
    assert jan == (D("36000.00"), D("36000.00"))
    feb = offset_due(
        advance=advance,
        agreed=agreed,
        purchases=D("250000.00"),
        offset_so_far=D("36000.00"),
        cycle_ended=False,
    )
    assert feb == (D("39000.00"), D("75000.00"))
    above = offset_due(
        advance=advance,
        agreed=agreed,
        purchases=D("1200000.00"),
        offset_so_far=D("75000.00"),
        cycle_ended=False,
    )
    assert above == (D("225000.00"), D("300000.00"))
    end = offset_due(
        advance=advance,
        agreed=agreed,
        purchases=D("910000.00"),
        offset_so_far=D("273000.00"),
        cycle_ended=True,
    )
    assert end == (D("27000.00"), D("300000.00"))
    returned = offset_due(
        advance=advance,
        agreed=agreed,
        purchases=D("100000.00"),
        offset_so_far=D("36000.00"),
        cycle_ended=False,
    )
    assert returned == (D("0.00"), D("36000.00"))


def test_the_fund_advances_the_rounds_ratio_of_the_agreed_amount_when_contracts_start_r_advance(aw):
    (advance,) = advances.advances_pay_due()
    agreed = quantize(aw.contract.agreed_quantity * aw.contract.price)
    assert advance.agreed_amount == agreed
    assert advance.amount == quantize(agreed * D("0.3"))
    assert advance.hospital == aw.w.hospital
    assert balance(AccountKind.HOSPITAL_ADVANCE, aw.w.hospital) == advance.amount
    assert balance(AccountKind.FUND) == advance.amount  # paid out by the fund
    assert advances.advances_pay_due() == []
    with pytest.raises(AdvanceExistsError):
        advances.advance_pay(
            actor=aw.agency,
            round_id=aw.tender.pk,
            hospital_id=aw.w.hospital.pk,
            cycle_start=advance.cycle_start,
        )
    assert Advance.objects.count() == 1
    assert ledger_verify() == []


def test_no_advance_before_the_cycle_starts_or_while_contracts_await_signatures_r_advance():
    future = make_award_world(cycle_start=clock.local_today() + dt.timedelta(days=40))
    signed(future)
    assert advances.advances_pay_due() == []
    assert Advance.objects.count() == 0


def _settle(aw, month: dt.date, claims: str, reference: str = "JS-1") -> FundSettlement:
    settlement = fund.fund_settlement_open(
        actor=aw.agency, hospital_id=aw.w.hospital.pk, month=month
    )
    fund.fund_claim_add(
        actor=aw.agency, settlement_id=settlement.pk, reference=reference, amount=claims
    )
    return fund.fund_settlement_settle(actor=aw.agency, settlement_id=settlement.pk)


def test_the_advance_is_offset_month_by_month_as_the_hospital_buys_r_advance_offset(aw):
    (advance,) = advances.advances_pay_due()
    month = clock.local_today().replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    in_previous = dt.datetime.combine(
        previous + dt.timedelta(days=27), dt.time(10), tzinfo=clock.SHANGHAI
    )
    with time_machine.travel(in_previous, tick=False):
        price = bought(aw, 20).lines.get().unit_price
    one = _settle(aw, previous, "10000.00")
    expected = quantize(advance.amount * quantize(20 * price) / advance.agreed_amount)
    assert expected > 0
    assert one.offsets_total == expected
    assert one.net_amount == D("10000.00") - expected
    bought(aw, 20)
    two = _settle(aw, month, "10000.00", reference="JS-2")
    cumulative = quantize(advance.amount * quantize(40 * price) / advance.agreed_amount)
    assert two.offsets_total == cumulative - expected
    advance.refresh_from_db()
    assert advance.offset_amount == cumulative
    assert balance(AccountKind.HOSPITAL_ADVANCE, aw.w.hospital) == advance.amount - cumulative
    schedule = [a.cumulative_offset for a in advance.offsets.order_by("pk")]
    assert schedule == [expected, cumulative]
    assert ledger_verify() == []


def test_what_remains_is_offset_when_the_cycle_ends_r_advance_offset(aw):
    (advance,) = advances.advances_pay_due()
    bought(aw, 10)
    after = advance.cycle_end + dt.timedelta(days=35)
    with time_machine.travel(dt.datetime.combine(after, dt.time(12)), tick=False):
        settled = _settle(aw, advance.cycle_end.replace(day=1), "100000.00")
    assert settled.offsets_total == advance.amount
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.CLOSED
    assert balance(AccountKind.HOSPITAL_ADVANCE, aw.w.hospital) == D("0.00")


def test_an_offset_larger_than_the_claims_takes_what_there_is_and_the_rest_waits_r_advance_offset(
    aw,
):
    (advance,) = advances.advances_pay_due()
    bought(aw, 80)  # the whole agreed volume: the whole advance is due
    small = _settle(aw, clock.local_today().replace(day=1), "100.00")
    assert small.offsets_total == D("100.00")
    assert small.net_amount == D("0.00")
    assert balance(AccountKind.HOSPITAL_FUND_CLAIM, aw.w.hospital) == D("0.00")
    advance.refresh_from_db()
    assert advance.offset_amount == D("100.00")


def test_standing_emergency_violations_are_deducted_once_and_pending_ones_wait_r_emerg_deduct(aw):
    from procurement.tests.emergency_world import bought_last_year, register

    today = clock.local_today()
    bought_last_year(aw.w.hospital, D("100000.00"), year=today.year)
    late = register(aw.w.purchaser, bought_on=today - dt.timedelta(days=30), price="300.00")
    over = register(aw.w.purchaser, bought_on=today, price="9000.00")  # over the 3% cap
    assert [v.kind for v in late.violations.all()] == ["late"]
    assert over.status == "pending"
    violation = late.violations.get()
    settlement = _settle(aw, today.replace(day=1), "5000.00")
    assert settlement.deductions_total == violation.amount == D("300.00")
    (deduction,) = settlement.adjustments.filter(kind="deduction")
    assert deduction.violation == violation
    assert str(late.pk) in deduction.reason
    entry = JournalEntry.objects.get(kind=EntryKind.DEDUCTION)
    assert (entry.source_type, entry.source_id) == ("fund_settlement", settlement.pk)
    assert balance(AccountKind.FUND_CLAIMS) == D("5000.00") - D("300.00")
    # Another month deducts it no more; the over-cap one waits for the bureau's decision.
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    again = _settle(aw, previous, "5000.00", "JS-9")
    assert again.deductions_total == D("0.00")


def test_a_direct_payment_larger_than_the_claims_waits_for_the_next_month_r_direct(aw):
    """A recovery is whole or waits: 700.00 paid on the hospital's behalf against claims of
    500.00 takes nothing this month and is carried; the next month, with more claims, takes it."""
    from procurement.services import invoices as invoice_services
    from procurement.tests.order_world import invoiced
    from settlement.models import DirectSettlement
    from settlement.services import payments

    RegionPolicy.objects.create(region_code="320100", direct_settlement=True)
    _order, bill = invoiced(aw.w, 7, number="99000000000000000001")
    invoice_services.invoice_confirm(actor=aw.w.finance, invoice_id=bill.pk)
    request = payments.payment_request_create(actor=aw.w.sales, invoice_ids=[bill.pk])
    payments.payment_request_approve(actor=aw.w.finance, request_id=request.pk)
    payments.payment_request_pay_direct(actor=aw.agency, request_id=request.pk)
    owed = DirectSettlement.objects.get().amount
    month = clock.local_today().replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    small = _settle(aw, previous, str(owed - D("0.01")))
    assert small.recoveries_total == D("0.00")
    assert small.net_amount == owed - D("0.01")
    assert DirectSettlement.objects.get().deducted_at is None
    big = _settle(aw, month, str(owed * 2), reference="JS-2")
    assert big.recoveries_total == owed
    assert balance(AccountKind.HOSPITAL_DIRECT, aw.w.hospital) == D("0.00")


def test_settling_twice_or_without_claims_or_for_a_future_month_is_refused(aw):
    month = clock.local_today().replace(day=1)
    settlement = fund.fund_settlement_open(
        actor=aw.agency, hospital_id=aw.w.hospital.pk, month=month
    )
    with pytest.raises(FundSettlementEmptyError):
        fund.fund_settlement_settle(actor=aw.agency, settlement_id=settlement.pk)
    assert (
        fund_settlement_actions(actor=aw.agency, settlement=settlement)["settle"].code
        == "fund_settlement_empty"
    )
    fund.fund_claim_add(actor=aw.agency, settlement_id=settlement.pk, reference="A", amount="1.00")
    fund.fund_settlement_settle(actor=aw.agency, settlement_id=settlement.pk)
    entries = JournalEntry.objects.count()
    with pytest.raises(InvalidStateError):
        fund.fund_settlement_settle(actor=aw.agency, settlement_id=settlement.pk)
    assert JournalEntry.objects.count() == entries
    with pytest.raises(FundMonthInvalidError):
        fund.fund_settlement_open(
            actor=aw.agency, hospital_id=aw.w.hospital.pk, month=month + dt.timedelta(days=40)
        )


def test_a_hospital_reads_its_own_settlements_only_and_cannot_settle(aw):
    settlement = _settle(aw, clock.local_today().replace(day=1), "10.00")
    finance = UserFactory(organization=aw.w.hospital, roles=[Role.HOSPITAL_FINANCE])
    assert fund_settlement_get(actor=finance, settlement_id=settlement.pk) == settlement
    other = user_with_role("hospital_finance", HospitalFactory())
    with pytest.raises(NotFoundError):
        fund_settlement_get(actor=other, settlement_id=settlement.pk)
    with pytest.raises(PermissionDeniedError):
        fund.fund_settlement_open(
            actor=finance, hospital_id=aw.w.hospital.pk, month=clock.local_today()
        )


def _xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(fund.IMPORT_COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_claims_import_refuses_the_whole_file_with_row_and_column_r_fund_monthly(aw):
    uscc = aw.w.hospital.uscc
    bad = _xlsx(
        [[uscc, "JS-1", "100.00", ""], [uscc, "JS-2", "-5", ""], ["91XXXX", "JS-3", "1.00", ""]]
    )
    with pytest.raises(FundClaimsFileError) as refused:
        fund.fund_claims_import(actor=aw.agency, month=clock.local_today(), file=bad)
    problems = refused.value.extra["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (3, "金额"),
        (4, "医疗机构统一社会信用代码"),
    ]
    assert FundClaim.objects.count() == 0
    with pytest.raises(FundClaimsFileError):
        fund.fund_claims_import(
            actor=aw.agency, month=clock.local_today(), file=io.BytesIO(b"not a workbook")
        )
    good = _xlsx([[uscc, "JS-1", "100.00", "门诊"], [uscc, "JS-2", 250.5, "住院"]])
    created = fund.fund_claims_import(actor=aw.agency, month=clock.local_today(), file=good)
    assert [c.amount for c in created] == [D("100.00"), D("250.50")]
    assert FundSettlement.objects.get().status == FundSettlementStatus.DRAFT
