"""Serializers of emergency purchases [R-EMERG-DEADLINE] [R-EMERG-CAP]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField, RatioField
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.choices import EmergencyAction, EmergencyStatus, EmergencyViolationKind


class EmergencyCapOutput(serializers.Serializer):
    """[R-EMERG-CAP] the hospital's emergency purchases of the year against its cap."""

    hospital = OrganizationBriefOutput()
    year = serializers.IntegerField()
    tier3 = serializers.BooleanField(help_text="Tier-3 hospitals have their own ratio.")
    ratio = RatioField(read_only=True)
    base = MoneyField(
        read_only=True, help_text="The hospital's platform purchases of the previous year."
    )
    base_kind = serializers.CharField(
        help_text="previous_year: last year's platform purchases; approved: nothing bought on "
        "the platform last year, the annual purchase total the bureau approved for the year.",
    )
    approved_extra = MoneyField(
        read_only=True, help_text="Amounts over the cap the bureau approved this year."
    )
    cap = MoneyField(read_only=True)
    used = MoneyField(read_only=True)
    remaining = MoneyField(read_only=True)
    adding = MoneyField(read_only=True, help_text="The amount asked about (?adding=).")
    over_by = MoneyField(
        read_only=True, help_text="How far ``adding`` would pass the cap (0 within it)."
    )


class EmergencyLineInput(serializers.Serializer):
    consumable_id = serializers.IntegerField()
    supplier_name = serializers.CharField(max_length=200)
    unit_price = MoneyField()
    quantity = serializers.IntegerField(min_value=1, max_value=10**9)


class EmergencyRegisterInput(serializers.Serializer):
    bought_on = serializers.DateField(help_text="Not in the future.")
    reason = serializers.CharField(max_length=2000)
    approver_name = serializers.CharField(max_length=100)
    approver_role = serializers.CharField(max_length=100)
    listed_reason = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=2000,
        help_text="Required when a product is listed and orderable on the platform.",
    )
    lines = serializers.ListField(child=EmergencyLineInput(), allow_empty=False, max_length=50)


class EmergencyLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    consumable = ConsumableBriefOutput()
    supplier_name = serializers.CharField()
    unit_price = MoneyField(read_only=True)
    quantity = serializers.IntegerField()
    amount = MoneyField(read_only=True)
    listed_on_platform = serializers.BooleanField()


class EmergencyViolationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    purchase_id = serializers.IntegerField()
    hospital = OrganizationBriefOutput()
    kind = serializers.ChoiceField(choices=EmergencyViolationKind.choices)
    amount = MoneyField(
        read_only=True, help_text="Late: the whole purchase; over the cap: the amount over it."
    )
    year = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()
    lifted_at = serializers.DateTimeField(allow_null=True)
    lifted_by: serializers.StringRelatedField = serializers.StringRelatedField(allow_null=True)
    lift_reason = serializers.CharField()


class EmergencyPurchaseRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hospital = OrganizationBriefOutput()
    status = serializers.ChoiceField(choices=EmergencyStatus.choices)
    bought_on = serializers.DateField()
    registered_on = serializers.DateField()
    deadline = serializers.DateField()
    deadline_estimated = serializers.BooleanField()
    late = serializers.BooleanField()
    amount = MoneyField(read_only=True)
    cap = MoneyField(read_only=True, help_text="The year's cap when registered.")
    used_before = MoneyField(read_only=True)
    over_cap_amount = MoneyField(read_only=True)
    reason = serializers.CharField()
    listed_reason = serializers.CharField()
    approver_name = serializers.CharField()
    approver_role = serializers.CharField()
    registered_by: serializers.StringRelatedField = serializers.StringRelatedField()
    registered_at = serializers.DateTimeField()
    decided_by: serializers.StringRelatedField = serializers.StringRelatedField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class EmergencyPurchaseOutput(EmergencyPurchaseRowOutput):
    lines = EmergencyLineOutput(many=True)
    violations = EmergencyViolationOutput(many=True)


EmergencyActionsOutput = actions_output("EmergencyPurchase", EmergencyAction.choices)
