"""[R-LIST-PRICE-CAP] Reaction to reference price cuts: flag listings above the new reference
price, give the supplier the grace days, then label them Restricted [R-LABELS]."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from catalog.models import ReferencePrice, ReferencePriceCut
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core import clock
from core.errors import DomainError
from core.policy import RegionPolicy
from procurement.choices import Catalogue, ListingStatus, PurchaseLabel
from procurement.services import listings as services
from procurement.tasks import listing_overdue_restrict_task, listing_reference_cuts_process_task
from procurement.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

# 10:00 in Shanghai on 2025-10-09, a Thursday.
START = dt.datetime(2025, 10, 9, 2, 0, tzinfo=dt.UTC)
GRACE = 15


@pytest.fixture
def clock_at():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def product():
    return ConsumableFactory()


def cut_to(product, new_price: str, old_price: str | None = None) -> ReferencePriceCut:
    """Confirm ``new_price`` as the product's reference price and record the fall, the way
    catalog.services.prices.reference_price_confirm does."""
    ReferencePrice.objects.filter(consumable=product, status="confirmed").update(
        status="superseded"
    )
    rp = ReferencePriceFactory(consumable=product, price=Decimal(new_price))
    return ReferencePriceCut.objects.create(
        consumable=product,
        reference_price=rp,
        old_price=Decimal(old_price) if old_price else None,
        new_price=Decimal(new_price),
        effective_at=clock.now(),
    )


def test_cut_flags_live_listings_above_the_new_reference_price(clock_at, product):
    above = ListingFactory(consumable=product, price=Decimal("100.00"))
    at = ListingFactory(consumable=product, price=Decimal("90.00"))
    suspended = ListingFactory(
        consumable=product, price=Decimal("120.00"), status=ListingStatus.SUSPENDED
    )
    draft = ListingFactory(consumable=product, price=Decimal("150.00"), status=ListingStatus.DRAFT)
    cut = cut_to(product, "90.00")

    result = services.listing_reference_cuts_process()

    due = clock.local_today() + dt.timedelta(days=GRACE)
    assert (result.cuts, result.flagged, result.recatalogued) == (1, 2, 3)
    for listing, want_due, want_catalogue in [
        (above, due, Catalogue.CAPPED),
        (at, None, Catalogue.CAPPED),
        (suspended, due, Catalogue.CAPPED),
        (draft, None, Catalogue.ALTERNATE),  # decided when it is approved
    ]:
        listing.refresh_from_db()
        assert (listing.price_cut_due_on, listing.catalogue) == (want_due, want_catalogue)
    cut.refresh_from_db()
    assert cut.processed_at is not None


def test_cut_processing_is_idempotent(clock_at, product):
    listing = ListingFactory(consumable=product, price=Decimal("100.00"))
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()
    listing.refresh_from_db()
    first_due = listing.price_cut_due_on
    clock_at.shift(dt.timedelta(days=3))
    again = services.listing_reference_cuts_process()
    assert (again.cuts, again.flagged, again.recatalogued) == (0, 0, 0)
    listing.refresh_from_db()
    assert listing.price_cut_due_on == first_due


def test_a_second_cut_keeps_the_running_deadline(clock_at, product):
    listing = ListingFactory(consumable=product, price=Decimal("100.00"))
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()
    first_due = clock.local_today() + dt.timedelta(days=GRACE)
    clock_at.shift(dt.timedelta(days=5))
    cut_to(product, "85.00", "90.00")
    services.listing_reference_cuts_process()
    listing.refresh_from_db()
    assert listing.price_cut_due_on == first_due


def test_grace_days_come_from_the_region_policy(clock_at, product, settings):
    settings.REFERENCE_PRICE_REGION_CODE = "320100"
    RegionPolicy.objects.create(region_code="320100", listing_price_cut_grace_days=7)
    listing = ListingFactory(consumable=product, price=Decimal("100.00"))
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()
    listing.refresh_from_db()
    assert listing.price_cut_due_on == clock.local_today() + dt.timedelta(days=7)


def test_overdue_listing_is_restricted_the_day_after_the_deadline(clock_at, product):
    listing = ListingFactory(consumable=product, price=Decimal("100.00"))
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()

    clock_at.shift(dt.timedelta(days=GRACE))  # the due day itself: still in time
    assert services.listing_overdue_restrict() == 0
    listing.refresh_from_db()
    assert listing.label == PurchaseLabel.NORMAL

    clock_at.shift(dt.timedelta(days=1))
    assert services.listing_overdue_restrict() == 1
    listing.refresh_from_db()
    assert listing.label == PurchaseLabel.RESTRICTED
    assert "¥90.00" in listing.label_reason
    assert services.listing_overdue_restrict() == 0  # idempotent


def test_price_cut_in_time_clears_the_deadline_and_avoids_restriction(clock_at, product):
    listing = ListingFactory(consumable=product, price=Decimal("100.00"))
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()
    sales = UserFactory(organization=listing.manufacturer, roles=[Role.SUPPLIER_SALES])
    officer = UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    change = services.listing_price_change_request(
        actor=sales, listing_id=listing.pk, new_price="90.00"
    )
    services.listing_price_change_approve(actor=officer, price_change_id=change.pk)
    listing.refresh_from_db()
    assert (listing.price, listing.price_cut_due_on) == (Decimal("90.00"), None)
    clock_at.shift(dt.timedelta(days=GRACE + 1))
    assert services.listing_overdue_restrict() == 0


def test_a_cut_short_of_the_reference_price_is_refused_and_the_deadline_runs(clock_at, product):
    listing = ListingFactory(consumable=product, price=Decimal("100.00"))
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()
    sales = UserFactory(organization=listing.manufacturer, roles=[Role.SUPPLIER_SALES])
    with pytest.raises(DomainError) as exc:
        services.listing_price_change_request(actor=sales, listing_id=listing.pk, new_price="95")
    assert exc.value.code == "price_above_cap"
    clock_at.shift(dt.timedelta(days=GRACE + 1))
    assert services.listing_overdue_restrict() == 1


def test_forbidden_label_is_not_relaxed_to_restricted(clock_at, product):
    listing = ListingFactory(
        consumable=product, price=Decimal("100.00"), label=PurchaseLabel.FORBIDDEN
    )
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()
    clock_at.shift(dt.timedelta(days=GRACE + 1))
    assert services.listing_overdue_restrict() == 0
    listing.refresh_from_db()
    assert listing.label == PurchaseLabel.FORBIDDEN


def test_delisted_listings_are_left_alone(clock_at, product):
    listing = ListingFactory(
        consumable=product, price=Decimal("100.00"), status=ListingStatus.DELISTED
    )
    cut_to(product, "90.00")
    services.listing_reference_cuts_process()
    listing.refresh_from_db()
    assert listing.price_cut_due_on is None


def test_first_reference_price_through_the_catalogue_services(clock_at, product):
    """End to end with the catalogue's own confirmation: a first reference price below the
    listed price moves the listing into the capped catalogue and starts the deadline."""
    from catalog.services import prices

    listing = ListingFactory(consumable=product, price=Decimal("100.00"))
    assert listing.catalogue == Catalogue.ALTERNATE
    rp = prices.reference_price_propose(consumable_id=product.pk, price="88.00")
    clock_at.shift(dt.timedelta(days=30))  # past the publicity
    prices.reference_price_confirm(reference_price_id=rp.pk)
    services.listing_reference_cuts_process()
    listing.refresh_from_db()
    assert listing.catalogue == Catalogue.CAPPED
    assert listing.price_cut_due_on == clock.local_today() + dt.timedelta(days=GRACE)


def test_tasks_call_the_services(clock_at, product):
    ListingFactory(consumable=product, price=Decimal("100.00"))
    cut_to(product, "90.00")
    assert listing_reference_cuts_process_task.delay().get() == {
        "cuts": 1,
        "flagged": 1,
        "recatalogued": 1,
    }
    clock_at.shift(dt.timedelta(days=GRACE + 1))
    assert listing_overdue_restrict_task.delay().get() == {"restricted": 1}


def test_tasks_run_nightly_after_the_sync():
    schedule = settings.CELERY_BEAT_SCHEDULE
    cuts = schedule["procurement-listing-reference-cuts"]
    restrict = schedule["procurement-listing-overdue-restrict"]
    assert cuts["task"] == "procurement.listing_reference_cuts_process"
    assert restrict["task"] == "procurement.listing_overdue_restrict"
    sync_hour = min(schedule["catalog-lowest-price-sync"]["schedule"].hour)
    assert min(cuts["schedule"].hour) > sync_hour
    assert (min(restrict["schedule"].hour), min(restrict["schedule"].minute)) > (
        min(cuts["schedule"].hour),
        min(cuts["schedule"].minute),
    )
