"""Exports over the API: start one (202 with the job and its URLs), read its progress, download
its file. The same service as the list pages' export button (core.export_jobs); only the
requester reads or downloads a job (404 for anyone else)."""

from __future__ import annotations

import json

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from core import export_jobs, exports
from core.api.params import validated
from core.api.schema import ErrorSerializer
from core.api.views import ApiView
from core.export_jobs import ExportJob, ExportStatus


class ExportJobOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="This job (GET: its status).")
    download_url = serializers.SerializerMethodField(
        help_text="The file, once status is succeeded; empty before."
    )
    row_limit = serializers.SerializerMethodField(
        help_text="The most rows this export holds; a list with more fails with the reason."
    )
    status = serializers.ChoiceField(choices=ExportStatus.choices, read_only=True)

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "filters",
            "status",
            "rows_total",
            "rows_done",
            "row_limit",
            "error",
            "file_name",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "download_url",
        ]

    def get_url(self, job: ExportJob) -> str:
        return reverse("api:export_job", args=[job.pk])

    def get_download_url(self, job: ExportJob) -> str:
        if job.status != ExportStatus.SUCCEEDED:
            return ""
        return reverse("api:export_job_download", args=[job.pk])

    def get_row_limit(self, job: ExportJob) -> int | None:
        definition = job.definition
        return definition.limit if definition else None


class ExportStartInput(serializers.Serializer):
    kind = serializers.CharField(
        max_length=40,
        help_text=(
            "Which list: orders, delivery_lines (one row per delivered line), invoices, "
            "listings or usage_records."
        ),
    )
    filters = serializers.DictField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        required=False,
        default=dict,
        help_text=(
            "The list page's query-string filters, by the same names. orders: status, todo, "
            "number, date_from, date_to, counterpart; delivery_lines: status, order, "
            "returned; invoices: status, order; listings: status, catalogue, label, q, code, "
            "price_cut_due; usage_records: doctor_code, department, operation_id, date_from, "
            "date_to. A name or value the list does not know is refused."
        ),
    )


class ExportJobStartApi(ApiView):
    """Start an export of a list (202): written in the background; poll ``url`` until
    ``status`` is succeeded, then GET ``download_url``."""

    @extend_schema(request=ExportStartInput, responses={202: ExportJobOutput})
    def post(self, request):
        data = validated(ExportStartInput, request.data)
        job = export_jobs.export_job_start(
            actor=request.user, kind=data["kind"], params=data["filters"], strict=True
        )
        return Response(ExportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ExportJobApi(ApiView):
    """An export's status and progress (rows_done of rows_total)."""

    @extend_schema(responses=ExportJobOutput)
    def get(self, request, pk: int):
        return Response(
            ExportJobOutput(export_jobs.export_job_get(actor=request.user, job_id=pk)).data
        )


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for the file's media type; an error is still JSON."""

    media_type = exports.XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if isinstance(data, (dict, list)) else data


class ExportJobDownloadApi(ApiView):
    """The finished export's XLSX file; 409 export_not_ready until it is written."""

    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        responses={
            (200, exports.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"),
            409: OpenApiResponse(ErrorSerializer, description="Not written yet (or failed)."),
        }
    )
    def get(self, request, pk: int):
        job = export_jobs.export_job_file(actor=request.user, job_id=pk)
        return export_jobs.export_file_response(job)
