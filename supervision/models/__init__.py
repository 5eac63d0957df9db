from supervision.models.credit import (
    CreditEvent,
    CreditRepair,
    MisconductItem,
    Sanction,
)
from supervision.models.five_rates import FiveRatesFigure, FiveRatesSnapshot
from supervision.models.notifications import Notification

__all__ = [
    "CreditEvent",
    "CreditRepair",
    "FiveRatesFigure",
    "FiveRatesSnapshot",
    "MisconductItem",
    "Notification",
    "Sanction",
]
