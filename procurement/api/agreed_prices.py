"""Agreed price API: propose, accept, decline, end [R-LIST-PRICE-CAP]; one view per operation."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.params import validated
from core.api.views import ApiView, ListApi
from core.web import parse_id
from procurement.api.serializers.agreed_prices import (
    AgreedPriceActionsOutput,
    AgreedPriceOutput,
    AgreedPriceProposeInput,
)
from procurement.choices import AgreedPriceStatus
from procurement.models import AgreedPrice
from procurement.selectors import agreed_prices as agreed_price_selectors
from procurement.services import agreed_prices


class AgreedPriceListApi(ListApi):
    """GET: agreed prices of the caller's organisation. POST: propose one."""

    required_actions = {"GET": "agreed_price.view", "POST": "agreed_price.negotiate"}
    serializer_class = AgreedPriceOutput
    queryset = AgreedPrice.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=AgreedPriceStatus.values),
            OpenApiParameter("listing", int),
            OpenApiParameter("hospital", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        return agreed_price_selectors.agreed_price_list(
            actor=request_actor(self.request),
            status=params.get("status", ""),
            listing_id=parse_id(params.get("listing")),
            hospital_id=parse_id(params.get("hospital")),
        )

    @extend_schema(request=AgreedPriceProposeInput, responses={201: AgreedPriceOutput})
    def post(self, request):
        data = validated(AgreedPriceProposeInput, request.data)
        agreed = agreed_prices.agreed_price_propose(
            actor=request.user,
            listing_id=data["listing"],
            hospital_id=data.get("hospital"),
            price=data["price"],
            annual_volume=data["annual_volume"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
        )
        agreed = agreed_price_selectors.agreed_price_get(
            actor=request.user, agreed_price_id=agreed.pk
        )
        return Response(AgreedPriceOutput(agreed).data, status=status.HTTP_201_CREATED)


class AgreedPriceActionsApi(ApiView):
    """What the caller may do with the agreed price now (core.api.actions)."""

    required_action = "agreed_price.view"

    @extend_schema(responses=AgreedPriceActionsOutput)
    def get(self, request, pk: int):
        agreed = agreed_price_selectors.agreed_price_get(actor=request.user, agreed_price_id=pk)
        return Response(
            actions_body(
                agreed_price_selectors.agreed_price_actions(actor=request.user, agreed_price=agreed)
            )
        )


class _AgreedPriceAnswerApi(ApiView):
    required_action = "agreed_price.negotiate"
    service = staticmethod(agreed_prices.agreed_price_accept)

    def _answer(self, request, pk: int) -> Response:
        self.service(actor=request.user, agreed_price_id=pk)
        agreed = agreed_price_selectors.agreed_price_get(actor=request.user, agreed_price_id=pk)
        return Response(AgreedPriceOutput(agreed).data)


class AgreedPriceAcceptApi(_AgreedPriceAnswerApi):
    """The other side accepts: the price applies to the hospital's orders from valid_from."""

    service = staticmethod(agreed_prices.agreed_price_accept)

    @extend_schema(request=None, responses=AgreedPriceOutput)
    def post(self, request, pk: int):
        return self._answer(request, pk)


class AgreedPriceDeclineApi(_AgreedPriceAnswerApi):
    service = staticmethod(agreed_prices.agreed_price_decline)

    @extend_schema(request=None, responses=AgreedPriceOutput)
    def post(self, request, pk: int):
        return self._answer(request, pk)


class AgreedPriceEndApi(_AgreedPriceAnswerApi):
    """Either side ends an agreed price; the proposer withdraws a proposal."""

    service = staticmethod(agreed_prices.agreed_price_end)

    @extend_schema(request=None, responses=AgreedPriceOutput)
    def post(self, request, pk: int):
        return self._answer(request, pk)
