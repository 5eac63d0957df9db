"""Reads for orders: the lists and the order page; always actor-scoped.

List selectors return querysets whose query count does not grow with the page: related rows
come through ``select_related`` / ``prefetch_related``, never per row (pinned by tests with
``django_assert_num_queries``). What a cart would become (quotes, priced lines) is in
procurement.selectors.cart; the rows a service is about to change are locked through
procurement.locks. Who sees which order is ``Order.tenant_q`` (procurement.models.orders):
every read here starts from ``Order.objects.visible_to(actor)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext as _

from accounts.choices import SUPPLIER_KINDS, OrganizationKind
from accounts.models import Organization, User
from catalog.models import Consumable
from core import paging, permissions
from core.actions import Actions, Allowed, Check, role_check, verdict
from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.slices import month_bounds, parse_district, parse_month
from procurement.choices import (
    COUNTED_ORDER_STATUSES,
    ORDER_STATES,
    LineStatus,
    OrderAction,
    OrderStatus,
)
from procurement.errors import (
    DeliveredByDistributorError,
    NothingToDeliverError,
    NothingToInvoiceError,
    QuantityInvalidError,
)
from procurement.models import Order, OrderLine
from procurement.selectors.listings import distributors_authorised

# A sanity bound: far above any real order line, far below the integer column's limit, so a
# typo such as 10000000000 is refused with a clear code instead of a database error.
MAX_QUANTITY = 1_000_000


# ---------------------------------------------------------------------------------------------
# Parties and rules the services and the allowed actions share

HOSPITAL, SUPPLIER, CARRIER = "hospital", "supplier", "carrier"

# action -> (the role it needs, core.permissions.ACTIONS; the party of the order it is for).
# The carrier is the manufacturer or the distributor it named on the order.
ORDER_ACTION_PARTIES: dict[str, tuple[str, str]] = {
    OrderAction.SUBMIT: ("order.submit", HOSPITAL),
    OrderAction.CANCEL: ("order.place", HOSPITAL),
    OrderAction.RESPOND: ("order.respond", SUPPLIER),
    OrderAction.CHOOSE_DISTRIBUTOR: ("order.respond", SUPPLIER),
    OrderAction.DELIVER: ("delivery.create", CARRIER),
    OrderAction.INVOICE: ("invoice.register", CARRIER),
    OrderAction.RETURN: ("delivery.accept", HOSPITAL),
}


def require_organization(actor: User, organization_id: int | None, *, action: str) -> None:
    """The actor sees the row (same order) but acts for another party of it: e.g. the
    distributor trying to answer for the manufacturer. Visible, so 403 rather than 404."""
    if actor.organization_id != organization_id:
        raise PermissionDeniedError(action=action)


def order_party_check(*, actor: User, order: Order, action: str) -> None:
    """The actor acts for the party of the order that ``action`` is for (403 otherwise)."""
    permission, party = ORDER_ACTION_PARTIES[action]
    by_party: dict[str, set[int | None]] = {
        HOSPITAL: {order.hospital_id},
        SUPPLIER: {order.supplier_id},
        CARRIER: {order.supplier_id, order.distributor_id} - {None},
    }
    parties = by_party[party]
    if actor.organization_id not in parties:
        raise PermissionDeniedError(action=permission)
    if (
        action == OrderAction.DELIVER
        and order.distributor_id is not None
        and actor.organization_id != order.distributor_id
    ):
        # [R-ORDER-DELIVERY] once the manufacturer names a distributor, the distributor ships.
        raise DeliveredByDistributorError(distributor=str(order.distributor))


def order_cancel_check(*, order: Order) -> None:
    """An order can be cancelled from a draft, or once submitted until the supplier has
    answered any of its lines (the table alone allows submitted -> cancelled)."""
    ORDER_STATES.check(order, OrderAction.CANCEL)
    if any(line.status != LineStatus.PENDING for line in order.lines.all()):
        raise ORDER_STATES.refusal(
            order,
            OrderAction.CANCEL,
            target=OrderStatus.CANCELLED,
            message=_("%(object)s is %(state)s: %(action)s is not allowed now.")
            % {
                "object": order,
                "state": _("partly answered by the supplier"),
                "action": OrderAction.CANCEL.label,
            },
        )


def _something_to(order: Order, quantity: str, error: type[DomainError]) -> Check:
    def check() -> None:
        if not any(getattr(line, quantity) for line in order.lines.all()):
            raise error()

    return check


def order_actions(*, actor: User, order: Order) -> Actions:
    """What the actor may do with the order now (core.actions), each refused with the error
    its service would give: the role, the party (order_party_check), the state
    (ORDER_STATES), then the action's own rule (cancel: no line answered; deliver and
    invoice: something left to deliver or invoice, by the line arithmetic on OrderLine).
    Needs the order's lines loaded (``order_get`` does); no query of its own."""

    def action(name: str, *rules: Check) -> Allowed:
        permission, _party = ORDER_ACTION_PARTIES[name]
        return verdict(
            name,
            role_check(actor, permission),
            lambda: order_party_check(actor=actor, order=order, action=name),
            lambda: ORDER_STATES.check(order, name),
            *rules,
        )

    return Actions(
        [
            action(OrderAction.SUBMIT),
            action(OrderAction.CANCEL, lambda: order_cancel_check(order=order)),
            action(OrderAction.RESPOND),
            action(OrderAction.CHOOSE_DISTRIBUTOR),
            action(
                OrderAction.DELIVER,
                _something_to(order, "deliverable_quantity", NothingToDeliverError),
            ),
            action(
                OrderAction.INVOICE,
                _something_to(order, "invoicable_quantity", NothingToInvoiceError),
            ),
        ]
    )


def order_distributor_choices(*, order: Order) -> list:
    """[R-ORDER-DELIVERY] the active distributors the supplier may name on the order: those
    authorised for every live line's listing in the hospital's region (the rule
    ``order_distributor_set`` checks again on saving)."""
    live = {
        line.listing_id
        for line in order.lines.all()
        if line.status in (LineStatus.PENDING, LineStatus.CONFIRMED)
    }
    return list(distributors_authorised(listing_ids=live, region_code=order.hospital.region_code))


# ---------------------------------------------------------------------------------------------
# Orders


def _order_lines_prefetch() -> list[Prefetch]:
    """Lines, then their products in a second query: a page of 250 lines names a handful of
    distinct products, so each is built once instead of once per line (a join would build
    one per row). The search bigrams are the largest column and no order page shows them."""
    return [
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch("lines__consumable", queryset=Consumable.objects.defer("search_terms")),
    ]


# The work queues an order list can be narrowed to (``?todo=``; the home cards link there):
# orders the actor's organisation must answer, deliver or invoice now.
TODO_ANSWER, TODO_DELIVER, TODO_INVOICE = "answer", "deliver", "invoice"
ORDER_TODOS = (TODO_ANSWER, TODO_DELIVER, TODO_INVOICE)


def _carrier_in_charge_q(actor: User) -> Q:
    """The orders the actor's organisation carries: those naming it as distributor, and its
    own as manufacturer while it has named none."""
    org_id = actor.organization_id
    return Q(distributor_id=org_id) | Q(supplier_id=org_id, distributor_id__isnull=True)


def order_todo_filter(qs: QuerySet, *, actor: User, todo: str) -> QuerySet:
    """Narrow ``qs`` to one work queue (ORDER_TODOS). For a supplier, only the orders its
    organisation is the party of the step for; for a hospital or a regulator, every visible
    order at that step. An unknown ``todo`` leaves ``qs`` as it is.

    answer: submitted (its manufacturer has lines to answer: the last answer moves it on);
    deliver: confirmed,
    with a confirmed line not fully delivered (``OrderLine.deliverable_quantity``); invoice:
    confirmed, with a confirmed line keeping goods not yet invoiced
    (``OrderLine.invoicable_quantity``)."""
    org = getattr(actor, "organization", None)
    supplier = org is not None and org.is_supplier
    lines = OrderLine.objects.filter(order=OuterRef("pk"))
    if todo == TODO_ANSWER:
        qs = qs.filter(status=OrderStatus.SUBMITTED)
        return qs.filter(supplier_id=actor.organization_id) if supplier else qs
    if todo == TODO_DELIVER:
        pending = lines.filter(status=LineStatus.CONFIRMED, quantity__gt=F("delivered_quantity"))
    elif todo == TODO_INVOICE:
        pending = lines.filter(
            status=LineStatus.CONFIRMED,
            accepted_quantity__gt=F("returned_quantity") + F("invoiced_quantity"),
        )
    else:
        return qs
    qs = qs.filter(Exists(pending), status=OrderStatus.CONFIRMED)
    return qs.filter(_carrier_in_charge_q(actor)) if supplier else qs


def order_slice(params: Mapping[str, Any]) -> dict[str, Any]:
    """The drill-down filters of a list request (``month``, ``district``, ``purchases=1``) as
    order_list keyword arguments; a malformed month or district is refused naming it."""
    return {
        "submitted_month": parse_month(params.get("month")),
        "district": parse_district(params.get("district")),
        "purchases": params.get("purchases") == "1",
    }


def order_list(
    *,
    actor: User,
    status: Sequence[str] = (),
    todo: str = "",
    supplier_id: int | None = None,
    hospital_id: int | None = None,
    number: str = "",
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    with_lines: bool = True,
    submitted_month: dt.date | None = None,
    district: str = "",
    purchases: bool = False,
) -> QuerySet:
    """Orders newest first, each with its parties and (by default) its lines and products:
    four queries per page (count, orders, lines, products) whatever the page size.

    The bureau dashboard's drill-down filters (supervision.selectors.dashboard): orders
    submitted in ``submitted_month`` (Asia/Shanghai), of hospitals whose region code starts
    with ``district``, and ``purchases`` only (COUNTED_ORDER_STATUSES: submitted or later,
    not cancelled or rejected)."""
    permissions.require(actor, "order.view")
    qs = Order.objects.visible_to(actor).select_related("hospital", "supplier", "distributor")
    if status:
        qs = qs.filter(status__in=list(status))
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    if number:
        qs = qs.filter(number__icontains=number.strip())
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    if submitted_month:
        low, high = month_bounds(submitted_month)
        qs = qs.filter(submitted_at__gte=low, submitted_at__lt=high)
    if district:
        qs = qs.filter(hospital__region_code__startswith=district)
    if purchases:
        qs = qs.filter(status__in=COUNTED_ORDER_STATUSES)
    if todo:
        qs = order_todo_filter(qs, actor=actor, todo=todo)  # type: ignore[assignment]  # a narrowed OrderQuerySet
    if with_lines:
        qs = qs.prefetch_related(*_order_lines_prefetch())
    return qs.order_by("-created_at", "-id")


def order_get(*, actor: User, order_id: int) -> Order:
    """One order with its parties and lines (404 outside the actor's scope)."""
    qs = Order.objects.visible_to(actor).select_related(
        "hospital", "supplier", "distributor", "created_by"
    )
    order = qs.prefetch_related(*_order_lines_prefetch()).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError()
    permissions.require(actor, "order.view")
    return order


def order_keys(*, actor: User, order_id: int) -> QuerySet:
    """The order as a one-row ``(id, created_at)`` query, empty unless the actor may see it:
    what the API builds the order's document from (procurement.api.order_documents)."""
    permissions.require(actor, "order.view")
    return Order.objects.visible_to(actor).filter(pk=order_id).values("id", "created_at")


def order_status_counts(*, actor: User, cap: int | None = None) -> dict[str, int]:
    """How many orders the actor sees in each status: the counts on the status filter tabs,
    each stopping just past ``cap`` (core.paging.COUNT_CAP), so that a tab costs at most that
    many index entries instead of a GROUP BY over every order. One statement: a capped
    selection per status, counted together."""
    permissions.require(actor, "order.view")
    cap = paging.COUNT_CAP if cap is None else cap
    visible = Order.objects.visible_to(actor).order_by()
    parts = [
        visible.filter(status=status)
        .annotate(tab=Value(status, output_field=CharField()))
        .values("tab")[: cap + 1]
        for status in OrderStatus.values
    ]
    sql, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    with connection.cursor() as cursor:
        # The selection is the ORM's own SQL, its values bound as parameters.
        cursor.execute(f"SELECT tab, count(*) FROM ({sql}) AS tabs GROUP BY tab", params)  # noqa: S608
        rows = cursor.fetchall()
    counts = dict.fromkeys(OrderStatus.values, 0)
    counts.update(dict(rows))
    return counts


def order_counterparts(*, actor: User) -> list[tuple[int, str]]:
    """The organisations on the other side of the actor's orders, by name: a hospital's
    suppliers, a supplier's (or a regulator's) hospitals; the order list's filter dropdown.

    Each candidate organisation is probed for one visible order (an index lookup on the
    order's (hospital, supplier) or (supplier|distributor, hospital) columns, stopping at
    the first), so the cost grows with the organisations, not with the orders, where a
    DISTINCT read every order the actor sees."""
    permissions.require(actor, "order.view")
    hospital_side = actor.organization is not None and actor.organization.is_hospital
    side, kinds = (
        ("supplier", SUPPLIER_KINDS) if hospital_side else ("hospital", {OrganizationKind.HOSPITAL})
    )
    first_order = (
        Order.objects.visible_to(actor)
        .filter(**{f"{side}_id": OuterRef("pk")})
        .order_by()
        .values("pk")[:1]
    )
    rows = (
        Organization.objects.filter(kind__in=sorted(kinds))
        .annotate(first_order=Subquery(first_order))
        .filter(first_order__isnull=False)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    return list(rows)


def parse_quantity(value: object, *, line: int | str) -> int:
    """A whole number above zero. JSON integers and digit strings ("3") are accepted; 0, -1,
    1.5, "1.5", "x", true and null are not."""
    if isinstance(value, bool):
        raise QuantityInvalidError(line=line, value=value)
    if isinstance(value, int):
        quantity = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        quantity = int(value.strip())
    else:
        raise QuantityInvalidError(line=line, value=value)
    if not 0 < quantity <= MAX_QUANTITY:
        raise QuantityInvalidError(line=line, value=value)
    return quantity
