"""Working days: the platform's calendar, then chinese-calendar, then Monday to Friday, flagged.

chinese-calendar 1.11 carries the State Council's notices up to 2026. The tests that cross into
2027 pin the package's coverage to end with 2026 (``package_ends_2026``), so that they keep
testing a year the package does not cover when a newer release adds 2027.
"""

import datetime as dt
import logging

import pytest

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from core import clock, services
from core.clock import add_working_days, is_working_day, working_days_between
from core.workcalendar import DayKind

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def package_ends_2026(monkeypatch):
    monkeypatch.setattr(clock, "package_years", lambda: range(2004, 2027))


@pytest.fixture
def admin():
    return user_with_role(Role.PLATFORM_ADMIN)


def test_national_day_week_is_not_working_time():
    # 2025-10-01..08 is the National Day + Mid-Autumn holiday; 2025-09-28 (Sunday) is a
    # make-up workday announced by the State Council.
    assert not is_working_day(D(2025, 10, 3))
    assert is_working_day(D(2025, 9, 28))


def test_add_working_days_skips_the_holiday():
    assert add_working_days(D(2025, 9, 30), 1) == (D(2025, 10, 9), False)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1


def test_the_package_covers_2026_itself():
    """The years the tests below treat as covered are covered by the installed package."""
    assert 2025 in clock.package_years()
    assert 2026 in clock.package_years()


def test_a_year_known_to_neither_source_is_counted_monday_to_friday_and_flagged(
    package_ends_2026, caplog
):
    """Five working days from Monday 28 December 2026, with 2027 known to neither source:
    counted Monday to Friday (New Year's Day counted as a working day), flagged and logged."""
    with caplog.at_level(logging.WARNING, logger="core.clock"):
        result = add_working_days(D(2026, 12, 28), 5)
    assert result == (D(2027, 1, 4), True)
    assert result.degraded
    assert "2027" in caplog.text
    assert clock.unknown_years([2026, 2027]) == {2027}
    assert clock.year_source(2027) == "none"


def test_the_platforms_days_for_2027_give_the_right_date(package_ends_2026, admin, caplog):
    """With New Year's Day 2027 entered as a holiday, the same publicity ends a day later and
    is not flagged: the platform knows 2027."""
    services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    with caplog.at_level(logging.WARNING, logger="core.clock"):
        result = add_working_days(D(2026, 12, 28), 5)
    assert result == (D(2027, 1, 5), False)
    assert caplog.text == ""
    assert clock.unknown_years([2026, 2027]) == set()
    assert clock.year_source(2027) == "platform"


def test_a_make_up_working_day_entered_for_2027_counts(package_ends_2026, admin):
    """A Saturday entered as a make-up working day is worked; the rest of the year is Monday to
    Friday plus the days entered."""
    services.calendar_day_create(actor=admin, date=D(2027, 2, 20), kind=DayKind.WORKDAY)
    services.calendar_day_create(actor=admin, date=D(2027, 2, 19), kind=DayKind.HOLIDAY)
    assert is_working_day(D(2027, 2, 20))
    assert not is_working_day(D(2027, 2, 19))
    # Thursday 18 February + 1: Friday is a holiday, Saturday is worked.
    assert add_working_days(D(2027, 2, 18), 1) == (D(2027, 2, 20), False)


def test_a_year_beyond_both_sources_is_flagged_even_when_the_year_before_is_entered(
    package_ends_2026, admin
):
    """2027 entered on the platform, 2028 known to nobody: a deadline crossing into 2028 is
    counted Monday to Friday there and flagged."""
    services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY)
    # Tuesday 28 December 2027 + 5: 29, 30, 31 December, then Monday 3 and Tuesday 4 January.
    assert add_working_days(D(2027, 12, 28), 5) == (D(2028, 1, 4), True)
    assert add_working_days(D(2027, 12, 20), 5) == (D(2027, 12, 27), False)
    assert clock.unknown_years([2026, 2027, 2028]) == {2028}


def test_a_day_entered_on_the_platform_wins_over_the_package(admin):
    """A correction of a year the package covers changes that day only: the package still
    gives 2026's New Year holiday (1-3 January) and its make-up Sunday (4 January)."""
    assert add_working_days(D(2025, 12, 29), 2) == (D(2025, 12, 31), False)
    services.calendar_day_create(actor=admin, date=D(2025, 12, 31), kind=DayKind.HOLIDAY)
    assert not is_working_day(D(2025, 12, 31))
    assert add_working_days(D(2025, 12, 29), 2) == (D(2026, 1, 4), False)
    assert not is_working_day(D(2025, 10, 3))
