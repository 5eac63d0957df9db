"""The payment flow, service by service [R-ESCROW] [R-PAY-30] [R-DIRECT]: what each step posts
to the ledger, what it refuses and that a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.errors import InvalidStateError, NotFoundError, PermissionDeniedError
from core.policy import RegionPolicy
from procurement.models import DeliveryLine, InvoiceLine
from settlement.choices import AccountKind, EntryKind, PaymentLineStatus, PaymentRequestStatus
from settlement.errors import (
    DirectSettlementDisabledError,
    PaymentInvoiceNotPayableError,
    PaymentTransferReferenceTakenError,
    SettlementBatchEmptyError,
    ThreeFlowsMismatchError,
)
from settlement.models import Account, DirectSettlement, JournalEntry, PaymentRequest
from settlement.selectors import payments as selectors
from settlement.selectors.ledger import ledger_verify
from settlement.services import payments
from settlement.tests.pay_world import (
    approved,
    confirmed_invoice,
    make_pay_world,
    paid,
    requested,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _balance(kind, **lookup) -> Decimal:
    account = Account.objects.filter(kind=kind, **lookup).first()
    return account.balance if account else D("0.00")


def test_money_flows_from_confirmed_invoices_to_the_paid_supplier_r_escrow():
    pw = make_pay_world()
    one, two = confirmed_invoice(pw, 10), confirmed_invoice(pw, 5)
    request = requested(pw, one, two)
    assert request.amount == D("1500.00")
    assert request.status == PaymentRequestStatus.REQUESTED
    assert JournalEntry.objects.count() == 0  # nothing is owed before the hospital approves
    payments.payment_request_approve(actor=pw.finance, request_id=request.pk)
    hospital, supplier = pw.w.hospital, pw.w.manufacturer
    assert _balance(AccountKind.HOSPITAL_PAYABLE, organization=hospital) == D("1500.00")
    assert _balance(AccountKind.SUPPLIER_RECEIVABLE, organization=supplier) == D("1500.00")
    payments.payment_request_pay(
        actor=pw.finance, request_id=request.pk, transfer_reference="BOC20261201-0001"
    )
    assert _balance(AccountKind.ESCROW, region_code="320100") == D("1500.00")
    assert _balance(AccountKind.HOSPITAL_PAYABLE, organization=hospital) == D("0.00")
    batch = payments.settlement_batch_run(actor=pw.agency)
    assert (batch.total, batch.invoice_count, batch.supplier_count) == (D("1500.00"), 2, 1)
    assert _balance(AccountKind.ESCROW, region_code="320100") == D("0.00")
    assert _balance(AccountKind.SUPPLIER_RECEIVABLE, organization=supplier) == D("0.00")
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.SETTLED
    assert request.batch == batch
    lines = selectors.payment_line_list(actor=pw.sales)
    assert {line.invoice_id: line.status for line in lines} == {
        one.pk: PaymentLineStatus.PAID,
        two.pk: PaymentLineStatus.PAID,
    }
    kinds = list(JournalEntry.objects.values_list("kind", flat=True))
    assert kinds == [EntryKind.INVOICE_CONFIRMED, EntryKind.HOSPITAL_PAYMENT, EntryKind.SETTLEMENT]
    assert ledger_verify() == []
    with pytest.raises(SettlementBatchEmptyError):
        payments.settlement_batch_run(actor=pw.agency)  # a batch run twice pays nothing twice


def test_a_disputed_line_drops_out_and_can_be_requested_again():
    pw = make_pay_world()
    one, two = confirmed_invoice(pw, 10), confirmed_invoice(pw, 5)
    request = requested(pw, one, two)
    line = request.lines.get(invoice=two)
    payments.payment_request_dispute(
        actor=pw.finance, request_id=request.pk, line_id=line.pk, reason="数量与入库不符"
    )
    request.refresh_from_db()
    assert request.amount == D("1000.00")
    assert request.status == PaymentRequestStatus.REQUESTED
    again = requested(pw, two)
    assert again.amount == D("500.00")
    with pytest.raises(PaymentInvoiceNotPayableError):
        requested(pw, one)  # still live in the first request


def test_disputing_the_last_line_closes_the_request():
    pw = make_pay_world()
    request = requested(pw)
    line = request.lines.get()
    payments.payment_request_dispute(
        actor=pw.finance, request_id=request.pk, line_id=line.pk, reason="发票抬头错误"
    )
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.DISPUTED
    assert request.amount == 0
    with pytest.raises(InvalidStateError):
        payments.payment_request_approve(actor=pw.finance, request_id=request.pk)


def test_paying_twice_and_reusing_a_transfer_are_refused():
    pw = make_pay_world()
    request = paid(pw, reference="TR-1")
    with pytest.raises(InvalidStateError):
        payments.payment_request_pay(
            actor=pw.finance, request_id=request.pk, transfer_reference="TR-2"
        )
    other = approved(pw)
    with pytest.raises(PaymentTransferReferenceTakenError):
        payments.payment_request_pay(
            actor=pw.finance, request_id=other.pk, transfer_reference="TR-1"
        )
    assert JournalEntry.objects.filter(kind=EntryKind.HOSPITAL_PAYMENT).count() == 1


def test_another_hospital_cannot_approve_and_another_supplier_cannot_see_r_escrow():
    pw = make_pay_world()
    request = requested(pw)
    from accounts.choices import Role
    from accounts.tests.factories import OrganizationFactory, UserFactory

    other_finance = UserFactory(organization=pw.w.other_hospital, roles=[Role.HOSPITAL_FINANCE])
    with pytest.raises(NotFoundError):
        payments.payment_request_approve(actor=other_finance, request_id=request.pk)
    other_sales = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    with pytest.raises(NotFoundError):
        selectors.payment_request_get(actor=other_sales, request_id=request.pk)
    assert not selectors.payment_request_list(actor=other_sales).exists()
    with pytest.raises(PermissionDeniedError):
        payments.payment_request_approve(actor=pw.sales, request_id=request.pk)


def test_three_flows_mismatch_between_invoice_and_scanned_acceptance_is_refused_r_escrow():
    """[R-ESCROW] an invoice billing 10 where only 8 were accepted with a scanned UDI (two came
    without a UDI scan) is refused with the invoice, the product and both figures."""
    pw = make_pay_world()
    invoice = confirmed_invoice(pw, 10)
    line = DeliveryLine.objects.get(order_line__invoice_lines__invoice=invoice)
    # Two of the ten were accepted without a UDI: a second, unscanned delivery line.
    DeliveryLine.objects.filter(pk=line.pk).update(quantity=8, accepted_quantity=8)
    DeliveryLine.objects.create(
        delivery=line.delivery, order_line=line.order_line, quantity=2, accepted_quantity=2
    )
    before = PaymentRequest.objects.count()
    with pytest.raises(ThreeFlowsMismatchError) as refused:
        requested(pw, invoice)
    assert refused.value.extra["invoice"] == invoice.number
    assert refused.value.extra["figures"] == "开票 10，UDI 扫码验收 8"
    assert PaymentRequest.objects.count() == before


def test_three_flows_mismatch_on_price_is_refused_when_escrow_pays_out_r_escrow():
    pw = make_pay_world()
    request = paid(pw)
    InvoiceLine.objects.filter(invoice__payment_lines__request=request).update(amount=D("999.00"))
    with pytest.raises(ThreeFlowsMismatchError) as refused:
        payments.settlement_batch_run(actor=pw.agency)
    assert "¥999.00" in refused.value.extra["figures"]
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.PAID
    assert _balance(AccountKind.ESCROW, region_code="320100") == D("1000.00")


def test_three_flows_mismatches_name_every_rule_per_invoice_r_escrow():
    """[R-ESCROW] the check the batch runs over all its invoices at once: a good invoice gives
    nothing; an invoice line off the order's price, more billed than accepted with a UDI, an
    invoice whose lines do not add up and a request for another amount each name the invoice
    and their figures; an unknown invoice id is not this check's to report."""
    pw = make_pay_world()
    good = confirmed_invoice(pw, 10)
    priced = confirmed_invoice(pw, 10)
    unscanned = confirmed_invoice(pw, 10)
    assert selectors.three_flows_mismatches({good.pk: good.amount, 10**9: D("1.00")}) == []
    InvoiceLine.objects.filter(invoice=priced).update(amount=D("999.00"))
    DeliveryLine.objects.filter(order_line__invoice_lines__invoice=unscanned).update(udi_di="")
    found = selectors.three_flows_mismatches(
        {good.pk: good.amount, priced.pk: priced.amount, unscanned.pk: D("1.00")}
    )
    by_invoice = {}
    for mismatch in found:
        by_invoice.setdefault(mismatch.invoice, []).append(mismatch.figures)
    assert good.number not in by_invoice
    assert by_invoice[priced.number] == [
        "10 × ¥100.00 = ¥1,000.00，发票金额 ¥999.00",
        "明细合计 ¥999.00，发票金额 ¥1,000.00",
    ]
    assert by_invoice[unscanned.number] == [
        "开票 10，UDI 扫码验收 0",
        "申请 ¥1.00，发票金额 ¥1,000.00",
    ]


def test_direct_settlement_pays_from_the_fund_and_records_the_deduction_r_direct():
    pw = make_pay_world()
    request = approved(pw)
    with pytest.raises(DirectSettlementDisabledError):
        payments.payment_request_pay_direct(actor=pw.agency, request_id=request.pk)
    RegionPolicy.objects.create(region_code="320100", direct_settlement=True)
    payments.payment_request_pay_direct(actor=pw.agency, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.SETTLED
    assert request.method == "direct"
    direct = DirectSettlement.objects.get(request=request)
    assert direct.amount == D("1000.00")
    assert direct.deducted_at is None
    assert list(selectors.direct_settlements_undeducted_unscoped(hospital_id=pw.w.hospital.pk)) == [
        direct
    ]
    assert _balance(AccountKind.SUPPLIER_RECEIVABLE, organization=pw.w.manufacturer) == 0
    # The hospital's debt to the supplier became a debt to the fund, until its next fund
    # settlement recovers it; the fund has paid 1,000.00 out.
    assert _balance(AccountKind.HOSPITAL_PAYABLE, organization=pw.w.hospital) == 0
    assert _balance(AccountKind.HOSPITAL_DIRECT, organization=pw.w.hospital) == D("1000.00")
    assert _balance(AccountKind.FUND, region_code="320100") == D("1000.00")
    assert ledger_verify() == []
    # The month's fund settlement recovers it from the hospital's claims, once.
    from core import clock
    from settlement.services import fund

    month = fund.fund_settlement_open(
        actor=pw.agency, hospital_id=pw.w.hospital.pk, month=clock.local_today()
    )
    fund.fund_claim_add(actor=pw.agency, settlement_id=month.pk, reference="A", amount="5000.00")
    month = fund.fund_settlement_settle(actor=pw.agency, settlement_id=month.pk)
    assert (month.recoveries_total, month.net_amount) == (D("1000.00"), D("4000.00"))
    direct.refresh_from_db()
    assert direct.deducted_at is not None
    assert direct.deducted_by_entry.kind == "direct_recovery"
    assert _balance(AccountKind.HOSPITAL_DIRECT, organization=pw.w.hospital) == 0
    assert (
        list(selectors.direct_settlements_undeducted_unscoped(hospital_id=pw.w.hospital.pk)) == []
    )
    assert ledger_verify() == []


def test_payment_overdue_listing_across_the_thirty_day_boundary_r_pay_30(settings):
    """[R-PAY-30] goods accepted on 1 Nov (Asia/Shanghai) are due by 1 Dec: listed as overdue
    from 2 Dec, for the hospital, the supplier and the agency; not once paid."""
    import time_machine

    from core import clock

    pw = make_pay_world()
    with time_machine.travel(dt.datetime(2026, 11, 1, 10, 0, tzinfo=clock.SHANGHAI), tick=False):
        invoice = confirmed_invoice(pw)
    for day, listed in [(dt.date(2026, 12, 1), False), (dt.date(2026, 12, 2), True)]:
        for actor in (pw.finance, pw.sales, pw.agency, pw.bureau):
            rows = list(selectors.payment_overdue_list(actor=actor, today=day))
            assert (rows == [invoice]) is listed, (day, actor)
    row = selectors.payment_overdue_list(actor=pw.finance, today=dt.date(2026, 12, 2)).get()
    assert selectors.due_on(row) == dt.date(2026, 12, 1)
    RegionPolicy.objects.create(region_code="320100", payment_deadline_days=45)
    assert not selectors.payment_overdue_list(actor=pw.finance, today=dt.date(2026, 12, 2))
