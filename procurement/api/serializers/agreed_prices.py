"""Serializers of agreed prices [R-LIST-PRICE-CAP]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.choices import AgreedPriceAction
from procurement.models import AgreedPrice


class AgreedPriceOutput(serializers.ModelSerializer):
    listing = serializers.IntegerField(source="listing_id", read_only=True)
    consumable = ConsumableBriefOutput(source="listing.consumable", read_only=True)
    manufacturer = OrganizationBriefOutput(source="listing.manufacturer", read_only=True)
    hospital = OrganizationBriefOutput(read_only=True)
    proposed_by = OrganizationBriefOutput(read_only=True)
    price = MoneyField(read_only=True)
    listed_price = MoneyField(source="listing.price", read_only=True)
    reference_price = MoneyField(
        read_only=True, allow_null=True, help_text="The product's confirmed reference price."
    )

    class Meta:
        model = AgreedPrice
        fields = [
            "id",
            "listing",
            "consumable",
            "manufacturer",
            "hospital",
            "price",
            "listed_price",
            "reference_price",
            "annual_volume",
            "valid_from",
            "valid_until",
            "status",
            "proposed_by",
            "created_at",
            "decided_at",
        ]


class AgreedPriceProposeInput(serializers.Serializer):
    listing = serializers.IntegerField()
    hospital = serializers.IntegerField(
        required=False, allow_null=True, help_text="Required when a supplier proposes."
    )
    price = MoneyField()
    annual_volume = serializers.IntegerField(default=0, min_value=0)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


AgreedPriceActionsOutput = actions_output("AgreedPrice", AgreedPriceAction.choices)
