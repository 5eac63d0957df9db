"""The demo's five rates [R-FIVE-RATES]: the previous month frozen, after the procurement and
settlement demos have seeded its orders, deliveries, invoices, payment requests and payments:
its figures, its XLSX report, and the threshold notifications of the hospitals and suppliers
below a threshold. Seeding again changes nothing (freezing is idempotent)."""

from __future__ import annotations

from supervision.choices import NotificationKind
from supervision.models import Notification
from supervision.services.five_rates import five_rates_freeze


def seed() -> dict[str, int]:
    snapshot = five_rates_freeze()
    return {
        "five_rates_figures": snapshot.figure_count,
        "five_rates_notifications": Notification.objects.filter(
            kind=NotificationKind.FIVE_RATES
        ).count(),
    }
