from settlement.models.ledger import Account, JournalEntry, Posting
from settlement.models.payments import (
    DirectSettlement,
    PaymentRequest,
    PaymentRequestLine,
    SettlementBatch,
    SettlementPayout,
)

__all__ = [
    "Account",
    "DirectSettlement",
    "JournalEntry",
    "PaymentRequest",
    "PaymentRequestLine",
    "Posting",
    "SettlementBatch",
    "SettlementPayout",
]
