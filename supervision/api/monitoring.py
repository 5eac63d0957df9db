"""The monitoring APIs [R-MONITOR] [R-RETAINED] [R-CUTS-1000]: monthly payment timeliness and
agreed-volume progress per hospital, retained savings per hospital, and the products cut in
price this year against the target. The same selectors as the pages
(supervision/views/monitoring.py, retained_savings.py, price_cuts.py)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from catalog.models import Consumable
from core.api.views import ApiView, ListApi
from supervision.api.serializers.monitoring import (
    MonitoringOutput,
    PriceCutOutput,
    PriceCutProgressOutput,
    RetainedSavingsOutput,
)
from supervision.selectors import monitoring as selectors
from supervision.selectors import price_cuts, retained_savings

MONTH = OpenApiParameter("month", str, description="YYYY-MM (default: the current month).")
YEAR = OpenApiParameter("year", int, description="YYYY (default: the current year).")
DISTRICT = OpenApiParameter(
    "district", str, description="A six-digit region code within the caller's jurisdiction."
)
HOSPITAL = OpenApiParameter(
    "hospital", int, description="One hospital (a hospital may give only its own id)."
)


class MonitoringApi(ApiView):
    """[R-MONITOR] [R-PAY-30] per hospital of the caller's scope (regulators: their
    jurisdiction; a hospital: itself): the month's payment timeliness and agreed-volume
    progress; with ``hospital`` (or for a hospital), its VBP contract lines. A bad month or
    district: 400 monitoring_parameter_invalid naming the parameter; a hospital the caller may
    not see: 404."""

    required_action = "monitoring.view"

    @extend_schema(parameters=[MONTH, DISTRICT, HOSPITAL], responses=MonitoringOutput)
    def get(self, request):
        params = request.query_params
        month = selectors.parse_month(params.get("month"))
        district, hospital = params.get("district"), params.get("hospital")
        table = selectors.monitoring_table(
            actor=request.user, month=month, district=district, hospital=hospital
        )
        scope = selectors.monitoring_scope(actor=request.user, district=district, hospital=hospital)
        contracts = []
        if scope.hospital_id is not None:
            contracts = list(selectors.contract_progress_list(month=month, scope=scope))
            for c in contracts:
                c.done_share = selectors.done_share(c)
                c.elapsed_share = selectors.elapsed_share(c)
                c.is_lagging = selectors.is_lagging(c)
        body = {
            "month": table.month,
            "cutoff": table.cutoff,
            "rows": table.rows,
            "totals": table.totals,
            "contracts": contracts,
        }
        return Response(MonitoringOutput(body).data)


class RetainedSavingsApi(ApiView):
    """[R-RETAINED] per hospital of the caller's scope, the year's VBP budget at pre-tender
    prices, the actual spend, the savings and the retained amount at the region's share, with
    the contract lines behind them."""

    required_action = "monitoring.view"

    @extend_schema(parameters=[YEAR, DISTRICT, HOSPITAL], responses=RetainedSavingsOutput)
    def get(self, request):
        params = request.query_params
        year = selectors.parse_year(params.get("year"))
        table = retained_savings.retained_savings_table(
            actor=request.user,
            year=year,
            district=params.get("district"),
            hospital=params.get("hospital"),
            with_contracts=True,
        )
        return Response(RetainedSavingsOutput(table).data)


class PriceCutListApi(ListApi):
    """[R-CUTS-1000] the products cut in price in the year, one row per product (its first cut:
    old and new price, the day and the source)."""

    required_action = "price_cuts.view"
    serializer_class = PriceCutOutput
    queryset = Consumable.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[YEAR, DISTRICT])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        year = selectors.parse_year(params.get("year"))
        return price_cuts.price_cut_list(self.request.user, year, district=params.get("district"))


class PriceCutProgressApi(ApiView):
    """[R-CUTS-1000] how many products were cut in price in the year, against the region's
    annual target."""

    required_action = "price_cuts.view"

    @extend_schema(parameters=[YEAR, DISTRICT], responses=PriceCutProgressOutput)
    def get(self, request):
        params = request.query_params
        year = selectors.parse_year(params.get("year"))
        count, target = price_cuts.price_cut_progress(request.user, year, params.get("district"))
        return Response(
            PriceCutProgressOutput({"year": year, "count": count, "target": target}).data
        )
