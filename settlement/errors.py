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
