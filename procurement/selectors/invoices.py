"""Reads for invoices; always actor-scoped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.models import User
from core import permissions
from core.actions import Actions, Allowed, role_check, verdict
from core.errors import NotFoundError
from core.slices import month_bounds, parse_district, parse_month
from procurement.choices import INVOICE_STATES, InvoiceAction
from procurement.models import Invoice, InvoiceLine
from procurement.selectors.orders import require_organization


def invoices_visible(actor: User) -> QuerySet:
    return Invoice.objects.visible_to(actor)


# The settlement app's payment lines (related name ``payment_lines``), read by name since
# procurement imports no settlement module: an invoice whose line (not disputed) belongs to a
# request the hospital has paid into escrow, or that the supplier was paid, is paid.
_LIVE_LINE_STATUSES = ("open", "paid")
_PAID_REQUEST_STATUSES = ("paid", "settled")


def invoice_slice(params: Mapping[str, Any]) -> dict[str, Any]:
    """The drill-down filters of a list request (``month``, ``district``) as invoice_list
    keyword arguments; a malformed month or district is refused naming it."""
    return {
        "registered_month": parse_month(params.get("month")),
        "district": parse_district(params.get("district")),
    }


def invoice_list(
    *,
    actor: User,
    order_id: int | None = None,
    status: Sequence[str] = (),
    unpaid: bool = False,
    registered_month: dt.date | None = None,
    district: str = "",
) -> QuerySet:
    """Invoices newest first, with order, parties and lines: three queries a page.
    ``unpaid``: only those the hospital has not paid yet (settlement's payment flow).
    The bureau dashboard's drill-down filters: registered in ``registered_month``
    (Asia/Shanghai), of hospitals whose region code starts with ``district``."""
    permissions.require(actor, "order.view")
    qs = invoices_visible(actor).select_related("order", "hospital", "issuer")
    if order_id:
        qs = qs.filter(order_id=order_id)
    if status:
        qs = qs.filter(status__in=list(status))
    if registered_month:
        low, high = month_bounds(registered_month)
        qs = qs.filter(registered_at__gte=low, registered_at__lt=high)
    if district:
        qs = qs.filter(hospital__region_code__startswith=district)
    if unpaid:
        # NOT EXISTS, not NOT IN: PostgreSQL plans it as a hashed anti-join, where NOT IN over
        # millions of paid invoices could not be hashed and was rescanned per row (the bench
        # at 10,000,000 order lines). Settlement's line model is reached through the reverse
        # relation, since procurement does not import settlement.
        line_model = Invoice._meta.get_field("payment_lines").related_model
        paid = line_model._default_manager.filter(
            invoice_id=OuterRef("pk"),
            status__in=_LIVE_LINE_STATUSES,
            request__status__in=_PAID_REQUEST_STATUSES,
        )
        qs = qs.filter(~Exists(paid))
    lines = (
        InvoiceLine.objects.select_related("order_line__consumable")
        .defer("order_line__consumable__search_terms")
        .order_by("pk")
    )
    return qs.prefetch_related(Prefetch("lines", queryset=lines)).order_by("-registered_at", "-id")


def invoice_actions(*, actor: User, invoice: Invoice) -> Actions:
    """What the actor may do with the invoice now (core.actions): its hospital's finance
    confirms or rejects a registered invoice [R-PAY-30], as procurement.services.invoices
    checks. No query of its own."""

    def answer(action: str) -> Allowed:
        return verdict(
            action,
            role_check(actor, "invoice.confirm"),
            lambda: require_organization(actor, invoice.hospital_id, action="invoice.confirm"),
            lambda: INVOICE_STATES.check(invoice, action),
        )

    return Actions([answer(InvoiceAction.CONFIRM), answer(InvoiceAction.REJECT)])


def invoice_get(*, actor: User, invoice_id: int) -> Invoice:
    invoice = (
        invoice_list(actor=actor).filter(pk=invoice_id).first()
        if permissions.can(actor, "order.view")
        else None
    )
    if invoice is None:
        raise NotFoundError()
    return invoice
