"""Input and output shapes of the credit API [R-CREDIT] [R-MISCONDUCT]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from supervision.choices import (
    CreditEventSource,
    CreditEventStatus,
    CreditRating,
    MisconductLevel,
    RepairAction,
    RepairStatus,
    SanctionKind,
)

TEXT_MAX = 2000


class OrganizationBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MisconductItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=MisconductLevel.choices)
    score_deduction = serializers.IntegerField()
    sanctions = serializers.DictField(
        child=serializers.IntegerField(), help_text="Sanction kind -> days."
    )
    repairable = serializers.BooleanField()
    is_active = serializers.BooleanField()
    basis = serializers.CharField()


class MisconductItemInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=MisconductLevel.choices)
    score_deduction = serializers.IntegerField(min_value=0, max_value=100)
    sanctions = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=3650),
        help_text="Sanction kind (" + ", ".join(SanctionKind.values) + ") -> days.",
    )
    repairable = serializers.BooleanField()
    is_active = serializers.BooleanField()


class SanctionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="event_id")
    subject = OrganizationBrief()
    kind = serializers.ChoiceField(choices=SanctionKind.choices)
    listing = serializers.IntegerField(source="listing_id", allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    lifted_at = serializers.DateTimeField(allow_null=True)


class CreditRepairOutput(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="event_id")
    status = serializers.ChoiceField(choices=RepairStatus.choices)
    statement = serializers.CharField()
    evidence_name = serializers.CharField()
    applied_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class CreditEventRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    subject = OrganizationBrief()
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    level = serializers.ChoiceField(choices=MisconductLevel.choices)
    score_deduction = serializers.IntegerField()
    repairable = serializers.BooleanField()
    listing = serializers.IntegerField(source="listing_id", allow_null=True)
    occurred_on = serializers.DateField()
    origin = serializers.ChoiceField(
        choices=CreditEventSource.choices, source="source", help_text="Who raised it."
    )
    status = serializers.ChoiceField(choices=CreditEventStatus.choices)
    recorded_at = serializers.DateTimeField()
    repaired_at = serializers.DateTimeField(allow_null=True)


class CreditEventOutput(CreditEventRowOutput):
    description = serializers.CharField()
    evidence_text = serializers.CharField()
    evidence_name = serializers.CharField()
    sanctions = SanctionOutput(many=True, source="sanctions.all")
    repairs = CreditRepairOutput(many=True, source="repairs.all")


class CreditEventInput(serializers.Serializer):
    subject = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    item = serializers.SlugField(max_length=40, help_text="The misconduct item's code.")
    occurred_on = serializers.DateField()
    description = serializers.CharField(max_length=TEXT_MAX)
    evidence_text = serializers.CharField(
        max_length=TEXT_MAX, required=False, default="", allow_blank=True
    )
    listing = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True, default=None
    )
    evidence = serializers.FileField(required=False, help_text="PDF, PNG or JPEG, 5 MB.")


class RepairApplyInput(serializers.Serializer):
    statement = serializers.CharField(max_length=TEXT_MAX)
    evidence = serializers.FileField(required=False, help_text="PDF, PNG or JPEG, 5 MB.")


class RepairDecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class CreditStandingOutput(serializers.Serializer):
    organization = serializers.IntegerField()
    score = serializers.IntegerField()
    rating = serializers.ChoiceField(choices=CreditRating.choices)
    standing_events = serializers.IntegerField()


class PublicCreditCaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.CharField(source="subject.name")
    uscc = serializers.CharField(source="subject.uscc")
    misconduct = serializers.CharField(source="item.name")
    level = serializers.ChoiceField(choices=MisconductLevel.choices)
    occurred_on = serializers.DateField()
    published_at = serializers.DateTimeField(source="recorded_at")


CreditEventActionsOutput = actions_output("CreditEvent", [RepairAction.APPLY])
CreditRepairActionsOutput = actions_output(
    "CreditRepair", [RepairAction.APPROVE, RepairAction.REJECT]
)
