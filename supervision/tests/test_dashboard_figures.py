"""The dashboard's kept figures (supervision.services.dashboard, docs/dashboard.md "Freshness"):
a scope is computed once and read from the cache by the page, the panel and the API; stale
figures are shown while one refresh runs; scopes never share figures; the beat task warms
the regulators' default scopes. The fixture is test_dashboard.py's November 2026 world
(platform purchases 1,100.00 in 2 orders)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supervision.services import dashboard as figures
from supervision.tests.rates_world import at, order_line
from supervision.tests.test_dashboard import NOW, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

# An hour before the fixture's NOW, so that the minutes after it are still November's.
FIRST = NOW - dt.timedelta(hours=1)
LATER = FIRST + dt.timedelta(minutes=16)

API = "/api/v1/supervision/dashboard/"


def _purchases(client) -> Decimal:
    body = client.get(API).json()
    return Decimal(next(t["value"] for t in body["tiles"] if t["key"] == "purchases"))


def test_kept_figures_are_read_without_the_aggregates(world, client):  # noqa: F811
    """A second look within the age limit shows the kept figures and their time, and runs
    none of the queries over the order lines; an order placed meanwhile is in the live list
    only."""
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        assert _purchases(client) == Decimal("1100.00")
        order_line(world, quantity=1, price="10.00", submitted_at=at(29, 9))
        with CaptureQueriesContext(connection) as read:
            page = client.get(reverse("supervision:dashboard"))
        body = client.get(API).json()
    purchases = next(t for t in page.context["tiles"] if t.key == "purchases")
    assert purchases.value == Decimal("1100.00")
    assert b"data-computed-at" in page.content
    assert dt.datetime.fromisoformat(body["computed_at"]) == NOW
    assert not [q for q in read.captured_queries if "procurement_orderline" in q["sql"]]


def test_stale_figures_are_shown_while_one_refresh_runs(
    world,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
):
    """Past DASHBOARD_FIGURES_MAX_AGE_SECONDS the kept figures are still shown, one refresh is
    queued however many people look, and once it has run the new order is counted."""
    client.force_login(world.bureau)
    with time_machine.travel(FIRST, tick=False):
        assert _purchases(client) == Decimal("1100.00")
        order_line(world, quantity=1, price="10.00", submitted_at=at(29, 9))
    with time_machine.travel(LATER, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert _purchases(client) == Decimal("1100.00")
            assert _purchases(client) == Decimal("1100.00")
        assert len(queued) == 1
        queued[0]()  # the worker's refresh (eager in tests)
        assert _purchases(client) == Decimal("1110.00")
        assert dt.datetime.fromisoformat(client.get(API).json()["computed_at"]) == LATER


def test_scopes_never_share_figures(world, client):  # noqa: F811
    """A district, another language: each its own figures (the English titles are not the
    Chinese ones, a district's purchases are its own)."""
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        whole = client.get(API).json()
        district = client.get(API, {"district": "320102"}).json()
        client.cookies["django_language"] = "en"
        english = client.get(API).json()
        client.cookies["django_language"] = "zh-hans"
        chinese = client.get(API).json()

    def tile(body, key):
        return next(t for t in body["tiles"] if t["key"] == key)

    assert Decimal(tile(whole, "purchases")["value"]) == Decimal("1100.00")
    assert Decimal(tile(district, "purchases")["value"]) == Decimal("100.00")
    assert tile(english, "purchases")["title"] == "Platform purchases"
    assert tile(chinese, "purchases")["title"] != tile(english, "purchases")["title"]


def test_warm_computes_each_regulators_default_scope_once_per_age(world, client):  # noqa: F811
    """The beat task computes what the bureau and the agency would see; a second run within
    the age limit computes nothing; the bureau's first look then reads the warmed figures."""
    with time_machine.travel(FIRST, tick=False):
        warmed = figures.dashboard_warm()
        assert warmed >= 1
        assert figures.dashboard_warm() == 0
        order_line(world, quantity=1, price="10.00", submitted_at=at(29, 9))
        client.force_login(world.bureau)
        assert _purchases(client) == Decimal("1100.00")
    with time_machine.travel(LATER, tick=False):
        assert figures.dashboard_warm() == warmed
        assert _purchases(client) == Decimal("1110.00")


def test_a_refresh_for_someone_who_lost_the_dashboard_computes_nothing(world):  # noqa: F811
    world.bureau.is_active = False
    world.bureau.save(update_fields=["is_active"])
    done = figures.dashboard_refresh(
        user_id=world.bureau.pk, month="2026-11", district="", rate="delivery", language="en"
    )
    assert done is False


def test_a_scope_the_person_may_not_see_is_refused_before_any_figure(world, client):  # noqa: F811
    """The kept figures do not bypass the scope's checks: a district outside the jurisdiction
    is still 403, a malformed month still 400."""
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        client.get(API)
        outside = client.get(API, {"district": "310101"})
        malformed = client.get(API, {"month": "2026-13"})
    assert outside.status_code == 403
    assert malformed.status_code == 400


def test_the_open_alerts_tile_is_counted_on_every_look(world, client):  # noqa: F811
    """Kept figures or not, the open-alerts tile follows the bureau's own work at once: an
    alert it acknowledges is no longer counted on its next look (the purchases stay kept)."""
    from core import clock
    from supervision.choices import AlertSeverity
    from supervision.models import Alert
    from supervision.services.alerts import alert_acknowledge, alert_rules_seed

    client.force_login(world.bureau)
    with time_machine.travel(FIRST, tick=False):
        region = world.bureau.organization.region_code
        rule = next(r for r in alert_rules_seed(region_code=region))
        alert = Alert.objects.create(
            rule=rule,
            region_code=region,
            subject_key="listing:1",
            severity=AlertSeverity.MEDIUM,
            summary="price rise",
            measured=Decimal("0.5"),
            threshold=Decimal("0.3"),
            fingerprint="f" * 64,
            created_at=clock.now(),
            refreshed_at=clock.now(),
        )
        first = client.get(API).json()
        alert_acknowledge(actor=world.bureau, alert_id=alert.pk)
        order_line(world, quantity=1, price="10.00", submitted_at=at(29, 9))
        again = client.get(API).json()

    def tile(body, key):
        return next(t for t in body["tiles"] if t["key"] == key)

    assert tile(first, "alerts_open")["count"] == 1
    assert tile(again, "alerts_open")["count"] == 0
    assert Decimal(tile(again, "purchases")["value"]) == Decimal("1100.00")
