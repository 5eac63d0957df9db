from supervision.models.alerts import Alert, AlertRule
from supervision.models.credit import (
    CreditEvent,
    CreditRepair,
    MisconductItem,
    Sanction,
)
from supervision.models.five_rates import FiveRatesFigure, FiveRatesSnapshot
from supervision.models.notifications import Notification
from supervision.models.quality import LotNotice, QualityReport

__all__ = [
    "Alert",
    "AlertRule",
    "CreditEvent",
    "CreditRepair",
    "FiveRatesFigure",
    "FiveRatesSnapshot",
    "LotNotice",
    "MisconductItem",
    "Notification",
    "QualityReport",
    "Sanction",
]
