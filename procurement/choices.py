"""Statuses, their allowed transitions, and the actions on them, for listings, price changes,
agreed prices, orders, deliveries and invoices.

Each action is a TextChoices member: the value is its code (what API clients see in an
``invalid_state`` refusal's ``extra.action`` and in the allowed-actions answers), the label
names it in a sentence ("PO… is Draft: delivery is not allowed now"). core.transitions checks
the tables; the services call it, the allowed-actions selectors ask it.
"""

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


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


class ListingAction(models.TextChoices):
    EDIT = "edit", _("edit")
    SUBMIT = "submit", _("submit")
    APPROVE = "approve", _("approve")
    REJECT = "reject", _("reject")
    SUSPEND = "suspend", _("suspend")
    REINSTATE = "reinstate", _("reinstate")
    DELIST = "delist", _("delist")
    SET_LABEL = "set_label", _("set the purchase label")
    SET_DISTRIBUTORS = "set_distributors", _("set distributors")
    REQUEST_PRICE_CHANGE = "request_price_change", _("request a price change")
    CHANGE_PRICE = "change_price", _("change the price")
    AGREE_PRICE = "agree_price", _("agree a price")


# The statuses each listing action starts from (the transition table says where it leads).
# Delisting a draft or rejected application is its manufacturer withdrawing it; delisting a
# listing on sale is the bureau's decision.
LISTING_ACTION_STATES: dict[str, frozenset[str]] = {
    ListingAction.EDIT: frozenset({ListingStatus.DRAFT, ListingStatus.REJECTED}),
    ListingAction.SUBMIT: frozenset({ListingStatus.DRAFT, ListingStatus.REJECTED}),
    ListingAction.APPROVE: frozenset({ListingStatus.SUBMITTED}),
    ListingAction.REJECT: frozenset({ListingStatus.SUBMITTED}),
    ListingAction.SUSPEND: frozenset({ListingStatus.LISTED}),
    ListingAction.REINSTATE: frozenset({ListingStatus.SUSPENDED}),
    ListingAction.DELIST: frozenset(
        {
            ListingStatus.DRAFT,
            ListingStatus.REJECTED,
            ListingStatus.LISTED,
            ListingStatus.SUSPENDED,
        }
    ),
    ListingAction.SET_LABEL: frozenset(set(ListingStatus.values) - {ListingStatus.DELISTED}),
    ListingAction.SET_DISTRIBUTORS: frozenset(set(ListingStatus.values) - {ListingStatus.DELISTED}),
    ListingAction.REQUEST_PRICE_CHANGE: frozenset({ListingStatus.LISTED, ListingStatus.SUSPENDED}),
    ListingAction.CHANGE_PRICE: frozenset({ListingStatus.LISTED, ListingStatus.SUSPENDED}),
    ListingAction.AGREE_PRICE: frozenset({ListingStatus.LISTED}),
}


def product_label(listing) -> str:
    """How a message names a listing (or a price of it): the product's name and code, never
    the internal id."""
    consumable = listing.consumable
    return f"{consumable.product_name} ({consumable.code})"


LISTING_STATES = StateMachine(
    object="listing",
    transitions=LISTING_TRANSITIONS,
    targets={
        ListingAction.SUBMIT: ListingStatus.SUBMITTED,
        ListingAction.APPROVE: ListingStatus.LISTED,
        ListingAction.REJECT: ListingStatus.REJECTED,
        ListingAction.SUSPEND: ListingStatus.SUSPENDED,
        ListingAction.REINSTATE: ListingStatus.LISTED,
        ListingAction.DELIST: ListingStatus.DELISTED,
    },
    sources=LISTING_ACTION_STATES,
    label=lambda listing: gettext("Listing %(product)s") % {"product": product_label(listing)},
)


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


class PriceChangeAction(models.TextChoices):
    APPROVE = "approve", _("approve")
    REJECT = "reject", _("reject")


PRICE_CHANGE_STATES = StateMachine(
    object="price_change",
    transitions=PRICE_CHANGE_TRANSITIONS,
    targets={
        PriceChangeAction.APPROVE: PriceChangeStatus.APPROVED,
        PriceChangeAction.REJECT: PriceChangeStatus.REJECTED,
    },
    label=lambda change: (
        gettext("Price change of %(product)s") % {"product": product_label(change.listing)}
    ),
)


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


class AgreedPriceAction(models.TextChoices):
    ACCEPT = "accept", _("accept")
    DECLINE = "decline", _("decline")
    END = "end", _("end")


AGREED_PRICE_STATES = StateMachine(
    object="agreed_price",
    transitions=AGREED_PRICE_TRANSITIONS,
    targets={
        AgreedPriceAction.ACCEPT: AgreedPriceStatus.AGREED,
        AgreedPriceAction.DECLINE: AgreedPriceStatus.DECLINED,
        AgreedPriceAction.END: AgreedPriceStatus.ENDED,
    },
    label=lambda agreed: (
        gettext("Agreed price of %(product)s") % {"product": product_label(agreed.listing)}
    ),
)


class PurchasePlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the bureau's approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# [R-LIST-ALT-CAP] hospital finance proposes an annual purchase total other than the default
# (last year's platform purchases); the bureau approves or rejects it, once. A decided plan
# may be proposed again (a new figure, a new decision); a pending one waits for its decision.
PURCHASE_PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PurchasePlanStatus.PROPOSED: frozenset(
        {PurchasePlanStatus.APPROVED, PurchasePlanStatus.REJECTED}
    ),
    PurchasePlanStatus.APPROVED: frozenset({PurchasePlanStatus.PROPOSED}),
    PurchasePlanStatus.REJECTED: frozenset({PurchasePlanStatus.PROPOSED}),
}


class PurchasePlanAction(models.TextChoices):
    PROPOSE = "propose", _("a new proposal")
    APPROVE = "approve", _("approval")
    REJECT = "reject", _("rejection")


PURCHASE_PLAN_STATES = StateMachine(
    object="purchase_plan",
    transitions=PURCHASE_PLAN_TRANSITIONS,
    targets={
        PurchasePlanAction.PROPOSE: PurchasePlanStatus.PROPOSED,
        PurchasePlanAction.APPROVE: PurchasePlanStatus.APPROVED,
        PurchasePlanAction.REJECT: PurchasePlanStatus.REJECTED,
    },
    label=lambda plan: gettext("The annual purchase total of %(year)s") % {"year": plan.year},
)


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


class OrderAction(models.TextChoices):
    SUBMIT = "submit", _("submission")
    CANCEL = "cancel", _("cancellation")
    RESPOND = "respond", _("an answer")
    CHOOSE_DISTRIBUTOR = "choose_distributor", _("choosing the distributor")
    DELIVER = "deliver", _("delivery")
    INVOICE = "invoice", _("invoicing")
    RETURN = "return", _("a return")
    COMPLETE = "complete", _("completion")


# The order statuses an action needs when it does not move the order itself (an answer does,
# once the last line is answered: to confirmed, or rejected when every line is).
ORDER_ACTION_STATES: dict[str, frozenset[str]] = {
    OrderAction.RESPOND: frozenset({OrderStatus.SUBMITTED}),
    OrderAction.CHOOSE_DISTRIBUTOR: frozenset({OrderStatus.SUBMITTED, OrderStatus.CONFIRMED}),
    OrderAction.DELIVER: frozenset({OrderStatus.CONFIRMED}),
    OrderAction.INVOICE: frozenset({OrderStatus.CONFIRMED}),
    OrderAction.RETURN: frozenset({OrderStatus.CONFIRMED}),
}

ORDER_STATES = StateMachine(
    object="order",
    transitions=ORDER_TRANSITIONS,
    targets={
        OrderAction.SUBMIT: OrderStatus.SUBMITTED,
        OrderAction.CANCEL: OrderStatus.CANCELLED,
        OrderAction.COMPLETE: OrderStatus.COMPLETED,
    },
    sources=ORDER_ACTION_STATES,
)


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting supplier")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# Lines that are purchases (the cap's used amount and its default base, a hospital's last paid
# price): submitted or later, and not cancelled or rejected.
COUNTED_ORDER_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED, OrderStatus.COMPLETED)
COUNTED_LINE_STATUSES = (LineStatus.PENDING, LineStatus.CONFIRMED)


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


class DeliveryAction(models.TextChoices):
    ACCEPT = "accept", _("acceptance")
    RETURN = "return", _("a return")


DELIVERY_STATES = StateMachine(
    object="delivery",
    transitions=DELIVERY_TRANSITIONS,
    # Acceptance answers a shipped note (to accepted, partly accepted or refused); goods come
    # back from a note the hospital accepted, all or part of it.
    sources={
        DeliveryAction.ACCEPT: frozenset({DeliveryStatus.SHIPPED}),
        DeliveryAction.RETURN: frozenset(
            {DeliveryStatus.ACCEPTED, DeliveryStatus.PARTIALLY_ACCEPTED}
        ),
    },
)


class InvoiceStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CONFIRMED = "confirmed", _("Confirmed by hospital")
    REJECTED = "rejected", _("Rejected by hospital")


INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.REGISTERED: frozenset({InvoiceStatus.CONFIRMED, InvoiceStatus.REJECTED}),
    InvoiceStatus.CONFIRMED: frozenset(),
    InvoiceStatus.REJECTED: frozenset(),
}


class InvoiceAction(models.TextChoices):
    CONFIRM = "confirm", _("confirmation")
    REJECT = "reject", _("rejection")


INVOICE_STATES = StateMachine(
    object="invoice",
    transitions=INVOICE_TRANSITIONS,
    targets={
        InvoiceAction.CONFIRM: InvoiceStatus.CONFIRMED,
        InvoiceAction.REJECT: InvoiceStatus.REJECTED,
    },
)


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


# --- Volume-based procurement (带量采购): rounds and demand --------------------------------------


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    BIDDING_CLOSED = "bidding_closed", _("Bidding closed")
    OPENED = "opened", _("Opened")
    PUBLICITY = "publicity", _("In publicity")
    FINAL = "final", _("Final")


# The states after "published" belong to bidding and opening (issue #12, items 4-5); the table
# already names them so that those services only add their actions.
ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RoundStatus.DRAFT: frozenset({RoundStatus.PUBLISHED}),
    RoundStatus.PUBLISHED: frozenset({RoundStatus.BIDDING_CLOSED}),
    RoundStatus.BIDDING_CLOSED: frozenset({RoundStatus.OPENED}),
    RoundStatus.OPENED: frozenset({RoundStatus.PUBLICITY}),
    RoundStatus.PUBLICITY: frozenset({RoundStatus.FINAL}),
    RoundStatus.FINAL: frozenset(),
}


class RoundAction(models.TextChoices):
    EDIT = "edit", _("editing")
    PUBLISH = "publish", _("publication")
    AMEND = "amend", _("an amendment")
    DRY_RUN = "dry_run", _("a dry run of the winning rules")
    REPORT_DEMAND = "report_demand", _("reporting demand")
    REVIEW_DEMAND = "review_demand", _("reviewing demand")


ROUND_ACTION_STATES: dict[str, frozenset[str]] = {
    RoundAction.EDIT: frozenset({RoundStatus.DRAFT}),
    RoundAction.PUBLISH: frozenset({RoundStatus.DRAFT}),
    RoundAction.AMEND: frozenset({RoundStatus.PUBLISHED}),
    RoundAction.DRY_RUN: frozenset({RoundStatus.DRAFT, RoundStatus.PUBLISHED}),
    RoundAction.REPORT_DEMAND: frozenset({RoundStatus.PUBLISHED}),
    RoundAction.REVIEW_DEMAND: frozenset({RoundStatus.PUBLISHED}),
}

ROUND_STATES = StateMachine(
    object="round",
    transitions=ROUND_TRANSITIONS,
    targets={RoundAction.PUBLISH: RoundStatus.PUBLISHED},
    sources=ROUND_ACTION_STATES,
)


class DemandStatus(models.TextChoices):
    REPORTED = "reported", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    ADJUSTED = "adjusted", _("Adjusted by the bureau")


# --- Volume-based procurement: awards, allocation, contracts, renewal (issue #12 items 5-8) ------


class TargetStatus(models.TextChoices):
    """[R-VBP-STEPPED] a non-winner's stepped price-cut target."""

    PENDING = "pending", _("Not reached yet")
    REACHED = "reached", _("Reached: counts as a winner")


class AllocationSource(models.TextChoices):
    CHOSEN = "chosen", _("The hospital's choice")
    RANK = "rank", _("The rest, by rank")


class ContractStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting signatures")
    ACTIVE = "active", _("In force")
    RENEWED = "renewed", _("Renewed")
    CLOSED = "closed", _("Closed: the group is tendered anew")


# [R-VBP-CONTRACT] signed by the three parties (the last signature puts it in force); at the
# cycle's end the bureau renews it (a new contract for the next cycle) or closes it.
CONTRACT_TRANSITIONS: dict[str, frozenset[str]] = {
    ContractStatus.AWAITING: frozenset({ContractStatus.AWAITING, ContractStatus.ACTIVE}),
    ContractStatus.ACTIVE: frozenset({ContractStatus.RENEWED, ContractStatus.CLOSED}),
    ContractStatus.RENEWED: frozenset(),
    ContractStatus.CLOSED: frozenset(),
}


class ContractAction(models.TextChoices):
    SIGN = "sign", _("signing")
    RENEW = "renew", _("renewal")
    CLOSE = "close", _("closing for a new round")


CONTRACT_STATES = StateMachine(
    object="contract",
    transitions=CONTRACT_TRANSITIONS,
    targets={
        ContractAction.RENEW: ContractStatus.RENEWED,
        ContractAction.CLOSE: ContractStatus.CLOSED,
    },
    sources={ContractAction.SIGN: frozenset({ContractStatus.AWAITING})},
    label=lambda contract: gettext("Contract %(number)s") % {"number": contract.number},
)


class RenewalDecision(models.TextChoices):
    RENEW = "renew", _("Renew the contracts")
    RETENDER = "retender", _("Tender the group anew")


class AwardAction(models.TextChoices):
    """What follows a final round; each needs the round final (its own machine, so that the
    bidding and opening actions of ``RoundAction`` stay theirs)."""

    APPLY = "apply_results", _("applying the results")
    CHOOSE = "choose_winners", _("choosing among the winners")
    ALLOCATE = "allocate", _("allocating the agreed volume")
    DECIDE_RENEWAL = "decide_renewal", _("deciding the renewal")


AWARD_STATES = StateMachine(
    object="round",
    transitions=ROUND_TRANSITIONS,
    sources={action: frozenset({RoundStatus.FINAL}) for action in AwardAction},
)


class EmergencyStatus(models.TextChoices):
    """[R-EMERG-CAP] an emergency purchase registration (应急采购登记)."""

    REGISTERED = "registered", _("Registered")
    PENDING = "pending", _("Over the cap: awaiting the bureau")
    APPROVED = "approved", _("Over the cap: approved by the bureau")
    REJECTED = "rejected", _("Over the cap: not approved")


# A registration within the cap is registered, and that is all; one over the cap waits for the
# bureau, which approves the amount over the cap (the violation is lifted) or does not (it
# stands). A decision is final.
EMERGENCY_TRANSITIONS: dict[str, frozenset[str]] = {
    EmergencyStatus.REGISTERED: frozenset(),
    EmergencyStatus.PENDING: frozenset({EmergencyStatus.APPROVED, EmergencyStatus.REJECTED}),
    EmergencyStatus.APPROVED: frozenset(),
    EmergencyStatus.REJECTED: frozenset(),
}


class EmergencyAction(models.TextChoices):
    APPROVE = "approve", _("approval of the amount over the cap")
    REJECT = "reject", _("refusal of the amount over the cap")


EMERGENCY_STATES = StateMachine(
    object="emergency_purchase",
    transitions=EMERGENCY_TRANSITIONS,
    targets={
        EmergencyAction.APPROVE: EmergencyStatus.APPROVED,
        EmergencyAction.REJECT: EmergencyStatus.REJECTED,
    },
    label=lambda purchase: gettext("Emergency purchase %(number)s") % {"number": purchase.pk},
)


class EmergencyViolationKind(models.TextChoices):
    """[R-EMERG-DEADLINE] [R-EMERG-CAP] what settlement deducts and credit reads
    [R-EMERG-DEDUCT]."""

    LATE = "late", _("Registered after the deadline")
    OVER_CAP = "over_cap", _("Over the emergency purchase cap")


# --- Volume-based procurement: sealed bids and the opening (issue #12 items 4-5) -------------


class BidAction(models.TextChoices):
    """Bidding and opening: each moves the round along ROUND_TRANSITIONS or needs a status."""

    NAME_CUSTODIANS = "name_custodians", _("naming the key custodians")
    COLLECT_SHARE = "collect_share", _("collecting a key share")
    BID = "bid", _("bidding")
    CLOSE_BIDDING = "close_bidding", _("closing the bidding")
    ENTER_SHARE = "enter_share", _("entering a key share")
    OPEN = "open", _("opening the bids")
    START_PUBLICITY = "start_publicity", _("publishing the results")
    FINALISE = "finalise", _("finalising the results")


BID_STATES = StateMachine(
    object="round",
    transitions=ROUND_TRANSITIONS,
    targets={
        BidAction.CLOSE_BIDDING: RoundStatus.BIDDING_CLOSED,
        BidAction.OPEN: RoundStatus.OPENED,
        BidAction.START_PUBLICITY: RoundStatus.PUBLICITY,
        BidAction.FINALISE: RoundStatus.FINAL,
    },
    sources={
        BidAction.NAME_CUSTODIANS: frozenset({RoundStatus.DRAFT}),
        BidAction.COLLECT_SHARE: frozenset({RoundStatus.PUBLISHED}),
        BidAction.BID: frozenset({RoundStatus.PUBLISHED}),
        BidAction.CLOSE_BIDDING: frozenset({RoundStatus.PUBLISHED}),
        BidAction.ENTER_SHARE: frozenset({RoundStatus.PUBLISHED, RoundStatus.BIDDING_CLOSED}),
        BidAction.OPEN: frozenset({RoundStatus.BIDDING_CLOSED}),
        BidAction.START_PUBLICITY: frozenset({RoundStatus.OPENED}),
        BidAction.FINALISE: frozenset({RoundStatus.PUBLICITY}),
    },
)


# --- Negotiation (价格谈判, issue #13 item 1) [R-NEGOTIATION] -----------------------------


class NegotiationKind(models.TextChoices):
    PRODUCTS = "products", _("Negotiation on chosen products")
    PORTFOLIO = "portfolio", _("Whole-portfolio negotiation with one manufacturer")
    QUARTERLY = "quarterly", _("Quarterly lowest-price negotiation")
    LINKED = "linked", _("Linked price cut")


class NegotiationOutcome(models.TextChoices):
    """What an agreement becomes from its effective date."""

    HOSPITAL_PRICE = "hospital_price", _("The price for the negotiation's hospitals")
    LISTED_PRICE = "listed_price", _("The listed price")


class NegotiationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open: suppliers invited")
    CONCLUDED = "concluded", _("Concluded and published")
    CANCELLED = "cancelled", _("Cancelled")


# The bureau drafts a negotiation, invites the suppliers (round 1 opens), counters (a new round
# with a new deadline and targets) as often as it needs, then concludes it (the agreements
# reached are published and take effect) or cancels it.
NEGOTIATION_TRANSITIONS: dict[str, frozenset[str]] = {
    NegotiationStatus.DRAFT: frozenset({NegotiationStatus.OPEN, NegotiationStatus.CANCELLED}),
    NegotiationStatus.OPEN: frozenset({NegotiationStatus.CONCLUDED, NegotiationStatus.CANCELLED}),
    NegotiationStatus.CONCLUDED: frozenset(),
    NegotiationStatus.CANCELLED: frozenset(),
}


class NegotiationAction(models.TextChoices):
    INVITE = "invite", _("inviting the suppliers")
    OFFER = "offer", _("offering a price")
    COUNTER = "counter", _("countering with a new round")
    ACCEPT_OFFER = "accept_offer", _("accepting an offer")
    ACCEPT_COUNTER = "accept_counter", _("accepting the bureau's target")
    CONCLUDE = "conclude", _("concluding the negotiation")
    CANCEL = "cancel", _("cancelling the negotiation")


NEGOTIATION_STATES = StateMachine(
    object="negotiation",
    transitions=NEGOTIATION_TRANSITIONS,
    targets={
        NegotiationAction.INVITE: NegotiationStatus.OPEN,
        NegotiationAction.CONCLUDE: NegotiationStatus.CONCLUDED,
        NegotiationAction.CANCEL: NegotiationStatus.CANCELLED,
    },
    sources={
        NegotiationAction.INVITE: frozenset({NegotiationStatus.DRAFT}),
        NegotiationAction.OFFER: frozenset({NegotiationStatus.OPEN}),
        NegotiationAction.COUNTER: frozenset({NegotiationStatus.OPEN}),
        NegotiationAction.ACCEPT_OFFER: frozenset({NegotiationStatus.OPEN}),
        NegotiationAction.ACCEPT_COUNTER: frozenset({NegotiationStatus.OPEN}),
    },
    label=lambda negotiation: gettext("Negotiation %(number)s") % {"number": negotiation.pk},
)


class NegotiationItemStatus(models.TextChoices):
    AWAITING_OFFER = "awaiting", _("Awaiting the supplier's offer")
    OFFERED = "offered", _("Offer in: awaiting the bureau")
    AGREED = "agreed", _("Agreed")
    NO_AGREEMENT = "no_agreement", _("No agreement")


# Per product: the supplier offers; the bureau accepts the offer or counters (a new round: the
# product awaits a new offer), the supplier may accept the counter's target instead of offering;
# concluding closes every product not agreed as "no agreement".
NEGOTIATION_ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    NegotiationItemStatus.AWAITING_OFFER: frozenset(
        {
            NegotiationItemStatus.OFFERED,
            NegotiationItemStatus.AGREED,
            NegotiationItemStatus.NO_AGREEMENT,
        }
    ),
    NegotiationItemStatus.OFFERED: frozenset(
        {
            NegotiationItemStatus.AWAITING_OFFER,
            NegotiationItemStatus.OFFERED,
            NegotiationItemStatus.AGREED,
            NegotiationItemStatus.NO_AGREEMENT,
        }
    ),
    NegotiationItemStatus.AGREED: frozenset(),
    NegotiationItemStatus.NO_AGREEMENT: frozenset(),
}

NEGOTIATION_ITEM_STATES = StateMachine(
    object="negotiation_item",
    transitions=NEGOTIATION_ITEM_TRANSITIONS,
    targets={
        NegotiationAction.OFFER: NegotiationItemStatus.OFFERED,
        NegotiationAction.ACCEPT_OFFER: NegotiationItemStatus.AGREED,
        NegotiationAction.ACCEPT_COUNTER: NegotiationItemStatus.AGREED,
    },
    sources={
        NegotiationAction.ACCEPT_OFFER: frozenset({NegotiationItemStatus.OFFERED}),
        NegotiationAction.ACCEPT_COUNTER: frozenset({NegotiationItemStatus.AWAITING_OFFER}),
    },
    label=lambda item: (
        gettext("Product %(product)s of negotiation %(number)s")
        % {"product": item.listing.consumable.code, "number": item.negotiation_id}
    ),
)


class NegotiationOfferKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    ACCEPT_COUNTER = "accept_counter", _("Accepted the bureau's target")


class CatalogueEntryStatus(models.TextChoices):
    """[R-HOSP-CATALOGUE] a product in a hospital's own catalogue (院内目录)."""

    ADMITTED = "admitted", _("In use")
    STOPPED = "stopped", _("Stopped")


# Admitted and stopped alternate (停用 / 复用), each with a reason, as often as the hospital
# decides; a product is never removed from the catalogue (its history stays with it).
CATALOGUE_TRANSITIONS: dict[str, frozenset[str]] = {
    CatalogueEntryStatus.ADMITTED: frozenset({CatalogueEntryStatus.STOPPED}),
    CatalogueEntryStatus.STOPPED: frozenset({CatalogueEntryStatus.ADMITTED}),
}


class CatalogueAction(models.TextChoices):
    STOP = "stop", _("stopping the product")
    RESUME = "resume", _("resuming the product")


CATALOGUE_STATES = StateMachine(
    object="catalogue_entry",
    transitions=CATALOGUE_TRANSITIONS,
    targets={
        CatalogueAction.STOP: CatalogueEntryStatus.STOPPED,
        CatalogueAction.RESUME: CatalogueEntryStatus.ADMITTED,
    },
    label=lambda entry: gettext("Catalogue entry %(number)s") % {"number": entry.pk},
)


class CatalogueEventKind(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    STOPPED = "stopped", _("Stopped")
    RESUMED = "resumed", _("Resumed")


class UsageCatalogueFlag(models.TextChoices):
    """[R-HOSP-CATALOGUE] why a usage record's product was outside the hospital's catalogue
    when it was used (blank: it was in use)."""

    NONE = "", _("In the catalogue")
    NOT_ADMITTED = "not_admitted", _("Never admitted to the hospital's catalogue")
    STOPPED = "stopped", _("Stopped in the hospital's catalogue")
