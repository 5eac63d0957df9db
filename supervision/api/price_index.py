"""The price monitoring index through the API [R-PRICE-INDEX]: the same selector as the page
(supervision/views/price_index.py)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.views import ApiView
from supervision.api.serializers.price_index import PriceIndexOutput
from supervision.selectors import price_index as selectors

PARAMETERS = [
    OpenApiParameter("level", int, enum=[1, 2, 3], description="Category level (default 1)."),
    OpenApiParameter("first", str, description="First quarter, YYYYQn (default: 7 before last)."),
    OpenApiParameter("last", str, description="Last quarter, YYYYQn (default: the current)."),
]


class PriceIndexApi(ApiView):
    """[R-PRICE-INDEX] the chain-linked index of the jurisdiction's purchases per category,
    quarter by quarter, 100 in the first quarter asked for (docs/price-index.md)."""

    required_action = "price_index.view"

    @extend_schema(parameters=PARAMETERS, responses=PriceIndexOutput)
    def get(self, request):
        params = request.query_params
        query = selectors.index_query(
            level=params.get("level"), first=params.get("first"), last=params.get("last")
        )
        series = selectors.price_index(actor=request.user, query=query)
        body = {
            "level": query.level,
            "first": query.first.label(),
            "last": query.last.label(),
            "series": series,
        }
        return Response(PriceIndexOutput(body).data)
