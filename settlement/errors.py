"""Domain errors of settlement, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class EntryUnbalancedError(DomainError):
    """A journal entry's postings must sum to zero, with at least two legs."""

    code = "entry_unbalanced"
    message_template = _(
        "The entry does not balance: %(legs)s postings summing to %(total)s; an entry needs at "
        "least two postings that sum to zero."
    )


class PostingAmountInvalidError(DomainError):
    code = "posting_amount_invalid"
    message_template = _("A posting of %(amount)s is not allowed: %(reason)s")


class AccountFloorError(DomainError):
    """The posting would take an account below its floor (an advance offset beyond the advance,
    a payout beyond what escrow holds)."""

    code = "account_floor"
    http_status = 409
    message_template = _(
        "%(account)s holds %(balance)s; taking %(amount)s would leave it below its floor of "
        "%(floor)s."
    )


class EntryAlreadyReversedError(DomainError):
    code = "entry_already_reversed"
    http_status = 409
    message_template = _("Journal entry #%(seq)s was already reversed by entry #%(by)s.")


class ReversalOfReversalError(DomainError):
    code = "reversal_of_reversal"
    message_template = _(
        "Journal entry #%(seq)s is itself a reversal; post a new entry instead of reversing it."
    )


# --- The advance fund and the monthly fund settlement -----------------------------------------


class AdvanceExistsError(DomainError):
    code = "advance_exists"
    http_status = 409
    message_template = _(
        "The advance for this hospital and cycle was paid already (advance %(advance)s)."
    )


class AdvanceNoContractsError(DomainError):
    code = "advance_no_contracts"
    message_template = _(
        "The hospital has no contract of this round in force for the cycle starting %(cycle_start)s, "
        "so there is no agreed amount to advance on."
    )


class FundMonthInvalidError(DomainError):
    code = "fund_month_invalid"
    message_template = _("%(month)s cannot be settled: %(reason)s")


class FundSettlementExistsError(DomainError):
    code = "fund_settlement_exists"
    http_status = 409
    message_template = _("The fund settlement of %(hospital)s for %(month)s exists already.")


class FundClaimExistsError(DomainError):
    code = "fund_claim_exists"
    http_status = 409
    message_template = _("Claim %(reference)s is in this settlement already.")


class FundSettlementEmptyError(DomainError):
    code = "fund_settlement_empty"
    message_template = _("The settlement has no claims: enter or import the month's claims first.")


class FundClaimsFileError(DomainError):
    """An import refused whole: every problem with its row and column; nothing was written."""

    code = "fund_claims_file_invalid"
    message_template = _(
        "The claims file was not imported: %(count)s problem(s), the first: %(first)s"
    )


# --- The payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT] ---------------------------------------


class PaymentInvoicesRequiredError(DomainError):
    code = "payment_invoices_required"
    message_template = _("Choose at least one confirmed invoice to request payment for.")


class PaymentInvoiceNotPayableError(DomainError):
    """The invoice is not the requester's, not confirmed, or already requested or paid."""

    code = "payment_invoice_not_payable"
    http_status = 409
    message_template = _("Invoice %(number)s cannot be requested for payment: %(reason)s")


class PaymentInvoicesMixedHospitalsError(DomainError):
    code = "payment_invoices_mixed_hospitals"
    message_template = _(
        "One payment request is to one hospital: invoice %(number)s is to %(hospital)s, the "
        "others to %(first)s."
    )


class ThreeFlowsMismatchError(DomainError):
    """[R-ESCROW] the order (its lines' prices), the UDI-scanned acceptance and the invoice
    must agree on what is paid (三流合一)."""

    code = "three_flows_mismatch"
    http_status = 409
    message_template = _(
        "Invoice %(invoice)s, %(where)s: %(what)s (%(figures)s). Escrow releases only what the "
        "order, its UDI-scanned acceptance and the invoice all agree on."
    )


class PaymentLineUnknownError(DomainError):
    code = "payment_line_unknown"
    http_status = 404
    message_template = _("The payment request has no open line %(line)s.")


class PaymentTransferReferenceError(DomainError):
    code = "payment_transfer_reference"
    message_template = _(
        "Give the bank transfer reference of the payment (1 to 60 letters, digits or -)."
    )


class PaymentTransferReferenceTakenError(DomainError):
    code = "payment_transfer_reference_taken"
    http_status = 409
    message_template = _(
        "Bank transfer %(reference)s is already recorded for payment request %(number)s: "
        "one transfer pays one request."
    )


class DirectSettlementDisabledError(DomainError):
    """[R-DIRECT] the fund pays suppliers directly only where the region settles directly."""

    code = "direct_settlement_disabled"
    http_status = 409
    message_template = _(
        "Region %(region)s does not settle directly from the fund: the hospital pays this "
        "request into the escrow account."
    )


class SettlementBatchEmptyError(DomainError):
    code = "settlement_batch_empty"
    http_status = 409
    message_template = _(
        "Nothing to settle: no payment request of region %(region)s is paid into escrow and "
        "awaiting its supplier."
    )


# --- Reconciliation: the escrow account's bank statements [R-ESCROW] -------------------------


class BankStatementFileError(DomainError):
    """A statement refused whole: every problem with its row and column; nothing was written."""

    code = "bank_statement_file_invalid"
    message_template = _(
        "The bank statement was not imported: %(count)s problem(s), the first: %(first)s"
    )


class BankStatementDuplicateError(DomainError):
    """The very same file (by its SHA-256) was imported before."""

    code = "bank_statement_duplicate"
    http_status = 409
    message_template = _(
        "This file was already imported on %(imported_at)s as statement %(statement)s "
        "(%(file_name)s); nothing was imported again."
    )
