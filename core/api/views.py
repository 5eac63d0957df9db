"""Base API views: permission table, tenancy scoping and idempotent POSTs, for every endpoint."""

from __future__ import annotations

import json

from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core import idempotency
from core.errors import NotFoundError
from core.json_sql import JsonTextResponse
from core.permissions import ActionPermission

# The widest integer a primary key column holds (bigint).
_MAX_ID = 2**63 - 1


class ApiView(APIView):
    """Subclass for every operation. Set ``required_action`` (or ``required_actions`` by HTTP
    method) from core.permissions.ACTIONS; POSTs are made idempotent here, once."""

    permission_classes = [IsAuthenticated, ActionPermission]
    required_action: str | None = None
    required_actions: dict[str, str] | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # <int:pk> matches any run of digits; one no bigint column holds names no row.
        for value in kwargs.values():
            if isinstance(value, int) and value > _MAX_ID:
                raise NotFoundError()
        self._idempotency_claim = None
        if request.method == "POST":
            claim = idempotency.claim(request)
            if claim is not None:
                idempotency.begin(claim)
                self._idempotency_claim = claim

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        claim = getattr(self, "_idempotency_claim", None)
        if claim is not None:
            self._idempotency_claim = None
            if isinstance(response, JsonTextResponse):
                body = response.data  # already JSON text: parse it once, nothing to render
            else:
                body = getattr(response, "data", None)
                if body is not None:
                    body = json.loads(JSONRenderer().render(body))
            idempotency.finish(claim, response.status_code, body)
        return response


class ListApi(ApiView, generics.ListAPIView):
    """A paginated list. ``get_queryset`` must come from a selector, which applies the actor's
    scope (core.tenancy), never from ``Model.objects`` directly."""
