"""Change history over the API (platform administrators), the same rows as the page."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core import selectors
from core.api.views import ApiView


class HistoryEventOutput(serializers.Serializer):
    model = serializers.CharField(source="pgh_model")
    object_id = serializers.CharField(source="pgh_obj_id")
    # DRF takes declared fields off the class, so this does not shadow Field.label.
    label = serializers.CharField(source="pgh_label")  # type: ignore[assignment]
    at = serializers.DateTimeField(source="pgh_created_at")
    user = serializers.CharField(source="actor_display")
    api_client = serializers.CharField()
    changes = serializers.DictField(help_text="field -> [before, after]")


class HistoryListApi(ApiView):
    required_action = "history.view"

    @extend_schema(
        parameters=[OpenApiParameter("model", str, description="e.g. accounts.OrganizationEvent")],
        responses=HistoryEventOutput(many=True),
    )
    def get(self, request):
        events = selectors.history_list_unscoped(
            actor=request.user, model=request.query_params.get("model") or None
        )
        return Response(HistoryEventOutput(events, many=True).data)
