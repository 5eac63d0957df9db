"""Serializers of purchase plans and the alternate-catalogue cap [R-LIST-ALT-CAP]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MoneyField, RatioField
from procurement.api.serializers.common import OrganizationBriefOutput


class CapStatusOutput(serializers.Serializer):
    """[R-LIST-ALT-CAP] alternate-catalogue purchases against the cap for the year: the one
    shape of the cap, in the quote, ``GET /cap/`` and the purchase plan alike."""

    hospital = OrganizationBriefOutput()
    year = serializers.IntegerField()
    total = MoneyField(
        read_only=True, allow_null=True, help_text="Annual purchase total; null when not set."
    )
    ratio = RatioField(read_only=True)
    cap = MoneyField(read_only=True, allow_null=True)
    used = MoneyField(read_only=True)
    remaining = MoneyField(read_only=True, allow_null=True)


class PurchasePlanOutput(serializers.Serializer):
    hospital = OrganizationBriefOutput()
    year = serializers.IntegerField()
    total = MoneyField(read_only=True, allow_null=True)
    cap = CapStatusOutput()


class PurchasePlanSetInput(serializers.Serializer):
    hospital = serializers.IntegerField(
        required=False, allow_null=True, help_text="Required for the bureau; hospitals: own."
    )
    year = serializers.IntegerField()
    total = MoneyField()
