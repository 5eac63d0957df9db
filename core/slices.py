"""The month and district a figure or a filtered list is read for: ``?month=YYYY-MM`` (a
calendar month in Asia/Shanghai) and ``?district=`` (a six-digit GB/T 2260 region code, or
its prefix). Shared by the bureau dashboard and the lists it drills down to, so that both
read the same rows; a malformed value is refused naming the parameter (400), never ignored."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from core import clock
from core.errors import ValidationError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[the month's first instant, the next month's first instant) in Asia/Shanghai."""
    first = dt.datetime(month.year, month.month, 1, tzinfo=clock.SHANGHAI)
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return first, dt.datetime(following.year, following.month, 1, tzinfo=clock.SHANGHAI)


def parse_month(value: object, *, name: str = "month") -> dt.date | None:
    """``YYYY-MM`` as the month's first day; blank is None. A malformed month, one before
    2000 or after the current month is a ValidationError naming ``name``."""
    text = str(value or "").strip()
    if not text:
        return None
    match = _MONTH.match(text)
    month = None
    if match:
        try:
            month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            month = None
    if month is None or month.year < 2000 or month > clock.local_today().replace(day=1):
        raise ValidationError(
            fields={name: [_("Give a month as YYYY-MM, from 2000-01 to the current month.")]}
        )
    return month


def parse_district(value: object, *, name: str = "district") -> str:
    """A region code (two to six digits, a province, city or district prefix); blank is ''.
    Anything else is a ValidationError naming ``name``."""
    text = str(value or "").strip()
    if not text:
        return ""
    if not (text.isdigit() and len(text) in (2, 4, 6)):
        raise ValidationError(
            fields={name: [_("Give a region code of 2, 4 or 6 digits (GB/T 2260).")]}
        )
    return text
