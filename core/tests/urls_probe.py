"""Minimal API endpoints, for testing the base ApiView behaviour in isolation.

``effect/`` creates a user (an effect a test can count) and then fails the way the next entry
of ``FAILURES`` says, so that a test can make the first attempt of a keyed request fail and
its retry, with the same key and body, succeed. ``unrenderable/`` always answers with data the
JSON renderer cannot encode. ``thread/`` names the process, thread and database backend that
served it, so that a live-server test can prove which worker thread answered.
"""

import os
import threading

from django.db import connection
from django.urls import path
from rest_framework.response import Response

from accounts.models import User
from core.api.views import ApiView
from core.errors import ValidationError

# Consumed one per request by EffectProbeApi: "exception", "render", "domain" or "ok".
FAILURES: list[str] = []


class ProbeApi(ApiView):
    def post(self, request):
        return Response({"ok": True}, status=201)


class EffectProbeApi(ApiView):
    def post(self, request):
        user = User.objects.create(username=request.data["username"])
        failure = FAILURES.pop(0) if FAILURES else "ok"
        if failure == "exception":
            raise RuntimeError("probe: unexpected failure after the effect")
        if failure == "domain":
            raise ValidationError(fields={"username": ["probe: refused after the effect"]})
        if failure == "render":
            return Response({"id": user.pk, "unrenderable": object()}, status=201)
        return Response({"id": user.pk}, status=201)


class SecretProbeApi(ApiView):
    """An operation that answers with two secrets, one of them nested."""

    secret_fields = ("token", "credentials.password")

    def post(self, request):
        return Response(
            {"id": 7, "token": "tok-secret", "credentials": {"user": "u", "password": "pw-secret"}},
            status=201,
        )


class UnrenderableProbeApi(ApiView):
    def post(self, request):
        return Response({"unrenderable": object()}, status=201)


class ThreadProbeApi(ApiView):
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backend,) = cursor.fetchone()
        return Response({"pid": os.getpid(), "thread": threading.get_ident(), "backend": backend})


probe_patterns = [
    path("probe/", ProbeApi.as_view()),
    path("probe/effect/", EffectProbeApi.as_view()),
    path("probe/secret/", SecretProbeApi.as_view()),
    path("probe/unrenderable/", UnrenderableProbeApi.as_view()),
    path("probe/thread/", ThreadProbeApi.as_view()),
]

urlpatterns = probe_patterns
