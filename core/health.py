"""Health of the parts the platform needs: the database, Redis and the working-day calendar.

The HTTP status answers "can this instance serve?" (the orchestrator's probe, docker-compose's
healthcheck): 503 when the database or Redis fails. The calendar cannot stop an instance from
serving; when it is degraded the body says so (``status: degraded``, ``calendar: unknown: 2027``)
with 200, so that monitoring sees it and no orchestrator restarts a healthy instance for it.
"""

from __future__ import annotations

import datetime as dt

import redis
from django.conf import settings
from django.db import connection

from core import clock

# How far ahead a deadline counted today can reach: more than the longest working-day period
# of the region policy at its defaults (10 working days) across the longest holiday (Spring
# Festival, 9 days), with room. Every pending deadline was counted from a day up to today, so it
# ends within this horizon too. Within it lie this year and, from 1 December, the next.
CALENDAR_HORIZON = dt.timedelta(days=31)

# The parts whose failure makes an instance unable to serve (answered 503).
VITAL = ("database", "redis")


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


def check_calendar() -> str:
    """Either "ok", or "unknown: 2027" when a year that a deadline counted today could reach
    (this year, and the next once it is within CALENDAR_HORIZON) is known to neither the
    platform's calendar nor chinese-calendar, so deadlines over it are counted Monday to
    Friday."""
    today = clock.local_today()
    try:
        unknown = clock.unknown_years({today.year, (today + CALENDAR_HORIZON).year})
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    if not unknown:
        return "ok"
    # Not logged here (the probe runs every few seconds): each deadline counted Monday to
    # Friday is logged where it is counted (core.clock.add_working_days).
    return "unknown: " + ", ".join(str(year) for year in sorted(unknown))


def health() -> dict[str, str]:
    parts = {"database": check_database(), "redis": check_redis()}
    if parts["database"] == "ok":
        parts["calendar"] = check_calendar()
    else:
        parts["calendar"] = "error: database"
    status = "ok" if all(v == "ok" for v in parts.values()) else "degraded"
    return {"status": status, **parts}


def vital(result: dict[str, str]) -> bool:
    """Whether every part an instance cannot serve without is ok."""
    return all(result.get(part) == "ok" for part in VITAL)
