"""Thin Celery entry points for platform housekeeping."""

from celery import shared_task

from core import idempotency


@shared_task(name="core.idempotency_purge")
def idempotency_purge() -> int:
    """Drop Idempotency-Key records past their retention (IDEMPOTENCY_KEY_TTL)."""
    return idempotency.purge_expired()
