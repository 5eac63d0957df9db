"""Reads for invoices; always actor-scoped."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch, QuerySet

from core import permissions
from core.errors import NotFoundError
from procurement.models import Invoice, InvoiceLine


def invoices_visible(actor) -> QuerySet:
    return Invoice.objects.visible_to(actor)


def invoice_list(*, actor, order_id: int | None = None, status: Sequence[str] = ()) -> QuerySet:
    """Invoices newest first, with order, parties and lines: three queries a page."""
    permissions.require(actor, "order.view")
    qs = invoices_visible(actor).select_related("order", "hospital", "issuer")
    if order_id:
        qs = qs.filter(order_id=order_id)
    if status:
        qs = qs.filter(status__in=list(status))
    lines = (
        InvoiceLine.objects.select_related("order_line__consumable")
        .defer("order_line__consumable__search_terms")
        .order_by("pk")
    )
    return qs.prefetch_related(Prefetch("lines", queryset=lines)).order_by("-registered_at", "-id")


def invoice_get(*, actor, invoice_id: int) -> Invoice:
    invoice = (
        invoice_list(actor=actor).filter(pk=invoice_id).first()
        if permissions.can(actor, "order.view")
        else None
    )
    if invoice is None:
        raise NotFoundError()
    return invoice
