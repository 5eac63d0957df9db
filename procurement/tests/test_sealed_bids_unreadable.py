"""No one reads a price before the opening (issue #12 item 4): canary prices bid here appear
in no API response, page, export or Django admin page for any role (a superuser included),
nor in a pg_dump of the database, Redis, Celery messages or the captured logs. Then the
opening reads them."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from urllib.parse import urlparse

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from kombu.messaging import Producer

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from procurement.models import TenderResult
from procurement.tests.bid_world import make_bid_world

pytestmark = pytest.mark.django_db(transaction=True)

CANARIES = {"A": "73.91", "B": "81.37"}
# [R-VBP-COMPANION] A's price with companion service, sealed in the same envelope.
COMPANION_CANARY = "86.29"


def _needles() -> list[str]:
    # As typed and as a JSON member; the digits alone occur by chance in ids and hashes.
    return [n for price in CANARIES.values() for n in (price, f'"price":"{price}"')] + [
        COMPANION_CANARY,
        f'"companion_price":"{COMPANION_CANARY}"',
    ]


def _seen_by(user, world) -> list[tuple[str, str]]:
    """Every page, API answer, export and admin page about the round and its bids."""
    pk = world.tender.pk
    client = Client()
    client.force_login(user)
    paths = [
        reverse("api:procurement:round_detail", args=[pk]),
        reverse("api:procurement:round_bids", args=[pk]),
        reverse("api:procurement:round_bid_refusals", args=[pk]),
        reverse("api:procurement:round_public_results", args=[pk]),
        reverse("api:procurement:round_custodians", args=[pk]),
        reverse("procurement:round_detail", args=[pk]),
        reverse("procurement:round_bids", args=[pk]),
        reverse("procurement:round_custody", args=[pk]),
        reverse("public:tender_results"),
        reverse("api:public:tender_results"),
        reverse("api:public:tender_rounds"),
        "/admin/",
        "/admin/procurement/",
        "/admin/pghistory/events/",
    ]
    for kind in ("orders", "listings"):
        paths.append(f"/exports/{kind}/")
    seen = []
    for path in paths:
        response = client.get(path)
        seen.append((path, response.content.decode("utf-8", "replace")))
    return seen


def _pg_dump() -> str:
    db = connection.settings_dict
    owner = settings.DATABASES["default"].get("TEST", {}).get("USER") or db["USER"]
    migrate = (
        urlparse(settings.MIGRATE_DATABASE_URL)
        if getattr(settings, "MIGRATE_DATABASE_URL", "")
        else None
    )
    user = migrate.username if migrate else owner
    # The owner dumps (the runtime role may not read every table's sequence); its password,
    # when the server asks for one, from the URL.
    password = (migrate.password if migrate else db.get("PASSWORD")) or ""
    env = {**os.environ, "PGPASSWORD": password} if password else None
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("pg_dump") or "/usr/bin/pg_dump",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            user,
            "-d",
            db["NAME"],
            "--data-only",
            "--no-owner",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    return result.stdout


def _redis_dump() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL)
    parts = []
    for key in client.scan_iter(count=1000):
        parts.append(repr(key))
        kind = client.type(key)
        if kind == b"string":
            parts.append(repr(client.get(key)))
        elif kind == b"list":
            parts.append(repr(client.lrange(key, 0, -1)))
        elif kind == b"hash":
            parts.append(repr(client.hgetall(key)))
        elif kind == b"set":
            parts.append(repr(client.smembers(key)))
        elif kind == b"zset":
            parts.append(repr(client.zrange(key, 0, -1)))
    return "\n".join(parts)


def test_canary_prices_are_nowhere_before_the_opening(caplog, monkeypatch):
    published = []
    original = Producer.publish

    def recording(self, body, *args, **kwargs):
        published.append(repr(body))
        return original(self, body, *args, **kwargs)

    monkeypatch.setattr(Producer, "publish", recording)
    caplog.set_level(logging.DEBUG)
    world = make_bid_world()
    for key, price in CANARIES.items():
        world.bid(key, price, companion=COMPANION_CANARY if key == "A" else None)
    superuser = UserFactory(
        organization=world.officer.organization,
        roles=[Role.PLATFORM_ADMIN],
        is_staff=True,
        is_superuser=True,
    )
    viewers = [
        world.officer,
        world.custodians[4],
        world.sellers["A"],
        world.sellers["C"],
        world.w.purchaser,
        world.w.finance,
        UserFactory(organization=world.officer.organization, roles=[Role.PLATFORM_ADMIN]),
        superuser,
    ]
    places = {}
    for viewer in viewers:
        for path, text in _seen_by(viewer, world):
            places[f"{viewer.username} {path}"] = text
    bureau_page = places[
        f"{world.officer.username} " + reverse("procurement:round_bids", args=[world.tender.pk])
    ]
    assert world.sellers["B"].organization.name in bureau_page  # who bid is shown, not the price
    places["pg_dump"] = _pg_dump()
    places["redis"] = _redis_dump()
    places["celery"] = "\n".join(published)
    places["logs"] = caplog.text
    assert len(places["pg_dump"]) > 10_000  # the dump holds the bids (their envelopes)
    assert world.tender.key_fingerprint in places["pg_dump"]
    leaks = [(where, n) for where, text in places.items() for n in _needles() if n in text]
    assert leaks == []
    # The opening reads them.
    with world.at_opening():
        for position in (2, 3, 4):
            world.enter(position)
    prices = {
        (str(r.price), str(r.companion_price))
        for r in TenderResult.objects.filter(round=world.tender)
    }
    assert prices == {(CANARIES["A"], COMPANION_CANARY), (CANARIES["B"], "None")}
