"""Freezing a month's five rates [R-FIVE-RATES]: the figures of every slice and district, with
the month's XLSX report, written once.

Idempotent: a month already frozen is returned as it is; two runs at once both compute, and the
month's unique snapshot row lets one insert win while the other (blocked on the index until the
winner commits) rolls back and returns the winner's snapshot.

Threshold notifications [R-FIVE-RATES]: the run that writes the snapshot tells every hospital
and supplier below a threshold that month, in the same transaction as the snapshot. So each
party is told once a month: a second run finds the month frozen and tells nobody, and a
concurrent run that loses the snapshot insert rolls its notifications back with it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import clock
from supervision.choices import NotificationKind, Rate
from supervision.errors import FiveRatesMonthInvalidError
from supervision.models import FiveRatesFigure, FiveRatesSnapshot
from supervision.reports import five_rates_xlsx
from supervision.selectors.five_rates import (
    SliceRates,
    current_month,
    five_rates_below_unscoped,
    five_rates_figures_unscoped,
    five_rates_report_tables,
    previous_month,
)
from supervision.services.notifications import notify_many


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
            five_rates_notify_below(month=month)
    except IntegrityError:
        # Another run froze the month first (the unique month): its snapshot stands.
        return FiveRatesSnapshot.objects.get(month=month)
    return snapshot


def _below_text(month: dt.date, party: SliceRates) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        rates = _(", ").join(str(Rate(rate).label) for rate in party.below)
        return _(
            "Your five rates of %(month)s are frozen: below the threshold in %(rates)s. "
            "See your rates and your rank."
        ) % {"month": f"{month:%Y-%m}", "rates": rates}


def five_rates_notify_below(*, month: dt.date) -> int:
    """[R-FIVE-RATES] tell every hospital and supplier below a threshold in ``month`` which
    rates it misses, with a link to its own five rates of that month; how many were told.
    Called by ``five_rates_freeze`` inside the transaction that writes the month's snapshot
    (that is what makes it once a month and party)."""
    link = f"{reverse('supervision:five_rates')}?month={month:%Y-%m}"
    notices = [
        (int(party.key), _below_text(month, party))
        for parties in five_rates_below_unscoped(month=month).values()
        for party in parties
        if party.key.isdigit()
    ]
    return notify_many(notices, kind=NotificationKind.FIVE_RATES, link=link)
