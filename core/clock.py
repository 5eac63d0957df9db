"""Time: aware UTC for storage, Asia/Shanghai for people, and working days for deadlines.

Working days follow the State Council's holiday notices, from two sources, in this order:

1. the platform's own calendar (core.workcalendar.CalendarDay), kept by the platform
   administrators: a day entered there is a holiday or a make-up working day, whatever the
   package says; a year with any day entered there is known to the platform;
2. chinese-calendar, for the years its data covers (its release carries the notices up to the
   year after it was built);
3. for a year known to neither, Monday to Friday. A deadline counted over such a year is
   *estimated*: ``WorkingDate.degraded`` says so, it is logged, the pages show it
   ("按周一至周五推算") and /healthz reports the calendar as degraded (core.health).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from typing import NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")

logger = logging.getLogger(__name__)


def now() -> dt.datetime:
    return timezone.now()


def to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SHANGHAI)


def local_today() -> dt.date:
    return to_local(now()).date()


# --- Working days ----------------------------------------------------------------------------


class WorkingDate(NamedTuple):
    date: dt.date
    # True when a day counted lies in a year known to neither the platform's calendar nor
    # chinese-calendar: the date was counted Monday to Friday and may be wrong.
    degraded: bool


@functools.cache
def package_years() -> range:
    """The years chinese-calendar's data covers (it refuses any other)."""
    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def platform_years(years: Iterable[int]) -> set[int]:
    """Those of ``years`` for which the platform's calendar has at least one day (one query)."""
    from core.workcalendar import CalendarDay

    wanted = sorted(set(years))
    if not wanted:
        return set()
    found = CalendarDay.objects.filter(
        date__gte=dt.date(wanted[0], 1, 1), date__lt=dt.date(wanted[-1] + 1, 1, 1)
    ).dates("date", "year")
    return {d.year for d in found} & set(wanted)


def unknown_years(years: Iterable[int]) -> set[int]:
    """Those of ``years`` known to neither source. Queries only for years beyond the package."""
    beyond = {year for year in years if year not in package_years()}
    return beyond - platform_years(beyond) if beyond else set()


def year_source(year: int) -> str:
    """Where the working days of ``year`` come from: "platform", "package" or "none"."""
    return year_source_given(year, platform=bool(platform_years([year])))


def year_source_given(year: int, *, platform: bool) -> str:
    """``year_source`` when the caller already knows whether the platform has days for it."""
    if platform:
        return "platform"
    return "package" if year in package_years() else "none"


class _Calendar:
    """The working days of the years one computation touches, loaded once per year."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[dict[dt.date, bool], bool]] = {}
        self.unknown: set[int] = set()

    def _year(self, year: int) -> tuple[dict[dt.date, bool], bool]:
        if year not in self._years:
            from core.workcalendar import CalendarDay, DayKind

            days = {
                date: kind == DayKind.WORKDAY
                for date, kind in CalendarDay.objects.filter(date__year=year).values_list(
                    "date", "kind"
                )
            }
            self._years[year] = (days, bool(days) or year in package_years())
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        overrides, known = self._year(day.year)
        if day in overrides:
            return overrides[day]
        if day.year in package_years():
            return chinese_calendar.is_workday(day)
        if not known:
            self.unknown.add(day.year)
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    """Mainland China working day, counting the State Council's adjusted weekend workdays
    (Monday to Friday in a year known to neither source)."""
    return _Calendar().is_working_day(day)


def add_working_days(start: dt.date, days: int) -> WorkingDate:
    """The date ``days`` working days after ``start`` (``start`` itself not counted), and
    whether it was counted over a year known to neither source (logged as a warning)."""
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = _Calendar()
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    if calendar.unknown:
        logger.warning(
            "Working days counted Monday to Friday: %s known to neither the platform calendar "
            "nor chinese-calendar (%s working days after %s give %s).",
            ", ".join(str(y) for y in sorted(calendar.unknown)),
            days,
            start.isoformat(),
            current.isoformat(),
        )
    return WorkingDate(current, bool(calendar.unknown))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    calendar = _Calendar()
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if calendar.is_working_day(current):
            count += 1
    return count
