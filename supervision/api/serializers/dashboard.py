"""Output shapes of the bureau dashboard API (docs/dashboard.md)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MoneyField, RatioField
from supervision.api.serializers.five_rates import RateFiguresOutput, SliceRatesOutput
from supervision.choices import Rate


class TileOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    value = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        coerce_to_string=True,
        allow_null=True,
        help_text="A share (0..1, unit percent), yuan (unit yuan) or a count; null with "
        "nothing to count.",
    )
    unit = serializers.ChoiceField(choices=["percent", "yuan", "units"])
    target = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        coerce_to_string=True,
        allow_null=True,
        help_text="In the tile's unit: a share for a percent tile, a count for a units tile.",
    )
    below_target = serializers.BooleanField()
    url = serializers.CharField(help_text="The list behind the figure, filtered to its rows.")
    count = serializers.IntegerField(allow_null=True, help_text="The rows that list shows.")
    note = serializers.CharField()


class DistrictOutput(serializers.Serializer):
    district = serializers.CharField()
    name = serializers.CharField(source="label")
    orders = serializers.IntegerField()
    orders_url = serializers.CharField()
    platform = MoneyField()
    emergency = MoneyField()
    off_platform_usage = MoneyField()
    online_share = RatioField(allow_null=True)
    reference = MoneyField()
    savings = MoneyField(allow_negative=True)
    savings_share = RatioField(allow_null=True)
    delivery = RateFiguresOutput(allow_null=True)


class TrendOutput(serializers.Serializer):
    month = serializers.CharField()
    platform = MoneyField()
    savings = MoneyField(allow_negative=True)
    online_share = RatioField(allow_null=True)


class RankOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=True)


class RankingsOutput(serializers.Serializer):
    hospitals_by_amount = RankOutput(many=True)
    suppliers_by_amount = RankOutput(many=True)
    hospitals_by_rate = RankOutput(many=True)
    suppliers_by_rate = RankOutput(many=True)


class DashboardOutput(serializers.Serializer):
    month = serializers.CharField(source="scope.month_value")
    district = serializers.CharField(source="scope.district")
    rank_rate = serializers.ChoiceField(choices=Rate.choices)
    computed_at = serializers.DateTimeField(
        help_text="When these figures were computed (kept and refreshed in the background; "
        "docs/dashboard.md, Freshness); the lists behind them are live."
    )
    tiles = TileOutput(many=True)
    districts = DistrictOutput(many=True, source="district_rows")
    trend = TrendOutput(many=True)
    rankings = RankingsOutput()


class OwnRatesOutput(serializers.Serializer):
    month = serializers.DateField()
    peers = serializers.IntegerField()
    rows = SliceRatesOutput(many=True)
