"""Orders, deliveries, returns and invoices over the API, for browsers and HIS clients alike.

One view per operation, each parsing its input, calling one service or selector and shaping
the output. core.api.views applies the role table, renders errors as ``{code, message,
extra}`` and makes every POST idempotent (Idempotency-Key, required for HIS keys); the
services check organisation and state. Another organisation's order is a 404.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api.pagination import NewestFirstKeysetPagination
from core.api.views import ApiView, ListApi
from core.errors import ValidationError
from core.json_sql import JsonTextResponse
from procurement.api.order_documents import (
    order_document_json,
    order_documents_json,
    order_page_json,
)
from procurement.api.order_serializers import (
    DeliveryAcceptInput,
    DeliveryCreateInput,
    DeliveryOutput,
    DistributorChoiceInput,
    InvoiceCreateInput,
    InvoiceOutput,
    LineConfirmInput,
    OrderCreateInput,
    OrderCreateOutput,
    OrderOutput,
    OrderQuoteInput,
    OrderQuoteOutput,
    OrderReasonInput,
    OrderRespondInput,
    ReturnCreateInput,
    ReturnOutput,
)
from procurement.choices import DeliveryStatus, InvoiceStatus, OrderStatus
from procurement.models import Delivery, Invoice, Order
from procurement.selectors import cart as cart_selectors
from procurement.selectors import deliveries as delivery_selectors
from procurement.selectors import invoices as invoice_selectors
from procurement.selectors import orders as selectors
from procurement.services import deliveries, invoices, orders


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _statuses(request, allowed: list[str]) -> list[str]:
    """?status=a,b or ?status=a&status=b; an unknown status is refused, not silently empty."""
    values = [
        part.strip()
        for raw in request.query_params.getlist("status")
        for part in raw.split(",")
        if part.strip()
    ]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError(fields={"status": [_("Unknown status: %(s)s") % {"s": unknown}]})
    return values


def _id(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise ValidationError(fields={name: [_("A valid id is required.")]})
    return int(value)


def _date(request, name: str) -> dt.date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(fields={name: [_("Give the date as YYYY-MM-DD.")]}) from None


def _order(request, order_id: int) -> JsonTextResponse:
    """The order as every order endpoint returns it: OrderOutput's shape, built in SQL."""
    return JsonTextResponse(
        order_document_json(selectors.order_keys(actor=request.user, order_id=order_id))
    )


def _status_param(choices) -> OpenApiParameter:
    return OpenApiParameter(
        "status",
        str,
        description="Filter by status; several as a,b or repeated. One of: "
        + ", ".join(choices.values),
    )


# ---------------------------------------------------------------------------------------------
# Orders


class OrderListCreateApi(ListApi):
    """GET: the caller's orders, newest first, each with its lines (hospital: its own;
    supplier: submitted orders addressed to it), in keyset pages: follow ``next``.
    POST: cart lines -> one draft per manufacturer."""

    required_actions = {"GET": "order.view", "POST": "order.place"}
    serializer_class = OrderOutput
    queryset = Order.objects.none()  # for the schema; rows come from the selector
    filter_backends: list = []
    pagination_class = NewestFirstKeysetPagination

    @extend_schema(
        parameters=[
            _status_param(OrderStatus),
            OpenApiParameter("supplier", int),
            OpenApiParameter("hospital", int),
            OpenApiParameter("number", str, description="Part of the order number"),
            OpenApiParameter("created_from", dt.date),
            OpenApiParameter("created_to", dt.date),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return (
            selectors.order_list(
                actor=request.user,
                status=_statuses(request, OrderStatus.values),
                supplier_id=_id(request, "supplier"),
                hospital_id=_id(request, "hospital"),
                number=request.query_params.get("number", ""),
                created_from=_date(request, "created_from"),
                created_to=_date(request, "created_to"),
                with_lines=False,
            )
            .select_related(None)
            .values("id", "created_at")
        )

    def list(self, request, *args, **kwargs):
        # The selector scopes and filters; the paginator cuts the keyset page; PostgreSQL
        # selects the page and builds its documents in one statement, sent as it comes.
        paginator = self.paginator
        page = order_page_json(
            paginator.page_queryset(self.get_queryset(), request), size=paginator.size
        )
        next_link = json.dumps(paginator.next_link(page.last))
        return JsonTextResponse(f'{{"next": {next_link}, "results": {page.documents}}}')

    @extend_schema(request=OrderCreateInput, responses={201: OrderCreateOutput})
    def post(self, request):
        data = _valid(OrderCreateInput, request.data)
        created = orders.order_create(
            actor=request.user,
            lines=data["lines"],
            note=data.get("note", ""),
            is_urgent=data.get("is_urgent", False),
        )
        # Just created by this actor's hospital, so visible to it: no second scope check.
        shown = order_documents_json([order.pk for order in created])
        return JsonTextResponse(f'{{"orders": {shown}}}', status=status.HTTP_201_CREATED)


class OrderQuoteApi(ApiView):
    """Price a cart without saving it: lines grouped by manufacturer (one order each) and the
    alternate-catalogue cap [R-LIST-ALT-CAP]. Read-only."""

    required_action = "order.place"

    @extend_schema(request=OrderQuoteInput, responses=OrderQuoteOutput)
    def post(self, request):
        data = _valid(OrderQuoteInput, request.data)
        quote = cart_selectors.order_quote(actor=request.user, lines=data["lines"])
        return Response(OrderQuoteOutput(quote).data)


class OrderDetailApi(ApiView):
    required_action = "order.view"

    @extend_schema(responses=OrderOutput)
    def get(self, request, pk: int):
        return _order(request, pk)


class OrderSubmitApi(ApiView):
    """Send a draft to the supplier; checks labels and the alternate-catalogue cap."""

    required_action = "order.place"

    @extend_schema(request=None, responses=OrderOutput)
    def post(self, request, pk: int):
        orders.order_submit(actor=request.user, order_id=pk)
        return _order(request, pk)


class OrderCancelApi(ApiView):
    """Cancel a draft or a submitted order no line of which the supplier has answered."""

    required_action = "order.place"

    @extend_schema(request=OrderReasonInput, responses=OrderOutput)
    def post(self, request, pk: int):
        data = _valid(OrderReasonInput, request.data)
        orders.order_cancel(actor=request.user, order_id=pk, reason=data.get("reason", ""))
        return _order(request, pk)


class OrderRespondApi(ApiView):
    """The supplier confirms (with a promised date) or rejects (with a reason) lines, all or
    nothing, and may name the delivering distributor."""

    required_action = "order.respond"

    @extend_schema(request=OrderRespondInput, responses=OrderOutput)
    def post(self, request, pk: int):
        data = _valid(OrderRespondInput, request.data)
        orders.order_respond(
            actor=request.user,
            order_id=pk,
            answers=data["lines"],
            distributor_id=data.get("distributor"),
        )
        return _order(request, pk)


class OrderLineConfirmApi(ApiView):
    required_action = "order.respond"

    @extend_schema(request=LineConfirmInput, responses=OrderOutput)
    def post(self, request, pk: int, line_id: int):
        data = _valid(LineConfirmInput, request.data)
        orders.order_line_confirm(
            actor=request.user, order_id=pk, line_id=line_id, promised_on=data["promised_on"]
        )
        return _order(request, pk)


class OrderLineRejectApi(ApiView):
    required_action = "order.respond"

    @extend_schema(request=OrderReasonInput, responses=OrderOutput)
    def post(self, request, pk: int, line_id: int):
        data = _valid(OrderReasonInput, request.data)
        orders.order_line_reject(
            actor=request.user, order_id=pk, line_id=line_id, reason=data.get("reason", "")
        )
        return _order(request, pk)


class OrderDistributorApi(ApiView):
    """[R-ORDER-DELIVERY] the supplier names the distributor that delivers (null: itself)."""

    required_action = "order.respond"

    @extend_schema(request=DistributorChoiceInput, responses=OrderOutput)
    def post(self, request, pk: int):
        data = _valid(DistributorChoiceInput, request.data)
        orders.order_distributor_set(
            actor=request.user, order_id=pk, distributor_id=data["distributor"]
        )
        return _order(request, pk)


# ---------------------------------------------------------------------------------------------
# Deliveries and returns


class DeliveryListCreateApi(ListApi):
    """GET: delivery notes with their lines. POST: ship (part of) a confirmed order."""

    required_actions = {"GET": "order.view", "POST": "delivery.create"}
    serializer_class = DeliveryOutput
    queryset = Delivery.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("order", int), _status_param(DeliveryStatus)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return delivery_selectors.delivery_list(
            actor=self.request.user,
            order_id=_id(self.request, "order"),
            status=_statuses(self.request, DeliveryStatus.values),
        )

    @extend_schema(request=DeliveryCreateInput, responses={201: DeliveryOutput})
    def post(self, request):
        data = _valid(DeliveryCreateInput, request.data)
        delivery = deliveries.delivery_create(
            actor=request.user, order_id=data["order"], lines=data["lines"]
        )
        shown = delivery_selectors.delivery_get(actor=request.user, delivery_id=delivery.pk)
        return Response(DeliveryOutput(shown).data, status=status.HTTP_201_CREATED)


class DeliveryDetailApi(ApiView):
    required_action = "order.view"

    @extend_schema(responses=DeliveryOutput)
    def get(self, request, pk: int):
        delivery = delivery_selectors.delivery_get(actor=request.user, delivery_id=pk)
        return Response(DeliveryOutput(delivery).data)


class DeliveryAcceptApi(ApiView):
    """The hospital answers every line: accepted / refused quantities, a reason for refusals,
    and optionally the scanned barcodes of the goods (checked for product, lot and expiry)."""

    required_action = "delivery.accept"

    @extend_schema(request=DeliveryAcceptInput, responses=DeliveryOutput)
    def post(self, request, pk: int):
        data = _valid(DeliveryAcceptInput, request.data)
        deliveries.delivery_accept(actor=request.user, delivery_id=pk, lines=data["lines"])
        delivery = delivery_selectors.delivery_get(actor=request.user, delivery_id=pk)
        return Response(DeliveryOutput(delivery).data)


class ReturnCreateApi(ApiView):
    """Return accepted, not yet invoiced goods, with a reason."""

    required_action = "delivery.accept"

    @extend_schema(request=ReturnCreateInput, responses={201: ReturnOutput})
    def post(self, request):
        data = _valid(ReturnCreateInput, request.data)
        record = deliveries.return_register(
            actor=request.user,
            delivery_line_id=data["delivery_line"],
            quantity=data["quantity"],
            reason=data.get("reason", ""),
        )
        return Response(ReturnOutput(record).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# Invoices


class InvoiceListCreateApi(ListApi):
    """GET: invoices with their lines. POST: register an invoice for accepted goods."""

    required_actions = {"GET": "order.view", "POST": "invoice.register"}
    serializer_class = InvoiceOutput
    queryset = Invoice.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("order", int), _status_param(InvoiceStatus)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return invoice_selectors.invoice_list(
            actor=self.request.user,
            order_id=_id(self.request, "order"),
            status=_statuses(self.request, InvoiceStatus.values),
        )

    @extend_schema(request=InvoiceCreateInput, responses={201: InvoiceOutput})
    def post(self, request):
        data = _valid(InvoiceCreateInput, request.data)
        invoice = invoices.invoice_register(
            actor=request.user,
            order_id=data["order"],
            number=data["number"],
            issued_on=data["issued_on"],
            amount=data["amount"],
            lines=data["lines"],
            issuer_id=data.get("issuer"),
        )
        shown = invoice_selectors.invoice_get(actor=request.user, invoice_id=invoice.pk)
        return Response(InvoiceOutput(shown).data, status=status.HTTP_201_CREATED)


class InvoiceDetailApi(ApiView):
    required_action = "order.view"

    @extend_schema(responses=InvoiceOutput)
    def get(self, request, pk: int):
        invoice = invoice_selectors.invoice_get(actor=request.user, invoice_id=pk)
        return Response(InvoiceOutput(invoice).data)


class InvoiceConfirmApi(ApiView):
    """Hospital finance confirms: the invoice is ready for settlement [R-PAY-30]."""

    required_action = "invoice.confirm"

    @extend_schema(request=None, responses=InvoiceOutput)
    def post(self, request, pk: int):
        invoices.invoice_confirm(actor=request.user, invoice_id=pk)
        invoice = invoice_selectors.invoice_get(actor=request.user, invoice_id=pk)
        return Response(InvoiceOutput(invoice).data)


class InvoiceRejectApi(ApiView):
    required_action = "invoice.confirm"

    @extend_schema(request=OrderReasonInput, responses=InvoiceOutput)
    def post(self, request, pk: int):
        data = _valid(OrderReasonInput, request.data)
        invoices.invoice_reject(actor=request.user, invoice_id=pk, reason=data.get("reason", ""))
        invoice = invoice_selectors.invoice_get(actor=request.user, invoice_id=pk)
        return Response(InvoiceOutput(invoice).data)
