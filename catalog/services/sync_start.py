"""Starting a sync on demand: the bureau's "run now" button and API."""

from __future__ import annotations

from django.db import transaction

from core import permissions


def sync_run_enqueue(*, actor) -> None:
    """Queue the sync task; the run itself takes the advisory lock, so a click while the nightly
    run is going on is recorded as skipped instead of running twice."""
    permissions.require(actor, "sync_run.start")
    from catalog.tasks import lowest_price_sync_task

    transaction.on_commit(lambda: lowest_price_sync_task.delay(triggered_by_id=actor.pk))
