"""Thin Celery entry points for platform housekeeping."""

from celery import shared_task

from core import home, idempotency


@shared_task(name="core.idempotency_purge")
def idempotency_purge() -> int:
    """Drop Idempotency-Key records past their retention (IDEMPOTENCY_KEY_TTL)."""
    return idempotency.purge_expired()


@shared_task(name="core.export_job_run")
def export_job_run(job_id: int) -> dict:
    """Write one export (core.export_jobs). No automatic retry: a failure is recorded on the
    job and the user starts it again; a redelivered message for a claimed job does nothing."""
    from core.export_jobs import export_job_run as run

    job = run(job_id=job_id)
    return {"export_job": job_id, "status": job.status if job else None}


@shared_task(name="core.export_jobs_fail_stale")
def export_jobs_fail_stale_task() -> dict:
    """Beat, every minute: fail the exports whose worker stopped (no heartbeat)."""
    from core.export_jobs import export_jobs_fail_stale

    return {"failed": export_jobs_fail_stale()}


@shared_task(name="core.export_jobs_purge")
def export_jobs_purge_task() -> dict:
    """Beat, hourly: delete exports (and files) older than EXPORT_RETENTION_H."""
    from core.export_jobs import export_jobs_purge

    return {"purged": export_jobs_purge()}


@shared_task(name="core.home_card_refresh")
def home_card_refresh(*, card_key: str, user_id: int) -> bool:
    """Count a kept home card again (queued when its figures went stale)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return home.card_refresh(card_key, user)
