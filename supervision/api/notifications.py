"""Notifications API: each person their organisation's."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.views import ApiView, ListApi
from core.errors import ValidationError
from supervision.api.serializers.notifications import (
    NotificationOutput,
    ReadAllOutput,
    UnreadCountOutput,
)
from supervision.models import Notification
from supervision.selectors import notifications as selectors
from supervision.services import notifications as services


class NotificationListApi(ListApi):
    """My notifications, newest first; ``unread=true``: only those not read yet."""

    required_action = "notification.view"
    serializer_class = NotificationOutput
    queryset = Notification.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        unread = self.request.query_params.get("unread", "false")
        if unread not in ("true", "false"):
            raise ValidationError(fields={"unread": ["true, false"]})
        return selectors.notification_list(
            actor=request_actor(self.request), unread=unread == "true"
        )


class NotificationUnreadCountApi(ApiView):
    required_action = "notification.view"

    @extend_schema(responses=UnreadCountOutput)
    def get(self, request):
        count = selectors.notification_unread_count(actor=request.user)
        return Response(UnreadCountOutput({"unread": count}).data)


class NotificationReadApi(ApiView):
    """Mark one notification read (again: no change)."""

    required_action = "notification.view"

    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, pk: int):
        found = services.notification_read(actor=request.user, notification_id=pk)
        return Response(NotificationOutput(found).data)


class NotificationReadAllApi(ApiView):
    required_action = "notification.view"

    @extend_schema(request=None, responses=ReadAllOutput)
    def post(self, request):
        count = services.notifications_read_all(actor=request.user)
        return Response(ReadAllOutput({"marked": count}).data)
