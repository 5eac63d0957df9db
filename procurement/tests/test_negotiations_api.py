"""Negotiation through the API [R-NEGOTIATION]: open, invite, offer, counter, offer, agree,
conclude; the agreed price then paid by an order of a hospital in the negotiation and not by
one outside it; each answer matches the OpenAPI schema; bad input is a 4xx envelope that
changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from catalog.choices import ReferencePriceStatus
from catalog.tests.factories import ReferencePriceFactory
from core import clock
from core.tests.helpers import client_for
from procurement.models import AgreedPrice, Negotiation, NegotiationOffer
from procurement.tests.emergency_world import on
from procurement.tests.order_world import make_world
from tests.matrix_support import assert_conforms

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
BASE = "api/v1/procurement/negotiations/"


def url(name: str, *args) -> str:
    return reverse(f"api:procurement:{name}", args=args)


def post(client, path, body=None):
    return client.post(
        path, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=f"{path}-{id(body)}-{clock.now()}"
    )


@pytest.fixture
def world():
    return make_world(price=Decimal("100.00"))


def open_body(w, **extra):
    return {
        "title": "冠脉球囊价格谈判",
        "items": [{"listing_id": w.listing.pk, "target_price": "80.00"}],
        "hospitals": [w.hospital.pk],
        "deadline": "2026-03-15",
        "effective_on": "2026-04-01",
        "valid_until": "2027-03-31",
        **extra,
    }


def opened(w, officer, **extra) -> int:
    created = post(client_for(officer), url("negotiation_list"), open_body(w, **extra))
    assert created.status_code == 201, created.json()
    return created.json()["id"]


def test_r_negotiation_end_to_end_through_the_api_then_orders_pay_it(world, officer):
    """[R-NEGOTIATION] the bureau opens and invites; the manufacturer offers 95; the bureau
    counters at 85; the manufacturer offers 88; the bureau accepts and concludes. From the
    effective date the hospital of the negotiation pays 88 and the one outside pays 100."""
    w = world
    bureau, supplier = client_for(officer), client_for(w.sales)
    with on(DAY):
        created = post(bureau, url("negotiation_list"), open_body(w))
        assert created.status_code == 201, created.json()
        assert_conforms(BASE, "POST", url("negotiation_list"), created)
        pk = created.json()["id"]
        item = created.json()["items"][0]["id"]
        # A draft is the bureau's: the supplier does not see it yet.
        assert supplier.get(url("negotiation_detail", pk)).status_code == 404
        invited = post(bureau, url("negotiation_invite", pk))
        assert invited.status_code == 200, invited.json()
        assert invited.json()["status"] == "open"
        listed = supplier.get(url("negotiation_list"))
        assert_conforms(BASE, "GET", url("negotiation_list"), listed)
        assert [n["id"] for n in listed.json()["results"]] == [pk]
        actions = supplier.get(url("negotiation_actions", pk), {"item": item})
        assert_conforms(f"{BASE}<int:pk>/actions/", "GET", url("negotiation_actions", pk), actions)
        allowed = {a["action"]: a["allowed"] for a in actions.json()["actions"]}
        assert allowed == {"offer": True, "accept_counter": True, "accept_offer": False}

        first = post(supplier, url("negotiation_offer", pk, item), {"price": "95.00"})
        assert first.status_code == 200, first.json()
        assert first.json()["items"][0]["status"] == "offered"
        countered = post(
            bureau,
            url("negotiation_counter", pk),
            {
                "deadline": "2026-03-20",
                "note": "请进一步让利",
                "targets": [{"item": item, "target_price": "85.00"}],
            },
        )
        assert countered.status_code == 200, countered.json()
        body = countered.json()
        assert (body["round_number"], body["deadline"]) == (2, "2026-03-20")
        assert (body["items"][0]["status"], body["items"][0]["target_price"]) == (
            "awaiting",
            "85.00",
        )
    with on(DAY + dt.timedelta(days=7)):  # after round 1's deadline, within round 2's
        second = post(supplier, url("negotiation_offer", pk, item), {"price": "88.00"})
        assert second.status_code == 200, second.json()
        agreed = post(bureau, url("negotiation_accept_offer", pk, item))
        assert agreed.status_code == 200, agreed.json()
        assert agreed.json()["items"][0]["agreed_price"] == "88.00"
        concluded = post(bureau, url("negotiation_conclude", pk))
        assert concluded.status_code == 200, concluded.json()
        assert concluded.json()["status"] == "concluded"
        assert concluded.json()["published_at"] is not None
        offers = concluded.json()["items"][0]["offers"]
        assert [(o["round_number"], o["price"]) for o in offers] == [(1, "95.00"), (2, "88.00")]
        # Not yet in force: the hospital still pays the listed price.
        quote = post(
            client_for(w.purchaser),
            url("order_quote"),
            {"lines": [{"listing": w.listing.pk, "quantity": 2}]},
        )
        assert quote.json()["total"] == "200.00"
    with on(dt.date(2026, 4, 1)):  # the effective date
        ours = post(
            client_for(w.purchaser),
            url("order_list"),
            {"lines": [{"listing": w.listing.pk, "quantity": 2}], "department": "心内科"},
        )
        assert ours.status_code == 201, ours.json()
        assert ours.json()["orders"][0]["lines"][0]["unit_price"] == "88.00"
        theirs = post(
            client_for(w.other_purchaser),
            url("order_list"),
            {"lines": [{"listing": w.listing.pk, "quantity": 2}], "department": "心内科"},
        )
        assert theirs.status_code == 201, theirs.json()
        assert theirs.json()["orders"][0]["lines"][0]["unit_price"] == "100.00"


def _unchanged(pk):
    return (
        NegotiationOffer.objects.filter(item__negotiation_id=pk).count(),
        Negotiation.objects.get(pk=pk).status,
    )


def test_r_negotiation_offer_after_the_deadline_is_refused(world, officer):
    w = world
    with on(DAY):
        pk = opened(w, officer)
        post(client_for(officer), url("negotiation_invite", pk))
        item = Negotiation.objects.get(pk=pk).items.get().pk
    before = _unchanged(pk)
    with on(dt.date(2026, 3, 16)):
        late = post(client_for(w.sales), url("negotiation_offer", pk, item), {"price": "90.00"})
    assert late.status_code == 409
    assert late.json()["code"] == "negotiation_deadline_passed"
    assert _unchanged(pk) == before


def test_r_negotiation_supplier_not_invited_gets_404_or_a_refusal(world, officer):
    """A manufacturer with no product in the negotiation does not see it (404); one invited
    for another product is refused for this one (403 negotiation_not_invited)."""
    w = world
    other = OrganizationFactory()
    from procurement.tests.factories import ListingFactory

    theirs = ListingFactory(manufacturer=other, price=Decimal("50.00"))
    with on(DAY):
        pk = opened(
            w,
            officer,
            items=[
                {"listing_id": w.listing.pk, "target_price": "80.00"},
                {"listing_id": theirs.pk, "target_price": "40.00"},
            ],
        )
        post(client_for(officer), url("negotiation_invite", pk))
        ours = Negotiation.objects.get(pk=pk).items.get(listing=w.listing).pk
        before = _unchanged(pk)
        stranger = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
        hidden = post(client_for(stranger), url("negotiation_offer", pk, ours), {"price": "70"})
        assert hidden.status_code == 404
        rival = UserFactory(organization=other, roles=[Role.SUPPLIER_SALES])
        # The rival sees the negotiation, but only its own product.
        shown = client_for(rival).get(url("negotiation_detail", pk)).json()
        assert [i["listing_id"] for i in shown["items"]] == [theirs.pk]
        refused = post(client_for(rival), url("negotiation_offer", pk, ours), {"price": "70.00"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "negotiation_not_invited"
    assert _unchanged(pk) == before


@pytest.mark.parametrize(
    ("price", "cap_kind"), [("100.01", "listed"), ("90.01", "reference")], ids=["listed", "ref"]
)
def test_r_negotiation_agreement_above_the_listed_or_reference_price_refused(
    world, officer, price, cap_kind
):
    w = world
    ReferencePriceFactory(
        consumable=w.listing.consumable,
        price=Decimal("90.00"),
        status=ReferencePriceStatus.CONFIRMED,
    )
    with on(DAY):
        pk = opened(w, officer)
        post(client_for(officer), url("negotiation_invite", pk))
        item = Negotiation.objects.get(pk=pk).items.get().pk
        before = _unchanged(pk)
        answer = post(client_for(w.sales), url("negotiation_offer", pk, item), {"price": price})
    assert answer.status_code == 400
    assert answer.json()["code"] == "price_above_cap"
    assert answer.json()["extra"]["cap_amount"] == ("100.00" if cap_kind == "listed" else "90.00")
    assert _unchanged(pk) == before


def test_r_negotiation_reference_price_falling_below_an_offer_blocks_its_acceptance(world, officer):
    """Checked again when agreed: a reference price confirmed after the offer caps it."""
    w = world
    with on(DAY):
        pk = opened(w, officer)
        post(client_for(officer), url("negotiation_invite", pk))
        item = Negotiation.objects.get(pk=pk).items.get().pk
        post(client_for(w.sales), url("negotiation_offer", pk, item), {"price": "95.00"})
        ReferencePriceFactory(
            consumable=w.listing.consumable,
            price=Decimal("90.00"),
            status=ReferencePriceStatus.CONFIRMED,
        )
        answer = post(client_for(officer), url("negotiation_accept_offer", pk, item))
        assert answer.status_code == 400
        assert answer.json()["code"] == "price_above_cap"
        concluded = post(client_for(officer), url("negotiation_conclude", pk))
        assert concluded.json()["code"] == "negotiation_nothing_agreed"
    assert not AgreedPrice.objects.exists()


def test_r_negotiation_supplier_accepts_the_counter_and_listed_price_changes(world, officer):
    """The supplier accepts the bureau's target; an agreement that becomes the listed price
    applies on the effective date (the daily task), through the listing price-change
    service."""
    from procurement.services.negotiations import negotiation_listed_prices_apply

    w = world
    with on(DAY):
        pk = opened(w, officer, outcome="listed_price", hospitals=[], all_hospitals=True)
        post(client_for(officer), url("negotiation_invite", pk))
        item = Negotiation.objects.get(pk=pk).items.get().pk
        accepted = post(client_for(w.sales), url("negotiation_accept_counter", pk, item))
        assert accepted.status_code == 200, accepted.json()
        assert accepted.json()["items"][0]["agreed_price"] == "80.00"
        post(client_for(officer), url("negotiation_conclude", pk))
        assert negotiation_listed_prices_apply() == 0
    w.listing.refresh_from_db()
    assert w.listing.price == Decimal("100.00")
    with on(dt.date(2026, 4, 1)):
        assert negotiation_listed_prices_apply() == 1
        assert negotiation_listed_prices_apply() == 0
    w.listing.refresh_from_db()
    assert w.listing.price == Decimal("80.00")
    change = w.listing.price_changes.get()
    assert (change.status, change.old_price) == ("approved", Decimal("100.00"))
