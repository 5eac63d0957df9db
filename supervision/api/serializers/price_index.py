"""Serializers of the price monitoring index [R-PRICE-INDEX]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MoneyField


class IndexPointOutput(serializers.Serializer):
    quarter = serializers.CharField(source="quarter.label", help_text="YYYYQn, Asia/Shanghai.")
    # A string of two places, not a DecimalField: two places would make it money to the schema.
    index = serializers.CharField(
        source="index_shown",
        help_text="100.00 in the base quarter (the first of the range); two decimal places.",
    )
    link = serializers.DecimalField(
        source="link_shown",
        max_digits=14,
        decimal_places=4,
        coerce_to_string=True,
        allow_null=True,
        help_text="Against the previous quarter; null in the base quarter.",
    )
    matched = serializers.IntegerField(
        help_text="Products bought in this quarter and the previous one (the link's basket)."
    )
    products = serializers.IntegerField(help_text="Products bought in this quarter.")
    amount = MoneyField(help_text="Spent in this quarter.")


class IndexSeriesOutput(serializers.Serializer):
    code = serializers.CharField(help_text="The category code, or `all` for every purchase.")
    name = serializers.CharField()
    points = IndexPointOutput(many=True)


class PriceIndexOutput(serializers.Serializer):
    level = serializers.IntegerField()
    first = serializers.CharField()
    last = serializers.CharField()
    series = IndexSeriesOutput(many=True)
