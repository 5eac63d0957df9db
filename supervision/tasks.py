"""Supervision's scheduled tasks: each a service call (config.settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from supervision.services import five_rates


@shared_task(name="supervision.five_rates_freeze")
def five_rates_freeze() -> str:
    """[R-FIVE-RATES] the 1st of each month: freeze the previous month (idempotent)."""
    return str(five_rates.five_rates_freeze())
