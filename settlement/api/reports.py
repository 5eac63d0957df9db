"""The bureau's view of the fund with the direct-settlement ratio [R-DIRECT], and the
supplier's payment statement as XLSX: the API side of settlement/views/reports.py."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.params import query_statuses, status_parameter
from core.api.views import ApiView
from core.exports import XLSX_TYPE
from settlement.api.serializers.fund import FundViewOutput
from settlement.choices import PaymentLineStatus
from settlement.selectors import fund_view as fund_selectors
from settlement.selectors import payments as payment_selectors
from settlement.selectors import statements

PERIOD = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 1 January)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, inclusive (default: today)."),
]


class FundViewApi(ApiView):
    """[R-DIRECT] [R-ADVANCE] the fund's accounts, the advances not yet offset, what the fund
    paid suppliers directly over the period and the direct-settlement ratio against the region's
    goal (the bureau's and the agency's region)."""

    required_action = "fund.view"

    @extend_schema(parameters=PERIOD, responses=FundViewOutput)
    def get(self, request):
        period = fund_selectors.period_parse(
            request.query_params.get("start"), request.query_params.get("end")
        )
        view = fund_selectors.fund_view(actor=request_actor(request), period=period)
        return Response(FundViewOutput(view).data)


class PaymentStatementApi(ApiView):
    """The payment statement (XLSX): per invoice requested, what was disputed or paid, when
    and how; the supplier's own (a hospital's: the lines of requests to it)."""

    required_action = "payment_request.view"

    @extend_schema(
        parameters=[status_parameter(PaymentLineStatus)],
        responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX")},
    )
    def get(self, request):
        lines = payment_selectors.payment_line_list(
            actor=request_actor(request),
            status=query_statuses(request, PaymentLineStatus.values),
        )
        return statements.payment_statement_response(lines)
