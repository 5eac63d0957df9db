"""Quality report API [R-QUALITY]: a hospital files a report on a product it accepted (the
other hospitals that accepted the lot get a lot notice); the bureau confirms or dismisses; each
party reads what its role allows. The same services and selectors as the pages."""

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
from supervision.api.serializers.quality import (
    LotNoticeOutput,
    QualityCountsOutput,
    QualityDecisionInput,
    QualityReportActionsOutput,
    QualityReportInput,
    QualityReportOutput,
)
from supervision.choices import QualitySeverity, QualityStatus
from supervision.models import LotNotice, QualityReport
from supervision.selectors import quality as selectors
from supervision.services import quality as services

FILTERS = [
    status_parameter(QualityStatus),
    OpenApiParameter("severity", str, enum=QualitySeverity.values),
    OpenApiParameter("product", int),
    OpenApiParameter("supplier", int),
]


def _filtered(request) -> QuerySet[QualityReport]:
    severity = request.query_params.get("severity", "")
    if severity and severity not in QualitySeverity.values:
        raise ValidationError(fields={"severity": [", ".join(QualitySeverity.values)]})
    return selectors.quality_report_list(
        actor=request_actor(request),
        status=query_statuses(request, QualityStatus.values),
        severity=severity,
        consumable_id=query_id(request, "product"),
        supplier_id=query_id(request, "supplier"),
    )


class QualityReportListCreateApi(ListApi):
    """GET: the reports the caller may see (a hospital its own, a supplier those on its
    products, the bureau its region's), newest first. POST: a hospital files one; the other
    hospitals that accepted the lot are told."""

    required_actions = {"GET": "quality_report.view", "POST": "quality_report.file"}
    serializer_class = QualityReportOutput
    queryset = QualityReport.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return _filtered(self.request).prefetch_related("lot_notices")

    @extend_schema(request=QualityReportInput, responses={201: QualityReportOutput})
    def post(self, request):
        data = validated(QualityReportInput, request.data)
        report = services.quality_report_file(
            actor=request.user,
            consumable_id=data["consumable"],
            lot=data["lot"],
            severity=data["severity"],
            occurred_on=data["occurred_on"],
            description=data["description"],
        )
        shown = selectors.quality_report_get(actor=request.user, report_id=report.pk)
        return Response(QualityReportOutput(shown).data, status=status.HTTP_201_CREATED)


class QualityReportCountsApi(ApiView):
    """The reports the caller may see (with the list's filters), counted by product and by
    supplier: total, awaiting the bureau, confirmed, serious."""

    required_action = "quality_report.view"

    @extend_schema(parameters=FILTERS, responses=QualityCountsOutput)
    def get(self, request):
        rows = _filtered(request)
        actor = request_actor(request)
        return Response(
            QualityCountsOutput(
                {
                    "by_product": selectors.quality_report_counts(
                        actor=actor, by="product", rows=rows
                    ),
                    "by_supplier": selectors.quality_report_counts(
                        actor=actor, by="supplier", rows=rows
                    ),
                }
            ).data
        )


class QualityReportDetailApi(ApiView):
    """One report (another party's: 404)."""

    required_action = "quality_report.view"

    @extend_schema(responses=QualityReportOutput)
    def get(self, request, pk: int):
        report = selectors.quality_report_get(actor=request.user, report_id=pk)
        return Response(QualityReportOutput(report).data)


class QualityReportActionsApi(ApiView):
    """What the caller may do with the report now: confirm or dismiss it (the bureau)."""

    required_action = "quality_report.view"

    @extend_schema(responses=QualityReportActionsOutput)
    def get(self, request, pk: int):
        report = selectors.quality_report_get(actor=request.user, report_id=pk)
        return Response(
            actions_body(selectors.quality_report_actions(actor=request.user, report=report))
        )


class QualityReportConfirmApi(ApiView):
    """[R-QUALITY] the bureau confirms a filed report; a general one raises its credit event
    on the supplier now (a serious one raised it when filed)."""

    required_action = "quality_report.decide"

    @extend_schema(request=QualityDecisionInput, responses=QualityReportOutput)
    def post(self, request, pk: int):
        data = validated(QualityDecisionInput, request.data)
        report = services.quality_report_confirm(
            actor=request.user, report_id=pk, reason=data["reason"]
        )
        return Response(QualityReportOutput(report).data)


class QualityReportDismissApi(ApiView):
    """[R-QUALITY] the bureau dismisses a filed report, with a reason."""

    required_action = "quality_report.decide"

    @extend_schema(request=QualityDecisionInput, responses=QualityReportOutput)
    def post(self, request, pk: int):
        data = validated(QualityDecisionInput, request.data)
        report = services.quality_report_dismiss(
            actor=request.user, report_id=pk, reason=data["reason"]
        )
        return Response(QualityReportOutput(report).data)


class LotNoticeListApi(ListApi):
    """[R-QUALITY] the lot notices addressed to the caller's hospital, newest first."""

    required_action = "lot_notice.view"
    serializer_class = LotNoticeOutput
    queryset = LotNotice.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.lot_notice_list(actor=request_actor(self.request))


class LotNoticeDetailApi(ApiView):
    required_action = "lot_notice.view"

    @extend_schema(responses=LotNoticeOutput)
    def get(self, request, pk: int):
        notice = selectors.lot_notice_get(actor=request.user, notice_id=pk)
        return Response(LotNoticeOutput(notice).data)
