from procurement.models.awards import (
    Allocation,
    AllocationChoice,
    Contract,
    GroupRenewal,
    PaymentStandard,
    RoundAward,
    SteppedTarget,
    SteppedTargetStep,
)
from procurement.models.deliveries import Delivery, DeliveryLine, ReturnRecord
from procurement.models.events import Event
from procurement.models.evidence import ListingEvidenceFile
from procurement.models.invoices import Invoice, InvoiceLine
from procurement.models.listings import (
    AgreedPrice,
    AnnualPurchasePlan,
    Listing,
    ListingDistributor,
    ListingPriceChange,
    ListingProvince,
)
from procurement.models.orders import Order, OrderLine
from procurement.models.results import TenderResult
from procurement.models.rounds import TenderAmendment, TenderDemand, TenderGroup, TenderRound
from procurement.models.totals import PurchaseTotal
from procurement.models.usage import UsageRecord

__all__ = [
    "AgreedPrice",
    "Allocation",
    "AllocationChoice",
    "AnnualPurchasePlan",
    "Contract",
    "Delivery",
    "DeliveryLine",
    "Event",
    "GroupRenewal",
    "Invoice",
    "InvoiceLine",
    "Listing",
    "ListingDistributor",
    "ListingEvidenceFile",
    "ListingPriceChange",
    "ListingProvince",
    "Order",
    "OrderLine",
    "PaymentStandard",
    "PurchaseTotal",
    "ReturnRecord",
    "RoundAward",
    "SteppedTarget",
    "SteppedTargetStep",
    "TenderAmendment",
    "TenderDemand",
    "TenderGroup",
    "TenderResult",
    "TenderRound",
    "UsageRecord",
]
