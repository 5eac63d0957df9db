"""Bench-only endpoints, mounted under /api/bench/ only when YANGGUANG_BENCH_ENDPOINTS=1.

The baseline of the API benchmarks: the same stack (gunicorn, Django, DRF, the HIS key
authentication, JSON) doing the least possible work — one INSERT, or one 50-row SELECT — so
that the ratio measures what the platform's own logic costs."""

from django.db import connection
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

TABLE = "bench_probe"


def ensure_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
            "client text NOT NULL, payload jsonb NOT NULL, created_at timestamptz DEFAULT now())"
        )


class BareApi(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (client, payload) VALUES (%s, %s) RETURNING id",  # noqa: S608
                [str(request.user.pk), '{"lines": 5}'],
            )
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, client, payload, created_at FROM {TABLE} "  # noqa: S608
                "ORDER BY id DESC LIMIT 50"
            )
            rows = [
                {"id": r[0], "client": r[1], "payload": r[2], "created_at": r[3]}
                for r in cursor.fetchall()
            ]
        return Response({"results": rows})


urlpatterns = [path("bare/", BareApi.as_view())]
