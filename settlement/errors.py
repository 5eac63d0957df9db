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
