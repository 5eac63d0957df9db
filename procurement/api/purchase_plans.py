"""Purchase plan and cap API [R-LIST-ALT-CAP]: a hospital's annual purchase total and the
alternate-catalogue amount used and remaining under it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.params import validated
from core.api.views import ApiView
from core.web import parse_id
from procurement.api.serializers.purchase_plans import (
    CapStatusOutput,
    PurchasePlanOutput,
    PurchasePlanSetInput,
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
    body = {
        "hospital": hospital,
        "year": cap.year,
        "total": cap.total,
        "cap": cap,
    }
    return Response(PurchasePlanOutput(body).data)


class PurchasePlanApi(ApiView):
    """GET: a hospital's annual purchase total for a year, with its cap status. POST: set it
    (hospital finance for its own hospital, the bureau for its region's hospitals)."""

    # Viewing is for the hospital itself and its regulators; the selector refuses suppliers.
    required_actions = {"GET": "organization.view", "POST": "purchase_plan.set"}

    @extend_schema(parameters=PLAN_PARAMETERS, responses=PurchasePlanOutput)
    def get(self, request):
        params = request.query_params
        return _plan_response(
            request, parse_id(params.get("hospital")), parse_id(params.get("year"))
        )

    @extend_schema(request=PurchasePlanSetInput, responses=PurchasePlanOutput)
    def post(self, request):
        data = validated(PurchasePlanSetInput, request.data)
        plan = purchase_plans.purchase_plan_set(
            actor=request.user,
            hospital_id=data.get("hospital"),
            year=data["year"],
            total=data["total"],
        )
        return _plan_response(request, plan.hospital_id, plan.year)


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
