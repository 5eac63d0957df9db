"""Serializers of negotiations [R-NEGOTIATION]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField, RatioField
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.choices import (
    NegotiationAction,
    NegotiationItemStatus,
    NegotiationKind,
    NegotiationOfferKind,
    NegotiationOutcome,
    NegotiationStatus,
)


class NegotiationItemInput(serializers.Serializer):
    listing_id = serializers.IntegerField()
    target_price = MoneyField()


class NegotiationOpenInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(
        choices=NegotiationKind.choices,
        default=NegotiationKind.PRODUCTS,
        help_text="products: the items given; portfolio (NJ 2.2): every listed product of "
        "``manufacturer``, each target its listed price cut by ``cut_ratio``.",
    )
    items = serializers.ListField(
        child=NegotiationItemInput(), required=False, default=list, max_length=500
    )
    manufacturer = serializers.IntegerField(required=False, allow_null=True, default=None)
    cut_ratio = RatioField(required=False, allow_null=True, default=None)
    hospitals = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=1000
    )
    all_hospitals = serializers.BooleanField(required=False, default=False)
    outcome = serializers.ChoiceField(
        choices=NegotiationOutcome.choices, default=NegotiationOutcome.HOSPITAL_PRICE
    )
    deadline = serializers.DateField(help_text="Round 1: offers due by this day.")
    effective_on = serializers.DateField(help_text="After the deadline.")
    valid_until = serializers.DateField(help_text="The hospitals' agreed prices end.")


class NegotiationTargetInput(serializers.Serializer):
    item = serializers.IntegerField()
    target_price = MoneyField()


class NegotiationCounterInput(serializers.Serializer):
    deadline = serializers.DateField()
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    targets = serializers.ListField(
        child=NegotiationTargetInput(), required=False, default=list, max_length=500
    )


class NegotiationOfferInput(serializers.Serializer):
    price = MoneyField()


class NegotiationOfferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    round_number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NegotiationOfferKind.choices)
    price = MoneyField(read_only=True)
    target_price = MoneyField(read_only=True)
    offered_by: serializers.StringRelatedField = serializers.StringRelatedField()
    offered_at = serializers.DateTimeField()


class NegotiationItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    listing_id = serializers.IntegerField()
    consumable = ConsumableBriefOutput(source="listing.consumable")
    manufacturer = OrganizationBriefOutput(source="listing.manufacturer")
    listed_price = MoneyField(read_only=True, help_text="When the negotiation opened.")
    current_price = MoneyField(read_only=True, source="listing.price")
    target_price = MoneyField(read_only=True)
    status = serializers.ChoiceField(choices=NegotiationItemStatus.choices)
    offered_price = MoneyField(read_only=True, allow_null=True)
    agreed_price = MoneyField(read_only=True, allow_null=True)
    agreed_round = serializers.IntegerField(allow_null=True)
    offers = NegotiationOfferOutput(many=True)


class NegotiationRoundOutput(serializers.Serializer):
    number = serializers.IntegerField()
    deadline = serializers.DateField()
    note = serializers.CharField()
    opened_at = serializers.DateTimeField()


class NegotiationRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=NegotiationKind.choices)
    status = serializers.ChoiceField(choices=NegotiationStatus.choices)
    region_code = serializers.CharField()
    manufacturer = OrganizationBriefOutput(allow_null=True)
    cut_ratio = RatioField(read_only=True, allow_null=True)
    all_hospitals = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=NegotiationOutcome.choices)
    round_number = serializers.IntegerField()
    deadline = serializers.DateField()
    effective_on = serializers.DateField()
    valid_until = serializers.DateField()
    period = serializers.CharField()
    source_note = serializers.CharField()
    opened_at = serializers.DateTimeField()
    invited_at = serializers.DateTimeField(allow_null=True)
    concluded_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class NegotiationOutput(NegotiationRowOutput):
    hospitals = OrganizationBriefOutput(many=True, source="shown_hospitals")
    rounds = NegotiationRoundOutput(many=True, source="shown_rounds")
    items = NegotiationItemOutput(
        many=True, source="shown_items", help_text="A supplier sees only its own products."
    )


NegotiationActionsOutput = actions_output("Negotiation", NegotiationAction.choices)


class NegotiationLinkedImportInput(serializers.Serializer):
    """NJ 2.3 multipart: the workbook of other regions' winning prices (first sheet: a header
    row, then national code, region, winning price in columns A-C) and the round's dates."""

    file = serializers.FileField(help_text="XLSX, at most 5,000 rows.")
    title = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    deadline = serializers.DateField()
    effective_on = serializers.DateField()
    valid_until = serializers.DateField()
