"""Negotiations opened from data [R-NEGOTIATION]: the quarterly lowest-price negotiation
(NJ 2.4), on the first day of each quarter, for every product listed above its national
lowest price, target that price; and linked price cuts (NJ 2.3), from other regions' winning
prices the bureau imports.

Each is an ordinary negotiation (procurement.services.negotiations), open at once (round 1,
ten days), for every hospital of the bureau's region; the bureau then counters, accepts and
concludes as usual.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind
from accounts.models import Organization, User
from core import clock
from core.errors import NotFoundError, ValidationError
from core.permissions import require
from procurement.choices import NegotiationKind, NegotiationOutcome
from procurement.errors import NegotiationNothingToMatchError
from procurement.models import Negotiation
from procurement.selectors.negotiations import (
    linked_price_targets_unscoped,
    linked_prices_from_xlsx,
    listings_above_national_lowest_unscoped,
)
from procurement.services.listings import history_context
from procurement.services.negotiations import (
    negotiation_create,
    negotiation_day,
    negotiation_deadline,
    negotiation_round_open,
)

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


@transaction.atomic
def negotiation_linked_import(
    *,
    actor: User,
    raw: IO[bytes],
    deadline: object,
    effective_on: object,
    valid_until: object,
    title: str = "",
) -> Negotiation:
    """[R-NEGOTIATION] NJ 2.3 linked price cuts (联动降价): the bureau imports other regions'
    winning prices (linked_prices_from_xlsx: a malformed workbook is refused with its row and
    column, nothing written); the platform invites the manufacturers of the listed products
    of those national codes priced above them to match them: one negotiation, open at once,
    target the imported price, for the whole region, the agreement becoming the listed
    price."""
    require(actor, "negotiation.manage")
    org = actor.organization
    if org is None or not org.is_regulator:
        raise NotFoundError()
    day = negotiation_deadline(deadline)
    start = negotiation_day(effective_on, "effective_on")
    end = negotiation_day(valid_until, "valid_until")
    if start <= day:
        raise ValidationError(
            fields={"effective_on": [_("The agreement takes effect after the deadline.")]}
        )
    if end < start:
        raise ValidationError(fields={"valid_until": [_("Not before the effective date.")]})
    prices = linked_prices_from_xlsx(raw)
    matched = linked_price_targets_unscoped(prices)
    if not matched:
        raise NegotiationNothingToMatchError()
    regions = sorted({source.region for _listing, _price, source in matched})
    with history_context(actor, "negotiation_linked_import"):
        negotiation = negotiation_create(
            region_code=org.region_code,
            opened_by=actor,
            title=(title or "").strip()
            or _("Linked price cut: %(regions)s") % {"regions": "、".join(regions)},
            kind=NegotiationKind.LINKED,
            chosen=[(listing, price) for listing, price, _source in matched],
            all_hospitals=True,
            outcome=NegotiationOutcome.LISTED_PRICE,
            deadline=day,
            effective_on=start,
            valid_until=end,
            source_note=_("Winning prices of %(regions)s") % {"regions": "、".join(regions)},
        )
        return negotiation_round_open(negotiation, actor=actor)
