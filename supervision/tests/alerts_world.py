"""Helpers for the alert tests: a bureau officer of 320100 (Nanjing), and the rules run for
its region on a given day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
from procurement.choices import PriceChangeStatus
from procurement.models import ListingPriceChange
from supervision.models import Alert
from supervision.selectors.alert_rules import rules
from supervision.services import alerts as services

REGION = "320100"


def officer(region_code: str = REGION, bureau=None):
    return UserFactory(
        organization=bureau or BureauFactory(region_code=region_code),
        roles=[Role.BUREAU_OFFICER],
    )


def evaluate(code: str, *, as_of: dt.date | None = None, region: str = REGION, **params):
    spec = rules()[code]
    values = spec.defaults()
    values.update({k: Decimal(str(v)) for k, v in params.items()})
    return list(
        spec.evaluate(region_code=region, params=values, as_of=as_of or clock.local_today())
    )


def rise(listing, old: str, new: str, *, by, days_ago: int = 10) -> ListingPriceChange:
    """An approved price change of ``listing`` ``days_ago`` days ago."""
    return ListingPriceChange.objects.create(
        listing=listing,
        old_price=Decimal(old),
        new_price=Decimal(new),
        status=PriceChangeStatus.APPROVED,
        requested_by=by,
        reviewed_at=clock.now() - dt.timedelta(days=days_ago),
    )


def run(**kwargs) -> dict[str, int]:
    return services.alerts_run(region_code=REGION, **kwargs)


def live() -> list[Alert]:
    return list(Alert.objects.live().order_by("pk"))
