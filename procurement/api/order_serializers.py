"""Input and output serializers for orders, deliveries, invoices, usage and the change feed.

Inputs only parse the shape; the services validate the values, so that a bad quantity, price
or barcode gets the same error code through the API, the pages and the services' tests.
Quantities and amounts therefore arrive as raw JSON values (``RawIntegerField``,
``RawAmountField``): a float amount, "1.5" units or "x" reach the service and are refused
there with ``amount_invalid`` / ``quantity_invalid``.

Each status choice set appears in exactly one output component (orders, order lines,
deliveries, invoices), so drf-spectacular names its enum without a collision warning.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.api.fields import MoneyField, RatioField
from procurement.api.listing_serializers import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.errors import ClientPriceRefusedError
from procurement.models import (
    Delivery,
    DeliveryLine,
    Event,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    ReturnRecord,
    UsageRecord,
)
from procurement.selectors.orders import MAX_QUANTITY

# Keys a client might send to set a price. Refused, not ignored: a client that believes it
# sets the price must learn that it does not [R-ORDER-ONLINE].
PRICE_KEYS = ("unit_price", "price", "amount", "total")


class RawIntegerField(serializers.Field):
    """A whole number, checked by the service (``quantity_invalid``). ``minimum`` is what the
    service accepts: 1 for a quantity, 0 for a count such as refused units."""

    def __init__(self, *, minimum: int = 1, **kwargs: Any) -> None:
        self.minimum = minimum
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class RawIntegerFieldSchema(OpenApiSerializerFieldExtension):
    target_class = RawIntegerField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "integer",
            "minimum": self.target.minimum,
            "maximum": MAX_QUANTITY,
            "example": 2,
        }


class RawAmountField(MoneyField):
    """A CNY amount (MoneyField's schema), passed on as sent: core.money.parse_amount checks it
    in the service (``amount_invalid``; JSON numbers are refused)."""

    def to_internal_value(self, data: Any) -> Any:
        return data


# Order outputs are the HIS's hot path (50 orders with their lines per request): the API sends
# them as JSON built by PostgreSQL (procurement.api.order_documents) in the shape declared here,
# and a test pins the two equal. These serializers stay the schema and the reference.


# ---------------------------------------------------------------------------------------------
# Orders


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


class OrderCreateInput(OrderQuoteInput):
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


class QuoteLineOutput(serializers.Serializer):
    index = serializers.IntegerField(help_text="1-based position in the request's lines.")
    listing = serializers.IntegerField(source="listing.pk")
    consumable = ConsumableBriefOutput(source="listing.consumable")
    quantity = serializers.IntegerField()
    unit_price = MoneyField(read_only=True)
    amount = MoneyField(read_only=True)
    catalogue = serializers.CharField(source="listing.catalogue")
    label = serializers.CharField(source="listing.label")


class QuoteGroupOutput(serializers.Serializer):
    supplier = serializers.SerializerMethodField()
    total = MoneyField(read_only=True)
    lines = QuoteLineOutput(many=True)

    def get_supplier(self, group: Any) -> dict:
        return {"id": group.supplier_id, "name": group.supplier_name}


class QuoteCapOutput(serializers.Serializer):
    """[R-LIST-ALT-CAP] the year's alternate-catalogue cap before this cart."""

    year = serializers.IntegerField()
    total = MoneyField(
        read_only=True, allow_null=True, help_text="Annual purchase total; null when not set."
    )
    ratio = RatioField(read_only=True)
    cap = MoneyField(read_only=True, allow_null=True)
    used = MoneyField(read_only=True)
    remaining = MoneyField(read_only=True, allow_null=True)


class OrderQuoteOutput(serializers.Serializer):
    groups = QuoteGroupOutput(many=True, help_text="One group per manufacturer: one order each.")
    total = MoneyField(read_only=True)
    alternate_amount = MoneyField(
        read_only=True, help_text="Alternate-catalogue amount of this cart."
    )
    cap = QuoteCapOutput()
    over_cap = serializers.BooleanField(
        help_text="Submitting all of it would pass the cap (or no annual total is set)."
    )


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


# ---------------------------------------------------------------------------------------------
# Deliveries and returns


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


# ---------------------------------------------------------------------------------------------
# Invoices


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


# ---------------------------------------------------------------------------------------------
# Usage (HIS)


class UsageRecordInput(serializers.Serializer):
    barcode = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="The scanned UDI."
    )
    udi_di = serializers.CharField(required=False, allow_blank=True, max_length=60)
    lot = serializers.CharField(required=False, allow_blank=True, max_length=40)
    serial = serializers.CharField(required=False, allow_blank=True, max_length=60)
    quantity = RawIntegerField(required=False, default=1)
    operation_id = serializers.CharField(max_length=64, allow_blank=True)
    doctor_code = serializers.CharField(
        max_length=32, allow_blank=True, help_text="The operating doctor's staff code."
    )
    department = serializers.CharField(max_length=100, allow_blank=True)
    patient_hash = serializers.CharField(
        max_length=128,
        allow_blank=True,
        help_text="Hex digest (32-128 characters, e.g. salted SHA-256) of the patient case "
        "number, computed by the HIS. Never the case number itself.",
    )
    used_at = serializers.DateTimeField(help_text="ISO 8601 with offset.")
    charged_price = RawAmountField(
        required=False, allow_null=True, help_text="Price charged to the patient, if known."
    )


class UsageCreateInput(serializers.Serializer):
    records = UsageRecordInput(many=True, help_text="1 to 500 records, stored all or nothing.")


class UsageRecordOutput(serializers.ModelSerializer):
    consumable = ConsumableBriefOutput(read_only=True)
    manufacturer = OrganizationBriefOutput(read_only=True, allow_null=True)
    hospital = serializers.IntegerField(source="hospital_id", read_only=True)
    charged_price = MoneyField(read_only=True, allow_null=True)

    class Meta:
        model = UsageRecord
        fields = [
            "id",
            "hospital",
            "consumable",
            "manufacturer",
            "udi_di",
            "lot",
            "serial",
            "quantity",
            "operation_id",
            "doctor_code",
            "department",
            "patient_hash",
            "used_at",
            "charged_price",
            "created_at",
        ]
        read_only_fields = fields


class UsageCreateOutput(serializers.Serializer):
    records = UsageRecordOutput(many=True)


# ---------------------------------------------------------------------------------------------
# Change feed


class EventOutput(serializers.ModelSerializer):
    cursor = serializers.SerializerMethodField(help_text="Resume after this event.")
    order = serializers.IntegerField(source="order_id", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "cursor",
            "type",
            "order",
            "order_number",
            "entity",
            "entity_id",
            "payload",
            "created_at",
        ]
        read_only_fields = fields

    def get_cursor(self, event: Event) -> str:
        from procurement.selectors.events import encode_cursor

        return encode_cursor(event.txid, event.pk)


class EventPageOutput(serializers.Serializer):
    events = EventOutput(many=True)
    next = serializers.CharField(help_text="Pass as ?after= to get the following events.")
    has_more = serializers.BooleanField(
        help_text="More events are visible now; otherwise poll again later with `next`."
    )
