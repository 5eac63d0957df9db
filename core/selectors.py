"""Reads for the platform-wide pages: history and region policy."""

from __future__ import annotations

import pghistory.models

from core import permissions
from core.policy import RegionPolicy, policy_for


def history_list_unscoped(*, actor, model: str | None = None, limit: int = 200):
    """Every tracked change of every model: platform administrators only."""
    permissions.require(actor, "history.view")
    events = pghistory.models.Events.objects.order_by("-pgh_created_at")
    if model:
        events = events.filter(pgh_model=model)
    return list(events[:limit])


def history_models() -> list[str]:
    return sorted(pghistory.models.Events.objects.values_list("pgh_model", flat=True).distinct())


def region_policy_get(*, actor) -> RegionPolicy:
    permissions.require(actor, "region_policy.view")
    region = actor.organization.region_code if actor.organization else "000000"
    return policy_for(region)


__all__ = ["RegionPolicy", "history_list_unscoped", "history_models", "region_policy_get"]
