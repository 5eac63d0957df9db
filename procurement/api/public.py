"""The public API (/api/v1/public/): read-only, no login, throttled per client address
[R-DISCLOSE]. The same rows as the public pages (procurement/views/public.py), from the same
selectors: reference prices in publicity and confirmed, the listings on sale, and the rounds
and results whose publicity has begun. GET only; a query parameter that does not parse is
400 ``invalid``; past the allowance 429 ``throttled`` with Retry-After."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors as catalog_selectors
from catalog.models import ReferencePrice
from core.api.pagination import CappedCountPagination
from core.api.params import validated
from core.api.throttling import PublicRateThrottle
from core.api.views import ApiView, ListApi
from procurement.api.serializers.public import (
    PublicListingOutput,
    PublicListingQuery,
    PublicNegotiationResultOutput,
    PublicReferencePriceOutput,
    PublicReferencePriceQuery,
    PublicSearchQuery,
    PublicTenderResultOutput,
    PublicTenderResultQuery,
    PublicTenderRoundOutput,
)
from procurement.models import Listing, TenderResult, TenderRound
from procurement.selectors import bids as bid_selectors
from procurement.selectors.agreed_prices import agreed_prices_disclosed
from procurement.selectors.awards import payment_standard_public_list
from procurement.selectors.listings import listing_public_list
from procurement.selectors.negotiations import negotiation_results_published


class PublicListApi(ListApi):
    """No authentication (a session or key sent along is ignored: everyone is the public),
    no permission, one allowance per address, GET only."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [PublicRateThrottle]
    filter_backends: list = []
    pagination_class = CappedCountPagination
    http_method_names = ["get", "head", "options"]


@extend_schema(parameters=[PublicReferencePriceQuery])
class PublicReferencePriceListApi(PublicListApi):
    """[R-DISCLOSE] Reference prices in publicity (from its first day) and confirmed."""

    serializer_class = PublicReferencePriceOutput
    queryset = ReferencePrice.objects.none()

    def get_queryset(self) -> QuerySet:
        query = validated(PublicReferencePriceQuery, self.request.query_params.dict())
        return catalog_selectors.reference_price_public_list(
            q=query.get("q", ""), status=query.get("status", "")
        )


@extend_schema(parameters=[PublicListingQuery])
class PublicListingListApi(PublicListApi):
    """[R-DISCLOSE] The listings on sale, with purchase label, listed and reference price;
    hospitals' agreed prices only where their region policy publishes them."""

    serializer_class = PublicListingOutput
    queryset = Listing.objects.none()

    def get_queryset(self) -> QuerySet:
        query = validated(PublicListingQuery, self.request.query_params.dict())
        return listing_public_list(
            q=query.get("q", ""),
            code=query.get("code", ""),
            catalogue=query.get("catalogue", ""),
            label=query.get("label", ""),
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        disclosed = agreed_prices_disclosed(listing_ids=[listing.pk for listing in page])
        data = PublicListingOutput(page, many=True, context={"disclosed": disclosed}).data
        return self.get_paginated_response(data)


class PublicTenderRoundListApi(PublicListApi):
    """[R-DISCLOSE] The rounds whose results are in publicity or final, with their payment
    standards (every version)."""

    serializer_class = PublicTenderRoundOutput
    queryset = TenderRound.objects.none()

    def get_queryset(self) -> QuerySet:
        return bid_selectors.rounds_public_results()

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        standards: dict[int, list] = defaultdict(list)
        ids = {r.pk for r in page}
        for standard in payment_standard_public_list():
            if standard.round_id in ids:
                standards[standard.round_id].append(standard)
        data = PublicTenderRoundOutput(page, many=True, context={"standards": standards}).data
        return self.get_paginated_response(data)


@extend_schema(parameters=[PublicTenderResultQuery])
class PublicTenderResultListApi(PublicListApi):
    """[R-DISCLOSE] Bid results of the rounds whose publicity has begun: winners, ranks,
    winning prices (with and without companion service)."""

    serializer_class = PublicTenderResultOutput
    queryset = TenderResult.objects.none()

    def get_queryset(self) -> QuerySet:
        query = validated(PublicTenderResultQuery, self.request.query_params.dict())
        return bid_selectors.tender_result_public_list(
            q=query.get("q", ""), round_id=query.get("round"), won=query.get("won")
        )


class PublicNegotiationResultListApi(ApiView):
    """[R-NEGOTIATION] [R-DISCLOSE] the agreements of published negotiations in force: a new
    listed price, or a price for a group of hospitals (its price and hospitals only where the
    region policy publishes hospitals' agreed prices)."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [PublicRateThrottle]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=[PublicSearchQuery], responses=PublicNegotiationResultOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        query = validated(PublicSearchQuery, request.query_params.dict())
        rows = negotiation_results_published(q=query.get("q", ""))
        return Response(PublicNegotiationResultOutput(rows, many=True).data)
