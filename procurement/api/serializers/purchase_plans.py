"""Serializers of purchase plans and the alternate-catalogue cap [R-LIST-ALT-CAP]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField, RatioField
from procurement.api.serializers.common import OrganizationBriefOutput
from procurement.choices import PurchasePlanAction, PurchasePlanStatus
from procurement.selectors.caps import BASE_APPROVED, BASE_PREVIOUS_YEAR


class CapStatusOutput(serializers.Serializer):
    """[R-LIST-ALT-CAP] alternate-catalogue purchases against the cap for the year: the one
    shape of the cap, in the quote, ``GET /cap/`` and the purchase plan alike."""

    hospital = OrganizationBriefOutput()
    year = serializers.IntegerField()
    total = MoneyField(
        read_only=True,
        allow_null=True,
        help_text="The annual purchase total in force: the cap's base (see base).",
    )
    base = serializers.ChoiceField(
        choices=[BASE_PREVIOUS_YEAR, BASE_APPROVED],
        read_only=True,
        help_text="previous_year: the hospital's platform purchases of the previous year (the "
        "default); approved: a figure the bureau approved.",
    )
    default_total = MoneyField(
        read_only=True, help_text="The hospital's platform purchases of the previous year."
    )
    ratio = RatioField(read_only=True)
    cap = MoneyField(read_only=True, allow_null=True)
    used = MoneyField(read_only=True)
    remaining = MoneyField(read_only=True, allow_null=True)


class PurchasePlanRowOutput(serializers.Serializer):
    """[R-LIST-ALT-CAP] a proposed annual purchase total and the bureau's decision."""

    id = serializers.IntegerField()
    hospital = OrganizationBriefOutput()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PurchasePlanStatus.choices)
    total = MoneyField(
        read_only=True, allow_null=True, help_text="The approved figure in force, if any."
    )
    proposed_total = MoneyField(read_only=True, allow_null=True)
    reason = serializers.CharField()
    proposed_by: serializers.StringRelatedField = serializers.StringRelatedField(allow_null=True)
    proposed_at = serializers.DateTimeField(allow_null=True)
    decided_by: serializers.StringRelatedField = serializers.StringRelatedField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class PurchasePlanOutput(serializers.Serializer):
    hospital = OrganizationBriefOutput()
    year = serializers.IntegerField()
    total = MoneyField(
        read_only=True, allow_null=True, help_text="The annual purchase total in force."
    )
    plan = PurchasePlanRowOutput(
        allow_null=True, help_text="The proposal and decision, if finance proposed a figure."
    )
    cap = CapStatusOutput()


class PurchasePlanProposeInput(serializers.Serializer):
    year = serializers.IntegerField()
    total = MoneyField()
    reason = serializers.CharField(help_text="Why last year's platform purchases do not fit.")


PurchasePlanActionsOutput = actions_output("PurchasePlan", PurchasePlanAction.choices)
