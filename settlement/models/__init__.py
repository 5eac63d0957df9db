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
from settlement.models.reconciliation import (
    BankStatement,
    BankStatementLine,
    PublishedDayHash,
    StatementMatch,
)

__all__ = [
    "Account",
    "Advance",
    "BankStatement",
    "BankStatementLine",
    "DirectSettlement",
    "FundAdjustment",
    "FundClaim",
    "FundSettlement",
    "JournalEntry",
    "LedgerCheck",
    "PaymentRequest",
    "PaymentRequestLine",
    "Posting",
    "PublishedDayHash",
    "SettlementBatch",
    "SettlementPayout",
    "StatementMatch",
]
