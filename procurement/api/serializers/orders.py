"""Serializers of orders: creation, the supplier's answer, the order document.

Order outputs are the HIS's hot path (50 orders with their lines per request): the API sends
them as JSON built by PostgreSQL (procurement.api.order_documents) in the shape declared here,
and a test pins the two equal. These serializers stay the schema and the reference.

Each status choice set appears in exactly one output component (orders, order lines,
deliveries, invoices), so drf-spectacular names its enum without a collision warning.
"""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.cart import OrderQuoteInput
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.choices import OrderAction
from procurement.models import Order, OrderLine


class OrderCreateInput(OrderQuoteInput):
    department = serializers.CharField(
        max_length=100,
        help_text="[R-HOSP-CATALOGUE] the department that asked for the order (departments do "
        "not order on their own; the hospital's purchaser orders for them).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    is_urgent = serializers.BooleanField(required=False, default=False)


class OrderLineOutput(serializers.ModelSerializer):
    consumable = ConsumableBriefOutput(read_only=True)
    listing = serializers.IntegerField(source="listing_id", read_only=True)
    unit_price = MoneyField(read_only=True)
    amount = MoneyField(read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "listing",
            "consumable",
            "quantity",
            "unit_price",
            "amount",
            "catalogue",
            "label",
            "restricted_reason",
            "status",
            "rejection_reason",
            "promised_on",
            "confirmed_at",
            "delivered_quantity",
            "accepted_quantity",
            "refused_quantity",
            "returned_quantity",
            "invoiced_quantity",
        ]
        read_only_fields = fields


class OrderOutput(serializers.ModelSerializer):
    hospital = OrganizationBriefOutput(read_only=True)
    supplier = OrganizationBriefOutput(read_only=True)
    distributor = OrganizationBriefOutput(read_only=True, allow_null=True)
    total = MoneyField(read_only=True)
    lines = OrderLineOutput(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "hospital",
            "supplier",
            "distributor",
            "is_urgent",
            "department",
            "note",
            "total",
            "created_at",
            "submitted_at",
            "responded_at",
            "closed_at",
            "cancel_reason",
            "lines",
        ]
        read_only_fields = fields


class OrderCreateOutput(serializers.Serializer):
    orders = OrderOutput(many=True, help_text="One draft order per manufacturer.")


class OrderReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RespondLineInput(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text="Order line id.")
    decision = serializers.ChoiceField(choices=["confirm", "reject"])
    promised_on = serializers.DateField(
        required=False, allow_null=True, help_text="Required to confirm: today or later."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Required to reject."
    )


class OrderRespondInput(serializers.Serializer):
    lines = RespondLineInput(many=True)
    distributor = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The distributor that will deliver, authorised for the hospital's region.",
    )


class LineConfirmInput(serializers.Serializer):
    promised_on = serializers.DateField(allow_null=True)


class DistributorChoiceInput(serializers.Serializer):
    distributor = serializers.IntegerField(
        allow_null=True, help_text="Null: the manufacturer delivers itself."
    )


OrderActionsOutput = actions_output("Order", OrderAction.choices)
