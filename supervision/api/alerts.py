"""Alert API [R-ALERT-USE] [R-MISCONDUCT]: the alerts of the caller's jurisdiction
(regulators and platform admins; anyone else 404), one alert with its evidence, what the caller
may do with it, each transition, and the region's rules (the bureau sets their parameters).
The same services and selectors as the pages."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.params import query_id, query_statuses, status_parameter, validated
from core.api.views import ApiView, ListApi
from core.errors import ValidationError
from supervision.api.serializers.alerts import (
    AlertActionsOutput,
    AlertAssignInput,
    AlertDetailOutput,
    AlertDismissInput,
    AlertOutput,
    AlertResolveInput,
    AlertRuleInput,
    AlertRuleOutput,
)
from supervision.choices import AlertSeverity, AlertStatus
from supervision.models import Alert
from supervision.selectors import alerts as selectors
from supervision.selectors.alert_rules import rules
from supervision.services import alerts as services

FILTERS = [
    OpenApiParameter("rule", str),
    status_parameter(AlertStatus),
    OpenApiParameter("severity", str, enum=AlertSeverity.values),
    OpenApiParameter("assignee", int),
    OpenApiParameter("hospital", int),
    OpenApiParameter("supplier", int),
]


def _detail(alert: Alert) -> dict:
    body = dict(AlertOutput(alert).data)
    body["evidence"] = selectors.alert_evidence(alert)
    return body


class AlertListApi(ListApi):
    """The alerts of the caller's jurisdiction, newest first, with the filters."""

    serializer_class = AlertOutput
    queryset = Alert.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        severity = request.query_params.get("severity", "")
        if severity and severity not in AlertSeverity.values:
            raise ValidationError(fields={"severity": [", ".join(AlertSeverity.values)]})
        rule = request.query_params.get("rule", "")
        if rule and rule not in rules():
            raise ValidationError(fields={"rule": [", ".join(rules())]})
        return selectors.alert_list(
            actor=request_actor(request),
            rule=rule,
            status=query_statuses(request, AlertStatus.values),
            severity=severity,
            assignee_id=query_id(request, "assignee"),
            hospital_id=query_id(request, "hospital"),
            supplier_id=query_id(request, "supplier"),
        )


class AlertDetailApi(ApiView):
    """One alert with its evidence rows (another jurisdiction's: 404)."""

    @extend_schema(responses=AlertDetailOutput)
    def get(self, request, pk: int):
        return Response(_detail(selectors.alert_get(actor=request.user, alert_id=pk)))


class AlertActionsApi(ApiView):
    """What the caller may do with the alert now."""

    @extend_schema(responses=AlertActionsOutput)
    def get(self, request, pk: int):
        alert = selectors.alert_get(actor=request.user, alert_id=pk)
        return Response(actions_body(selectors.alert_actions(actor=request.user, alert=alert)))


class AlertAcknowledgeApi(ApiView):
    """The bureau acknowledges an open alert (assigned to the officer when no one is)."""

    @extend_schema(request=None, responses=AlertDetailOutput)
    def post(self, request, pk: int):
        return Response(_detail(services.alert_acknowledge(actor=request.user, alert_id=pk)))


class AlertAssignApi(ApiView):
    """The bureau assigns a live alert to one of its officers."""

    @extend_schema(request=AlertAssignInput, responses=AlertDetailOutput)
    def post(self, request, pk: int):
        data = validated(AlertAssignInput, request.data)
        alert = services.alert_assign(actor=request.user, alert_id=pk, assignee_id=data["assignee"])
        return Response(_detail(alert))


class AlertResolveApi(ApiView):
    """The bureau resolves a live alert; a price alert may be confirmed misconduct."""

    @extend_schema(request=AlertResolveInput, responses=AlertDetailOutput)
    def post(self, request, pk: int):
        data = validated(AlertResolveInput, request.data)
        alert = services.alert_resolve(
            actor=request.user, alert_id=pk, note=data["note"], misconduct=data["misconduct"]
        )
        return Response(_detail(alert))


class AlertDismissApi(ApiView):
    """The bureau dismisses a live alert, with a reason."""

    @extend_schema(request=AlertDismissInput, responses=AlertDetailOutput)
    def post(self, request, pk: int):
        data = validated(AlertDismissInput, request.data)
        alert = services.alert_dismiss(actor=request.user, alert_id=pk, reason=data["reason"])
        return Response(_detail(alert))


def _rule_body(row: selectors.RuleRow) -> dict:
    return {
        "code": row.code,
        "rule_id": row.spec.rule_id,
        "title": str(row.spec.title),
        "description": str(row.spec.description),
        "enabled": row.enabled,
        "params": [
            {
                "name": p.name,
                "label": str(p.label),
                "minimum": p.minimum,
                "maximum": p.maximum,
                "default": p.default,
                "value": row.values[p.name],
            }
            for p in row.spec.params
        ],
    }


class AlertRuleListApi(ApiView):
    """The rules of the caller's region with their parameters and ranges."""

    @extend_schema(responses=AlertRuleOutput(many=True))
    def get(self, request):
        rows = selectors.alert_rule_list(actor=request_actor(request))
        return Response(AlertRuleOutput([_rule_body(r) for r in rows], many=True).data)


class AlertRuleDetailApi(ApiView):
    """GET: one rule. PATCH: the bureau sets parameters (each within its range: else 400
    naming it and its range, nothing changed) and on/off."""

    required_actions = {"PATCH": "alert_rule.manage"}

    @extend_schema(responses=AlertRuleOutput)
    def get(self, request, code: str):
        row = selectors.alert_rule_get(actor=request_actor(request), code=code)
        return Response(AlertRuleOutput(_rule_body(row)).data)

    @extend_schema(request=AlertRuleInput, responses=AlertRuleOutput)
    def patch(self, request, code: str):
        data = validated(AlertRuleInput, request.data)
        services.alert_rule_update(
            actor=request.user, code=code, params=data["params"], enabled=data["enabled"]
        )
        row = selectors.alert_rule_get(actor=request_actor(request), code=code)
        return Response(AlertRuleOutput(_rule_body(row)).data)
