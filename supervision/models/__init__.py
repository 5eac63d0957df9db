from supervision.models.credit import (
    CreditEvent,
    CreditRepair,
    MisconductItem,
    Sanction,
)
from supervision.models.notifications import Notification

__all__ = [
    "CreditEvent",
    "CreditRepair",
    "MisconductItem",
    "Notification",
    "Sanction",
]
