"""Starting a sync on demand: the bureau's "run now" button and API."""

from __future__ import annotations

from accounts.models import User
from core import permissions
from core.queue import enqueue_on_commit


def sync_run_enqueue(*, actor: User) -> None:
    """Queue the sync task (catalog/tasks.py, by name); the run itself takes the advisory lock,
    so a click while the nightly run is going on is recorded as skipped instead of running
    twice."""
    permissions.require(actor, "sync_run.start")
    enqueue_on_commit("catalog.lowest_price_sync", triggered_by_id=actor.pk)
