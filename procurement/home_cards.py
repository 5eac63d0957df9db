"""Procurement's cards on the home page (core.home): each role's queue of orders, delivery
notes, invoices and listings, counted from the very selector (and filters) its linked list
uses, so the card says what the list shows. Registered from ProcurementConfig.ready."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganizationKind, Role
from core import clock, export_jobs
from core.export_jobs import ExportStatus
from core.home import CardQuery, register_card, watches_jurisdiction
from procurement.choices import (
    CatalogueEntryStatus,
    DeliveryStatus,
    DemandStatus,
    EmergencyStatus,
    InvoiceStatus,
    OrderStatus,
    PriceChangeStatus,
    RoundStatus,
)
from procurement.selectors import bids as bid_selectors
from procurement.selectors import (
    catalogue,
    contracts,
    deliveries,
    demand,
    emergency,
    invoices,
    listings,
    negotiations,
    orders,
    rounds,
    usage,
)

PURCHASER = {Role.HOSPITAL_PURCHASER}
FINANCE = {Role.HOSPITAL_FINANCE}
SUPPLIER = {Role.SUPPLIER_SALES}
REGULATORS = {Role.BUREAU_OFFICER, Role.AGENCY_FINANCE}
REVIEWERS = {Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN}


def _is_manufacturer(actor) -> bool:
    org = getattr(actor, "organization", None)
    return org is not None and org.kind == OrganizationKind.MANUFACTURER


def _orders(actor, **params) -> CardQuery:
    status = [params["status"]] if "status" in params else []
    rows = orders.order_list(
        actor=actor, status=status, todo=params.get("todo", ""), with_lines=False
    )
    return CardQuery(rows=rows, path=reverse("procurement:order_list"), params=params)


# --- Hospital purchaser ----------------------------------------------------------------------


@register_card(key="order_drafts", title=_("Draft orders"), roles=PURCHASER, order=100)
def order_drafts(actor) -> CardQuery:
    return _orders(actor, status=OrderStatus.DRAFT)


@register_card(
    key="orders_awaiting_supplier",
    title=_("Orders awaiting the supplier"),
    roles=PURCHASER,
    order=110,
)
def orders_awaiting_supplier(actor) -> CardQuery:
    return _orders(actor, status=OrderStatus.SUBMITTED)


@register_card(
    key="deliveries_to_accept", title=_("Deliveries to accept"), roles=PURCHASER, order=120
)
def deliveries_to_accept(actor) -> CardQuery:
    rows = deliveries.delivery_list(actor=actor, status=[DeliveryStatus.SHIPPED])
    return CardQuery(
        rows=rows,
        path=reverse("procurement:delivery_list"),
        params={"status": DeliveryStatus.SHIPPED},
    )


@register_card(
    key="deliveries_returned", title=_("Delivery notes with returns"), roles=PURCHASER, order=130
)
def deliveries_returned(actor) -> CardQuery:
    rows = deliveries.delivery_list(actor=actor, returned=True)
    return CardQuery(rows=rows, path=reverse("procurement:delivery_list"), params={"returned": 1})


# --- Invoices: hospital finance confirms, the regulators see them settled ---------------------


@register_card(
    key="invoices_to_confirm",
    title=_("Invoices to confirm"),
    roles=FINANCE,
    order=200,
    amount_field="amount",
)
def invoices_to_confirm(actor) -> CardQuery:
    rows = invoices.invoice_list(actor=actor, status=[InvoiceStatus.REGISTERED])
    return CardQuery(
        rows=rows,
        path=reverse("procurement:invoice_list"),
        params={"status": InvoiceStatus.REGISTERED},
    )


@register_card(
    key="invoices_awaiting_settlement",
    title=_("Confirmed invoices awaiting settlement"),
    roles=REGULATORS,
    order=540,
    amount_field="amount",
    keep_for=watches_jurisdiction,
)
def invoices_awaiting_settlement(actor) -> CardQuery:
    # Not those the hospital has paid already (into escrow, or the fund directly).
    rows = invoices.invoice_list(actor=actor, status=[InvoiceStatus.CONFIRMED], unpaid=True)
    return CardQuery(
        rows=rows,
        path=reverse("procurement:invoice_list"),
        params={"status": InvoiceStatus.CONFIRMED, "unpaid": "1"},
    )


# --- Manufacturer and distributor ------------------------------------------------------------


@register_card(
    key="orders_to_answer",
    title=_("Orders to answer"),
    roles=SUPPLIER,
    order=300,
    applies=_is_manufacturer,
)
def orders_to_answer(actor) -> CardQuery:
    return _orders(actor, todo=orders.TODO_ANSWER)


@register_card(
    key="orders_to_deliver", title=_("Orders with lines to deliver"), roles=SUPPLIER, order=310
)
def orders_to_deliver(actor) -> CardQuery:
    return _orders(actor, todo=orders.TODO_DELIVER)


@register_card(
    key="orders_to_invoice", title=_("Orders with goods to invoice"), roles=SUPPLIER, order=320
)
def orders_to_invoice(actor) -> CardQuery:
    return _orders(actor, todo=orders.TODO_INVOICE)


@register_card(
    key="price_cuts_due",
    title=_("Price cuts due"),
    roles=SUPPLIER,
    order=330,
    applies=_is_manufacturer,
)
def price_cuts_due(actor) -> CardQuery:
    # The listing list shows a manufacturer its own listings (views.listings.listing_list).
    rows = listings.listing_list(actor=actor, price_cut_due=True, own=True)
    return CardQuery(
        rows=rows, path=reverse("procurement:listing_list"), params={"price_cut_due": 1}
    )


# --- Bureau, agency, platform administrators -------------------------------------------------


@register_card(
    key="listing_applications", title=_("Listing applications"), roles=REVIEWERS, order=500
)
def listing_applications(actor) -> CardQuery:
    rows = listings.listing_review_queue(actor=actor)
    return CardQuery(rows=rows, path=reverse("procurement:listing_review_queue"), params={})


@register_card(
    key="price_changes_to_review", title=_("Price changes to review"), roles=REVIEWERS, order=505
)
def price_changes_to_review(actor) -> CardQuery:
    rows = listings.listing_price_change_list(actor=actor, status=PriceChangeStatus.PENDING)
    return CardQuery(rows=rows, path=reverse("procurement:listing_review_queue"), params={})


@register_card(key="price_cuts_overdue", title=_("Overdue price cuts"), roles=REGULATORS, order=520)
def price_cuts_overdue(actor) -> CardQuery:
    rows = listings.listing_list(actor=actor, price_cut_due=True, price_cut_overdue=True)
    return CardQuery(
        rows=rows, path=reverse("procurement:listing_list"), params={"price_cut_due": "overdue"}
    )


# --- Volume-based procurement ------------------------------------------------------------------


@register_card(key="demand_to_report", title=_("Demand to report"), roles=PURCHASER, order=140)
def demand_to_report(actor) -> CardQuery:
    return CardQuery(
        rows=demand.demand_rounds(actor=actor, todo=True),
        path=reverse("procurement:demand_list"),
        params={"todo": "report"},
    )


@register_card(
    key="rounds_in_draft", title=_("Tender rounds in draft"), roles=REGULATORS, order=340
)
def rounds_in_draft(actor) -> CardQuery:
    return CardQuery(
        rows=rounds.round_list(actor=actor, status=[RoundStatus.DRAFT]),
        path=reverse("procurement:round_list"),
        params={"status": RoundStatus.DRAFT},
    )


@register_card(
    key="demand_awaiting_review", title=_("Demand awaiting review"), roles=REGULATORS, order=345
)
def demand_awaiting_review(actor) -> CardQuery:
    return CardQuery(
        rows=demand.demand_list(actor=actor, status=[DemandStatus.REPORTED]),
        path=reverse("procurement:demand_list"),
        params={"status": DemandStatus.REPORTED},
    )


# --- Purchase contracts [R-VBP-CONTRACT]: to sign, lagging, due for renewal ----------------------

CONTRACT_PARTIES = PURCHASER | SUPPLIER
CONTRACT_WATCHERS = PURCHASER | FINANCE | SUPPLIER | REGULATORS


def _contracts(actor, **params) -> CardQuery:
    rows = contracts.contract_list(
        actor=actor,
        lagging=True if params.get("lagging") == "1" else None,
        to_sign=params.get("to_sign") == "1",
        renewal_due=params.get("renewal_due") == "1",
    )
    return CardQuery(
        rows=rows,
        path=reverse("procurement:contract_list"),
        params=params,
    )


@register_card(
    key="contracts_to_sign", title=_("Contracts to sign"), roles=CONTRACT_PARTIES, order=150
)
def contracts_to_sign(actor) -> CardQuery:
    return _contracts(actor, to_sign="1")


@register_card(
    key="contracts_lagging",
    title=_("Contracts behind schedule"),
    roles=CONTRACT_WATCHERS,
    order=560,
)
def contracts_lagging(actor) -> CardQuery:
    return _contracts(actor, lagging="1")


@register_card(
    key="contracts_renewal_due",
    title=_("Contracts due for renewal"),
    roles=REGULATORS,
    order=350,
)
def contracts_renewal_due(actor) -> CardQuery:
    return _contracts(actor, renewal_due="1")


# --- Everyone who exports a list -------------------------------------------------------------


@register_card(
    key="exports_ready", title=_("Exports ready to download"), roles=set(Role), order=900
)
def exports_ready(actor) -> CardQuery:
    # The lists a person exports are procurement's (procurement/exports.py); the files wait
    # EXPORT_RETENTION_H hours, so the card says which are still there to fetch.
    rows = export_jobs.export_job_list(actor=actor, status=ExportStatus.SUCCEEDED)
    return CardQuery(
        rows=rows, path=reverse("core:export_jobs"), params={"status": ExportStatus.SUCCEEDED.value}
    )


# --- Emergency purchases [R-EMERG-CAP] [R-EMERG-DEADLINE] --------------------------------------


def _emergency(actor, **params) -> CardQuery:
    rows = emergency.emergency_purchase_list(
        actor=actor,
        status=[params["status"]] if "status" in params else None,
        year=params.get("year"),
    )
    return CardQuery(rows=rows, path=reverse("procurement:emergency_list"), params=params)


@register_card(
    key="emergency_this_year",
    title=_("Emergency purchases this year (amount used of the cap)"),
    roles=PURCHASER,
    order=170,
    amount_field="amount",
)
def emergency_this_year(actor) -> CardQuery:
    """The amount is the emergency purchases used of the cap; the list shows the cap."""
    return _emergency(actor, year=clock.local_today().year)


@register_card(
    key="emergency_awaiting_bureau",
    title=_("Over-cap emergency purchases awaiting the bureau"),
    roles=PURCHASER,
    order=171,
)
def emergency_awaiting_bureau(actor) -> CardQuery:
    return _emergency(actor, status=EmergencyStatus.PENDING)


@register_card(
    key="emergency_to_decide",
    title=_("Over-cap emergency purchases to decide"),
    roles={Role.BUREAU_OFFICER},
    order=470,
)
def emergency_to_decide(actor) -> CardQuery:
    return _emergency(actor, status=EmergencyStatus.PENDING)


@register_card(
    key="emergency_violations_this_year",
    title=_("Emergency purchase violations this year"),
    roles=REGULATORS,
    order=471,
    amount_field="amount",
)
def emergency_violations_this_year(actor) -> CardQuery:
    year = clock.local_today().year
    rows = emergency.emergency_violation_list(actor=actor, year=year)
    return CardQuery(
        rows=rows, path=reverse("procurement:emergency_violation_list"), params={"year": year}
    )


# --- Negotiations [R-NEGOTIATION] -----------------------------------------------------------


def _negotiations(actor, todo: str) -> CardQuery:
    return CardQuery(
        rows=negotiations.negotiation_list(actor=actor, todo=todo),
        path=reverse("procurement:negotiation_list"),
        params={"todo": todo},
    )


@register_card(
    key="negotiation_invitations",
    title=_("Negotiation invitations awaiting my offer"),
    roles=SUPPLIER,
    order=365,
    applies=_is_manufacturer,
)
def negotiation_invitations(actor) -> CardQuery:
    return _negotiations(actor, "offer")


@register_card(
    key="negotiation_deadlines",
    title=_("Negotiation deadlines within 3 days"),
    roles=SUPPLIER,
    order=366,
    applies=_is_manufacturer,
)
def negotiation_deadlines(actor) -> CardQuery:
    return _negotiations(actor, "due")


@register_card(
    key="negotiations_to_decide",
    title=_("Negotiations to decide (offers in)"),
    roles=REGULATORS,
    order=472,
)
def negotiations_to_decide(actor) -> CardQuery:
    return _negotiations(actor, "decide")


# --- Sealed bids: suppliers bid, custodians collect and enter their shares, the bureau opens --


@register_card(
    key="rounds_open_for_bids", title=_("Rounds open for bids"), roles=SUPPLIER, order=360
)
def rounds_open_for_bids(actor) -> CardQuery:
    return CardQuery(
        rows=bid_selectors.rounds_todo(actor=actor, todo="bid"),
        path=reverse("procurement:round_list"),
        params={"todo": "bid"},
    )


@register_card(
    key="shares_to_collect", title=_("Key shares to collect"), roles=REGULATORS, order=361
)
def shares_to_collect(actor) -> CardQuery:
    return CardQuery(
        rows=bid_selectors.shares_to_collect(actor=actor),
        path=reverse("procurement:custody_list"),
        params={"todo": "collect"},
    )


@register_card(key="shares_to_enter", title=_("Key shares to enter"), roles=REGULATORS, order=362)
def shares_to_enter(actor) -> CardQuery:
    return CardQuery(
        rows=bid_selectors.shares_to_enter(actor=actor),
        path=reverse("procurement:custody_list"),
        params={"todo": "enter"},
    )


@register_card(key="rounds_to_open", title=_("Rounds to open"), roles=REGULATORS, order=363)
def rounds_to_open(actor) -> CardQuery:
    return CardQuery(
        rows=bid_selectors.rounds_todo(actor=actor, todo="open"),
        path=reverse("procurement:round_list"),
        params={"todo": "open"},
    )


@register_card(
    key="rounds_in_publicity", title=_("Rounds in publicity"), roles=REGULATORS, order=364
)
def rounds_in_publicity(actor) -> CardQuery:
    return CardQuery(
        rows=rounds.round_list(actor=actor, status=[RoundStatus.PUBLICITY]),
        path=reverse("procurement:round_list"),
        params={"status": RoundStatus.PUBLICITY},
    )


# --- The hospital's own catalogue [R-HOSP-CATALOGUE] -----------------------------------------


def _catalogue(actor, **params) -> CardQuery:
    rows = catalogue.catalogue_entry_list(actor=actor, status=params.get("status", ""))
    return CardQuery(rows=rows, path=reverse("procurement:catalogue_list"), params=params)


@register_card(
    key="catalogue_in_use",
    title=_("Products in the hospital catalogue"),
    roles=PURCHASER,
    order=180,
)
def catalogue_in_use(actor) -> CardQuery:
    return _catalogue(actor, status=CatalogueEntryStatus.ADMITTED)


@register_card(
    key="catalogue_stopped",
    title=_("Products stopped in the hospital catalogue"),
    roles=PURCHASER,
    order=181,
)
def catalogue_stopped(actor) -> CardQuery:
    return _catalogue(actor, status=CatalogueEntryStatus.STOPPED)


@register_card(
    key="usage_outside_catalogue",
    title=_("Usage records outside the catalogue"),
    roles=PURCHASER,
    order=182,
)
def usage_outside_catalogue(actor) -> CardQuery:
    """HIS usage records of products never admitted or stopped (flagged when received)."""
    rows = usage.usage_list(actor=actor, flagged="any")
    return CardQuery(rows=rows, path=reverse("procurement:usage_list"), params={"flagged": "any"})
