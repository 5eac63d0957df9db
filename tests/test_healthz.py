import datetime as dt

import pytest
import time_machine

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from core import clock, services
from core.workcalendar import DayKind

# Beijing time 10:00 on the day named.
JUNE_2026 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
DECEMBER_2026 = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def package_ends_2026(monkeypatch):
    """chinese-calendar 1.11 ends with 2026; pinned so that a newer release keeps 2027 unknown."""
    monkeypatch.setattr(clock, "package_years", lambda: range(2004, 2027))


@pytest.mark.django_db
@time_machine.travel(JUNE_2026, tick=False)
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "calendar": "ok",
    }


@pytest.mark.django_db
def test_healthz_names_the_failing_part(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")


def test_healthz_reports_a_dead_database(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


@pytest.mark.django_db
@time_machine.travel(DECEMBER_2026, tick=False)
def test_healthz_reports_the_calendar_degraded_when_next_year_is_unknown(client, package_ends_2026):
    """From December a deadline counted today can reach 2027: known to neither source, the
    calendar is degraded. The instance still serves (200), so no orchestrator restarts it."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "redis": "ok",
        "calendar": "unknown: 2027",
    }


@pytest.mark.django_db
@time_machine.travel(DECEMBER_2026, tick=False)
def test_healthz_calendar_is_ok_once_the_platform_knows_next_year(client, package_ends_2026):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    services.calendar_day_create(actor=admin, date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["calendar"] == "ok"


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_healthz_reports_the_current_year_unknown(client, package_ends_2026):
    assert client.get("/healthz").json()["calendar"] == "unknown: 2027"
