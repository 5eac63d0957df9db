"""Serializers of the cart quote (``POST /orders/quote/``), whose lines are also what
``POST /orders/`` takes. Prices are the platform's: a client sending one is refused
[R-ORDER-ONLINE]."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import MoneyField
from procurement.api.serializers.common import ConsumableBriefOutput, RawIntegerField
from procurement.api.serializers.purchase_plans import CapStatusOutput
from procurement.errors import ClientPriceRefusedError

# Keys a client might send to set a price. Refused, not ignored: a client that believes it
# sets the price must learn that it does not [R-ORDER-ONLINE].
PRICE_KEYS = ("unit_price", "price", "amount", "total")


class OrderLineInput(serializers.Serializer):
    listing = serializers.IntegerField(min_value=1)
    quantity = RawIntegerField()
    restricted_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Required for a product labelled Restricted (限制采购) [R-LABELS].",
    )


def _refuse_client_prices(data: Any) -> None:
    if not isinstance(data, dict):
        return
    for key in PRICE_KEYS:
        if key in data:
            raise ClientPriceRefusedError(line="-", field=key)
    lines = data.get("lines")
    for index, line in enumerate(lines if isinstance(lines, list) else [], start=1):
        for key in PRICE_KEYS:
            if isinstance(line, dict) and key in line:
                raise ClientPriceRefusedError(line=index, field=key)


class OrderQuoteInput(serializers.Serializer):
    lines = OrderLineInput(many=True)

    def to_internal_value(self, data: Any) -> Any:
        _refuse_client_prices(data)
        return super().to_internal_value(data)


class QuoteLineOutput(serializers.Serializer):
    index = serializers.IntegerField(help_text="1-based position in the request's lines.")
    listing = serializers.IntegerField(source="listing.pk")
    consumable = ConsumableBriefOutput(source="listing.consumable")
    quantity = serializers.IntegerField()
    unit_price = MoneyField(read_only=True)
    amount = MoneyField(read_only=True)
    catalogue = serializers.CharField(source="listing.catalogue")
    # DRF takes declared fields off the class, so this does not shadow Field.label.
    label = serializers.CharField(source="listing.label")  # type: ignore[assignment]


class QuoteGroupOutput(serializers.Serializer):
    supplier = serializers.SerializerMethodField()
    total = MoneyField(read_only=True)
    lines = QuoteLineOutput(many=True)

    def get_supplier(self, group: Any) -> dict:
        return {"id": group.supplier_id, "name": group.supplier_name}


class OrderQuoteOutput(serializers.Serializer):
    groups = QuoteGroupOutput(many=True, help_text="One group per manufacturer: one order each.")
    total = MoneyField(read_only=True)
    alternate_amount = MoneyField(
        read_only=True, help_text="Alternate-catalogue amount of this cart."
    )
    cap = CapStatusOutput(help_text="The year's alternate-catalogue cap before this cart.")
    over_cap = serializers.BooleanField(
        help_text="Submitting all of it would pass the cap (or no annual total is set)."
    )
