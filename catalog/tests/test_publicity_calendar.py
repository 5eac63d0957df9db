"""[R-LIST-CATALOGUES] A publicity period crossing into a year the holiday data does not cover:
counted Monday to Friday and shown as such ("按周一至周五推算"), or counted right once the
platform's calendar has the year.

chinese-calendar 1.11 ends with 2026; its coverage is pinned to end there, so that the tests
keep crossing into a year the package does not cover when a newer release adds 2027.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from catalog.services.prices import reference_price_propose
from catalog.tests.factories import ReferencePriceFactory
from core import clock, services
from core.workcalendar import DayKind

pytestmark = pytest.mark.django_db

FLAG = "按周一至周五推算"


@pytest.fixture(autouse=True)
def monday_28_december_2026(monkeypatch):
    monkeypatch.setattr(clock, "package_years", lambda: range(2004, 2027))
    # 10:00 in Beijing.
    with time_machine.travel(dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def bureau():
    return user_with_role(Role.BUREAU_OFFICER)


def _propose(bureau):
    base = ReferencePriceFactory(price=Decimal("1000.00"))
    return reference_price_propose(consumable_id=base.consumable_id, price="900.00", actor=bureau)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_r_list_catalogues_publicity_into_an_unknown_year_is_counted_mon_fri_and_flagged(bureau):
    """Five working days from 28 December 2026 with 2027 known to neither source end on Monday
    4 January (New Year's Day counted); the page and the API say the date is estimated."""
    rp = _propose(bureau)
    assert (rp.publicity_starts_on, rp.publicity_ends_on) == (
        dt.date(2026, 12, 28),
        dt.date(2027, 1, 4),
    )
    client = _client(bureau)
    page = client.get(reverse("catalog:publicity")).content.decode()
    assert "2027-01-04" in page
    assert FLAG in page
    detail = client.get(reverse("catalog:consumable_detail", args=[rp.consumable.code]))
    assert FLAG in detail.content.decode()
    api = client.get(reverse("api:catalog:reference_price_list")).json()
    row = next(r for r in api["results"] if r["id"] == rp.pk)
    assert (row["publicity_ends_on"], row["publicity_ends_estimated"]) == ("2027-01-04", True)


def test_r_list_catalogues_publicity_counts_the_platforms_2027_holidays(bureau):
    """With New Year's Day 2027 entered in the platform's calendar, the publicity ends on
    Tuesday 5 January and nothing is flagged."""
    admin = user_with_role(Role.PLATFORM_ADMIN)
    services.calendar_day_create(
        actor=admin, date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦"
    )
    rp = _propose(bureau)
    assert rp.publicity_ends_on == dt.date(2027, 1, 5)
    page = _client(bureau).get(reverse("catalog:publicity")).content.decode()
    assert "2027-01-05" in page
    assert FLAG not in page
    rp.refresh_from_db()
    assert rp.publicity_ends_estimated is False


def test_r_list_catalogues_a_date_counted_mon_fri_stays_flagged_after_the_year_is_entered(bureau):
    """The flag says how the date was counted: entering 2027 afterwards does not recount a
    publicity already under way, so its date stays marked as counted Monday to Friday."""
    rp = _propose(bureau)
    admin = user_with_role(Role.PLATFORM_ADMIN)
    services.calendar_day_create(actor=admin, date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY)
    page = _client(bureau).get(reverse("catalog:publicity")).content.decode()
    assert "2027-01-04" in page
    assert FLAG in page
    rp.refresh_from_db()
    assert rp.publicity_ends_estimated is True
