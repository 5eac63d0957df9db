"""Choices of settlement: account kinds and their normal side, journal entry kinds."""

from django.db import models
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
    HOSPITAL_ADVANCE = "hospital_advance", _("hospital advance account")


# The side on which each kind's balance grows; the ledger is the platform's own. A confirmed
# invoice debits what the hospital owes and credits what the supplier is owed; the hospital's
# transfer debits escrow (money held) and credits its payable; a payout credits escrow and
# debits the supplier's receivable. The fund's outlays (advances, direct payments) are debits
# to the fund; an advance credits the hospital's advance account (fund money it holds) and
# each offset debits it back, so its floor of zero is "never offset more than was advanced".
NORMAL_SIDE: dict[str, str] = {
    AccountKind.HOSPITAL_PAYABLE: Side.DEBIT,
    AccountKind.ESCROW: Side.DEBIT,
    AccountKind.SUPPLIER_RECEIVABLE: Side.CREDIT,
    AccountKind.FUND: Side.DEBIT,
    AccountKind.HOSPITAL_ADVANCE: Side.CREDIT,
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
    REVERSAL = "reversal", _("reversal")


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
