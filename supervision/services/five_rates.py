"""Freezing a month's five rates [R-FIVE-RATES]: the figures of every slice and district, with
the month's XLSX report, written once.

Idempotent: a month already frozen is returned as it is; two runs at once both compute, and the
month's unique snapshot row lets one insert win while the other (blocked on the index until the
winner commits) rolls back and returns the winner's snapshot.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from core import clock
from supervision.errors import FiveRatesMonthInvalidError
from supervision.models import FiveRatesFigure, FiveRatesSnapshot
from supervision.reports import five_rates_xlsx
from supervision.selectors.five_rates import (
    current_month,
    five_rates_figures_unscoped,
    five_rates_report_tables,
    previous_month,
)


def five_rates_freeze(*, month: dt.date | None = None) -> FiveRatesSnapshot:
    """Freeze ``month`` (default: the previous month in Asia/Shanghai) for every slice: one
    snapshot, its figures and its report; a month not over yet is refused."""
    month = (month or previous_month(current_month())).replace(day=1)
    if month >= current_month():
        raise FiveRatesMonthInvalidError(value=f"{month:%Y-%m}")
    existing = FiveRatesSnapshot.objects.filter(month=month).first()
    if existing is not None:
        return existing
    figures = five_rates_figures_unscoped(month=month)
    report = five_rates_xlsx(month, five_rates_report_tables(figures=figures, policy_region=""))
    try:
        with transaction.atomic():
            snapshot = FiveRatesSnapshot.objects.create(
                month=month, frozen_at=clock.now(), figure_count=len(figures), report=report
            )
            FiveRatesFigure.objects.bulk_create(
                [
                    FiveRatesFigure(
                        snapshot=snapshot,
                        rate=value.rate,
                        kind=kind,
                        key=key,
                        region_code=district,
                        amount_numerator=value.amount_numerator,
                        amount_denominator=value.amount_denominator,
                        count_numerator=value.count_numerator,
                        count_denominator=value.count_denominator,
                        threshold=value.threshold,
                    )
                    for kind, key, district, value in figures
                ],
                batch_size=2000,
            )
    except IntegrityError:
        # Another run froze the month first (the unique month): its snapshot stands.
        return FiveRatesSnapshot.objects.get(month=month)
    return snapshot
