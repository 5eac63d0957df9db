"""Time: aware UTC for storage, Asia/Shanghai for people, and working days for deadlines."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return timezone.now()


def to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SHANGHAI)


def local_today() -> dt.date:
    return to_local(now()).date()


def is_working_day(day: dt.date) -> bool:
    """Mainland China working day, counting the State Council's adjusted weekend workdays."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # chinese-calendar only knows years the State Council has announced; beyond them,
        # fall back to Monday-Friday rather than refuse to compute a deadline.
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
