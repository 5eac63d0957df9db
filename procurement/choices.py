"""Statuses and their allowed transitions for listings, orders, deliveries and invoices."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Catalogue(models.TextChoices):
    """[R-LIST-CATALOGUES] capped: the product has a confirmed reference price."""

    CAPPED = "capped", _("Capped catalogue")
    ALTERNATE = "alternate", _("Alternate catalogue")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    REJECTED = "rejected", _("Rejected")
    LISTED = "listed", _("Listed")
    SUSPENDED = "suspended", _("Suspended")
    DELISTED = "delisted", _("Delisted")


LISTING_TRANSITIONS: dict[str, frozenset[str]] = {
    ListingStatus.DRAFT: frozenset({ListingStatus.SUBMITTED, ListingStatus.DELISTED}),
    ListingStatus.SUBMITTED: frozenset({ListingStatus.LISTED, ListingStatus.REJECTED}),
    ListingStatus.REJECTED: frozenset({ListingStatus.SUBMITTED, ListingStatus.DELISTED}),
    ListingStatus.LISTED: frozenset({ListingStatus.SUSPENDED, ListingStatus.DELISTED}),
    ListingStatus.SUSPENDED: frozenset({ListingStatus.LISTED, ListingStatus.DELISTED}),
    ListingStatus.DELISTED: frozenset(),
}


# The listings a hospital sees: on sale, or once on sale. A suspension or a delisting is public
# (the credit sanction 暂停挂网 is published), so a hospital reading one learns its status, and
# ordering it is refused with that reason; applications (draft, under review, rejected) stay
# between the manufacturer and the bureau.
LISTING_PUBLIC_STATUSES = frozenset(
    {ListingStatus.LISTED, ListingStatus.SUSPENDED, ListingStatus.DELISTED}
)


class GreenChannel(models.TextChoices):
    """[R-LIST-GREEN] innovative / priority / emergency-approved devices (NJ 3.1.1)."""

    NONE = "", _("None")
    INNOVATIVE = "innovative", _("Innovative device")
    PRIORITY = "priority", _("Priority review device")
    EMERGENCY = "emergency", _("Emergency-approved device")


class PurchaseLabel(models.TextChoices):
    """[R-LABELS] the five purchase labels (NJ 3.2). Their own context, because the bare
    words ("Forbidden", "Normal") already mean something else in Django's catalogue."""

    PREFERRED = "preferred", pgettext_lazy("purchase label", "Preferred")
    ENCOURAGED = "encouraged", pgettext_lazy("purchase label", "Encouraged")
    NORMAL = "normal", pgettext_lazy("purchase label", "Normal")
    RESTRICTED = "restricted", pgettext_lazy("purchase label", "Restricted")
    FORBIDDEN = "forbidden", pgettext_lazy("purchase label", "Forbidden")


class PriceChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AgreedPriceStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


# A pending change is approved or rejected by the bureau, once.
PRICE_CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    PriceChangeStatus.PENDING: frozenset({PriceChangeStatus.APPROVED, PriceChangeStatus.REJECTED}),
    PriceChangeStatus.APPROVED: frozenset(),
    PriceChangeStatus.REJECTED: frozenset(),
}

# The other side accepts or declines a proposal; the proposer may withdraw it (ended); either
# side may end an agreed price.
AGREED_PRICE_TRANSITIONS: dict[str, frozenset[str]] = {
    AgreedPriceStatus.PROPOSED: frozenset(
        {AgreedPriceStatus.AGREED, AgreedPriceStatus.DECLINED, AgreedPriceStatus.ENDED}
    ),
    AgreedPriceStatus.AGREED: frozenset({AgreedPriceStatus.ENDED}),
    AgreedPriceStatus.DECLINED: frozenset(),
    AgreedPriceStatus.ENDED: frozenset(),
}


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed by supplier")
    REJECTED = "rejected", _("Rejected by supplier")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.SUBMITTED, OrderStatus.CANCELLED}),
    OrderStatus.SUBMITTED: frozenset(
        {OrderStatus.CONFIRMED, OrderStatus.REJECTED, OrderStatus.CANCELLED}
    ),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.COMPLETED: frozenset(),
}


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting supplier")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class DeliveryStatus(models.TextChoices):
    SHIPPED = "shipped", _("Shipped")
    ACCEPTED = "accepted", _("Accepted")
    PARTIALLY_ACCEPTED = "partial", _("Partly accepted")
    REFUSED = "refused", _("Refused")


DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryStatus.SHIPPED: frozenset(
        {DeliveryStatus.ACCEPTED, DeliveryStatus.PARTIALLY_ACCEPTED, DeliveryStatus.REFUSED}
    ),
    DeliveryStatus.ACCEPTED: frozenset(),
    DeliveryStatus.PARTIALLY_ACCEPTED: frozenset(),
    DeliveryStatus.REFUSED: frozenset(),
}


class InvoiceStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CONFIRMED = "confirmed", _("Confirmed by hospital")
    REJECTED = "rejected", _("Rejected by hospital")


INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.REGISTERED: frozenset({InvoiceStatus.CONFIRMED, InvoiceStatus.REJECTED}),
    InvoiceStatus.CONFIRMED: frozenset(),
    InvoiceStatus.REJECTED: frozenset(),
}


class EventType(models.TextChoices):
    """Change-feed event types (the HIS keeps in sync from these)."""

    ORDER_SUBMITTED = "order.submitted", _("Order submitted")
    ORDER_CANCELLED = "order.cancelled", _("Order cancelled")
    ORDER_LINE_CONFIRMED = "order_line.confirmed", _("Order line confirmed")
    ORDER_LINE_REJECTED = "order_line.rejected", _("Order line rejected")
    ORDER_CONFIRMED = "order.confirmed", _("Order confirmed")
    ORDER_REJECTED = "order.rejected", _("Order rejected")
    ORDER_COMPLETED = "order.completed", _("Order completed")
    DELIVERY_SHIPPED = "delivery.shipped", _("Delivery shipped")
    DELIVERY_ACCEPTED = "delivery.accepted", _("Delivery accepted")
    RETURN_REGISTERED = "return.registered", _("Return registered")
    INVOICE_REGISTERED = "invoice.registered", _("Invoice registered")
    INVOICE_CONFIRMED = "invoice.confirmed", _("Invoice confirmed")
    INVOICE_REJECTED = "invoice.rejected", _("Invoice rejected")
