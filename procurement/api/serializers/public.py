"""The public API's shapes (/api/v1/public/, no login) [R-DISCLOSE]: what the public pages
show and nothing more. No person (user names, phones, e-mails), no hospital-private figure
(volumes, orders, plans); agreed prices only where the hospital's region policy publishes
them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.choices import ReferencePriceStatus
from catalog.models import ReferencePrice
from core.api.fields import MoneyField
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.choices import Catalogue, PurchaseLabel, RoundStatus
from procurement.models import Listing, PaymentStandard, TenderResult, TenderRound

PUBLIC_REFERENCE_CHOICES = [
    (ReferencePriceStatus.PUBLICITY.value, ReferencePriceStatus.PUBLICITY.label),
    (ReferencePriceStatus.CONFIRMED.value, ReferencePriceStatus.CONFIRMED.label),
]


# --- Query parameters ------------------------------------------------------------------------


class PublicSearchQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Words to search for."
    )


class PublicReferencePriceQuery(PublicSearchQuery):
    status = serializers.ChoiceField(
        choices=PUBLIC_REFERENCE_CHOICES, required=False, allow_blank=True
    )


class PublicListingQuery(PublicSearchQuery):
    code = serializers.CharField(
        required=False, allow_blank=True, max_length=27, help_text="National code prefix."
    )
    catalogue = serializers.ChoiceField(choices=Catalogue.choices, required=False, allow_blank=True)
    # A field named "label" (the purchase label), not DRF's Field.label.
    label = serializers.ChoiceField(  # type: ignore[assignment]
        choices=PurchaseLabel.choices, required=False, allow_blank=True
    )


class PublicTenderResultQuery(PublicSearchQuery):
    round = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    won = serializers.BooleanField(required=False, allow_null=True, default=None)


# --- Outputs ---------------------------------------------------------------------------------


class PublicReferencePriceOutput(serializers.ModelSerializer):
    consumable = ConsumableBriefOutput(read_only=True)
    manufacturer_name = serializers.SerializerMethodField()
    price = MoneyField(read_only=True)
    status = serializers.ChoiceField(choices=PUBLIC_REFERENCE_CHOICES, read_only=True)

    class Meta:
        model = ReferencePrice
        fields = [
            "id",
            "consumable",
            "manufacturer_name",
            "price",
            "status",
            "publicity_starts_on",
            "publicity_ends_on",
            "confirmed_at",
        ]

    def get_manufacturer_name(self, obj: ReferencePrice) -> str:
        consumable = obj.consumable
        manufacturer = consumable.manufacturer
        return consumable.company_name or (manufacturer.name if manufacturer else "")


class PublicAgreedPriceOutput(serializers.Serializer):
    hospital_name = serializers.CharField(source="hospital.name")
    price = MoneyField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class PublicListingOutput(serializers.ModelSerializer):
    consumable = ConsumableBriefOutput(read_only=True)
    manufacturer = OrganizationBriefOutput(read_only=True)
    price = MoneyField(read_only=True)
    reference_price = MoneyField(read_only=True, allow_null=True)
    agreed_prices = serializers.SerializerMethodField(
        help_text=(
            "[R-DISCLOSE] Hospitals' agreed prices in force, only where the hospital's region "
            "policy publishes them (`disclose_hospital_agreed_prices`); otherwise empty."
        )
    )

    class Meta:
        model = Listing
        fields = [
            "id",
            "consumable",
            "manufacturer",
            "price",
            "companion_service",
            "catalogue",
            "label",
            "reference_price",
            "agreed_prices",
        ]

    @extend_schema_field(PublicAgreedPriceOutput(many=True))
    def get_agreed_prices(self, obj: Listing) -> list:
        disclosed = self.context.get("disclosed", {})
        return list(PublicAgreedPriceOutput(disclosed.get(obj.pk, []), many=True).data)


class PublicTenderResultOutput(serializers.ModelSerializer):
    round_number = serializers.CharField(source="round.number", read_only=True)
    round_name = serializers.CharField(source="round.name", read_only=True)
    group_code = serializers.CharField(source="group.code", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    consumable = ConsumableBriefOutput(read_only=True)
    supplier = OrganizationBriefOutput(read_only=True)
    price = MoneyField(read_only=True, allow_null=True)
    companion_price = MoneyField(read_only=True, allow_null=True)

    class Meta:
        model = TenderResult
        fields = [
            "id",
            "round",
            "round_number",
            "round_name",
            "group",
            "group_code",
            "group_name",
            "consumable",
            "supplier",
            "price",
            "companion_price",
            "valid",
            "rank",
            "won",
        ]


class PublicPaymentStandardOutput(serializers.ModelSerializer):
    group_code = serializers.CharField(source="group.code", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    winner_price = MoneyField(read_only=True)
    non_winner_cap = MoneyField(read_only=True)

    class Meta:
        model = PaymentStandard
        fields = [
            "id",
            "group",
            "group_code",
            "group_name",
            "winner_price",
            "non_winner_cap",
            "valid_from",
            "valid_to",
        ]


class PublicTenderRoundOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=[
            (RoundStatus.PUBLICITY.value, RoundStatus.PUBLICITY.label),
            (RoundStatus.FINAL.value, RoundStatus.FINAL.label),
        ],
        read_only=True,
    )
    payment_standards = serializers.SerializerMethodField()

    class Meta:
        model = TenderRound
        fields = [
            "id",
            "number",
            "name",
            "status",
            "opened_at",
            "publicity_end",
            "payment_standards",
        ]

    @extend_schema_field(PublicPaymentStandardOutput(many=True))
    def get_payment_standards(self, obj: TenderRound) -> list:
        standards = self.context.get("standards", {})
        return list(PublicPaymentStandardOutput(standards.get(obj.pk, []), many=True).data)


class PublicNegotiationResultOutput(serializers.Serializer):
    """[R-NEGOTIATION] [R-DISCLOSE] one agreement of a published negotiation in force."""

    negotiation = serializers.IntegerField(source="negotiation_id")
    title = serializers.CharField()
    outcome = serializers.CharField(help_text="listed_price or hospital_price.")
    code = serializers.CharField(help_text="National code.")
    product = serializers.CharField()
    specification = serializers.CharField()
    manufacturer = serializers.CharField()
    agreed_price = MoneyField(
        read_only=True,
        allow_null=True,
        help_text="Null for a hospital-specific price the region does not publish.",
    )
    effective_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    hospitals = serializers.ListField(child=serializers.CharField())
