"""The demo's money: the finished round's advance offset month by month, one deduction, a
month left for the agency, and the books that hold afterwards."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from accounts import demo as accounts_demo
from accounts.models import User
from catalog import demo as catalog_demo
from core import clock
from core.policy import policy_for
from procurement import demo as procurement_demo
from settlement import demo
from settlement.choices import FundSettlementStatus, PaymentLineStatus
from settlement.models import (
    Advance,
    DirectSettlement,
    FundAdjustment,
    FundSettlement,
    JournalEntry,
    PaymentRequest,
    SettlementBatch,
)
from settlement.selectors.fund import fund_plan
from settlement.selectors.ledger import ledger_verify
from settlement.selectors.payments import payment_overdue_list
from settlement.services.payments import escrow_account

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """As procurement's demo test: seeded once, committed, flushed at the end."""
    with django_db_blocker.unblock():
        try:
            accounts_demo.seed()
            catalog_demo.seed()
            procurement_demo.seed()
            demo.seed()
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_the_advance_is_offset_month_by_month_r_advance_offset(seeded):
    h01 = FundSettlement.objects.filter(hospital__name="南京市第一医院").order_by("month")
    assert h01.count() >= 5
    assert {s.status for s in h01} == {FundSettlementStatus.SETTLED}
    advance = Advance.objects.get(hospital__name="南京市第一医院")
    schedule = list(
        FundAdjustment.objects.filter(advance=advance)
        .order_by("settlement__month")
        .values_list("cumulative_offset", flat=True)
    )
    assert len(schedule) >= 3
    assert schedule == sorted(schedule)
    assert len(set(schedule)) == len(schedule)  # each month offsets a little more
    assert advance.offset_amount == schedule[-1] < advance.amount
    assert Advance.objects.count() >= 3  # every hospital whose contracts are in force


def test_the_late_registration_is_deducted_and_h03s_month_waits_r_emerg_deduct(seeded):
    (deduction,) = FundAdjustment.objects.filter(kind=FundAdjustment.Kind.DEDUCTION)
    assert deduction.settlement.hospital.name == "南京市第一医院"
    assert deduction.violation.kind == "late"
    draft = FundSettlement.objects.get(status=FundSettlementStatus.DRAFT)
    assert draft.hospital.name == "江苏省人民医院"
    assert draft.claims.count() == 2


def test_the_demo_books_hold_and_a_second_seed_changes_nothing(seeded):
    assert ledger_verify() == []
    entries = JournalEntry.objects.count()
    demo.seed()
    assert JournalEntry.objects.count() == entries


# --- The payment flow (settlement.demo_payments) [R-ESCROW] [R-PAY-30] [R-DIRECT]


def _demo_request(step: str) -> PaymentRequest:
    """The demo's request of ``step``: found by what it is, not by its number."""
    from settlement.choices import PaymentMethod, PaymentRequestStatus

    rows = PaymentRequest.objects.select_related("hospital", "supplier")
    if step == "direct":
        return rows.get(method=PaymentMethod.DIRECT)
    if step == "disputed":
        return rows.get(lines__status=PaymentLineStatus.DISPUTED)
    return rows.filter(status=step).exclude(status=PaymentRequestStatus.SETTLED).get()


def test_a_batch_paid_several_suppliers_out_of_escrow_with_its_bank_file_r_escrow(seeded):
    (batch,) = SettlementBatch.objects.all()
    settled = list(batch.requests.all())
    assert batch.supplier_count == len({r.supplier_id for r in settled}) >= 2
    assert all(r.transfer_reference for r in settled)  # each paid into escrow by the hospital
    payouts = batch.payouts.all()
    assert sum(p.amount for p in payouts) == batch.total == sum(r.amount for r in settled)
    agency = User.objects.get(username="agency")
    client = Client()
    client.force_login(agency)
    response = client.get(f"/settlement/batches/{batch.pk}/bank-file/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == batch.supplier_count
    # The supplier sees what was paid, per invoice.
    request = settled[0]
    sales = User.objects.filter(organization=request.supplier).first()
    client.force_login(sales)
    page = client.get("/settlement/payments/invoices/?status=paid")
    shown = {line.invoice_id for line in page.context["page"]}
    assert set(request.lines.values_list("invoice_id", flat=True)) <= shown
    assert all(line.paid_at for line in request.lines.all())


def test_one_request_is_paid_into_escrow_awaiting_the_next_batch_r_escrow(seeded):
    from settlement.choices import PaymentRequestStatus

    waiting = PaymentRequest.objects.get(status=PaymentRequestStatus.PAID)
    assert waiting.batch is None
    assert waiting.transfer_reference
    assert waiting.paid_at > SettlementBatch.objects.get().created_at
    assert escrow_account(waiting.region_code).balance == waiting.amount


def test_one_request_awaits_the_hospital_and_one_has_a_disputed_line_r_escrow(seeded):
    from settlement.choices import PaymentRequestStatus

    (awaiting,) = PaymentRequest.objects.filter(status=PaymentRequestStatus.REQUESTED)
    assert awaiting.hospital.name == "南京市第一医院"
    disputed = _demo_request("disputed")
    line = disputed.lines.get(status=PaymentLineStatus.DISPUTED)
    assert line.dispute_reason
    assert disputed.status == PaymentRequestStatus.APPROVED
    assert disputed.amount == sum(
        x.amount for x in disputed.lines.exclude(status=PaymentLineStatus.DISPUTED)
    )
    suppliers = set(PaymentRequest.objects.values_list("supplier_id", flat=True))
    assert len(suppliers) == PaymentRequest.objects.count() >= 5  # several suppliers


def test_invoices_are_overdue_past_the_30_day_clock_r_pay_30(seeded):
    bureau = User.objects.get(username="bureau")
    overdue = list(payment_overdue_list(actor=bureau))
    assert overdue
    today = clock.local_today()
    for invoice in overdue:
        assert (today - clock.to_local(invoice.accepted_at).date()).days > 30
    # The request awaiting the hospital holds an overdue invoice: the supplier waits too long.
    awaiting = PaymentRequest.objects.get(status="requested")
    assert set(awaiting.lines.values_list("invoice_id", flat=True)) & {i.pk for i in overdue}


def test_exactly_one_direct_settlement_which_h03s_draft_recovers_r_direct(seeded):
    (direct,) = DirectSettlement.objects.all()
    assert direct.hospital.name == "江苏省人民医院"
    assert direct.deducted_at is None
    assert direct.request.status == "settled"
    assert direct.request.batch is None
    draft = FundSettlement.objects.get(status=FundSettlementStatus.DRAFT, hospital=direct.hospital)
    plan = fund_plan(settlement=draft)
    recovery = [a for a in plan.adjustments if a.kind == FundAdjustment.Kind.RECOVERY]
    assert [(a.direct_id, a.amount) for a in recovery] == [(direct.pk, direct.amount)]
    assert policy_for(direct.region_code).direct_settlement


def test_the_fund_view_shows_the_direct_settlement_ratio_r_direct(seeded):
    bureau = User.objects.get(username="bureau")
    client = Client()
    client.force_login(bureau)
    body = client.get("/api/v1/settlement/fund-view/?start=2000-01-01").json()
    direct = DirectSettlement.objects.get()
    batch = SettlementBatch.objects.get()
    assert Decimal(body["direct_amount"]) == direct.amount
    assert Decimal(body["escrow_amount"]) == batch.total
    expected = (direct.amount / (direct.amount + batch.total)).quantize(Decimal("0.0001"))
    assert Decimal(body["ratio"]) == expected
    assert Decimal(body["goal"]) == Decimal("0.5000")
    assert body["meets_goal"] is (expected >= Decimal("0.5"))


def test_a_second_seed_changes_no_payment_r_escrow(seeded):
    counts = (
        PaymentRequest.objects.count(),
        SettlementBatch.objects.count(),
        DirectSettlement.objects.count(),
        JournalEntry.objects.count(),
    )
    demo.seed()
    assert counts == (
        PaymentRequest.objects.count(),
        SettlementBatch.objects.count(),
        DirectSettlement.objects.count(),
        JournalEntry.objects.count(),
    )
    assert ledger_verify() == []
