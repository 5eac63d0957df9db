"""Negotiations the platform opens itself [R-NEGOTIATION]: the quarterly lowest-price
negotiation (NJ 2.4), on the first day of each quarter, for every product listed above its
national lowest price, target that price.

Each is an ordinary negotiation (procurement.services.negotiations), open at once (round 1,
ten days), for every hospital of the bureau's region; the bureau then counters, accepts and
concludes as usual.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind
from accounts.models import Organization
from core import clock
from procurement.choices import NegotiationKind
from procurement.models import Negotiation
from procurement.selectors.negotiations import listings_above_national_lowest_unscoped
from procurement.services.listings import history_context
from procurement.services.negotiations import negotiation_create, negotiation_round_open

QUARTERLY_ROUND_DAYS = 10
AGREEMENT_DAYS = 365


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def negotiation_quarterly_open(*, today: dt.date | None = None) -> int:
    """[R-NEGOTIATION] NJ 2.4: open the quarter's lowest-price negotiation of every bureau's
    region (beat: 04:00 on the first day of each quarter; run later in the quarter, it opens
    what is missing). Idempotent per region and quarter: one already opened is left alone
    (the ``negotiation_once_per_period`` constraint backs the check against two workers).
    Nothing to negotiate (every listing at its lowest): nothing opened. Returns how many
    opened."""
    day = today or clock.local_today()
    period = quarter_of(day)
    chosen = listings_above_national_lowest_unscoped(on=day)
    if not chosen:
        return 0
    opened = 0
    bureaus = Organization.objects.filter(kind=OrganizationKind.BUREAU, is_active=True)
    for bureau in bureaus.order_by("pk"):
        done = Negotiation.objects.filter(
            region_code=bureau.region_code, kind=NegotiationKind.QUARTERLY, period=period
        )
        if done.exists():
            continue
        try:
            with transaction.atomic(), history_context(None, "negotiation_quarterly_open"):
                negotiation = negotiation_create(
                    region_code=bureau.region_code,
                    opened_by=None,
                    title=_("Quarterly lowest-price negotiation %(period)s") % {"period": period},
                    kind=NegotiationKind.QUARTERLY,
                    chosen=chosen,
                    all_hospitals=True,
                    deadline=day + dt.timedelta(days=QUARTERLY_ROUND_DAYS),
                    effective_on=day + dt.timedelta(days=QUARTERLY_ROUND_DAYS + 1),
                    valid_until=day + dt.timedelta(days=QUARTERLY_ROUND_DAYS + AGREEMENT_DAYS),
                    period=period,
                    source_note=_("Target: the national lowest price"),
                )
                negotiation_round_open(negotiation, actor=None)
        except IntegrityError:
            continue  # another worker opened it first
        opened += 1
    return opened
