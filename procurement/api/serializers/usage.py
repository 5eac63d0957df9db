"""Serializers of usage records (the HIS reports the consumables used in operations)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MoneyField
from procurement.api.serializers.common import (
    ConsumableBriefOutput,
    OrganizationBriefOutput,
    RawAmountField,
    RawIntegerField,
)
from procurement.models import UsageRecord


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
            "catalogue_flag",
            "created_at",
        ]
        read_only_fields = fields


class UsageCreateOutput(serializers.Serializer):
    records = UsageRecordOutput(many=True)
