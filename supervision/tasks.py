"""Supervision's scheduled tasks: each a service call (config.settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from supervision.services import alerts, credit, dashboard, five_rates, notifications


@shared_task(name="supervision.five_rates_freeze")
def five_rates_freeze() -> str:
    """[R-FIVE-RATES] the 1st of each month: freeze the previous month (idempotent)."""
    return str(five_rates.five_rates_freeze())


@shared_task(name="supervision.credit_sources_sweep")
def credit_sources_sweep() -> int:
    """[R-CREDIT] [R-MISCONDUCT] raise the credit events of the platform's sources (emergency
    purchase violations, late-delivery patterns of the five rates, contracts not supplied) not
    raised yet; idempotent."""
    return credit.credit_sources_sweep()


@shared_task(
    name="supervision.notification_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def notification_email(notification_id: int) -> int:
    """E-mail a notification to its organisation's people (queued by notify after the commit);
    retried with backoff while the mail server fails."""
    return notifications.notification_email_send(notification_id=notification_id)


@shared_task(name="supervision.alerts_run")
def alerts_run() -> str:
    """[R-ALERT-USE] [R-MISCONDUCT] nightly: evaluate every enabled alert rule of every
    bureau's region (idempotent: live alerts are refreshed, never duplicated)."""
    return str(alerts.alerts_run())


@shared_task(name="supervision.dashboard_refresh")
def dashboard_refresh(*, user_id: int, month: str, district: str, rate: str, language: str) -> bool:
    """Recompute one dashboard scope whose kept figures went stale (queued by the page)."""
    return dashboard.dashboard_refresh(
        user_id=user_id, month=month, district=district, rate=rate, language=language
    )


@shared_task(name="supervision.dashboard_warm")
def dashboard_warm() -> int:
    """Every quarter of an hour: the regulators' default dashboards, before anyone asks."""
    return dashboard.dashboard_warm()
