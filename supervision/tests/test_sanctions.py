"""[R-CREDIT] [R-MISCONDUCT] sanctions bite in procurement by themselves and end by
themselves: a suspended listing cannot be quoted, ordered or submitted; a supplier whose
delivery right is suspended cannot ship; a supplier barred from tenders cannot bid. Each is
allowed again once the sanction's days are over (the clock moved, no task run)."""

import pytest

from core import restrictions
from core.errors import DomainError
from core.tests.helpers import code_of
from procurement.selectors.cart import order_quote
from procurement.services import deliveries, orders
from procurement.tests import bid_world
from procurement.tests.order_world import add_listing, confirmed, draft, gs1, make_world, refused
from supervision.choices import CreditRating, SanctionKind
from supervision.models import Notification, Sanction
from supervision.selectors.credit import credit_standing_unscoped
from supervision.tests.credit_world import after, bureau_officer, record, set_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def officer():
    return bureau_officer()


def _lines(listing):
    return [{"listing": listing.pk, "quantity": 2}]


def test_provider_is_registered_from_the_app_config():
    assert "credit_sanctions" in restrictions.registered_providers()


def test_suspended_listing_cannot_be_quoted_ordered_or_submitted_until_it_ends_r_credit(w, officer):
    """supply_failure: listing suspended 30 days. A draft made before is refused on submit."""
    before = draft(w)
    event = record(officer, w.manufacturer, listing=w.listing)
    quote = order_quote(actor=w.purchaser, lines=_lines(w.listing))
    assert [r.error.code for r in quote.refusals] == ["sanction_in_force"]
    assert quote.groups == []
    error = refused(
        orders.order_create,
        "sanction_in_force",
        actor=w.purchaser,
        lines=_lines(w.listing),
        department="骨科",
    )
    assert error.extra["sanction"] == SanctionKind.SUSPEND_LISTING
    assert error.extra["event"] == event.pk
    assert w.manufacturer.name in error.message
    refused(orders.order_submit, "sanction_in_force", actor=w.purchaser, order_id=before.pk)
    with after(29, minutes=0):  # still the 30th day
        refused(orders.order_submit, "sanction_in_force", actor=w.purchaser, order_id=before.pk)
    with after(30):
        assert order_quote(actor=w.purchaser, lines=_lines(w.listing)).refusals == []
        assert orders.order_submit(actor=w.purchaser, order_id=before.pk).status == "submitted"
        assert orders.order_create(actor=w.purchaser, lines=_lines(w.listing), department="骨科")


def test_a_listing_suspension_covers_only_its_listing_r_credit(w, officer):
    other = add_listing(w)
    record(officer, w.manufacturer, listing=w.listing)
    assert orders.order_create(actor=w.purchaser, lines=_lines(other), department="骨科")


def test_a_suspension_naming_no_listing_covers_all_the_suppliers_listings_r_credit(w, officer):
    other = add_listing(w)
    record(officer, w.manufacturer)
    quote = order_quote(actor=w.purchaser, lines=[*_lines(w.listing), *_lines(other)])
    assert [r.error.code for r in quote.refusals] == ["sanction_in_force"] * 2


def test_another_suppliers_sanction_does_not_touch_this_one_r_credit(w, officer):
    record(officer, w.distributor)
    assert orders.order_create(actor=w.purchaser, lines=_lines(w.listing), department="骨科")


def test_suspended_delivery_right_refuses_shipping_until_it_ends_r_credit(w, officer):
    """delivery_failure: delivery right suspended 60 days (the carrier)."""
    set_days(officer, "delivery_failure", {SanctionKind.SUSPEND_DELIVERY: 2})
    order = confirmed(w)
    line = order.lines.get()
    record(officer, w.manufacturer, "delivery_failure")
    ship = {
        "actor": w.sales,
        "order_id": order.pk,
        "lines": [{"order_line": line.pk, "quantity": 10, "barcode": gs1(w.di)}],
    }
    error = refused(deliveries.delivery_create, "sanction_in_force", **ship)
    assert error.extra["sanction"] == SanctionKind.SUSPEND_DELIVERY
    with after(2):
        assert deliveries.delivery_create(**ship).pk


def test_a_distributors_suspended_delivery_right_stops_its_deliveries_only_r_credit(w, officer):
    order = confirmed(w, distributor=True)
    record(officer, w.distributor, "delivery_failure")
    line = order.lines.get()
    refused(
        deliveries.delivery_create,
        "sanction_in_force",
        actor=w.distributor_sales,
        order_id=order.pk,
        lines=[{"order_line": line.pk, "quantity": 10, "barcode": gs1(w.di)}],
    )


def test_barred_supplier_cannot_bid_until_the_bar_ends_r_credit():
    world = bid_world.make_bid_world()
    officer = world.officer
    set_days(officer, "collusive_bidding", {SanctionKind.BAR_TENDERS: 2}, repairable=False)
    record(officer, world.sellers["A"].organization, "collusive_bidding")
    with pytest.raises(DomainError) as error:
        world.bid("A", "80.00")
    assert getattr(error.value, "code", None) == "sanction_in_force"
    assert world.bid("B", "85.00").pk  # another supplier bids
    with after(2):
        assert world.bid("A", "80.00").pk


def test_recording_an_event_imposes_its_items_sanctions_and_tells_the_supplier_r_credit(w, officer):
    event = record(officer, w.manufacturer, "collusive_bidding")
    kinds = set(Sanction.objects.filter(event=event).values_list("kind", flat=True))
    assert kinds == {
        SanctionKind.SUSPEND_LISTING,
        SanctionKind.BAR_TENDERS,
        SanctionKind.PUBLIC_DISCLOSURE,
    }
    (note,) = Notification.objects.filter(organization=w.manufacturer)
    assert note.kind == "sanction"
    assert note.link == f"/supervision/credit/events/{event.pk}/"
    assert "相互串通报价" in note.text


def test_score_and_rating_follow_the_standing_events_r_credit(w, officer):
    assert credit_standing_unscoped(subject_id=w.manufacturer.pk).rating == CreditRating.A
    record(officer, w.manufacturer, "collusive_bidding")  # 30
    standing = credit_standing_unscoped(subject_id=w.manufacturer.pk)
    assert (standing.score, standing.rating) == (70, CreditRating.C)
    record(officer, w.manufacturer, "commercial_bribery")  # 40
    assert credit_standing_unscoped(subject_id=w.manufacturer.pk).rating == CreditRating.D
    with after(366):
        assert credit_standing_unscoped(subject_id=w.manufacturer.pk).score == 100


def test_the_bureau_records_only_against_suppliers_and_hospitals(w, officer):
    assert code_of(lambda: record(officer, officer.organization)) == "credit_subject_invalid"
    assert (
        code_of(lambda: record(officer, w.manufacturer, "no_such_item"))
        == "misconduct_item_unknown"
    )
    assert code_of(lambda: record(w.sales, w.manufacturer)) == "permission_denied"
