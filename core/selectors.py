"""Reads for the platform-wide pages: history and region policy."""

from __future__ import annotations

import pghistory.models
from django.contrib.auth import get_user_model

from core import permissions
from core.policy import RegionPolicy, policy_for
from core.tenancy import Actor, AnyActor


def history_list_unscoped(
    *, actor: AnyActor, model: str | None = None, limit: int = 200
) -> list[pghistory.models.Events]:
    """Every tracked change of every model: platform administrators only."""
    permissions.require(actor, "history.view")
    events = pghistory.models.Events.objects.order_by("-pgh_created_at")
    if model:
        events = events.filter(pgh_model=model)
    rows = list(events[:limit])
    # Name who made each change with one query, not one per row.
    User = get_user_model()
    user_ids = {e.pgh_context.get("user") for e in rows if e.pgh_context}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids - {None})}
    for event in rows:
        # Shown by the history page and the API (core/api/history.py), not pghistory fields.
        context = event.pgh_context or {}
        event.actor_display = names.get(context.get("user"), "")  # type: ignore[attr-defined]
        event.api_client = context.get("api_client", "")  # type: ignore[attr-defined]
        event.changes = (  # type: ignore[attr-defined]
            event.pgh_diff
            if event.pgh_diff
            else {k: [None, v] for k, v in (event.pgh_data or {}).items() if v not in ("", None)}
        )
    return rows


def history_models() -> list[str]:
    return sorted(pghistory.models.Events.objects.values_list("pgh_model", flat=True).distinct())


def region_policy_get(*, actor: Actor) -> RegionPolicy:
    permissions.require(actor, "region_policy.view")
    region = actor.organization.region_code if actor.organization else "000000"
    return policy_for(region)
