"""Reads for the platform-wide pages: history, region policy and the working-day calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pghistory.models
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import clock, permissions
from core.errors import NotFoundError
from core.policy import RegionPolicy, policy_for
from core.tenancy import PLATFORM_ADMIN, Actor, is_active_actor
from core.workcalendar import CalendarDay, DayKind


def history_event_models() -> list[type[Any]]:
    """Every pghistory event model (one per tracked model), from the registry: no query."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and hasattr(model, "pgh_tracked_model")
    ]


def history_models() -> list[tuple[str, str]]:
    """The object types of the history filter: (tracked model label, its verbose name)."""
    rows = {
        m.pgh_tracked_model._meta.label: str(capfirst(m.pgh_tracked_model._meta.verbose_name))
        for m in history_event_models()
    }
    return sorted(rows.items(), key=lambda item: item[1])


def _tracked_label(model: str) -> str:
    """The object type as the filter names it (``procurement.Order``); an event model's label
    (``procurement.OrderEvent``, what the API has always taken) names its tracked model."""
    for event_model in history_event_models():
        if event_model._meta.label == model:
            return event_model.pgh_tracked_model._meta.label
    return model or ""


def _history_scope_q(actor: Actor) -> Q:
    """Platform administrators read every change; bureau staff the changes of the objects they
    may see (each tracked model's own tenant scope, ``tenant_q``: their region's). A model
    without a tenant scope (lines, catalogue rows) stays the administrators' to read."""
    if PLATFORM_ADMIN in actor.roles:
        return Q()
    scope = Q(pgh_obj_model__in=[])
    for event_model in history_event_models():
        tracked = event_model.pgh_tracked_model
        if not hasattr(tracked, "tenant_q"):
            continue
        visible = (
            tracked._default_manager.filter(tracked.tenant_q(actor))
            .annotate(pk_text=Cast("pk", TextField()))
            .values("pk_text")
        )
        scope |= Q(pgh_obj_model=tracked._meta.label, pgh_obj_id__in=visible)
    return scope


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)


def history_list(
    *,
    actor: Actor,
    model: str = "",
    object_id: str = "",
    username: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    """Tracked changes, newest first, that ``actor`` may read, filtered by object type
    (tracked model label, e.g. ``procurement.Order``), object, person (username) and day
    range (Beijing days, inclusive). Describe a page of it with ``history_describe``."""
    permissions.require(actor, "history.view")
    if not is_active_actor(actor) or "\x00" in f"{model}{object_id}{username}":
        return pghistory.models.Events.objects.none()
    labels = dict(history_models())
    events = pghistory.models.Events.objects.all()
    model = _tracked_label(model)
    if model:
        if model not in labels:
            return events.none()
        events = events.across(
            *[m for m in history_event_models() if m.pgh_tracked_model._meta.label == model]
        )
        events = events.filter(pgh_obj_model=model)
        if object_id:
            events = events.filter(pgh_obj_id=str(object_id))
    events = events.filter(_history_scope_q(actor))
    if username:
        user_ids = list(
            get_user_model().objects.filter(username=username).values_list("pk", flat=True)
        )
        events = events.filter(pgh_context__user__in=user_ids)
    if date_from:
        events = events.filter(pgh_created_at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(pgh_created_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return events.order_by("-pgh_created_at", "-pgh_slug")


EVENT_LABELS = {
    "insert": pgettext_lazy("history event", "Created"),
    "update": pgettext_lazy("history event", "Changed"),
    "delete": pgettext_lazy("history event", "Deleted"),
}
HIDDEN_FIELDS = {"id", "updated_at", "search_terms"}


def _shown_value(field: models.Field | None, value: object, related: dict) -> str:
    """A stored value as the pages show it: choice labels, yes/no, Beijing times, names."""
    if value is None or value == "":
        return ""
    if field is None:
        return str(value)
    if field.is_relation and field.many_to_one:
        return related.get((field.related_model, value), f"#{value}")
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return clock.to_local(parsed).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _field(tracked: type[models.Model], name: str) -> models.Field | None:
    try:
        field = tracked._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation is no column of the tracked row; history never records one.
    return field if isinstance(field, models.Field) else None


def history_describe(events: Iterable[pghistory.models.Events]) -> list:
    """Annotate a page of history rows for people: the object type's and each field's
    verbose name, choice labels, Beijing times, who made the change (names and related
    objects fetched with one query per kind, not per row)."""
    events = list(events)
    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    names = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids)}
    raw: list[tuple[Any, type | None, dict]] = []
    wanted: dict[type[models.Model], set] = {}
    for event in events:
        try:
            tracked = apps.get_model(event.pgh_obj_model)
        except (LookupError, ValueError):
            tracked = None
        if event.pgh_diff:
            changes = dict(event.pgh_diff)
        else:
            changes = {
                k: [None, v] for k, v in (event.pgh_data or {}).items() if v not in ("", None)
            }
        changes = {k: v for k, v in changes.items() if k not in HIDDEN_FIELDS}
        raw.append((event, tracked, changes))
        for name, values in changes.items():
            field = _field(tracked, name) if tracked else None
            target = field.related_model if field is not None and field.many_to_one else None
            # related_model is a class once the apps are loaded, never the string "self".
            if isinstance(target, type):
                wanted.setdefault(target, set()).update(v for v in values if v not in (None, ""))
    related = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            related[(model, obj.pk)] = str(obj)
    for event, tracked, changes in raw:
        context = event.pgh_context or {}
        event.actor_display = names.get(context.get("user"), "")
        event.api_client = context.get("api_client", "")
        event.at_local = clock.to_local(event.pgh_created_at)
        event.model_display = (
            str(capfirst(tracked._meta.verbose_name)) if tracked else event.pgh_obj_model
        )
        event.label_display = str(EVENT_LABELS.get(event.pgh_label, event.pgh_label))
        event.changes = changes
        event.change_rows = []
        for name, (before, after) in changes.items():
            field = _field(tracked, name) if tracked else None
            event.change_rows.append(
                {
                    "field": name,
                    "label": str(capfirst(field.verbose_name)) if field is not None else name,
                    "before": _shown_value(field, before, related),
                    "after": _shown_value(field, after, related),
                }
            )
    return events


def region_policy_get(*, actor: Actor) -> RegionPolicy:
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


def calendar_years(*, actor: Actor, include: int | None = None) -> list[CalendarYear]:
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


def calendar_day_list(*, actor: Actor, year: int | None = None) -> QuerySet[CalendarDay]:
    permissions.require(actor, "calendar.manage")
    days = CalendarDay.objects.order_by("date")
    return days.filter(date__year=year) if year else days


def calendar_day_get(*, actor: Actor, day_id: int) -> CalendarDay:
    permissions.require(actor, "calendar.manage")
    day = CalendarDay.objects.filter(pk=day_id).first()
    if day is None:
        raise NotFoundError()
    return day


def calendar_day_history(*, actor: Actor, year: int | None = None, limit: int = 200) -> list:
    """Who entered or removed which day, newest first (the rows' pghistory events)."""
    permissions.require(actor, "calendar.manage")
    event_model = CalendarDay.pgh_event_model  # type: ignore[attr-defined]  # set by pghistory
    events = event_model.objects.select_related("pgh_context").order_by(
        "-pgh_created_at", "-pgh_id"
    )
    if year:
        events = events.filter(date__year=year)
    events = list(events[:limit])
    User = get_user_model()
    contexts = [(e.pgh_context.metadata if e.pgh_context else {}) for e in events]
    user_ids = {c.get("user") for c in contexts} - {None}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    for event, context in zip(events, contexts, strict=True):
        event.actor_display = names.get(context.get("user"), "")
        event.api_client = context.get("api_client", "")
    return events


def region_policy_history(*, actor: Actor, policy: RegionPolicy) -> dict[str, list[dict]]:
    """Each figure's own changes, newest first: when (Beijing time), who, before and after,
    as the page shows them (shares in percent). Unsaved defaults have none."""
    permissions.require(actor, "region_policy.view")
    history: dict[str, list[dict]] = {f.name: [] for f in RegionPolicy.figures()}
    if policy.pk is None:
        return history
    events = (
        pghistory.models.Events.objects.across(apps.get_model("core", "RegionPolicyEvent"))
        .filter(pgh_obj_model=RegionPolicy._meta.label, pgh_obj_id=str(policy.pk))
        # pgh_id, not the slug: the slug is text ("core.RegionPolicyEvent:10" sorts before
        # ":9"), and changes within one transaction share their pgh_created_at.
        .order_by("-pgh_created_at", "-pgh_id")
    )
    for event in history_describe(events[:200]):
        if event.pgh_label != "update":
            continue
        for name, (before, after) in event.changes.items():
            if name in history:
                history[name].append(
                    {
                        "at": event.at_local,
                        "who": event.actor_display,
                        "before": _policy_value(name, before),
                        "after": _policy_value(name, after),
                    }
                )
    return history


def _policy_value(name: str, value: object) -> str:
    from core.policy import RATIO_FIELDS

    if value in (None, ""):
        return ""
    if name in RATIO_FIELDS:
        text = format(Decimal(str(value)) * 100, "f")
        return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"
    return str(value)
