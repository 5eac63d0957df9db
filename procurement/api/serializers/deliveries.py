"""Serializers of delivery notes, acceptance and returns."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from procurement.api.serializers.common import (
    ConsumableBriefOutput,
    OrganizationBriefOutput,
    RawIntegerField,
)
from procurement.choices import DeliveryAction
from procurement.models import Delivery, DeliveryLine, ReturnRecord


class DeliveryLineInput(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    quantity = RawIntegerField()
    barcode = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="The scanned UDI (GS1, MA or AHM). Or give the UDI fields instead.",
    )
    udi_di = serializers.CharField(required=False, allow_blank=True, max_length=60)
    lot = serializers.CharField(required=False, allow_blank=True, max_length=40)
    serial = serializers.CharField(required=False, allow_blank=True, max_length=60)
    production_date = serializers.DateField(required=False, allow_null=True)
    expiry_date = serializers.DateField(required=False, allow_null=True)


class DeliveryCreateInput(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    lines = DeliveryLineInput(many=True)


class AcceptLineInput(serializers.Serializer):
    delivery_line = serializers.IntegerField(min_value=1)
    accepted_quantity = RawIntegerField(minimum=0)
    refused_quantity = RawIntegerField(minimum=0, required=False, default=0)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Required when refusing."
    )
    barcodes = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        default=list,
        help_text="Scans of the received goods: each must be the product and lot delivered "
        "and not expired.",
    )


class DeliveryAcceptInput(serializers.Serializer):
    lines = AcceptLineInput(many=True)


class DeliveryLineOutput(serializers.ModelSerializer):
    order_line = serializers.IntegerField(source="order_line_id", read_only=True)
    consumable = ConsumableBriefOutput(source="order_line.consumable", read_only=True)

    class Meta:
        model = DeliveryLine
        fields = [
            "id",
            "order_line",
            "consumable",
            "quantity",
            "udi_di",
            "lot",
            "serial",
            "production_date",
            "expiry_date",
            "barcode",
            "accepted_quantity",
            "refused_quantity",
            "refusal_reason",
            "returned_quantity",
        ]
        read_only_fields = fields


class DeliveryOutput(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    hospital = OrganizationBriefOutput(source="order.hospital", read_only=True)
    supplier = OrganizationBriefOutput(source="order.supplier", read_only=True)
    carrier = OrganizationBriefOutput(read_only=True)
    lines = DeliveryLineOutput(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "hospital",
            "supplier",
            "carrier",
            "status",
            "shipped_at",
            "accepted_at",
            "lines",
        ]
        read_only_fields = fields


class ReturnCreateInput(serializers.Serializer):
    delivery_line = serializers.IntegerField(min_value=1)
    quantity = RawIntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReturnOutput(serializers.ModelSerializer):
    delivery_line = serializers.IntegerField(source="delivery_line_id", read_only=True)

    class Meta:
        model = ReturnRecord
        fields = ["id", "delivery_line", "quantity", "reason", "created_at"]
        read_only_fields = fields


DeliveryActionsOutput = actions_output("Delivery", DeliveryAction.choices)
