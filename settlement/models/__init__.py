from settlement.models.advances import Advance
from settlement.models.fund import FundAdjustment, FundClaim, FundSettlement
from settlement.models.ledger import Account, JournalEntry, LedgerCheck, Posting

__all__ = [
    "Account",
    "Advance",
    "FundAdjustment",
    "FundClaim",
    "FundSettlement",
    "JournalEntry",
    "LedgerCheck",
    "Posting",
]
