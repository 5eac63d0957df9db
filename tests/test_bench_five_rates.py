"""Smoke test of `make bench five_rates_month` at a tiny size [R-FIVE-RATES]: the benchmark's
data builder, its hand-written baseline and its verification, on the test database (as the
runtime role, history triggers on), so that a change to the five rates that the baseline no
longer matches fails here, not only in a full-size run."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from bench import five_rates_data, five_rates_month
from supervision.services.five_rates import five_rates_freeze

pytestmark = pytest.mark.django_db


def _load_tiny() -> None:
    sk = five_rates_data.skeleton(6, 12)
    connection.ensure_connection()
    # Inside the test's transaction: the builder's statements without the owner's steps.
    five_rates_data._load(connection.connection, sk, 600, 5, lambda _text: None)


def test_frozen_month_matches_the_hand_written_aggregate_r_five_rates():
    _load_tiny()
    month = five_rates_month.frozen_month()

    snapshot = five_rates_freeze(month=month)
    project = five_rates_month._frozen(snapshot)
    with connection.cursor() as cursor:
        hand = five_rates_month.baseline(cursor, month)

    assert project, "the month has figures"
    assert {f[1] for f in project} == {"district", "hospital", "supplier", "category"}
    assert five_rates_month.verify(project, hand) == []


def test_verification_catches_a_figure_that_differs_r_five_rates():
    _load_tiny()
    month = five_rates_month.frozen_month()
    project = five_rates_month._frozen(five_rates_freeze(month=month))
    with connection.cursor() as cursor:
        hand = five_rates_month.baseline(cursor, month)
    rate, kind, key, district, a_num, a_den, c_num, c_den = hand[0]
    off = [(rate, kind, key, district, a_num + Decimal("0.01"), a_den, c_num, c_den), *hand[1:]]

    problems = five_rates_month.verify(project, off)

    assert any(p.startswith("project only") for p in problems)
    assert any(p.startswith("baseline only") for p in problems)
