"""The hospitals' own catalogues in tests [R-HOSP-CATALOGUE].

The platform refuses an order of a product the hospital's committee has not admitted (the
region policy's ``hospital_catalogue_required``, on by default). Thousands of tests order
products for other reasons; for them the committee's admission is a fixture: while
``admit_everything`` is connected, every listing that becomes listed is admitted into every
hospital's catalogue, and every new hospital admits every listed listing, as real rows that
the real check reads on every order. The tests of the catalogue itself ask for the rule as
it is, with ``@pytest.mark.catalogue_strict`` (the root conftest then leaves this off).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db.models.signals import post_save

from accounts.choices import OrganizationKind
from accounts.models import Organization
from core import clock
from procurement.choices import ListingStatus
from procurement.models import CatalogueEntry, Listing

REFERENCE = "测试：全部准入"


def _entries(pairs) -> None:
    now = clock.now()
    CatalogueEntry.objects.bulk_create(
        [
            CatalogueEntry(
                hospital_id=hospital_id,
                listing_id=listing_id,
                consumable_id=consumable_id,
                decision_date=clock.local_today(),
                decision_reference=REFERENCE,
                admitted_at=now,
                changed_at=now,
            )
            for hospital_id, listing_id, consumable_id in pairs
        ],
        ignore_conflicts=True,
    )


def _listing_saved(sender, instance: Listing, **kwargs) -> None:
    if instance.status != ListingStatus.LISTED:
        return
    hospitals = Organization.objects.filter(kind=OrganizationKind.HOSPITAL).values_list(
        "pk", flat=True
    )
    _entries((pk, instance.pk, instance.consumable_id) for pk in hospitals)


def _organization_saved(sender, instance: Organization, created: bool, **kwargs) -> None:
    if not created or instance.kind != OrganizationKind.HOSPITAL:
        return
    listings = Listing.objects.filter(status=ListingStatus.LISTED).values_list(
        "pk", "consumable_id"
    )
    _entries((instance.pk, pk, consumable_id) for pk, consumable_id in listings)


@contextmanager
def admit_everything():
    post_save.connect(_listing_saved, sender=Listing, dispatch_uid="test_admit_listing")
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid="test_admit_org")
    try:
        yield
    finally:
        post_save.disconnect(sender=Listing, dispatch_uid="test_admit_listing")
        post_save.disconnect(sender=Organization, dispatch_uid="test_admit_org")
