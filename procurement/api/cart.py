"""The cart over the API: price lines without saving them (``POST /orders/quote/``), the same
quote the order page shows. Creating the orders is ``POST /orders/`` (procurement.api.orders).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from core.api.params import validated
from core.api.views import ApiView
from procurement.api.serializers.cart import OrderQuoteInput, OrderQuoteOutput
from procurement.selectors import cart as cart_selectors


class OrderQuoteApi(ApiView):
    """Price a cart without saving it: lines grouped by manufacturer (one order each) and the
    alternate-catalogue cap [R-LIST-ALT-CAP]. Read-only. A line that cannot be ordered is
    refused with its error, as creating the orders would refuse it (the first such line)."""

    required_action = "order.place"

    @extend_schema(request=OrderQuoteInput, responses=OrderQuoteOutput)
    def post(self, request):
        data = validated(OrderQuoteInput, request.data)
        quote = cart_selectors.order_quote(actor=request.user, lines=data["lines"])
        if quote.first_error is not None:
            raise quote.first_error
        return Response(OrderQuoteOutput(quote).data)
