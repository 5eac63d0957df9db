"""Reads for the platform-wide pages: history, region policy and the working-day calendar."""

from __future__ import annotations

from dataclasses import dataclass

import pghistory.models
from django.db.models import Count, Q

from core import clock, permissions
from core.errors import NotFoundError
from core.policy import RegionPolicy, policy_for
from core.workcalendar import CalendarDay, DayKind


def history_list_unscoped(*, actor, model: str | None = None, limit: int = 200):
    """Every tracked change of every model: platform administrators only."""
    permissions.require(actor, "history.view")
    events = pghistory.models.Events.objects.order_by("-pgh_created_at")
    if model:
        events = events.filter(pgh_model=model)
    events = list(events[:limit])
    # Name who made each change with one query, not one per row.
    from accounts.models import User

    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids - {None})}
    for event in events:
        context = event.pgh_context or {}
        event.actor_display = names.get(context.get("user"), "")
        event.api_client = context.get("api_client", "")
        event.changes = (
            event.pgh_diff
            if event.pgh_diff
            else {k: [None, v] for k, v in (event.pgh_data or {}).items() if v not in ("", None)}
        )
    return events


def history_models() -> list[str]:
    return sorted(pghistory.models.Events.objects.values_list("pgh_model", flat=True).distinct())


def region_policy_get(*, actor) -> RegionPolicy:
    permissions.require(actor, "region_policy.view")
    region = actor.organization.region_code if actor.organization else "000000"
    return policy_for(region)


# --- The platform's working-day calendar ------------------------------------------------------


@dataclass(frozen=True)
class CalendarYear:
    year: int
    # "platform" (days entered here), "package" (chinese-calendar) or "none" (Monday to Friday).
    source: str
    holidays: int
    workdays: int

    @property
    def degraded(self) -> bool:
        return self.source == "none"


def calendar_years(*, actor, include: int | None = None) -> list[CalendarYear]:
    """Where each year's working days come from: last year to the year after next, every year
    the platform has days for, and ``include`` (one query)."""
    permissions.require(actor, "calendar.manage")
    this_year = clock.local_today().year
    counts = {
        row["date__year"]: row
        for row in CalendarDay.objects.values("date__year")
        .annotate(
            holidays=Count("pk", filter=Q(kind=DayKind.HOLIDAY)),
            workdays=Count("pk", filter=Q(kind=DayKind.WORKDAY)),
        )
        .order_by()
    }
    years = set(range(this_year - 1, this_year + 3)) | set(counts)
    if include is not None:
        years.add(include)
    out = []
    for year in sorted(years):
        row = counts.get(year)
        source = clock.year_source_given(year, platform=bool(row))
        out.append(
            CalendarYear(
                year=year,
                source=source,
                holidays=row["holidays"] if row else 0,
                workdays=row["workdays"] if row else 0,
            )
        )
    return out


def calendar_day_list(*, actor, year: int | None = None):
    permissions.require(actor, "calendar.manage")
    days = CalendarDay.objects.order_by("date")
    return days.filter(date__year=year) if year else days


def calendar_day_get(*, actor, day_id: int) -> CalendarDay:
    permissions.require(actor, "calendar.manage")
    day = CalendarDay.objects.filter(pk=day_id).first()
    if day is None:
        raise NotFoundError()
    return day


def calendar_day_history(*, actor, year: int | None = None, limit: int = 200) -> list:
    """Who entered or removed which day, newest first (the rows' pghistory events)."""
    permissions.require(actor, "calendar.manage")
    events = CalendarDay.pgh_event_model.objects.select_related("pgh_context").order_by(
        "-pgh_created_at", "-pgh_id"
    )
    if year:
        events = events.filter(date__year=year)
    events = list(events[:limit])
    from accounts.models import User

    contexts = [(e.pgh_context.metadata if e.pgh_context else {}) for e in events]
    user_ids = {c.get("user") for c in contexts} - {None}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    for event, context in zip(events, contexts, strict=True):
        event.actor_display = names.get(context.get("user"), "")
        event.api_client = context.get("api_client", "")
    return events
