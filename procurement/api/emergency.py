"""Emergency purchase API [R-EMERG-DEADLINE] [R-EMERG-CAP]: hospitals register what they bought
off the platform; the bureau decides on the amounts over the cap; violations are listed for
the bureau, settlement and credit."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.params import query_id, query_statuses, status_parameter, validated
from core.api.views import ApiView, ListApi
from core.errors import ValidationError
from core.money import ZERO, AmountInvalidError, parse_amount
from procurement.api.serializers.emergency import (
    EmergencyActionsOutput,
    EmergencyCapOutput,
    EmergencyPurchaseOutput,
    EmergencyPurchaseRowOutput,
    EmergencyRegisterInput,
    EmergencyViolationOutput,
)
from procurement.api.serializers.listings import DecisionReasonInput
from procurement.choices import EmergencyStatus, EmergencyViolationKind
from procurement.models import EmergencyPurchase, EmergencyViolation
from procurement.selectors import emergency as selectors
from procurement.services import emergency as services

VIOLATION_FILTERS = ["late", "over_cap", "any"]


def _year(request) -> int | None:
    year = query_id(request, "year")
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationError(fields={"year": ["2000-2100"]})
    return year


def _choice(request, name: str, allowed: list[str]) -> str:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise ValidationError(fields={name: [", ".join(allowed)]})
    return value


class EmergencyPurchaseListCreateApi(ListApi):
    """GET: the registrations the caller may see (the hospital its own, the bureau its
    region's), newest first; ``status=pending`` is the bureau's queue. POST: the hospital
    purchaser registers an emergency purchase; late or over the cap it is accepted and
    recorded as a violation."""

    required_actions = {"GET": "emergency.view", "POST": "emergency.register"}
    serializer_class = EmergencyPurchaseRowOutput
    queryset = EmergencyPurchase.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            status_parameter(EmergencyStatus),
            OpenApiParameter("year", int, description="The year bought"),
            OpenApiParameter("hospital", int),
            OpenApiParameter("violation", str, enum=VIOLATION_FILTERS),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.emergency_purchase_list(
            actor=request_actor(request),
            status=query_statuses(request, EmergencyStatus.values),
            year=_year(request),
            hospital_id=query_id(request, "hospital"),
            violation=_choice(request, "violation", VIOLATION_FILTERS),
        )

    @extend_schema(request=EmergencyRegisterInput, responses={201: EmergencyPurchaseOutput})
    def post(self, request):
        data = validated(EmergencyRegisterInput, request.data)
        purchase = services.emergency_purchase_register(
            actor=request.user,
            bought_on=data["bought_on"],
            reason=data["reason"],
            approver_name=data["approver_name"],
            approver_role=data["approver_role"],
            listed_reason=data["listed_reason"],
            lines=[{**line, "unit_price": str(line["unit_price"])} for line in data["lines"]],
        )
        shown = selectors.emergency_purchase_get(actor=request.user, purchase_id=purchase.pk)
        return Response(EmergencyPurchaseOutput(shown).data, status=status.HTTP_201_CREATED)


class EmergencyPurchaseDetailApi(ApiView):
    """One registration with its lines and violations (another hospital's: 404)."""

    required_action = "emergency.view"

    @extend_schema(responses=EmergencyPurchaseOutput)
    def get(self, request, pk: int):
        purchase = selectors.emergency_purchase_get(actor=request.user, purchase_id=pk)
        return Response(EmergencyPurchaseOutput(purchase).data)


class EmergencyPurchaseActionsApi(ApiView):
    """What the caller may do with the registration now (core.api.actions)."""

    required_action = "emergency.view"

    @extend_schema(responses=EmergencyActionsOutput)
    def get(self, request, pk: int):
        purchase = selectors.emergency_purchase_get(actor=request.user, purchase_id=pk)
        return Response(
            actions_body(selectors.emergency_actions(actor=request.user, purchase=purchase))
        )


class EmergencyPurchaseApproveApi(ApiView):
    """[R-EMERG-CAP] the bureau approves the amount over the cap, with a reason: the over-cap
    violation is lifted."""

    required_action = "emergency.review"

    @extend_schema(request=DecisionReasonInput, responses=EmergencyPurchaseOutput)
    def post(self, request, pk: int):
        data = validated(DecisionReasonInput, request.data)
        services.emergency_purchase_approve(
            actor=request.user, purchase_id=pk, reason=data["reason"]
        )
        purchase = selectors.emergency_purchase_get(actor=request.user, purchase_id=pk)
        return Response(EmergencyPurchaseOutput(purchase).data)


class EmergencyPurchaseRejectApi(ApiView):
    """[R-EMERG-CAP] the bureau does not approve the amount over the cap; the violation
    stands."""

    required_action = "emergency.review"

    @extend_schema(request=DecisionReasonInput, responses=EmergencyPurchaseOutput)
    def post(self, request, pk: int):
        data = validated(DecisionReasonInput, request.data)
        services.emergency_purchase_reject(
            actor=request.user, purchase_id=pk, reason=data["reason"]
        )
        purchase = selectors.emergency_purchase_get(actor=request.user, purchase_id=pk)
        return Response(EmergencyPurchaseOutput(purchase).data)


class EmergencyCapApi(ApiView):
    """[R-EMERG-CAP] the caller's hospital's emergency purchases of the year against its cap;
    ``?adding=`` says how far an amount would pass it (the form's live panel)."""

    required_action = "emergency.register"

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Default: this year (Asia/Shanghai)"),
            OpenApiParameter("adding", str, description="An amount, e.g. 1200.00"),
        ],
        responses=EmergencyCapOutput,
    )
    def get(self, request):
        adding = ZERO
        raw = request.query_params.get("adding")
        if raw:
            try:
                adding = parse_amount(raw)
            except AmountInvalidError as error:
                raise ValidationError(fields={"adding": [error.message]}) from None
        cap = selectors.emergency_cap_for(actor=request.user, year=_year(request))
        body = {
            "hospital": cap.hospital,
            "year": cap.year,
            "tier3": cap.tier3,
            "ratio": cap.ratio,
            "base": cap.base,
            "base_kind": cap.base_kind,
            "approved_extra": cap.approved_extra,
            "cap": cap.cap,
            "used": cap.used,
            "remaining": cap.remaining,
            "adding": adding,
            "over_by": cap.over_by(adding),
        }
        return Response(EmergencyCapOutput(body).data)


class EmergencyViolationListApi(ListApi):
    """[R-EMERG-DEADLINE] [R-EMERG-CAP] [R-EMERG-DEDUCT] late and over-cap registrations;
    ``standing=true``: only those the bureau did not lift (what settlement deducts)."""

    required_action = "emergency.view"
    serializer_class = EmergencyViolationOutput
    queryset = EmergencyViolation.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("kind", str, enum=EmergencyViolationKind.values),
            OpenApiParameter("hospital", int),
            OpenApiParameter("standing", bool),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.emergency_violation_list(
            actor=request_actor(request),
            year=_year(request),
            kind=_choice(request, "kind", EmergencyViolationKind.values),
            standing=_choice(request, "standing", ["true", "false"]) == "true",
            hospital_id=query_id(request, "hospital"),
        )
