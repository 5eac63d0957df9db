"""The five rates API [R-FIVE-RATES]: a month's rates by slice (the caller's own slice for a
hospital or supplier, with its rank; any slice of the jurisdiction for regulators), the frozen
months, and a frozen month's XLSX report. The same selectors as supervision/views/five_rates.py."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from core.api.views import ApiView
from core.exports import XLSX_TYPE
from supervision.api.serializers.five_rates import FiveRatesMonthOutput, FiveRatesTableOutput
from supervision.choices import SliceKind
from supervision.reports import five_rates_report_response
from supervision.selectors import five_rates as selectors

MONTH = OpenApiParameter("month", str, description="YYYY-MM (default: the current month)")


class FiveRatesApi(ApiView):
    """GET: the five rates of a month by slice, by amount and by count, with numerators,
    denominators and the thresholds below which a rate is marked. A hospital or supplier gets
    its own rates and its rank among its peers; a slice it may not read is refused
    (403 five_rates_slice_refused), another organisation's is missing (404)."""

    required_action = "five_rates.view"

    @extend_schema(
        parameters=[
            MONTH,
            OpenApiParameter("kind", str, enum=SliceKind.values),
            OpenApiParameter("key", str, description="one slice: its region code, id or code"),
        ],
        responses=FiveRatesTableOutput,
    )
    def get(self, request):
        params = request.query_params
        month = selectors.parse_month(params.get("month"))
        scope = selectors.five_rates_scope(
            actor=request.user, kind=params.get("kind"), key=params.get("key")
        )
        table = selectors.five_rates_table(actor=request.user, month=month, scope=scope)
        return Response(FiveRatesTableOutput(table).data)


class FiveRatesMonthListApi(ApiView):
    """GET: the frozen months, newest first."""

    required_action = "five_rates.view"

    @extend_schema(responses=FiveRatesMonthOutput(many=True))
    def get(self, request):
        months = selectors.five_rates_month_list(actor=request.user)
        return Response(FiveRatesMonthOutput(months, many=True).data)


class FiveRatesReportApi(ApiView):
    """GET: a frozen month's XLSX report under the caller's jurisdiction (a sheet per slice
    kind, rates below threshold filled red); 404 five_rates_snapshot_missing before the month
    was frozen."""

    required_action = "five_rates.report"

    @extend_schema(
        parameters=[MONTH],
        responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX")},
    )
    def get(self, request):
        return five_rates_report_response(request.user, request.query_params.get("month"))
