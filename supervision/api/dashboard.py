"""The bureau dashboard API (docs/dashboard.md): the same figures as the page
(supervision/views/dashboard.py), from supervision.selectors.dashboard; a hospital's or
supplier's own five rates and rank."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.views import ApiView
from supervision.api.serializers.dashboard import DashboardOutput, OwnRatesOutput
from supervision.choices import Rate, SliceKind
from supervision.selectors import dashboard as selectors
from supervision.services.dashboard import dashboard_figures

MONTH = OpenApiParameter("month", str, description="YYYY-MM (default: the current month)")


class DashboardApi(ApiView):
    """GET: the bureau's dashboard of a month (Asia/Shanghai) and optionally one district of
    the caller's jurisdiction: tiles (each with the list URL behind it and that list's row
    count), the district breakdown, the 12-month trend and the rankings. A malformed month,
    district or rate is 400 naming it; a district outside the jurisdiction is 403
    dashboard_district_refused; hospitals and suppliers are refused (403): they read
    /dashboard/own/."""

    required_action = "dashboard.view"

    @extend_schema(
        parameters=[
            MONTH,
            OpenApiParameter("district", str, description="a six-digit district code"),
            OpenApiParameter("rate", str, enum=Rate.values, description="the ranking's rate"),
        ],
        responses=DashboardOutput,
    )
    def get(self, request):
        params = request.query_params
        board = dashboard_figures(
            actor=request.user,
            month=params.get("month"),
            district=params.get("district"),
            rate=params.get("rate"),
        )
        return Response(DashboardOutput(board).data)


class DashboardOwnApi(ApiView):
    """GET: a hospital's or supplier's own five rates of a month and its rank among its peers.
    Another party's slice is missing (404); a region slice is refused (403
    five_rates_slice_refused)."""

    required_action = "five_rates.view"

    @extend_schema(
        parameters=[
            MONTH,
            OpenApiParameter("kind", str, enum=SliceKind.values),
            OpenApiParameter("key", str),
        ],
        responses=OwnRatesOutput,
    )
    def get(self, request):
        params = request.query_params
        table = selectors.own_rates(
            actor=request.user,
            month=params.get("month"),
            kind=params.get("kind"),
            key=params.get("key"),
        )
        return Response(OwnRatesOutput(table).data)
