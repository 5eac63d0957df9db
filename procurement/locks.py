"""Row locks for procurement: the only way a service fetches a row it is about to change.

Each helper scopes first (another organisation's row is a 404, as if missing), then locks with
``SELECT ... FOR UPDATE OF`` the row itself. Lock order, everywhere: the Order row first, then
its lines in pk order, then the delivery or invoice (and its lines in pk order). Every service
that touches an order's counters takes the order lock first, so two services on the same order
queue up instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core import permissions
from core.errors import NotFoundError
from procurement.models import Delivery, Invoice, Listing, Order, OrderLine
from procurement.selectors.deliveries import deliveries_visible
from procurement.selectors.invoices import invoices_visible


def lock_order(*, actor, order_id: int, action: str) -> Order:
    """The order, locked FOR UPDATE, if the actor may see it (else 404) and do ``action``
    (else 403)."""
    locking = Order.objects.select_for_update(of=("self",))
    return permissions.access(actor, locking, action=action, pk=order_id)


def lock_order_lines(*, order: Order, ids: Iterable[int] | None = None) -> list[OrderLine]:
    """The order's lines (or those in ``ids``), locked in pk order, with listing and product."""
    qs = (
        OrderLine.objects.filter(order=order)
        .select_related("listing", "consumable")
        .defer("consumable__search_terms")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs)


def lock_delivery(*, actor, delivery_id: int, action: str) -> Delivery:
    """Lock the delivery's order first, then the delivery (see the module's lock order)."""
    found = deliveries_visible(actor).filter(pk=delivery_id).values_list("order_id", flat=True)
    order_id = found.first()
    if order_id is None:
        raise NotFoundError()
    order = lock_order(actor=actor, order_id=order_id, action=action)
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .filter(pk=delivery_id)
        .select_related("carrier")
    ).get()
    delivery.order = order
    return delivery


def lock_invoice(*, actor, invoice_id: int, action: str) -> Invoice:
    """Lock the invoice's order first, then the invoice (see the module's lock order)."""
    order_id = invoices_visible(actor).filter(pk=invoice_id).values_list("order_id", flat=True)
    order_id = order_id.first()
    if order_id is None:
        raise NotFoundError()
    order = lock_order(actor=actor, order_id=order_id, action=action)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
    invoice.order = order
    return invoice


def lock_listing(*, actor: Any, listing_id: int) -> Listing:
    """The listing, locked, if the actor may see it (another organisation's: 404)."""
    listing = (
        Listing.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("consumable")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        raise NotFoundError()
    return listing
