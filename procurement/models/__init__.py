from procurement.models.deliveries import Delivery, DeliveryLine, ReturnRecord
from procurement.models.events import Event
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
from procurement.models.usage import UsageRecord

__all__ = [
    "AgreedPrice",
    "AnnualPurchasePlan",
    "Delivery",
    "DeliveryLine",
    "Event",
    "Invoice",
    "InvoiceLine",
    "Listing",
    "ListingDistributor",
    "ListingPriceChange",
    "ListingProvince",
    "Order",
    "OrderLine",
    "ReturnRecord",
    "TenderAmendment",
    "TenderDemand",
    "TenderGroup",
    "TenderResult",
    "TenderRound",
    "UsageRecord",
]
