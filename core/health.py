"""Liveness of the parts the platform needs: the database and Redis."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def check_redis() -> str:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        client.ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def health() -> dict[str, str]:
    parts = {"database": check_database(), "redis": check_redis()}
    status = "ok" if all(v == "ok" for v in parts.values()) else "degraded"
    return {"status": status, **parts}
