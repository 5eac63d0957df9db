"""Input and output shapes of the quality report API [R-QUALITY]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from supervision.choices import QualityAction, QualitySeverity, QualityStatus


class _Brief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Product(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    product_name = serializers.CharField()


class QualityReportInput(serializers.Serializer):
    consumable = serializers.IntegerField(min_value=1, help_text="The product (a consumable).")
    lot = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="The UDI lot."
    )
    severity = serializers.ChoiceField(choices=QualitySeverity.choices)
    occurred_on = serializers.DateField()
    description = serializers.CharField(max_length=2000)


class QualityReportOutput(serializers.Serializer):
    """A report; never the names of the hospital's staff."""

    id = serializers.IntegerField()
    hospital = _Brief()
    supplier = _Brief()
    consumable = _Product()
    lot = serializers.CharField()
    severity = serializers.ChoiceField(choices=QualitySeverity.choices)
    occurred_on = serializers.DateField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=QualityStatus.choices)
    filed_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    credit_event = serializers.IntegerField(source="credit_event_id", allow_null=True)
    lot_notices = serializers.IntegerField(
        source="lot_notices.count", help_text="How many other hospitals were told of the lot."
    )


class QualityDecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class QualityCountOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    filed = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    serious = serializers.IntegerField()


class QualityCountsOutput(serializers.Serializer):
    by_product = QualityCountOutput(many=True)
    by_supplier = QualityCountOutput(many=True)


class LotNoticeOutput(serializers.Serializer):
    """What a hospital that accepted the lot is told: not who reported it, nor what they
    wrote."""

    id = serializers.IntegerField()
    report = serializers.IntegerField(source="report_id")
    consumable = _Product(source="report.consumable")
    lot = serializers.CharField(source="report.lot")
    severity = serializers.ChoiceField(source="report.severity", choices=QualitySeverity.choices)
    occurred_on = serializers.DateField(source="report.occurred_on")
    status = serializers.ChoiceField(source="report.status", choices=QualityStatus.choices)
    created_at = serializers.DateTimeField()


QualityReportActionsOutput = actions_output(
    "QualityReport", [QualityAction.CONFIRM, QualityAction.DISMISS]
)
