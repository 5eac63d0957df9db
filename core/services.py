"""Writes for the region policy and the platform's working-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from core import permissions
from core.errors import (
    CalendarDayExistsError,
    CalendarWorkdayNotWeekendError,
    CalendarYearOutOfRangeError,
    NotFoundError,
    ValidationError,
)
from core.policy import RULES, RegionPolicy
from core.tenancy import Actor
from core.workcalendar import CalendarDay, DayKind


@transaction.atomic
def region_policy_update(*, actor: Actor, changes: dict[str, Any]) -> RegionPolicy:
    """Change figures of the actor's region policy (creating it from the defaults if needed).
    History (pghistory) keeps every earlier value with who changed it."""
    permissions.require(actor, "region_policy.edit")
    unknown = set(changes) - set(RULES)
    if unknown:
        raise ValidationError(fields={name: ["unknown figure"] for name in sorted(unknown)})
    # NOTE: an actor without an organisation (a platform administrator) fails here (500).
    region = actor.organization.region_code  # type: ignore[union-attr]
    policy, _ = RegionPolicy.objects.select_for_update().get_or_create(region_code=region)
    for name, value in changes.items():
        setattr(policy, name, value)
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        policy.full_clean()
    except DjangoValidationError as exc:
        raise ValidationError(fields=exc.message_dict) from None
    policy.save(update_fields=[*changes, "updated_at"])
    return policy


# --- The platform's working-day calendar (core.workcalendar) ---------------------------------

# Years the calendar takes: chinese-calendar's first year to a century on. A typo such as 2207
# is refused rather than stored as a year nobody will look at.
CALENDAR_FIRST_YEAR = 2004
CALENDAR_LAST_YEAR = 2099


@transaction.atomic
def calendar_day_create(*, actor: Actor, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Enter a holiday or a make-up working day (platform administrators). From then on every
    deadline counted over ``date``'s year uses the platform's days for that year (core.clock);
    deadlines already counted keep their dates. History (pghistory) records who entered it."""
    permissions.require(actor, "calendar.manage")
    if kind not in DayKind.values:
        raise ValidationError(fields={"kind": [f"one of {', '.join(DayKind.values)}"]})
    if not CALENDAR_FIRST_YEAR <= date.year <= CALENDAR_LAST_YEAR:
        raise CalendarYearOutOfRangeError(
            year=date.year, first=CALENDAR_FIRST_YEAR, last=CALENDAR_LAST_YEAR
        )
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise CalendarWorkdayNotWeekendError(date=date.isoformat())
    day, created = CalendarDay.objects.get_or_create(
        date=date, defaults={"kind": kind, "name": name.strip()}
    )
    if not created:
        raise CalendarDayExistsError(date=date.isoformat())
    return day


@transaction.atomic
def calendar_day_delete(*, actor: Actor, day_id: int) -> None:
    """Remove a day from the platform's calendar (platform administrators); its history stays."""
    permissions.require(actor, "calendar.manage")
    deleted, _ = CalendarDay.objects.filter(pk=day_id).delete()
    if not deleted:
        raise NotFoundError()
