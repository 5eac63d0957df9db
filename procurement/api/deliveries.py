"""Delivery notes over the API: ship (part of) a confirmed order with the UDI of each line, the
hospital's acceptance (with scanned barcodes), returns. The services check organisation and
state; another organisation's note is a 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.pagination import CappedCountPagination
from core.api.params import query_id, query_statuses, status_parameter, validated
from core.api.views import ApiView, ListApi
from procurement.api.serializers.deliveries import (
    DeliveryAcceptInput,
    DeliveryActionsOutput,
    DeliveryCreateInput,
    DeliveryOutput,
    ReturnCreateInput,
    ReturnOutput,
)
from procurement.choices import DeliveryStatus
from procurement.models import Delivery
from procurement.selectors import deliveries as delivery_selectors
from procurement.services import deliveries


class DeliveryListCreateApi(ListApi):
    """GET: delivery notes with their lines. POST: ship (part of) a confirmed order."""

    required_actions = {"GET": "order.view", "POST": "delivery.create"}
    serializer_class = DeliveryOutput
    queryset = Delivery.objects.none()
    filter_backends: list = []
    # Page numbers as HIS clients use them; the count stops past core.paging.COUNT_CAP
    # (``count_capped`` says it did), so that a page costs no COUNT of every row.
    pagination_class = CappedCountPagination

    @extend_schema(parameters=[OpenApiParameter("order", int), status_parameter(DeliveryStatus)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return delivery_selectors.delivery_list(
            actor=request_actor(self.request),
            order_id=query_id(self.request, "order"),
            status=query_statuses(self.request, DeliveryStatus.values),
        )

    @extend_schema(request=DeliveryCreateInput, responses={201: DeliveryOutput})
    def post(self, request):
        data = validated(DeliveryCreateInput, request.data)
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


class DeliveryActionsApi(ApiView):
    """What the caller may do with the delivery note now (core.api.actions)."""

    required_action = "order.view"

    @extend_schema(responses=DeliveryActionsOutput)
    def get(self, request, pk: int):
        delivery = delivery_selectors.delivery_get(actor=request.user, delivery_id=pk)
        actions = delivery_selectors.delivery_actions(actor=request.user, delivery=delivery)
        return Response(actions_body(actions))


class DeliveryAcceptApi(ApiView):
    """The hospital answers every line: accepted / refused quantities, a reason for refusals,
    and optionally the scanned barcodes of the goods (checked for product, lot and expiry)."""

    required_action = "delivery.accept"

    @extend_schema(request=DeliveryAcceptInput, responses=DeliveryOutput)
    def post(self, request, pk: int):
        data = validated(DeliveryAcceptInput, request.data)
        deliveries.delivery_accept(actor=request.user, delivery_id=pk, lines=data["lines"])
        delivery = delivery_selectors.delivery_get(actor=request.user, delivery_id=pk)
        return Response(DeliveryOutput(delivery).data)


class ReturnCreateApi(ApiView):
    """Return accepted, not yet invoiced goods, with a reason."""

    required_action = "delivery.accept"

    @extend_schema(request=ReturnCreateInput, responses={201: ReturnOutput})
    def post(self, request):
        data = validated(ReturnCreateInput, request.data)
        record = deliveries.return_register(
            actor=request.user,
            delivery_line_id=data["delivery_line"],
            quantity=data["quantity"],
            reason=data.get("reason", ""),
        )
        return Response(ReturnOutput(record).data, status=status.HTTP_201_CREATED)
