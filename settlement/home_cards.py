"""Settlement's cards on the home page (core.home): each party's queue in the payment flow and
the invoices overdue for payment [R-PAY-30]; the agency's months to settle, the advances being
offset and the ledger checks that found drift; each counted from the very selector (and
filters) the linked list uses. Registered from SettlementConfig.ready."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.home import CardQuery, register_card, watches_jurisdiction
from settlement.choices import (
    AdvanceStatus,
    FundSettlementStatus,
    PaymentLineStatus,
    PaymentRequestStatus,
)
from settlement.selectors import advances, fund, fund_view, ledger, payments, reconciliation

FINANCE = {Role.HOSPITAL_FINANCE}
SUPPLIER = {Role.SUPPLIER_SALES}
AGENCY = {Role.AGENCY_FINANCE}
# [R-PAY-30] the three parties: the hospital, the supplier, the bureau and the agency.
OVERDUE_VIEWERS = {
    Role.HOSPITAL_FINANCE,
    Role.SUPPLIER_SALES,
    Role.BUREAU_OFFICER,
    Role.AGENCY_FINANCE,
}


def _requests(actor, status: str) -> CardQuery:
    return CardQuery(
        rows=payments.payment_request_list(actor=actor, status=[status]),
        path=reverse("settlement:payment_request_list"),
        params={"status": status},
    )


@register_card(
    key="payment_invoices_to_request",
    title=_("Confirmed invoices to request payment for"),
    roles=SUPPLIER,
    order=560,
    amount_field="amount",
)
def invoices_to_request(actor) -> CardQuery:
    return CardQuery(
        rows=payments.payable_invoice_list(actor=actor),
        path=reverse("settlement:payment_request_new"),
        params={},
    )


@register_card(
    key="payment_requests_awaiting_hospital",
    title=_("Payment requests awaiting the hospital"),
    roles=SUPPLIER,
    order=561,
    amount_field="amount",
)
def requests_awaiting_hospital(actor) -> CardQuery:
    return _requests(actor, PaymentRequestStatus.REQUESTED)


@register_card(
    key="payment_requests_to_approve",
    title=_("Payment requests to approve"),
    roles=FINANCE,
    order=560,
    amount_field="amount",
)
def requests_to_approve(actor) -> CardQuery:
    return _requests(actor, PaymentRequestStatus.REQUESTED)


@register_card(
    key="payment_requests_to_pay",
    title=_("Approved payment requests awaiting payment"),
    roles=FINANCE | AGENCY,
    order=561,
    amount_field="amount",
)
def requests_to_pay(actor) -> CardQuery:
    return _requests(actor, PaymentRequestStatus.APPROVED)


@register_card(
    key="payment_requests_to_settle",
    title=_("Paid into escrow, awaiting a settlement batch"),
    # The hospital's payments, the supplier's money on its way, the agency's next batch.
    roles=FINANCE | SUPPLIER | AGENCY,
    order=562,
    amount_field="amount",
)
def requests_to_settle(actor) -> CardQuery:
    return _requests(actor, PaymentRequestStatus.PAID)


@register_card(
    key="payment_overdue",
    title=_("Invoices overdue for payment"),
    roles=OVERDUE_VIEWERS,
    order=565,
    amount_field="amount",
    keep_for=watches_jurisdiction,
)
def overdue(actor) -> CardQuery:
    """[R-PAY-30] unpaid past the region's deadline after acceptance."""
    return CardQuery(
        rows=payments.payment_overdue_list(actor=actor),
        path=reverse("settlement:payment_overdue_list"),
        params={},
    )


@register_card(
    key="fund_settlements_draft",
    title=_("Fund settlements to settle"),
    roles=AGENCY,
    order=520,
)
def fund_settlements_draft(actor) -> CardQuery:
    rows = fund.fund_settlement_list(actor=actor, status=FundSettlementStatus.DRAFT)
    return CardQuery(
        rows=rows,
        path=reverse("settlement:fund_settlement_list"),
        params={"status": FundSettlementStatus.DRAFT},
    )


@register_card(
    key="fund_settlements_settled",
    title=_("Fund settlements settled (paid to hospitals)"),
    roles={Role.HOSPITAL_FINANCE, Role.BUREAU_OFFICER, Role.AGENCY_FINANCE},
    order=521,
    amount_field="net_amount",
)
def fund_settlements_settled(actor) -> CardQuery:
    rows = fund.fund_settlement_list(actor=actor, status=FundSettlementStatus.SETTLED)
    return CardQuery(
        rows=rows,
        path=reverse("settlement:fund_settlement_list"),
        params={"status": FundSettlementStatus.SETTLED},
    )


@register_card(
    key="advances_offsetting",
    title=_("Advances being offset (amount advanced)"),
    roles={Role.HOSPITAL_FINANCE, Role.BUREAU_OFFICER, Role.AGENCY_FINANCE},
    order=522,
    amount_field="amount",
)
def advances_offsetting(actor) -> CardQuery:
    rows = advances.advance_list(actor=actor).filter(status=AdvanceStatus.OFFSETTING)
    return CardQuery(
        rows=rows,
        path=reverse("settlement:advance_list"),
        params={"status": AdvanceStatus.OFFSETTING},
    )


@register_card(
    key="ledger_checks_drift",
    title=_("Ledger checks that found drift"),
    roles={Role.BUREAU_OFFICER, Role.AGENCY_FINANCE, Role.PLATFORM_ADMIN},
    order=523,
)
def ledger_checks_drift(actor) -> CardQuery:
    rows = ledger.ledger_check_list(actor=actor, ok=False)
    return CardQuery(rows=rows, path=reverse("settlement:ledger_check_list"), params={"ok": "0"})


@register_card(
    key="payment_invoices_paid",
    title=_("Invoices paid to you (statement)"),
    roles=SUPPLIER,
    order=563,
    amount_field="amount",
)
def invoices_paid(actor) -> CardQuery:
    """What the supplier was paid, per invoice (the statement's page)."""
    return CardQuery(
        rows=payments.payment_line_list(actor=actor, status=[PaymentLineStatus.PAID]),
        path=reverse("settlement:payment_line_list"),
        params={"status": PaymentLineStatus.PAID},
    )


@register_card(
    key="settlement_batches",
    title=_("Settlement batches (paid out of escrow)"),
    roles={Role.BUREAU_OFFICER, Role.AGENCY_FINANCE},
    order=564,
    amount_field="total",
)
def settlement_batches(actor) -> CardQuery:
    return CardQuery(
        rows=payments.settlement_batch_list(actor=actor),
        path=reverse("settlement:settlement_batch_list"),
        params={},
    )


@register_card(
    key="fund_direct_settlements",
    title=_("Paid directly by the fund this year (direct-settlement ratio)"),
    roles={Role.BUREAU_OFFICER, Role.AGENCY_FINANCE},
    order=524,
    amount_field="amount",
)
def fund_direct_settlements(actor) -> CardQuery:
    """[R-DIRECT] the fund view's default period (this year): its direct settlements."""
    period = fund_view.period_parse()
    return CardQuery(
        rows=fund_view.direct_settlements_in(actor=actor, period=period),
        path=reverse("settlement:fund_view"),
        params={},
    )


@register_card(
    key="bank_statement_lines_unmatched",
    title=_("Bank statement lines not matched to a recorded transfer"),
    roles={Role.BUREAU_OFFICER, Role.AGENCY_FINANCE, Role.PLATFORM_ADMIN},
    order=525,
)
def bank_statement_lines_unmatched(actor) -> CardQuery:
    """[R-ESCROW] the escrow account's statement lines no recorded transfer accounts for."""
    rows = reconciliation.unmatched_line_list(actor=actor)
    return CardQuery(rows=rows, path=reverse("settlement:bank_statement_unmatched"), params={})
