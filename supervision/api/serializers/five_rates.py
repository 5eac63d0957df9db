"""Output shapes of the five rates API [R-FIVE-RATES]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MoneyField, RatioField
from supervision.choices import Rate, SliceKind


def _ratio(**kwargs) -> RatioField:
    return RatioField(read_only=True, **kwargs)


def _money(**kwargs) -> MoneyField:
    return MoneyField(read_only=True, **kwargs)


class RateFiguresOutput(serializers.Serializer):
    rate = serializers.ChoiceField(choices=Rate.choices)
    rate_name = serializers.CharField(source="label")
    amount_numerator = _money()
    amount_denominator = _money()
    amount_rate = _ratio(allow_null=True, help_text="Null when there was nothing to count.")
    count_numerator = serializers.IntegerField()
    count_denominator = serializers.IntegerField()
    count_rate = _ratio(allow_null=True)
    threshold = _ratio(allow_null=True)
    amount_below = serializers.BooleanField()
    count_below = serializers.BooleanField()


class SliceRatesOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(source="label")
    rates = RateFiguresOutput(many=True, source="figures")
    below = serializers.ListField(child=serializers.ChoiceField(choices=Rate.choices))
    rank = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="A party's own rates: its rank among its peers per rate (1 = best).",
    )


class FiveRatesTableOutput(serializers.Serializer):
    month = serializers.DateField()
    kind = serializers.ChoiceField(choices=SliceKind.choices)
    frozen = serializers.BooleanField()
    peers = serializers.IntegerField()
    below_count = serializers.IntegerField()
    rows = SliceRatesOutput(many=True)


class FiveRatesMonthOutput(serializers.Serializer):
    month = serializers.DateField()
    frozen_at = serializers.DateTimeField()
    figure_count = serializers.IntegerField()
