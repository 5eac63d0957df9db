"""Celery entry point of the web-uploaded imports (catalog/services/import_jobs.py).

It lives here rather than in catalog/tasks.py (the lowest-price sync's); CatalogConfig.ready()
imports this module so that every process registers the task, because Celery's autodiscovery
only looks at ``<app>.tasks``. The service queues it by name (core.queue): this module imports
the service, never the other way round.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="catalog.import_job_run")
def import_job_run(job_id: int) -> dict:
    """Run one uploaded import. No automatic retry: a failure is recorded on the job and the
    admin starts it again; a redelivered message for a finished job does nothing."""
    from catalog.services.import_jobs import import_job_run as run

    job = run(job_id=job_id)
    return {"import_job": job.pk, "status": job.status}


@shared_task(name="catalog.import_jobs_fail_stale")
def import_jobs_fail_stale_task() -> dict:
    """Beat, every minute: fail the imports whose worker stopped (no heartbeat)."""
    from catalog.services.import_jobs import import_jobs_fail_stale

    return {"failed": import_jobs_fail_stale()}
