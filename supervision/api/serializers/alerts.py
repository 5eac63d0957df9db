"""Input and output shapes of the alert API [R-ALERT-USE] [R-MISCONDUCT]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from supervision.choices import AlertAction, AlertSeverity, AlertStatus


class _AlertParty(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _AlertPerson(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class EvidenceRowOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="order_line, invoice, listing, price_change, ...")
    id = serializers.JSONField(help_text="The row's id (or a period such as 2026-12).")
    link = serializers.CharField(help_text="The page behind the row, or empty.")
    fields = serializers.DictField(  # type: ignore[assignment]  # a field named "fields"
        child=serializers.JSONField(), help_text="Its other values."
    )


class AlertOutput(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField(source="rule.code")
    region_code = serializers.CharField()
    subject_key = serializers.CharField()
    hospital = _AlertParty(allow_null=True)
    supplier = _AlertParty(allow_null=True)
    severity = serializers.ChoiceField(choices=AlertSeverity.choices)
    summary = serializers.CharField()
    measured = serializers.DecimalField(max_digits=18, decimal_places=4)
    threshold = serializers.DecimalField(max_digits=18, decimal_places=4)
    status = serializers.ChoiceField(choices=AlertStatus.choices)
    assignee = _AlertPerson(allow_null=True)
    created_at = serializers.DateTimeField()
    refreshed_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    close_reason = serializers.CharField()
    misconduct = serializers.BooleanField()
    credit_event = serializers.IntegerField(source="credit_event_id", allow_null=True)


class AlertDetailOutput(AlertOutput):
    evidence = EvidenceRowOutput(many=True)


class AlertAssignInput(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, help_text="A bureau officer's user id.")


class AlertResolveInput(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    misconduct = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirmed misconduct (price rules): raises the supplier's credit event.",
    )


class AlertDismissInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


AlertActionsOutput = actions_output("Alert", AlertAction.choices)


class ParamOutput(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label"
    minimum = serializers.DecimalField(max_digits=12, decimal_places=4)
    maximum = serializers.DecimalField(max_digits=12, decimal_places=4)
    default = serializers.DecimalField(max_digits=12, decimal_places=4)
    value = serializers.DecimalField(max_digits=12, decimal_places=4)


class AlertRuleOutput(serializers.Serializer):
    code = serializers.CharField()
    rule_id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    enabled = serializers.BooleanField()
    params = ParamOutput(many=True)


class AlertRuleInput(serializers.Serializer):
    params = serializers.DictField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=dict,
        help_text="{name: number}; each within its range.",
    )
    enabled = serializers.BooleanField(required=False, allow_null=True, default=None)
