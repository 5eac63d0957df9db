import datetime as dt

from core.clock import add_working_days, is_working_day, working_days_between


def test_national_day_week_is_not_working_time():
    # 2025-10-01..08 is the National Day + Mid-Autumn holiday; 2025-09-28 (Sunday) is a
    # make-up workday announced by the State Council.
    assert not is_working_day(dt.date(2025, 10, 3))
    assert is_working_day(dt.date(2025, 9, 28))


def test_add_working_days_skips_the_holiday():
    assert add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 9)) == 1
