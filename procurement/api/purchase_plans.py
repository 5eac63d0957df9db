"""Purchase plan and cap API [R-LIST-ALT-CAP]: a hospital's annual purchase total (by default
last year's platform purchases; another figure proposed by finance and approved by the
bureau) and the alternate-catalogue amount used and remaining under it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.actions import actions_body
from core.api.params import validated
from core.api.views import ApiView
from core.web import parse_id
from procurement.api.serializers.listings import DecisionNoteInput, DecisionReasonInput
from procurement.api.serializers.purchase_plans import (
    CapStatusOutput,
    PurchasePlanActionsOutput,
    PurchasePlanOutput,
    PurchasePlanProposeInput,
    PurchasePlanRowOutput,
)
from procurement.selectors import purchase_plans as plan_selectors
from procurement.services import purchase_plans

PLAN_PARAMETERS = [
    OpenApiParameter("hospital", int, description="Required for the bureau and agency"),
    OpenApiParameter("year", int, description="Default: this year (Asia/Shanghai)"),
]


def _plan_response(request, hospital_id: int | None, year: int | None) -> Response:
    hospital, cap = plan_selectors.alternate_cap_status_get(
        actor=request.user, hospital_id=hospital_id, year=year
    )
    plan = plan_selectors.purchase_plan_get(
        actor=request.user, hospital_id=hospital.pk, year=cap.year
    )
    body = {
        "hospital": hospital,
        "year": cap.year,
        "total": cap.total,
        "plan": plan,
        "cap": cap,
    }
    return Response(PurchasePlanOutput(body).data)


class PurchasePlanApi(ApiView):
    """GET: a hospital's annual purchase total in force for a year, its proposal if any and its
    cap status. POST: hospital finance proposes another total for its own hospital, with a
    reason; the bureau approves or rejects it (``purchase-plans/<id>/approve/``)."""

    # Viewing is for the hospital itself and its regulators; the selector refuses suppliers.
    required_actions = {"GET": "organization.view", "POST": "purchase_plan.propose"}

    @extend_schema(parameters=PLAN_PARAMETERS, responses=PurchasePlanOutput)
    def get(self, request):
        params = request.query_params
        return _plan_response(
            request, parse_id(params.get("hospital")), parse_id(params.get("year"))
        )

    @extend_schema(request=PurchasePlanProposeInput, responses=PurchasePlanOutput)
    def post(self, request):
        data = validated(PurchasePlanProposeInput, request.data)
        plan = purchase_plans.purchase_plan_propose(
            actor=request.user, year=data["year"], total=data["total"], reason=data["reason"]
        )
        return _plan_response(request, plan.hospital_id, plan.year)


class PurchasePlanListApi(ApiView):
    """[R-LIST-ALT-CAP] the plans the caller may see; ``status=proposed`` is the bureau's
    queue of totals awaiting its decision."""

    required_action = "organization.view"

    @extend_schema(
        parameters=[
            OpenApiParameter("hospital", int),
            OpenApiParameter("status", str, enum=["proposed", "approved", "rejected"]),
        ],
        responses=PurchasePlanRowOutput(many=True),
    )
    def get(self, request):
        params = request.query_params
        plan_selectors.plan_viewer_check(actor=request.user)
        plans = plan_selectors.purchase_plan_list(
            actor=request.user,
            hospital_id=parse_id(params.get("hospital")),
            status=plan_selectors.plan_status_param(params.get("status", "")),
        )
        return Response(PurchasePlanRowOutput(plans[:500], many=True).data)


class PurchasePlanActionsApi(ApiView):
    """What the caller may do with the plan now (core.api.actions)."""

    required_action = "organization.view"

    @extend_schema(responses=PurchasePlanActionsOutput)
    def get(self, request, pk: int):
        plan = plan_selectors.purchase_plan_get_by_id(actor=request.user, plan_id=pk)
        return Response(
            actions_body(plan_selectors.purchase_plan_actions(actor=request.user, plan=plan))
        )


class PurchasePlanApproveApi(ApiView):
    """[R-LIST-ALT-CAP] the bureau approves the proposed total: it becomes the cap's base."""

    required_action = "purchase_plan.review"

    @extend_schema(request=DecisionNoteInput, responses=PurchasePlanRowOutput)
    def post(self, request, pk: int):
        data = validated(DecisionNoteInput, request.data)
        purchase_plans.purchase_plan_approve(actor=request.user, plan_id=pk, reason=data["reason"])
        plan = plan_selectors.purchase_plan_get_by_id(actor=request.user, plan_id=pk)
        return Response(PurchasePlanRowOutput(plan).data)


class PurchasePlanRejectApi(ApiView):
    """[R-LIST-ALT-CAP] the bureau rejects the proposed total, with a reason; the figure in
    force stays."""

    required_action = "purchase_plan.review"

    @extend_schema(request=DecisionReasonInput, responses=PurchasePlanRowOutput)
    def post(self, request, pk: int):
        data = validated(DecisionReasonInput, request.data)
        purchase_plans.purchase_plan_reject(actor=request.user, plan_id=pk, reason=data["reason"])
        plan = plan_selectors.purchase_plan_get_by_id(actor=request.user, plan_id=pk)
        return Response(PurchasePlanRowOutput(plan).data)


class CapStatusApi(ApiView):
    """[R-LIST-ALT-CAP] alternate-catalogue purchases used and remaining for the year."""

    required_action = "organization.view"

    @extend_schema(parameters=PLAN_PARAMETERS, responses=CapStatusOutput)
    def get(self, request):
        params = request.query_params
        _hospital, cap = plan_selectors.alternate_cap_status_get(
            actor=request.user,
            hospital_id=parse_id(params.get("hospital")),
            year=parse_id(params.get("year")),
        )
        return Response(CapStatusOutput(cap).data)
