from settlement.models.advances import Advance
from settlement.models.fund import FundAdjustment, FundClaim, FundSettlement
from settlement.models.ledger import Account, JournalEntry, LedgerCheck, Posting
from settlement.models.payments import (
    DirectSettlement,
    PaymentRequest,
    PaymentRequestLine,
    SettlementBatch,
    SettlementPayout,
)

__all__ = [
    "Account",
    "Advance",
    "DirectSettlement",
    "FundAdjustment",
    "FundClaim",
    "FundSettlement",
    "JournalEntry",
    "LedgerCheck",
    "PaymentRequest",
    "PaymentRequestLine",
    "Posting",
    "SettlementBatch",
    "SettlementPayout",
]
