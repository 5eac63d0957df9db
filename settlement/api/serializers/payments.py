"""Serializers of the payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT]."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.common import OrganizationBriefOutput
from settlement.choices import (
    PaymentLineStatus,
    PaymentMethod,
    PaymentRequestAction,
    PaymentRequestStatus,
)
from settlement.models import (
    DirectSettlement,
    PaymentRequest,
    PaymentRequestLine,
    SettlementBatch,
    SettlementPayout,
)

PaymentRequestActionsOutput = actions_output("PaymentRequest", PaymentRequestAction.choices)


class PaymentRequestCreateInput(serializers.Serializer):
    invoices = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=500,
        help_text="Ids of confirmed invoices the caller issued, all to one hospital.",
    )


class DisputeInput(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text="The payment request line's id.")
    reason = serializers.CharField(max_length=500)


class PayInput(serializers.Serializer):
    transfer_reference = serializers.CharField(
        max_length=60, help_text="The hospital's bank transfer reference into escrow."
    )


class InvoiceBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    amount = MoneyField(read_only=True)
    order = serializers.IntegerField(source="order_id")


class PaymentRequestLineOutput(serializers.ModelSerializer):
    invoice = InvoiceBriefOutput()
    amount = MoneyField(read_only=True)
    status = serializers.ChoiceField(choices=PaymentLineStatus.choices)

    class Meta:
        model = PaymentRequestLine
        fields = ["id", "invoice", "amount", "status", "dispute_reason", "disputed_at", "paid_at"]


class PaymentRequestRowOutput(serializers.ModelSerializer):
    supplier = OrganizationBriefOutput()
    hospital = OrganizationBriefOutput()
    amount = MoneyField(read_only=True)
    status = serializers.ChoiceField(choices=PaymentRequestStatus.choices)
    method = serializers.ChoiceField(choices=[("", "-"), *PaymentMethod.choices])
    batch = serializers.IntegerField(source="batch_id", allow_null=True)

    class Meta:
        model = PaymentRequest
        fields = [
            "id",
            "number",
            "supplier",
            "hospital",
            "status",
            "amount",
            "requested_at",
            "approved_at",
            "method",
            "transfer_reference",
            "paid_at",
            "batch",
            "settled_at",
        ]


class PaymentRequestOutput(PaymentRequestRowOutput):
    lines = PaymentRequestLineOutput(many=True, source="lines.all")
    payable_entry = serializers.IntegerField(
        source="payable_entry.seq", allow_null=True, default=None, help_text="Ledger entry seq."
    )
    payment_entry = serializers.IntegerField(
        source="payment_entry.seq", allow_null=True, default=None, help_text="Ledger entry seq."
    )

    class Meta(PaymentRequestRowOutput.Meta):
        fields = [*PaymentRequestRowOutput.Meta.fields, "lines", "payable_entry", "payment_entry"]


class PaymentLineRowOutput(serializers.ModelSerializer):
    """One invoice of a request, for the supplier's receivables: requested, disputed or paid."""

    invoice = InvoiceBriefOutput()
    request = serializers.CharField(source="request.number")
    hospital = OrganizationBriefOutput(source="request.hospital")
    amount = MoneyField(read_only=True)
    status = serializers.ChoiceField(choices=PaymentLineStatus.choices)
    batch = serializers.CharField(source="request.batch.number", allow_null=True, default=None)

    class Meta:
        model = PaymentRequestLine
        fields = ["id", "invoice", "request", "hospital", "amount", "status", "paid_at", "batch"]


class PayableInvoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    amount = MoneyField(read_only=True)
    hospital = OrganizationBriefOutput()
    confirmed_at = serializers.DateTimeField()


class OverdueInvoiceOutput(serializers.Serializer):
    """[R-PAY-30] an invoice whose supplier was not paid within the deadline."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    amount = MoneyField(read_only=True)
    hospital = OrganizationBriefOutput()
    issuer = OrganizationBriefOutput()
    accepted_at = serializers.DateTimeField(help_text="The last acceptance of the goods billed.")
    deadline_days = serializers.IntegerField()
    due_at = serializers.DateTimeField(help_text="accepted_at + deadline_days.")


class SettlementPayoutOutput(serializers.ModelSerializer):
    supplier = OrganizationBriefOutput()
    amount = MoneyField(read_only=True)
    entry = serializers.IntegerField(source="entry.seq", help_text="Ledger entry seq.")

    class Meta:
        model = SettlementPayout
        fields = ["supplier", "amount", "invoice_count", "entry"]


class SettlementBatchRowOutput(serializers.ModelSerializer):
    total = MoneyField(read_only=True)

    class Meta:
        model = SettlementBatch
        fields = [
            "id",
            "number",
            "region_code",
            "status",
            "total",
            "request_count",
            "invoice_count",
            "supplier_count",
            "created_at",
        ]


class SettlementBatchOutput(SettlementBatchRowOutput):
    payouts = serializers.SerializerMethodField()

    class Meta(SettlementBatchRowOutput.Meta):
        fields = [*SettlementBatchRowOutput.Meta.fields, "payouts"]

    @extend_schema_field(SettlementPayoutOutput(many=True))
    def get_payouts(self, batch):  # the caller's own only, for a supplier
        payouts = self.context.get("payouts", batch.payouts.all())
        return SettlementPayoutOutput(payouts, many=True).data


class DirectSettlementOutput(serializers.ModelSerializer):
    """[R-DIRECT] paid by the fund; ``deducted_at`` empty: the next fund settlement deducts it."""

    hospital = OrganizationBriefOutput()
    request = serializers.CharField(source="request.number")
    amount = MoneyField(read_only=True)
    entry = serializers.IntegerField(source="entry.seq")

    class Meta:
        model = DirectSettlement
        fields = ["id", "hospital", "request", "amount", "entry", "paid_at", "deducted_at"]
