"""Settlement's scheduled tasks: each a service call (config.settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from settlement.services import advances, ledger


@shared_task(name="settlement.advances_pay_due")
def advances_pay_due() -> int:
    """[R-ADVANCE] pay the advances of rounds whose contracts are in force and have begun."""
    return len(advances.advances_pay_due())


@shared_task(name="settlement.ledger_check")
def ledger_check() -> bool:
    """[R-ESCROW] the daily reconciliation of the books."""
    return ledger.ledger_check_run().ok
