"""[R-LABELS] [R-CREDIT] supervision's credit weighs on procurement's label suggestion through
core.credit: a risk notice or a suspension in force makes the supplier's credit poor (at most
Restricted), a bar from tenders or a public disclosure blacklists it (Forbidden), a score below
75 is poor, a confirmed serious quality report on the product is poor; each stops counting by
itself when the sanction ends (the clock moved, no task run)."""

from decimal import Decimal

import pytest

from core import credit as core_credit
from procurement.choices import PurchaseLabel
from procurement.selectors.labels import (
    CreditStanding,
    listing_label_suggestion,
    supplier_credit_for,
)
from procurement.tests.order_world import make_world
from supervision.services import quality as quality_services
from supervision.tests import quality_world
from supervision.tests.credit_world import after, bureau_officer, record, set_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def officer():
    return bureau_officer()


def _label(listing):
    return listing_label_suggestion(listing=listing).label


def test_the_provider_is_registered_from_the_app_config():
    assert "supervision_credit" in core_credit._PROVIDERS


def test_a_supplier_without_events_keeps_its_suggestion_r_labels(w):
    assert supplier_credit_for(manufacturer_id=w.manufacturer.pk) == CreditStanding.NONE
    assert _label(w.listing) != PurchaseLabel.RESTRICTED


def test_a_risk_notice_restricts_the_suggestion_until_it_ends_r_labels(w, officer):
    """supply_failure: risk notice 90 days, listing suspended 30 days, 10 points (score 90)."""
    normal = _label(w.listing)
    record(officer, w.manufacturer)
    suggestion = listing_label_suggestion(listing=w.listing)
    assert suggestion.label == PurchaseLabel.RESTRICTED
    assert any("风险" in str(r) or "risk notice" in str(r) for r in suggestion.reasons)
    with after(89):
        assert _label(w.listing) == PurchaseLabel.RESTRICTED
    with after(90):
        assert supplier_credit_for(manufacturer_id=w.manufacturer.pk) == CreditStanding.NONE
        assert _label(w.listing) == normal


def test_a_public_disclosure_forbids_until_it_ends_r_labels(w, officer):
    """false_documents: suspend listing 180, bar 365, public disclosure 365 days, 20 points."""
    normal = _label(w.listing)
    record(officer, w.manufacturer, "false_documents")
    assert supplier_credit_for(manufacturer_id=w.manufacturer.pk) == CreditStanding.BLACKLISTED
    assert _label(w.listing) == PurchaseLabel.FORBIDDEN
    with after(200):  # the listing suspension is over, the bar and disclosure are not
        assert _label(w.listing) == PurchaseLabel.FORBIDDEN
    with after(365):
        assert _label(w.listing) == normal


def test_a_written_warning_alone_changes_nothing_r_labels(w, officer):
    """regional_price_gap: written warning 30 days, 5 points (score 95)."""
    normal = _label(w.listing)
    record(officer, w.manufacturer, "regional_price_gap")
    assert _label(w.listing) == normal


def test_a_score_below_75_is_poor_credit_r_labels(w, officer):
    """Without sanctions: untrue_price 10 + abnormal_price_rise 8 = 18 (score 82): normal;
    + delivery_failure 10 = 28 (score 72 < 75): poor."""
    for code in ("untrue_price", "abnormal_price_rise", "delivery_failure"):
        set_days(officer, code, {})
    normal = _label(w.listing)
    record(officer, w.manufacturer, "untrue_price")
    record(officer, w.manufacturer, "abnormal_price_rise")
    assert supplier_credit_for(manufacturer_id=w.manufacturer.pk) == CreditStanding.NONE
    record(officer, w.manufacturer, "delivery_failure")
    assert supplier_credit_for(manufacturer_id=w.manufacturer.pk) == CreditStanding.POOR
    assert _label(w.listing) == PurchaseLabel.RESTRICTED
    with after(366):  # the events are older than the score's window
        assert _label(w.listing) == normal


def test_a_suspension_naming_a_listing_weighs_on_that_listing_only_r_labels(w, officer):
    from procurement.tests.order_world import add_listing

    other = add_listing(w)
    normal = _label(other)
    set_days(officer, "supply_failure", {"suspend_listing": 30})
    record(officer, w.manufacturer, listing=w.listing)
    assert _label(w.listing) == PurchaseLabel.RESTRICTED
    assert _label(other) == normal


def test_a_confirmed_serious_quality_report_restricts_the_product_r_labels():
    """The quality item without sanctions (20 points, score 80): only the confirmation of the
    serious report on the product makes its listing Restricted."""
    qw = quality_world.make_rates_world()
    set_days(qw.bureau, "quality_problem", {})
    quality_world.received(qw, qw.hospital, "LOTQ")
    listing = qw.listing(qw.supplier, Decimal("10.00"))
    normal = _label(listing)
    report = quality_world.file(qw, lot="LOTQ", severity="serious")
    assert _label(listing) == normal  # filed, not confirmed yet
    quality_services.quality_report_confirm(
        actor=qw.bureau, report_id=report.pk, reason="经核查属实"
    )
    suggestion = listing_label_suggestion(listing=listing)
    assert suggestion.label == PurchaseLabel.RESTRICTED
    assert any("quality" in str(r) or "质量" in str(r) for r in suggestion.reasons)
