"""The home page's work queues over the API: the same cards, counts, amounts and links."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core import home
from core.api.fields import MoneyField
from core.api.views import ApiView


class HomeCardOutput(serializers.Serializer):
    key = serializers.CharField(help_text="stable card id, e.g. order_drafts")
    title = serializers.CharField(help_text="in the request's language")
    count = serializers.IntegerField(min_value=0)
    amount = MoneyField(allow_null=True, help_text="CNY total where the card is about money")
    url = serializers.CharField(help_text="the page listing exactly the rows counted")
    as_of = serializers.DateTimeField(
        allow_null=True,
        help_text="when a regulator's jurisdiction-wide watch figure was counted (kept for a "
        "few minutes, then refreshed); null: counted for this request",
    )


class HomeCardListApi(ApiView):
    """The caller's work queues, as on its home page: one card per queue its roles have."""

    @extend_schema(responses=HomeCardOutput(many=True))
    def get(self, request):
        return Response(HomeCardOutput(home.home_cards(actor=request.user), many=True).data)
