"""Celery entry points for the catalogue: thin, they call one service each."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, name="catalog.lowest_price_sync")
def lowest_price_sync_task(self, triggered_by_id: int | None = None) -> dict:
    """The nightly national-lowest-price sync (beat: 02:00 Asia/Shanghai).

    No automatic retry: a failed run is recorded for the bureau, and the next night's run (or a
    manual run) starts from the unchanged previous state. Redelivery is harmless: the advisory
    lock skips an overlapping run, a re-run of the same feed changes nothing, and a message
    whose worker died is run at most SYNC_MAX_ATTEMPTS times (counted by its task id).
    """
    from accounts.models import User
    from catalog.services.sync import lowest_price_sync

    # A person who asked for a run now (catalog.services.sync_start) is checked again here and
    # recorded as its trigger.
    actor = User.objects.get(pk=triggered_by_id) if triggered_by_id is not None else None
    run = lowest_price_sync(actor=actor, task_id=self.request.id or "")
    return {"sync_run": run.pk, "status": run.status}


@shared_task(name="catalog.sync_runs_fail_stale")
def sync_runs_fail_stale_task() -> dict:
    """Beat, every minute: fail the sync runs whose worker stopped (no heartbeat)."""
    from catalog.services.sync import sync_runs_fail_stale

    return {"failed": sync_runs_fail_stale()}
