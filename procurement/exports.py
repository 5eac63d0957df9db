"""The exports of the order, delivery-note, invoice, listing and usage-record lists
(core.exports.register): the lists a province's data makes too long to write in a request.

Each definition reads the rows through the list page's selector, with the list's filters and
the requester's scope, so a file holds exactly what the list shows. They are written in the
background (core.export_jobs) because a province's lists run to hundreds of thousands of rows;
the list pages' ``?export=xlsx`` writes the same rows in the request, up to
core.exports.SYNC_MAX_ROWS.

Rows are read as tuples of the written columns only (``values_list``), streamed from the
database (``iterator``): no model instances, no line rows an export does not write.

``filters`` parses a list's query string strictly: an unknown status or a date that does not
parse is a 400 (the list page drops such a filter and says so next to the field; an export
that silently widened would hand out rows nobody asked for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, TextField
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganizationKind
from core.errors import ValidationError
from core.exports import ExportDefinition, ExportRows, register
from core.permissions import can
from core.web import local_time, parse_id
from procurement.choices import (
    Catalogue,
    DeliveryStatus,
    InvoiceStatus,
    ListingStatus,
    OrderStatus,
    PurchaseLabel,
    UsageCatalogueFlag,
)
from procurement.models import DeliveryLine, OrderLine
from procurement.selectors import deliveries as delivery_selectors
from procurement.selectors import invoices as invoice_selectors
from procurement.selectors import listings as listing_selectors
from procurement.selectors import orders as order_selectors
from procurement.selectors import usage as usage_selectors

CHUNK = 2000

ORDER_EXPORT_HEADERS = (
    _("Order number"),
    _("Created at"),
    _("Submitted at"),
    _("Hospital"),
    _("Supplier"),
    _("Distributor"),
    _("Status"),
    _("Urgent"),
    _("Lines"),
    _("Products"),
    _("Order total"),
)
DELIVERY_EXPORT_HEADERS = (
    _("Delivery note number"),
    _("Order number"),
    _("Hospital"),
    _("Supplier"),
    _("Delivered by"),
    _("Shipped at"),
    _("Status"),
    _("National code"),
    _("Product"),
    _("Quantity"),
    _("UDI-DI"),
    _("Lot"),
    _("Serial"),
    _("Expiry"),
    _("Accepted"),
    _("Refused"),
    _("Returned"),
)
INVOICE_EXPORT_HEADERS = (
    _("Invoice number"),
    _("Issue date"),
    _("Order number"),
    _("Hospital"),
    _("Issuer"),
    _("Amount"),
    _("Status"),
    _("Registered at"),
    _("Confirmed at"),
    _("Rejection reason"),
)


def _invalid(field: str) -> ValidationError:
    return ValidationError(fields={field: [str(_("This filter's value is not valid."))]})


def _status(params: Mapping[str, str], choices: Any, default: str = "") -> str:
    value = str(params.get("status", default) or "")
    if value in ("", "all"):
        return ""
    if value not in choices.values:
        raise _invalid("status")
    return value


def _id(params: Mapping[str, str], field: str) -> int | None:
    value = str(params.get(field, "") or "").strip()
    if not value:
        return None
    parsed = parse_id(value)
    if parsed is None or parsed > 2**63 - 1:
        raise _invalid(field)
    return parsed


def _date(params: Mapping[str, str], field: str) -> str:
    value = str(params.get(field, "") or "").strip()
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise _invalid(field) from None


def _text(params: Mapping[str, str], field: str, max_length: int) -> str:
    value = str(params.get(field, "") or "").strip()
    if len(value) > max_length or "\x00" in value:
        raise _invalid(field)
    return value


def _hospital_side(actor: Any) -> bool:
    org = getattr(actor, "organization", None)
    return org is not None and org.is_hospital


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


# --- Orders -------------------------------------------------------------------------------


def order_export_filters(actor: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """The order list's filters (procurement.views.orders.order_list): status tab, work queue,
    number, creation day range, counterpart."""
    todo = str(params.get("todo", "") or "")
    if todo and todo not in order_selectors.ORDER_TODOS:
        raise _invalid("todo")
    counterpart = _id(params, "counterpart")
    if counterpart is not None:
        # The list offers only the counterparts of the actor's own orders (and ignores any
        # other); the export refuses one that is not among them rather than export nothing.
        side = "supplier" if _hospital_side(actor) else "hospital"
        mine = order_selectors.order_list(actor=actor, with_lines=False)
        if not mine.filter(**{f"{side}_id": counterpart}).exists():
            raise _invalid("counterpart")
    filters = {
        "status": _status(params, OrderStatus),
        "todo": todo,
        "number": _text(params, "number", 32),
        "date_from": _date(params, "date_from"),
        "date_to": _date(params, "date_to"),
        "counterpart": counterpart,
    }
    return {k: v for k, v in filters.items() if v not in ("", None)}


def order_export_queryset(actor: Any, filters: dict[str, Any]) -> QuerySet:
    """The order list's queryset for these filters (no lines prefetched)."""
    side = "supplier" if _hospital_side(actor) else "hospital"
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    return order_selectors.order_list(
        actor=actor,
        status=[filters["status"]] if filters.get("status") else [],
        todo=filters.get("todo", ""),
        number=filters.get("number", ""),
        created_from=dt.date.fromisoformat(date_from) if date_from else None,
        created_to=dt.date.fromisoformat(date_to) if date_to else None,
        with_lines=False,
        supplier_id=filters.get("counterpart") if side == "supplier" else None,
        hospital_id=filters.get("counterpart") if side == "hospital" else None,
    )


def order_export_rows(actor: Any, filters: dict[str, Any]) -> ExportRows:
    orders = order_export_queryset(actor, filters)
    # Per order, its line count and product names, as subqueries: one query for the whole
    # export instead of a prefetch of every line and product per chunk.
    lines = OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
    rows = orders.annotate(
        line_count=Subquery(lines.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        products=Subquery(
            lines.annotate(names=StringAgg("consumable__product_name", "；", order_by="pk")).values(
                "names"
            ),
            output_field=TextField(),
        ),
    ).values_list(
        "number",
        "created_at",
        "submitted_at",
        "hospital__name",
        "supplier__name",
        "distributor__name",
        "status",
        "is_urgent",
        "line_count",
        "products",
        "total",
    )
    labels = _labels(OrderStatus)
    return ExportRows(
        headers=ORDER_EXPORT_HEADERS,
        count=orders.count,
        rows=(
            [
                number,
                local_time(created),
                local_time(submitted),
                hospital,
                supplier,
                distributor or "",
                labels.get(status, status),
                urgent,
                line_count or 0,
                products or "",
                total,
            ]
            for (
                number,
                created,
                submitted,
                hospital,
                supplier,
                distributor,
                status,
                urgent,
                line_count,
                products,
                total,
            ) in rows.iterator(chunk_size=CHUNK)
        ),
    )


ORDERS = register(
    ExportDefinition(
        kind="orders",
        title=_("Orders"),
        filename="orders.xlsx",
        permission="order.view",
        list_url="procurement:order_list",
        filters=order_export_filters,
        rows=order_export_rows,
        filter_names=("status", "todo", "number", "date_from", "date_to", "counterpart"),
    )
)


# --- Delivery notes, one row per delivered line ---------------------------------------------


def delivery_export_filters(actor: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """The delivery-note list's filters: status tab, order, notes goods were returned from."""
    returned = str(params.get("returned", "") or "")
    if returned not in ("", "0", "1"):
        raise _invalid("returned")
    filters = {
        "status": _status(params, DeliveryStatus),
        "order": _id(params, "order"),
        "returned": returned == "1",
    }
    return {k: v for k, v in filters.items() if v not in ("", None, False)}


def delivery_export_rows(actor: Any, filters: dict[str, Any]) -> ExportRows:
    notes = delivery_selectors.delivery_list(
        actor=actor,
        status=[filters["status"]] if filters.get("status") else [],
        order_id=filters.get("order"),
        returned=bool(filters.get("returned")),
    )
    # The lines of the notes the list shows, in its order (newest note first), then each
    # note's lines as on its page.
    lines = (
        DeliveryLine.objects.filter(delivery__in=notes.order_by().values("pk"))
        .order_by("-delivery__shipped_at", "-delivery_id", "pk")
        .values_list(
            "delivery__number",
            "delivery__order__number",
            "delivery__order__hospital__name",
            "delivery__order__supplier__name",
            "delivery__carrier__name",
            "delivery__shipped_at",
            "delivery__status",
            "order_line__consumable__code",
            "order_line__consumable__product_name",
            "quantity",
            "udi_di",
            "lot",
            "serial",
            "expiry_date",
            "accepted_quantity",
            "refused_quantity",
            "returned_quantity",
        )
    )
    labels = _labels(DeliveryStatus)

    def rows():
        for row in lines.iterator(chunk_size=CHUNK):
            row = list(row)
            row[5] = local_time(row[5])
            row[6] = labels.get(row[6], row[6])
            yield row

    return ExportRows(headers=DELIVERY_EXPORT_HEADERS, count=lines.count, rows=rows())


DELIVERY_LINES = register(
    ExportDefinition(
        kind="delivery_lines",
        title=_("Delivery notes"),
        filename="delivery-notes.xlsx",
        permission="order.view",
        list_url="procurement:delivery_list",
        filters=delivery_export_filters,
        rows=delivery_export_rows,
        filter_names=("status", "order", "returned"),
    )
)


# --- Invoices -------------------------------------------------------------------------------


def invoice_export_filters(actor: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """The invoice list's filters; like the list, hospital finance's default tab is the
    invoices to confirm (an explicit ``status=all`` exports every invoice)."""
    default = InvoiceStatus.REGISTERED.value if can(actor, "invoice.confirm") else ""
    filters = {"status": _status(params, InvoiceStatus, default), "order": _id(params, "order")}
    return {k: v for k, v in filters.items() if v not in ("", None)} or {"status": "all"}


def invoice_export_rows(actor: Any, filters: dict[str, Any]) -> ExportRows:
    status = filters.get("status", "")
    invoices = invoice_selectors.invoice_list(
        actor=actor,
        status=[status] if status and status != "all" else [],
        order_id=filters.get("order"),
    )
    # The written columns only: the list's line prefetch is dropped (the export writes no
    # line) and no invoice, order or organisation is built.
    rows = invoices.prefetch_related(None).values_list(
        "number",
        "issued_on",
        "order__number",
        "hospital__name",
        "issuer__name",
        "amount",
        "status",
        "registered_at",
        "confirmed_at",
        "rejection_reason",
    )
    labels = _labels(InvoiceStatus)

    def written():
        for row in rows.iterator(chunk_size=CHUNK):
            row = list(row)
            row[6] = labels.get(row[6], row[6])
            row[7] = local_time(row[7])
            row[8] = local_time(row[8])
            yield row

    return ExportRows(headers=INVOICE_EXPORT_HEADERS, count=rows.count, rows=written())


INVOICES = register(
    ExportDefinition(
        kind="invoices",
        title=_("Invoices"),
        filename="invoices.xlsx",
        permission="order.view",
        list_url="procurement:invoice_list",
        filters=invoice_export_filters,
        rows=invoice_export_rows,
        filter_names=("status", "order"),
    )
)


# --- Listings -------------------------------------------------------------------------------

LISTING_EXPORT_HEADERS = (
    _("National code"),
    _("Product"),
    _("Specification"),
    _("Model"),
    _("Manufacturer"),
    _("Listed price"),
    _("Reference price"),
    _("Catalogue"),
    _("Status"),
    _("Purchase label"),
    _("Companion service"),
    _("Registration certificate number"),
    _("Price cut due"),
    _("Submitted at"),
)


def _choice(params: Mapping[str, str], field: str, choices: Any) -> str:
    value = str(params.get(field, "") or "")
    if value and value not in choices.values:
        raise _invalid(field)
    return value


def listing_export_filters(actor: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """The listing list's filters (procurement.views.listings.listing_list)."""
    due = str(params.get("price_cut_due", "") or "")
    if due not in ("", "1", "overdue"):
        raise _invalid("price_cut_due")
    filters = {
        "status": _choice(params, "status", ListingStatus),
        "catalogue": _choice(params, "catalogue", Catalogue),
        "label": _choice(params, "label", PurchaseLabel),
        "q": _text(params, "q", 100),
        "code": _text(params, "code", 40),
        "price_cut_due": due,
    }
    return {k: v for k, v in filters.items() if v}


def listing_export_rows(actor: Any, filters: dict[str, Any]) -> ExportRows:
    org = getattr(actor, "organization", None)
    due = filters.get("price_cut_due", "")
    listings = listing_selectors.listing_list(
        actor=actor,
        status=filters.get("status", ""),
        catalogue=filters.get("catalogue", ""),
        label=filters.get("label", ""),
        q=filters.get("q", ""),
        code=filters.get("code", ""),
        price_cut_due=True if due in ("1", "overdue") else None,
        price_cut_overdue=due == "overdue",
        # A manufacturer's list is "My listings" (the page does the same).
        own=org is not None and org.kind == OrganizationKind.MANUFACTURER,
    )
    rows = listings.values_list(
        "consumable__code",
        "consumable__product_name",
        "consumable__specification",
        "consumable__model",
        "manufacturer__name",
        "price",
        "reference_price",
        "catalogue",
        "status",
        "label",
        "companion_service",
        "registration_number",
        "price_cut_due_on",
        "submitted_at",
    )
    catalogues, statuses, labels = (
        _labels(Catalogue),
        _labels(ListingStatus),
        _labels(PurchaseLabel),
    )

    def written():
        for row in rows.iterator(chunk_size=CHUNK):
            row = list(row)
            row[7] = catalogues.get(row[7], row[7])
            row[8] = statuses.get(row[8], row[8])
            row[9] = labels.get(row[9], row[9])
            row[13] = local_time(row[13])
            yield row

    return ExportRows(headers=LISTING_EXPORT_HEADERS, count=rows.count, rows=written())


LISTINGS = register(
    ExportDefinition(
        kind="listings",
        title=_("Listings"),
        filename="listings.xlsx",
        permission="listing.view",
        list_url="procurement:listing_list",
        filters=listing_export_filters,
        rows=listing_export_rows,
        filter_names=("status", "catalogue", "label", "q", "code", "price_cut_due"),
    )
)


# --- Usage records --------------------------------------------------------------------------

USAGE_EXPORT_HEADERS = (
    _("Used at"),
    _("Hospital"),
    _("National code"),
    _("Product"),
    _("Brand (manufacturer)"),
    _("UDI-DI"),
    _("Lot"),
    _("Serial"),
    _("Quantity"),
    _("Operation id"),
    _("Doctor's staff code"),
    _("Department"),
    _("Price charged to the patient"),
)


def usage_export_filters(actor: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """The usage list's filters (procurement.forms.usage.UsageSearchForm)."""
    filters = {
        "doctor_code": _text(params, "doctor_code", 32),
        "department": _text(params, "department", 100),
        "operation_id": _text(params, "operation_id", 64),
        "date_from": _date(params, "date_from"),
        "date_to": _date(params, "date_to"),
        "flagged": _flagged(params),
    }
    return {k: v for k, v in filters.items() if v}


def _flagged(params: Mapping[str, str]) -> str:
    """[R-HOSP-CATALOGUE] ``any`` or one reason a record is outside the catalogue."""
    value = str(params.get("flagged", "") or "")
    allowed = ["any", *[flag for flag in UsageCatalogueFlag.values if flag]]
    if value and value not in allowed:
        raise _invalid("flagged")
    return value


def usage_export_rows(actor: Any, filters: dict[str, Any]) -> ExportRows:
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    records = usage_selectors.usage_list(
        actor=actor,
        doctor_code=filters.get("doctor_code", ""),
        department=filters.get("department", ""),
        operation_id=filters.get("operation_id", ""),
        used_from=dt.date.fromisoformat(date_from) if date_from else None,
        used_to=dt.date.fromisoformat(date_to) if date_to else None,
        flagged=filters.get("flagged", ""),
    )
    rows = records.values_list(
        "used_at",
        "hospital__name",
        "consumable__code",
        "consumable__product_name",
        "manufacturer__name",
        "udi_di",
        "lot",
        "serial",
        "quantity",
        "operation_id",
        "doctor_code",
        "department",
        "charged_price",
    )

    def written():
        for row in rows.iterator(chunk_size=CHUNK):
            row = list(row)
            row[0] = local_time(row[0])
            row[4] = row[4] or ""
            yield row

    return ExportRows(headers=USAGE_EXPORT_HEADERS, count=rows.count, rows=written())


USAGE_RECORDS = register(
    ExportDefinition(
        kind="usage_records",
        title=_("Usage records"),
        filename="usage-records.xlsx",
        permission="usage.view",
        list_url="procurement:usage_list",
        filters=usage_export_filters,
        rows=usage_export_rows,
        filter_names=(
            "doctor_code",
            "department",
            "operation_id",
            "date_from",
            "date_to",
            "flagged",
        ),
    )
)
