"""Serializers of invoices."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.common import (
    ConsumableBriefOutput,
    OrganizationBriefOutput,
    RawAmountField,
    RawIntegerField,
)
from procurement.choices import InvoiceAction
from procurement.models import Invoice, InvoiceLine


class InvoiceLineInput(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    quantity = RawIntegerField()
    amount = RawAmountField(help_text="quantity × the order line's unit price.")


class InvoiceCreateInput(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    number = serializers.CharField(max_length=40)
    issued_on = serializers.DateField()
    amount = RawAmountField(help_text="The sum of the lines.")
    issuer = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Issuing organisation; default the caller's. The manufacturer or a "
        "distributor authorised for the hospital's region [R-TWO-INVOICE].",
    )
    lines = InvoiceLineInput(many=True)


class InvoiceLineOutput(serializers.ModelSerializer):
    order_line = serializers.IntegerField(source="order_line_id", read_only=True)
    consumable = ConsumableBriefOutput(source="order_line.consumable", read_only=True)
    unit_price = MoneyField(read_only=True, source="order_line.unit_price")
    amount = MoneyField(read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["id", "order_line", "consumable", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class InvoiceOutput(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    issuer = OrganizationBriefOutput(read_only=True)
    hospital = OrganizationBriefOutput(read_only=True)
    amount = MoneyField(read_only=True)
    ready_for_settlement = serializers.SerializerMethodField()
    lines = InvoiceLineOutput(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "issued_on",
            "amount",
            "issuer",
            "hospital",
            "order",
            "order_number",
            "status",
            "ready_for_settlement",
            "rejection_reason",
            "registered_at",
            "confirmed_at",
            "lines",
        ]
        read_only_fields = fields

    def get_ready_for_settlement(self, invoice: Invoice) -> bool:
        return invoice.status == "confirmed"


InvoiceActionsOutput = actions_output("Invoice", InvoiceAction.choices)
