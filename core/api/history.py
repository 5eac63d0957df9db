"""Change history over the API, the same rows and filters as the page (core.selectors):
platform administrators read every change, bureau staff those of their jurisdiction's objects."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core import selectors
from core.api.params import query_date
from core.api.views import ApiView

HISTORY_API_LIMIT = 200


class HistoryEventOutput(serializers.Serializer):
    model = serializers.CharField(source="pgh_model")
    object_model = serializers.CharField(source="pgh_obj_model", help_text="e.g. procurement.Order")
    object_type = serializers.CharField(source="model_display", help_text="its verbose name")
    object_id = serializers.CharField(source="pgh_obj_id")
    # DRF takes declared fields off the class, so this does not shadow Field.label.
    label = serializers.CharField(source="pgh_label")  # type: ignore[assignment]
    at = serializers.DateTimeField(source="pgh_created_at")
    user = serializers.CharField(source="actor_display")
    api_client = serializers.CharField()
    changes = serializers.DictField(help_text="field -> [before, after], as stored")


class HistoryListApi(ApiView):
    required_action = "history.view"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "model", str, description="e.g. procurement.Order (or procurement.OrderEvent)"
            ),
            OpenApiParameter("object_id", str, description="with model: one object's history"),
            OpenApiParameter("username", str, description="changes made by this user"),
            OpenApiParameter("date_from", str, description="YYYY-MM-DD, Beijing day, inclusive"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD, Beijing day, inclusive"),
        ],
        responses=HistoryEventOutput(many=True),
        description=f"The newest {HISTORY_API_LIMIT} changes that match, newest first.",
    )
    def get(self, request):
        params = request.query_params
        events = selectors.history_list(
            actor=request.user,
            model=params.get("model", ""),
            object_id=params.get("object_id", ""),
            username=params.get("username", ""),
            date_from=query_date(request, "date_from"),
            date_to=query_date(request, "date_to"),
        )
        rows = selectors.history_describe(events[:HISTORY_API_LIMIT])
        return Response(HistoryEventOutput(rows, many=True).data)
