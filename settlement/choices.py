"""Choices of settlement: account kinds and their normal side, journal entry kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
