"""Celery entry points for the catalogue: thin, they call one service each."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="catalog.lowest_price_sync")
def lowest_price_sync_task(triggered_by_id: int | None = None) -> dict:
    """The nightly national-lowest-price sync (beat: 02:00 Asia/Shanghai).

    No automatic retry: a failed run is recorded for the bureau, and the next night's run (or a
    manual run) starts from the unchanged previous state. Redelivery is harmless: the advisory
    lock skips an overlapping run, and a re-run of the same feed changes nothing.
    """
    from accounts.models import User
    from catalog.services.sync import lowest_price_sync

    # A person who asked for a run now (catalog.services.sync_start) is checked again here and
    # recorded as its trigger.
    actor = User.objects.get(pk=triggered_by_id) if triggered_by_id is not None else None
    run = lowest_price_sync(actor=actor)
    return {"sync_run": run.pk, "status": run.status}
