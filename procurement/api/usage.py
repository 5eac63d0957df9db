"""Endpoints made for hospital information systems: usage records.

An HIS calls the whole API with its hospital's key (``Authorization: Bearer yg_...``) and an
Idempotency-Key on every POST; orders, acceptance and the change feed are the same endpoints
the browser uses (procurement.api.orders, .deliveries, .events). Usage records only come
from an HIS: the consumables used in each operation [R-TRACE] [R-ALERT-USE].
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.params import query_date, query_id, validated
from core.api.views import ListApi
from core.errors import ValidationError
from procurement.api.serializers.usage import UsageCreateInput, UsageCreateOutput, UsageRecordOutput
from procurement.choices import UsageCatalogueFlag
from procurement.models import UsageRecord
from procurement.selectors import usage as usage_selectors
from procurement.services import usage

FLAG_FILTERS = ["any", *[flag for flag in UsageCatalogueFlag.values if flag]]


def _flagged(request) -> str:
    value = request.query_params.get("flagged", "")
    if value and value not in FLAG_FILTERS:
        raise ValidationError(fields={"flagged": [", ".join(FLAG_FILTERS)]})
    return value


class UsageRecordListCreateApi(ListApi):
    """GET: usage records (the hospital's own; the bureau and agency: their region's).
    POST: record consumables used in operations, all or nothing; the product and its brand
    are resolved from the UDI-DI."""

    required_actions = {"GET": "usage.view", "POST": "usage.record"}
    serializer_class = UsageRecordOutput
    queryset = UsageRecord.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("doctor_code", str),
            OpenApiParameter("department", str),
            OpenApiParameter("operation_id", str),
            OpenApiParameter("consumable", int),
            OpenApiParameter("used_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("used_to", str, description="YYYY-MM-DD"),
            OpenApiParameter(
                "flagged",
                str,
                enum=FLAG_FILTERS,
                description="[R-HOSP-CATALOGUE] records outside the hospital's catalogue: "
                "any, or one reason",
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        return usage_selectors.usage_list(
            actor=request_actor(self.request),
            doctor_code=params.get("doctor_code", ""),
            department=params.get("department", ""),
            operation_id=params.get("operation_id", ""),
            consumable_id=query_id(self.request, "consumable"),
            used_from=query_date(self.request, "used_from"),
            used_to=query_date(self.request, "used_to"),
            flagged=_flagged(self.request),
        )

    @extend_schema(request=UsageCreateInput, responses={201: UsageCreateOutput})
    def post(self, request):
        data = validated(UsageCreateInput, request.data)
        records = usage.usage_record(actor=request.user, records=data["records"])
        shown = usage_selectors.usage_list(actor=request.user).filter(
            pk__in=[r.pk for r in records]
        )
        return Response(
            UsageCreateOutput({"records": list(shown.order_by("pk"))}).data,
            status=status.HTTP_201_CREATED,
        )
