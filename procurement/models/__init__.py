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
from procurement.models.bids import (
    RoundCustodian,
    TenderBid,
    TenderBidRefusal,
    TenderBidWithdrawal,
)
from procurement.models.catalogue import CatalogueEntry, CatalogueEvent
from procurement.models.deliveries import Delivery, DeliveryLine, ReturnRecord
from procurement.models.emergency import (
    EmergencyPurchase,
    EmergencyPurchaseLine,
    EmergencyViolation,
)
from procurement.models.events import Event, FeedEntry
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
from procurement.models.negotiations import (
    Negotiation,
    NegotiationHospital,
    NegotiationItem,
    NegotiationOffer,
    NegotiationRound,
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
    "CatalogueEntry",
    "CatalogueEvent",
    "Contract",
    "Delivery",
    "DeliveryLine",
    "EmergencyPurchase",
    "EmergencyPurchaseLine",
    "EmergencyViolation",
    "Event",
    "FeedEntry",
    "GroupRenewal",
    "Invoice",
    "InvoiceLine",
    "Listing",
    "ListingDistributor",
    "ListingEvidenceFile",
    "ListingPriceChange",
    "ListingProvince",
    "Negotiation",
    "NegotiationHospital",
    "NegotiationItem",
    "NegotiationOffer",
    "NegotiationRound",
    "Order",
    "OrderLine",
    "PaymentStandard",
    "PurchaseTotal",
    "ReturnRecord",
    "RoundAward",
    "RoundCustodian",
    "SteppedTarget",
    "SteppedTargetStep",
    "TenderAmendment",
    "TenderBid",
    "TenderBidRefusal",
    "TenderBidWithdrawal",
    "TenderDemand",
    "TenderGroup",
    "TenderResult",
    "TenderRound",
    "UsageRecord",
]
