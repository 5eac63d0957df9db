"""Serializers of listings, labels, price changes and distributor authorisations.

Inputs only parse; services decide. Amounts go out and come in as decimal strings through
``core.api.fields.MoneyField``, which refuses JSON numbers (a float has already lost the cents).
"""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.choices import GreenChannel, ListingAction, PriceChangeAction, PurchaseLabel
from procurement.models import (
    Listing,
    ListingDistributor,
    ListingEvidenceFile,
    ListingPriceChange,
    ListingProvince,
)


class ListingOutput(serializers.ModelSerializer):
    consumable = ConsumableBriefOutput(read_only=True)
    manufacturer = OrganizationBriefOutput(read_only=True)
    price = MoneyField(read_only=True)
    reference_price = MoneyField(
        read_only=True,
        allow_null=True,
        help_text="The product's confirmed reference price, if any.",
    )

    class Meta:
        model = Listing
        fields = [
            "id",
            "consumable",
            "manufacturer",
            "price",
            "reference_price",
            "companion_service",
            "registration_number",
            "green_channel",
            "provinces_listed",
            "catalogue",
            "status",
            "label",
            "label_reason",
            "review_reason",
            "price_cut_due_on",
            "submitted_at",
            "reviewed_at",
            "created_at",
        ]


class DistributorOutput(serializers.ModelSerializer):
    distributor = OrganizationBriefOutput(read_only=True)

    class Meta:
        model = ListingDistributor
        fields = ["id", "distributor", "region_code"]


class PriceChangeOutput(serializers.ModelSerializer):
    listing = serializers.IntegerField(source="listing_id", read_only=True)
    consumable = ConsumableBriefOutput(source="listing.consumable", read_only=True)
    manufacturer = OrganizationBriefOutput(source="listing.manufacturer", read_only=True)
    old_price = MoneyField(read_only=True)
    new_price = MoneyField(read_only=True)
    reference_price = MoneyField(
        read_only=True, allow_null=True, help_text="The product's confirmed reference price."
    )
    requested_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ListingPriceChange
        fields = [
            "id",
            "listing",
            "consumable",
            "manufacturer",
            "old_price",
            "new_price",
            "reference_price",
            "reason",
            "status",
            "review_reason",
            "requested_at",
            "reviewed_at",
        ]


class EmergencyEvidenceOutput(serializers.Serializer):
    available = serializers.BooleanField(
        help_text="False until emergency purchases are recorded on the platform."
    )
    hospitals = serializers.IntegerField(help_text="Tier-2+ hospitals with emergency purchases.")
    tier3_hospitals = serializers.IntegerField()
    lowest_price = MoneyField(read_only=True, allow_null=True)


class CriteriaOutput(serializers.Serializer):
    """[R-LIST-CATALOGUES] [R-LIST-PRICE-CAP] [R-LIST-GREEN] [R-LIST-OTHER]"""

    catalogue = serializers.CharField(help_text="The catalogue approval would put it in.")
    price = MoneyField(read_only=True)
    reference_price = MoneyField(read_only=True, allow_null=True)
    price_within_reference = serializers.BooleanField(allow_null=True)
    green_channel = serializers.CharField()
    green_channel_met = serializers.BooleanField()
    provinces_listed = serializers.IntegerField()
    min_provinces = serializers.IntegerField()
    provinces_met = serializers.BooleanField()
    emergency = EmergencyEvidenceOutput()
    min_emergency_hospitals = serializers.IntegerField()
    min_emergency_tier3 = serializers.IntegerField()
    emergency_met = serializers.BooleanField()
    alternate_met = serializers.BooleanField()
    approvable = serializers.BooleanField()


class LabelSuggestionOutput(serializers.Serializer):
    """[R-LABELS]"""

    # DRF takes declared fields off the class, so this does not shadow Field.label.
    label = serializers.ChoiceField(choices=PurchaseLabel.choices)  # type: ignore[assignment]
    reasons = serializers.ListField(child=serializers.CharField())


class ProvinceOutput(serializers.ModelSerializer):
    """[R-LIST-OTHER] a province already listing the product, with the supplier's evidence."""

    code = serializers.CharField(source="province_code")
    name = serializers.CharField(source="get_province_code_display")

    class Meta:
        model = ListingProvince
        fields = ["code", "name", "evidence"]


class ListingDetailOutput(ListingOutput):
    distributors = DistributorOutput(source="distributor_rows", many=True, read_only=True)
    provinces = ProvinceOutput(source="province_rows", many=True, read_only=True)
    provinces_checked_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the bureau confirmed it checked the provinces' evidence.",
    )
    pending_price_change = PriceChangeOutput(read_only=True, allow_null=True)
    criteria = CriteriaOutput(read_only=True)
    suggested_label = LabelSuggestionOutput(read_only=True)

    class Meta(ListingOutput.Meta):
        fields = [
            *ListingOutput.Meta.fields,
            "distributors",
            "provinces",
            "provinces_checked_at",
            "pending_price_change",
            "criteria",
            "suggested_label",
        ]


class AvailableListingOutput(serializers.ModelSerializer):
    consumable = ConsumableBriefOutput(read_only=True)
    manufacturer = OrganizationBriefOutput(read_only=True)
    listed_price = MoneyField(source="price", read_only=True)
    unit_price = MoneyField(
        read_only=True,
        help_text="What the caller's hospital pays: the listed price or a lower agreed price.",
    )
    reference_price = MoneyField(read_only=True, allow_null=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "consumable",
            "manufacturer",
            "listed_price",
            "unit_price",
            "reference_price",
            "catalogue",
            "label",
            "companion_service",
        ]


class DistributorGrantInput(serializers.Serializer):
    distributor = serializers.IntegerField(help_text="Organisation id of the distributor.")
    region_code = serializers.CharField(
        max_length=6, help_text="GB/T 2260 code; a province or city covers what is below it."
    )


class ProvinceInput(serializers.Serializer):
    code = serializers.CharField(
        max_length=2, help_text="GB/T 2260 two-digit code of a mainland province, e.g. 11, 65."
    )
    evidence = serializers.CharField(
        max_length=300, help_text="The platform, the listing number or a link the bureau checks."
    )


class ListingCreateInput(serializers.Serializer):
    consumable_code = serializers.CharField(max_length=27, help_text="27-character national code.")
    price = MoneyField()
    registration_number = serializers.CharField(max_length=100)
    companion_service = serializers.BooleanField(default=False)
    green_channel = serializers.ChoiceField(
        choices=GreenChannel.choices, default="", allow_blank=True
    )
    provinces = ProvinceInput(
        many=True,
        required=False,
        default=list,
        help_text="[R-LIST-OTHER] provinces whose platforms list the product, with evidence.",
    )
    distributors = DistributorGrantInput(many=True, required=False, default=list)


class ListingUpdateInput(serializers.Serializer):
    price = MoneyField(required=False)
    registration_number = serializers.CharField(max_length=100, required=False)
    companion_service = serializers.BooleanField(required=False)
    green_channel = serializers.ChoiceField(
        choices=GreenChannel.choices, required=False, allow_blank=True
    )
    provinces = ProvinceInput(many=True, required=False, help_text="Replaces the provinces.")


class DecisionReasonInput(serializers.Serializer):
    reason = serializers.CharField(help_text="Required: shown to the supplier.")


class DecisionNoteInput(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ListingApproveInput(DecisionNoteInput):
    provinces_checked = serializers.BooleanField(
        required=False,
        default=False,
        help_text="[R-LIST-OTHER] required when only the provinces listing it qualify it: the "
        "officer checked their evidence.",
    )


class LabelInput(serializers.Serializer):
    # DRF takes declared fields off the class, so this does not shadow Field.label.
    label = serializers.ChoiceField(choices=PurchaseLabel.choices)  # type: ignore[assignment]
    reason = serializers.CharField(max_length=300)


class PriceChangeInput(serializers.Serializer):
    new_price = MoneyField()
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class DistributorSetInput(serializers.Serializer):
    distributors = DistributorGrantInput(many=True)


ListingActionsOutput = actions_output("Listing", ListingAction.choices)
PriceChangeActionsOutput = actions_output("PriceChange", PriceChangeAction.choices)


class EvidenceFileInput(serializers.Serializer):
    """[R-LIST-OTHER] multipart: the province the file supports and the file (PDF, PNG or
    JPEG by its content, at most 5 MB)."""

    province = serializers.CharField(max_length=2, help_text="GB/T 2260 two-digit code.")
    file = serializers.FileField(help_text="PDF, PNG or JPEG (judged by content), at most 5 MB.")


class EvidenceFileOutput(serializers.ModelSerializer):
    province_name = serializers.CharField(source="get_province_code_display", read_only=True)
    uploaded_by: serializers.StringRelatedField = serializers.StringRelatedField()
    checked_by: serializers.StringRelatedField = serializers.StringRelatedField(
        allow_null=True, help_text="The bureau officer whose approval recorded the check."
    )
    download = serializers.SerializerMethodField(help_text="Where to download the file.")

    class Meta:
        model = ListingEvidenceFile
        fields = [
            "id",
            "province_code",
            "province_name",
            "name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "checked_by",
            "checked_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, obj: ListingEvidenceFile) -> str:
        return f"/api/v1/procurement/listings/{obj.listing_id}/evidence/{obj.pk}/"
