from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.choices import ReferencePriceAction
from catalog.models import (
    Category,
    Consumable,
    ConsumableCodeAlias,
    CrosswalkConflict,
    DeviceIdentifier,
    ImportJob,
    PriceObjection,
    ReferencePrice,
    SyncRun,
)
from core.api.actions import actions_output
from core.api.fields import MoneyField

if TYPE_CHECKING:
    from accounts.models import Organization


class DeviceIdentifierOutput(serializers.ModelSerializer):
    class Meta:
        model = DeviceIdentifier
        fields = [
            "di",
            "agency",
            "nhsa_code",
            "registration_number",
            "packaging_level",
            "packaging_quantity",
        ]


class ConsumableListOutput(serializers.ModelSerializer):
    reference_price = MoneyField(
        read_only=True,
        allow_null=True,
        help_text="Current confirmed reference price (CNY), if any: capped catalogue.",
    )
    manufacturer: "serializers.PrimaryKeyRelatedField[Organization]" = (
        serializers.PrimaryKeyRelatedField(read_only=True)
    )

    class Meta:
        model = Consumable
        fields = [
            "code",
            "base_code",
            "category_l1",
            "category_l3",
            "generic_name",
            "product_name",
            "specification",
            "model",
            "unit",
            "registration_number",
            "company_name",
            "manufacturer",
            "is_high_value",
            "status",
            "reference_price",
        ]


class ReferencePriceOutput(serializers.ModelSerializer):
    consumable_code = serializers.CharField(source="consumable.code")
    consumable_name = serializers.CharField(source="consumable.__str__")
    price = MoneyField(read_only=True)
    previous_price = MoneyField(read_only=True, allow_null=True)
    publicity_ends_estimated = serializers.BooleanField(
        read_only=True,
        help_text=(
            "The publicity's end was counted Monday to Friday, because when it was counted the "
            "holidays of a year it crosses were known to neither the platform calendar nor "
            "chinese-calendar: it may be wrong. Stays true when the year is entered later."
        ),
    )

    class Meta:
        model = ReferencePrice
        fields = [
            "id",
            "consumable_code",
            "consumable_name",
            "price",
            "status",
            "previous_price",
            "is_increase",
            "source_province",
            "source_platform",
            "observed_on",
            "publicity_starts_on",
            "publicity_ends_on",
            "publicity_ends_estimated",
            "proposed_at",
            "confirmed_at",
            "closed_at",
            "note",
        ]


class ReferencePriceBriefOutput(serializers.ModelSerializer):
    price = MoneyField(read_only=True)

    class Meta:
        model = ReferencePrice
        fields = [
            "id",
            "price",
            "status",
            "publicity_ends_on",
            "publicity_ends_estimated",
            "confirmed_at",
        ]


class CategoryOutput(serializers.ModelSerializer):
    # DRF takes declared fields off the class, so this does not shadow Field.parent.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, default=None
    )

    class Meta:
        model = Category
        fields = ["code", "level", "name", "parent"]


class ConsumableCodeAliasOutput(serializers.ModelSerializer):
    class Meta:
        model = ConsumableCodeAlias
        fields = ["code", "previous_status", "change_type"]


class ConsumableDetailOutput(ConsumableListOutput):
    device_identifiers = DeviceIdentifierOutput(many=True)
    reference_prices = ReferencePriceBriefOutput(many=True, read_only=True)
    previous_codes = ConsumableCodeAliasOutput(
        source="code_aliases",
        many=True,
        help_text="Codes a national release replaced by this one (原27位码); they resolve here.",
    )
    replaced_by = serializers.SerializerMethodField(
        help_text="Codes that replaced this product's code in a national release, if any."
    )
    categories = serializers.SerializerMethodField(
        help_text="The product's level-1, level-2 and level-3 categories with their names."
    )

    class Meta(ConsumableListOutput.Meta):
        fields = [
            *ConsumableListOutput.Meta.fields,
            "category_l2",
            "generic_group",
            "material_code",
            "feature_code",
            "company_code",
            "spec_serial",
            "registered_name",
            "material",
            "feature",
            "generic_name_code",
            "registrant",
            "device_identifiers",
            "reference_prices",
            "previous_codes",
            "replaced_by",
            "categories",
        ]

    def get_replaced_by(self, obj) -> list[str]:
        return [c.code for c in self.context.get("replaced_by", [])]

    @extend_schema_field(CategoryOutput(many=True))
    def get_categories(self, obj) -> list[dict]:
        return list(CategoryOutput(self.context.get("categories", []), many=True).data)


class ScanInput(serializers.Serializer):
    barcode = serializers.CharField(max_length=500, trim_whitespace=False)


class ScannedPartsOutput(serializers.Serializer):
    agency = serializers.CharField()
    di = serializers.CharField()
    lot = serializers.CharField(allow_null=True)
    production_date = serializers.DateField(allow_null=True)
    expiry_date = serializers.DateField(allow_null=True)
    serial = serializers.CharField(allow_null=True)


class ScanOutput(serializers.Serializer):
    parsed = ScannedPartsOutput(source="barcode")
    matched = serializers.SerializerMethodField()
    consumable = ConsumableListOutput(allow_null=True)
    reference_price = MoneyField(read_only=True, allow_null=True)
    expired = serializers.BooleanField(
        read_only=True, help_text="The scanned lot's expiry date is past: a delivery is refused."
    )

    def get_matched(self, obj) -> bool:
        return obj.consumable is not None


class PriceObjectionOutput(serializers.ModelSerializer):
    consumable_code = serializers.CharField(source="reference_price.consumable.code")

    class Meta:
        model = PriceObjection
        fields = [
            "id",
            "reference_price",
            "consumable_code",
            "supplier",
            "reason",
            "status",
            "resolution",
            "created_at",
            "resolved_at",
        ]


class SyncRunOutput(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = [
            "id",
            "started_at",
            "finished_at",
            "feed_url",
            "feed_sha256",
            "rows_read",
            "rows_rejected",
            "proposals",
            "increases_flagged",
            "confirmations",
            "status",
            "error",
            "heartbeat_at",
        ]


class ImportJobOutput(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "partial",
            "status",
            "rows_total",
            "rows_done",
            "inserted",
            "updated",
            "unchanged",
            "rejected",
            "error",
            "created_at",
            "finished_at",
            "attempts",
            "heartbeat_at",
            "retry_of",
        ]


class CrosswalkConflictOutput(serializers.ModelSerializer):
    class Meta:
        model = CrosswalkConflict
        fields = [
            "id",
            "di",
            "current_code",
            "claimed_code",
            "source",
            "row_number",
            "detected_at",
            "resolved_at",
        ]


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ObjectionResolveInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["upheld", "dismissed"])
    resolution = serializers.CharField(max_length=2000)


class ImportUploadInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["catalog", "udi"])
    file = serializers.FileField()
    # DRF takes declared fields off the class, so this does not shadow Serializer.partial.
    partial = serializers.BooleanField(default=False)  # type: ignore[assignment]


class ImportRetryInput(serializers.Serializer):
    # Absent: as the failed job; true: keep the valid rows this time.
    partial = serializers.BooleanField(allow_null=True, default=None)  # type: ignore[assignment]


ReferencePriceActionsOutput = actions_output("ReferencePrice", ReferencePriceAction.choices)
