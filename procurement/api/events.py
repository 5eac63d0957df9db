"""The change feed: every state change of the caller's orders, deliveries and invoices, in
commit-safe order with a replayable cursor (procurement.selectors.events), so an HIS keeps in
sync without polling each order."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.views import ApiView
from core.errors import ValidationError
from procurement.api.serializers.events import EventPageOutput
from procurement.selectors import events as selectors


class EventFeedApi(ApiView):
    """Events after ``after`` (from the beginning without it), oldest first. Follow ``next``;
    when ``has_more`` is false, poll again later with the same ``next``. Replaying a cursor
    returns the same events (then any newer ones)."""

    required_action = "event.view"

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="Cursor from a previous `next`."),
            OpenApiParameter(
                "limit",
                int,
                description=f"Events per page, 1 to {selectors.MAX_LIMIT} "
                f"(default {selectors.DEFAULT_LIMIT}).",
            ),
        ],
        responses=EventPageOutput,
    )
    def get(self, request):
        raw_limit = request.query_params.get("limit") or str(selectors.DEFAULT_LIMIT)
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= selectors.MAX_LIMIT:
            raise ValidationError(fields={"limit": [_("1 to %(n)s.") % {"n": selectors.MAX_LIMIT}]})
        page = selectors.event_feed(
            actor=request.user,
            after=request.query_params.get("after", ""),
            limit=int(raw_limit),
        )
        return Response(EventPageOutput(page).data)
