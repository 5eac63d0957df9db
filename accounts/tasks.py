"""Accounts' scheduled tasks: each a service call (config.settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from accounts.services import audit_chain_check_run


@shared_task(name="accounts.audit_chain_check")
def audit_chain_check() -> bool:
    """[R-AUDIT-CHAIN] the daily verification of the security log's hash chain."""
    return audit_chain_check_run().ok
