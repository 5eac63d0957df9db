"""Orders over the API, for browsers and HIS clients alike: list and create, the order, submit,
cancel, the supplier's answer and the distributor it names.

One view per operation, each parsing its input, calling one service or selector and shaping
the output. core.api.views applies the role table, renders errors as ``{code, message,
extra}`` and makes every POST idempotent (Idempotency-Key, required for HIS keys); the
services check organisation and state. Another organisation's order is a 404. Orders are sent
as JSON built by PostgreSQL (procurement.api.order_documents), in OrderOutput's shape.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.pagination import NewestFirstKeysetPagination
from core.api.params import query_date, query_id, query_statuses, status_parameter, validated
from core.api.views import ApiView, ListApi
from core.json_sql import JsonTextResponse
from procurement.api.order_documents import (
    order_document_json,
    order_documents_json,
    order_page_json,
)
from procurement.api.serializers.orders import (
    DistributorChoiceInput,
    LineConfirmInput,
    OrderActionsOutput,
    OrderCreateInput,
    OrderCreateOutput,
    OrderOutput,
    OrderReasonInput,
    OrderRespondInput,
)
from procurement.choices import OrderStatus
from procurement.models import Order
from procurement.selectors import orders as selectors
from procurement.services import orders


def _order(request, order_id: int) -> JsonTextResponse:
    """The order as every order endpoint returns it: OrderOutput's shape, built in SQL."""
    return JsonTextResponse(
        order_document_json(selectors.order_keys(actor=request.user, order_id=order_id))
    )


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
            status_parameter(OrderStatus),
            OpenApiParameter("supplier", int),
            OpenApiParameter("hospital", int),
            OpenApiParameter("number", str, description="Part of the order number"),
            OpenApiParameter("created_from", dt.date),
            OpenApiParameter("created_to", dt.date),
            OpenApiParameter("month", str, description="submitted in YYYY-MM (Asia/Shanghai)"),
            OpenApiParameter("district", str, description="hospital region code prefix"),
            OpenApiParameter("purchases", str, enum=["1"], description="purchases only"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return (
            selectors.order_list(
                actor=request_actor(request),
                status=query_statuses(request, OrderStatus.values),
                supplier_id=query_id(request, "supplier"),
                hospital_id=query_id(request, "hospital"),
                number=request.query_params.get("number", ""),
                created_from=query_date(request, "created_from"),
                created_to=query_date(request, "created_to"),
                with_lines=False,
                **selectors.order_slice(request.query_params),
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
        data = validated(OrderCreateInput, request.data)
        created = orders.order_create(
            actor=request.user,
            lines=data["lines"],
            department=data["department"],
            note=data.get("note", ""),
            is_urgent=data.get("is_urgent", False),
        )
        # Just created by this actor's hospital, so visible to it: no second scope check.
        shown = order_documents_json([order.pk for order in created])
        return JsonTextResponse(f'{{"orders": {shown}}}', status=status.HTTP_201_CREATED)


class OrderDetailApi(ApiView):
    required_action = "order.view"

    @extend_schema(responses=OrderOutput)
    def get(self, request, pk: int):
        return _order(request, pk)


class OrderActionsApi(ApiView):
    """What the caller may do with the order now, each with the error it would get when not
    (core.api.actions): the buttons the order page shows."""

    required_action = "order.view"

    @extend_schema(responses=OrderActionsOutput)
    def get(self, request, pk: int):
        order = selectors.order_get(actor=request.user, order_id=pk)
        return Response(actions_body(selectors.order_actions(actor=request.user, order=order)))


class OrderSubmitApi(ApiView):
    """Send a draft to the supplier (the hospital's purchasers only); re-checks labels, the
    hospital's own catalogue [R-HOSP-CATALOGUE] and the alternate-catalogue cap."""

    required_action = "order.submit"

    @extend_schema(request=None, responses=OrderOutput)
    def post(self, request, pk: int):
        orders.order_submit(actor=request.user, order_id=pk)
        return _order(request, pk)


class OrderCancelApi(ApiView):
    """Cancel a draft or a submitted order no line of which the supplier has answered."""

    required_action = "order.place"

    @extend_schema(request=OrderReasonInput, responses=OrderOutput)
    def post(self, request, pk: int):
        data = validated(OrderReasonInput, request.data)
        orders.order_cancel(actor=request.user, order_id=pk, reason=data.get("reason", ""))
        return _order(request, pk)


class OrderRespondApi(ApiView):
    """The supplier confirms (with a promised date) or rejects (with a reason) lines, all or
    nothing, and may name the delivering distributor."""

    required_action = "order.respond"

    @extend_schema(request=OrderRespondInput, responses=OrderOutput)
    def post(self, request, pk: int):
        data = validated(OrderRespondInput, request.data)
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
        data = validated(LineConfirmInput, request.data)
        orders.order_line_confirm(
            actor=request.user, order_id=pk, line_id=line_id, promised_on=data["promised_on"]
        )
        return _order(request, pk)


class OrderLineRejectApi(ApiView):
    required_action = "order.respond"

    @extend_schema(request=OrderReasonInput, responses=OrderOutput)
    def post(self, request, pk: int, line_id: int):
        data = validated(OrderReasonInput, request.data)
        orders.order_line_reject(
            actor=request.user, order_id=pk, line_id=line_id, reason=data.get("reason", "")
        )
        return _order(request, pk)


class OrderDistributorApi(ApiView):
    """[R-ORDER-DELIVERY] the supplier names the distributor that delivers (null: itself)."""

    required_action = "order.respond"

    @extend_schema(request=DistributorChoiceInput, responses=OrderOutput)
    def post(self, request, pk: int):
        data = validated(DistributorChoiceInput, request.data)
        orders.order_distributor_set(
            actor=request.user, order_id=pk, distributor_id=data["distributor"]
        )
        return _order(request, pk)
