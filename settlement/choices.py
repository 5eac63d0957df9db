"""Choices of settlement: account kinds and their normal side, journal entry kinds."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


class Side(models.TextChoices):
    DEBIT = "debit", _("debit")
    CREDIT = "credit", _("credit")


class AccountKind(models.TextChoices):
    """The parties' accounts and their purposes (issue #14): one account per kind and owner."""

    HOSPITAL_PAYABLE = "hospital_payable", _("hospital payables")
    ESCROW = "escrow", _("escrow account")
    SUPPLIER_RECEIVABLE = "supplier_receivable", _("supplier receivables")
    FUND = "fund", _("insurance fund")
    FUND_CLAIMS = "fund_claims", _("insurance fund claims")
    HOSPITAL_ADVANCE = "hospital_advance", _("hospital advance account")
    HOSPITAL_FUND_CLAIM = "hospital_fund_claim", _("hospital fund claims due")
    HOSPITAL_DIRECT = "hospital_direct", _("paid by the fund on the hospital's behalf")


# The side on which each kind's balance grows; the ledger is the platform's own.
# - Trade: a confirmed invoice debits what the hospital owes (hospital_payable) and credits what
#   the supplier is owed (supplier_receivable); the hospital's transfer debits escrow (money
#   held) and credits its payable; a payout credits escrow and debits the receivable.
# - The fund: ``fund`` is what the fund has paid out (credit-normal: every payment credits it).
#   An advance debits the hospital's advance account (what it owes back, floor zero) and
#   credits the fund. A month's claims debit ``fund_claims`` (the fund's claims expense) and
#   credit ``hospital_fund_claim`` (what the fund owes the hospital, floor zero); offsets,
#   deductions and recoveries of direct payments debit that claim account and credit the
#   advance, the claims expense and ``hospital_direct`` (what the fund paid on the hospital's
#   behalf) respectively; the net paid out debits the claim account and credits the fund.
NORMAL_SIDE: dict[str, str] = {
    AccountKind.HOSPITAL_PAYABLE: Side.DEBIT,
    AccountKind.ESCROW: Side.DEBIT,
    AccountKind.SUPPLIER_RECEIVABLE: Side.CREDIT,
    AccountKind.FUND: Side.CREDIT,
    AccountKind.FUND_CLAIMS: Side.DEBIT,
    AccountKind.HOSPITAL_ADVANCE: Side.DEBIT,
    AccountKind.HOSPITAL_FUND_CLAIM: Side.CREDIT,
    AccountKind.HOSPITAL_DIRECT: Side.DEBIT,
}


class EntryKind(models.TextChoices):
    INVOICE_CONFIRMED = "invoice_confirmed", _("invoice confirmed")
    HOSPITAL_PAYMENT = "hospital_payment", _("hospital payment into escrow")
    DIRECT_PAYMENT = "direct_payment", _("direct settlement by the fund")
    SETTLEMENT = "settlement", _("settlement batch payout")
    ADVANCE = "advance", _("advance fund")
    ADVANCE_OFFSET = "advance_offset", _("advance offset")
    FUND_CLAIM = "fund_claim", _("fund claim")
    DEDUCTION = "deduction", _("deduction")
    DIRECT_RECOVERY = "direct_recovery", _("recovery of a direct payment")
    FUND_PAYOUT = "fund_payout", _("fund settlement payout")
    REVERSAL = "reversal", _("reversal")


class AdvanceStatus(models.TextChoices):
    OFFSETTING = "offsetting", _("being offset")
    CLOSED = "closed", _("fully offset")


class FundSettlementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SETTLED = "settled", _("settled")


class FundSettlementAction(models.TextChoices):
    ADD_CLAIM = "add_claim", _("adding a claim")
    SETTLE = "settle", _("settlement")


FUND_SETTLEMENT_STATES = StateMachine(
    object="fund_settlement",
    transitions={
        FundSettlementStatus.DRAFT: frozenset(
            {FundSettlementStatus.DRAFT, FundSettlementStatus.SETTLED}
        ),
        FundSettlementStatus.SETTLED: frozenset(),
    },
    targets={
        FundSettlementAction.ADD_CLAIM: FundSettlementStatus.DRAFT,
        FundSettlementAction.SETTLE: FundSettlementStatus.SETTLED,
    },
    label=lambda s: gettext("Fund settlement %(month)s") % {"month": f"{s.month:%Y-%m}"},
)


class FundClaimSource(models.TextChoices):
    ENTERED = "entered", _("entered")
    IMPORTED = "imported", _("imported")


# --- The payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT] ---------------------------------------


class PaymentRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the hospital")
    APPROVED = "approved", _("Approved, awaiting payment")
    PAID = "paid", _("Paid into escrow")
    SETTLED = "settled", _("Paid to the supplier")
    DISPUTED = "disputed", _("Disputed")


PAYMENT_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentRequestStatus.REQUESTED: frozenset(
        {PaymentRequestStatus.APPROVED, PaymentRequestStatus.DISPUTED}
    ),
    # Paid into escrow by the hospital, or by the fund straight to the supplier [R-DIRECT].
    PaymentRequestStatus.APPROVED: frozenset(
        {PaymentRequestStatus.PAID, PaymentRequestStatus.SETTLED}
    ),
    PaymentRequestStatus.PAID: frozenset({PaymentRequestStatus.SETTLED}),
    PaymentRequestStatus.SETTLED: frozenset(),
    PaymentRequestStatus.DISPUTED: frozenset(),
}


class PaymentRequestAction(models.TextChoices):
    APPROVE = "approve", _("approval")
    DISPUTE = "dispute", _("disputing a line")
    PAY = "pay", _("payment into escrow")
    PAY_DIRECT = "pay_direct", _("direct payment by the fund")
    SETTLE = "settle", _("settlement to the supplier")


PAYMENT_REQUEST_STATES = StateMachine(
    object="payment_request",
    transitions=PAYMENT_REQUEST_TRANSITIONS,
    targets={
        PaymentRequestAction.APPROVE: PaymentRequestStatus.APPROVED,
        PaymentRequestAction.PAY: PaymentRequestStatus.PAID,
        PaymentRequestAction.PAY_DIRECT: PaymentRequestStatus.SETTLED,
        PaymentRequestAction.SETTLE: PaymentRequestStatus.SETTLED,
    },
    # A line is disputed while the request awaits the hospital; the request itself only turns
    # "disputed" when no line is left.
    # Paying starts from an approved request only (a request paid into escrow also leads to
    # "settled", by the batch, never by a second payment from the fund).
    sources={
        PaymentRequestAction.DISPUTE: frozenset({PaymentRequestStatus.REQUESTED}),
        PaymentRequestAction.PAY: frozenset({PaymentRequestStatus.APPROVED}),
        PaymentRequestAction.PAY_DIRECT: frozenset({PaymentRequestStatus.APPROVED}),
        PaymentRequestAction.SETTLE: frozenset({PaymentRequestStatus.PAID}),
    },
)


class PaymentLineStatus(models.TextChoices):
    OPEN = "open", _("Requested")
    DISPUTED = "disputed", _("Disputed")
    PAID = "paid", _("Paid to the supplier")


class PaymentMethod(models.TextChoices):
    ESCROW = "escrow", _("through the escrow account")
    DIRECT = "direct", _("directly by the fund")


class SettlementBatchStatus(models.TextChoices):
    # A batch is written whole in one transaction: it exists only once settled.
    SETTLED = "settled", _("Settled")


class StatementMatchKind(models.TextChoices):
    """What recorded transfer a bank statement line was matched to."""

    HOSPITAL_PAYMENT = "hospital_payment", _("hospital payment into escrow")
    PAYOUT = "payout", _("settlement batch payout")
    DIRECT_PAYMENT = "direct_payment", _("direct payment by the fund")
