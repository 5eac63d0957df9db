"""The quarterly lowest-price negotiation (NJ 2.4) [R-NEGOTIATION]: on the first day of the
quarter the task opens, for the bureau's region, a negotiation on every product listed above
its national lowest price, target that price; replayed, it opens nothing twice."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import BureauFactory
from catalog.choices import ReferencePriceStatus
from catalog.models import PriceObservation
from catalog.tests.factories import ReferencePriceFactory
from procurement.choices import ListingStatus, NegotiationKind, NegotiationStatus
from procurement.models import Negotiation
from procurement.tasks import negotiation_quarterly_open_task
from procurement.tests.emergency_world import on
from procurement.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

QUARTER_DAY = dt.date(2026, 4, 1)


def observed(listing, price: str, day: dt.date) -> None:
    PriceObservation.objects.create(
        consumable=listing.consumable,
        province_code="440000",
        source_platform="广东省药品交易中心",
        price=Decimal(price),
        observed_on=day,
    )


@pytest.fixture
def bureau():
    return BureauFactory(region_code="320100")


def test_r_negotiation_quarterly_opens_once_per_quarter_with_the_national_lowest_target(bureau):
    above = ListingFactory(price=Decimal("100.00"))
    observed(above, "82.50", QUARTER_DAY - dt.timedelta(days=20))
    capped = ListingFactory(price=Decimal("200.00"))  # the reference price was cut below it
    ReferencePriceFactory(
        consumable=capped.consumable, price=Decimal("180.00"), status=ReferencePriceStatus.CONFIRMED
    )
    at_lowest = ListingFactory(price=Decimal("50.00"))
    observed(at_lowest, "50.00", QUARTER_DAY - dt.timedelta(days=3))
    stale = ListingFactory(price=Decimal("70.00"))  # seen lower, but over a quarter ago
    observed(stale, "60.00", QUARTER_DAY - dt.timedelta(days=120))
    ListingFactory(price=Decimal("10.00"), status=ListingStatus.DRAFT)
    with on(QUARTER_DAY):
        assert negotiation_quarterly_open_task.delay().get() == {"opened": 1}
        assert negotiation_quarterly_open_task.delay().get() == {"opened": 0}
    negotiation = Negotiation.objects.get()
    assert (negotiation.kind, negotiation.period, negotiation.status) == (
        NegotiationKind.QUARTERLY,
        "2026Q2",
        NegotiationStatus.OPEN,
    )
    assert (negotiation.region_code, negotiation.all_hospitals) == ("320100", True)
    assert dict(negotiation.items.values_list("listing_id", "target_price")) == {
        above.pk: Decimal("82.50"),
        capped.pk: Decimal("180.00"),
    }
    assert negotiation.rounds.count() == 1
    # The next quarter opens its own.
    with on(dt.date(2026, 7, 1)):
        assert negotiation_quarterly_open_task.delay().get() == {"opened": 1}
    assert sorted(Negotiation.objects.values_list("period", flat=True)) == ["2026Q2", "2026Q3"]


def test_r_negotiation_quarterly_opens_nothing_when_every_listing_is_at_its_lowest(bureau):
    listing = ListingFactory(price=Decimal("50.00"))
    observed(listing, "50.00", QUARTER_DAY)
    with on(QUARTER_DAY):
        assert negotiation_quarterly_open_task.delay().get() == {"opened": 0}
    assert not Negotiation.objects.exists()


def test_r_negotiation_quarterly_is_scheduled_on_the_first_day_of_each_quarter(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["procurement-negotiation-quarterly"]
    assert entry["task"] == "procurement.negotiation_quarterly_open"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.month_of_year, schedule.hour) == (
        {1},
        {1, 4, 7, 10},
        {4},
    )
