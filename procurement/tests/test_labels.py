"""[R-LABELS] purchase labels: set by the bureau with a reason, suggested from the evidence."""

from decimal import Decimal

import pghistory.models
import pytest

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, HospitalFactory, UserFactory
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core.tests.helpers import code_of
from procurement.choices import ListingStatus, PurchaseLabel
from procurement.selectors import labels
from procurement.selectors import listings as selectors
from procurement.services.labels import listing_label_set
from procurement.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_bureau_sets_a_label_with_a_reason_and_history_keeps_it(officer):
    listing = ListingFactory()
    listing_label_set(
        actor=officer, listing_id=listing.pk, label=PurchaseLabel.RESTRICTED, reason="质量问题通报"
    )
    listing.refresh_from_db()
    assert (listing.label, listing.label_reason) == (PurchaseLabel.RESTRICTED, "质量问题通报")
    # By pgh_id: a test's events share one transaction's pgh_created_at, so that order is
    # arbitrary between the factory's insert and the label's update.
    event = (
        pghistory.models.Events.objects.filter(
            pgh_model="procurement.ListingEvent", pgh_obj_id=str(listing.pk)
        )
        .order_by("pgh_id")
        .last()
    )
    assert event.pgh_diff["label"] == [PurchaseLabel.NORMAL, PurchaseLabel.RESTRICTED]
    assert event.pgh_context["user"] == officer.pk
    assert event.pgh_context["action"] == "listing_label_set"


@pytest.mark.parametrize(
    ("label", "reason", "code"),
    [
        (PurchaseLabel.PREFERRED, " ", "reason_required"),
        ("cheap", "原因", "invalid"),
        (PurchaseLabel.PREFERRED, "长" * 301, "invalid"),
    ],
)
def test_label_input_is_checked(officer, label, reason, code):
    listing = ListingFactory()
    assert (
        code_of(
            lambda: listing_label_set(
                actor=officer, listing_id=listing.pk, label=label, reason=reason
            )
        )
        == code
    )
    listing.refresh_from_db()
    assert listing.label == PurchaseLabel.NORMAL


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.SUPPLIER_SALES, "permission_denied"),  # the listing's own manufacturer
        (Role.HOSPITAL_PURCHASER, "permission_denied"),
        (Role.PLATFORM_ADMIN, None),
    ],
)
def test_only_the_bureau_sets_labels(role, code):
    listing = ListingFactory()
    org = {
        Role.SUPPLIER_SALES: listing.manufacturer,
        Role.HOSPITAL_PURCHASER: HospitalFactory(),
        Role.PLATFORM_ADMIN: BureauFactory(),
    }[role]
    actor = UserFactory(organization=org, roles=[role])

    def call():
        return listing_label_set(
            actor=actor, listing_id=listing.pk, label=PurchaseLabel.FORBIDDEN, reason="原因"
        )

    if code is None:
        assert call().label == PurchaseLabel.FORBIDDEN
    else:
        assert code_of(call) == code


def test_delisted_listing_takes_no_label(officer):
    listing = ListingFactory(status=ListingStatus.DELISTED)
    assert (
        code_of(
            lambda: listing_label_set(
                actor=officer, listing_id=listing.pk, label=PurchaseLabel.NORMAL, reason="x"
            )
        )
        == "invalid_state"
    )


# ---------------------------------------------------------------------------------------------
# Suggestion


def listing_priced(price: str, reference: str | None):
    product = ConsumableFactory()
    if reference is not None:
        ReferencePriceFactory(consumable=product, price=Decimal(reference))
    return ListingFactory(consumable=product, price=Decimal(price))


@pytest.mark.parametrize(
    ("price", "reference", "label"),
    [
        pytest.param("100.00", None, PurchaseLabel.NORMAL, id="alternate-catalogue"),
        pytest.param("90.00", "100.00", PurchaseLabel.PREFERRED, id="10pct-below"),
        pytest.param("50.00", "100.00", PurchaseLabel.PREFERRED, id="far-below"),
        pytest.param("90.01", "100.00", PurchaseLabel.ENCOURAGED, id="just-under-10pct"),
        pytest.param("100.00", "100.00", PurchaseLabel.ENCOURAGED, id="at-reference"),
        pytest.param("100.01", "100.00", PurchaseLabel.RESTRICTED, id="above-reference"),
    ],
)
def test_suggestion_from_price_level(price, reference, label):
    listing = listing_priced(price, reference)
    suggestion = labels.listing_label_suggestion(listing=listing)
    assert suggestion.label == label
    assert suggestion.reasons


@pytest.mark.parametrize(
    ("vbp", "credit", "price", "label"),
    [
        pytest.param("winner", "none", "100.00", PurchaseLabel.PREFERRED, id="vbp-winner"),
        pytest.param("non_winner", "none", "50.00", PurchaseLabel.NORMAL, id="non-winner-capped"),
        pytest.param("winner", "poor", "50.00", PurchaseLabel.RESTRICTED, id="poor-credit"),
        pytest.param("winner", "blacklisted", "50.00", PurchaseLabel.FORBIDDEN, id="blacklist"),
        pytest.param("winner", "none", "101.00", PurchaseLabel.RESTRICTED, id="winner-over-cap"),
    ],
)
def test_suggestion_from_vbp_and_credit_hooks(monkeypatch, vbp, credit, price, label):
    monkeypatch.setattr(labels, "vbp_status_for", lambda **_: labels.VbpStatus(vbp))
    monkeypatch.setattr(labels, "supplier_credit_for", lambda **_: labels.CreditStanding(credit))
    listing = listing_priced(price, "100.00")
    assert labels.listing_label_suggestion(listing=listing).label == label


def test_hooks_report_no_data_yet():
    listing = ListingFactory()
    assert labels.vbp_status_for(listing=listing) == labels.VbpStatus.NONE
    assert (
        labels.supplier_credit_for(manufacturer_id=listing.manufacturer_id)
        == labels.CreditStanding.NONE
    )


def test_label_list_shows_where_the_label_differs_from_the_suggestion(officer):
    restricted = listing_priced("90.00", "100.00")
    restricted.label = PurchaseLabel.RESTRICTED
    restricted.save(update_fields=["label"])
    listing_priced("100.00", None)  # normal, suggested normal
    rows = selectors.listing_label_list(actor=officer, differs=True)
    assert [(r.pk, r.suggestion.label) for r in rows] == [(restricted.pk, PurchaseLabel.PREFERRED)]
