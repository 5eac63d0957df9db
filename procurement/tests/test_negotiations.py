"""Negotiation services and selectors [R-NEGOTIATION]: the state machine and its refusals,
the public results [R-DISCLOSE], the candidates the data suggests, the portfolio target."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import HospitalFactory
from catalog.tests.factories import ConsumableFactory
from core.errors import InvalidStateError, ValidationError
from core.policy import RegionPolicy
from procurement.choices import ListingStatus, NegotiationItemStatus
from procurement.models import AgreedPrice, Negotiation
from procurement.selectors.negotiations import (
    negotiation_actions,
    negotiation_candidates,
    negotiation_public_results,
)
from procurement.services import negotiations as services
from procurement.tests.emergency_world import on
from procurement.tests.factories import ListingFactory, OrderFactory, OrderLineFactory
from procurement.tests.negotiation_world import agreed, invited, item_of
from procurement.tests.order_world import make_world

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def world():
    return make_world(price=Decimal("100.00"))


def test_r_negotiation_concluded_twice_or_offered_after_conclusion_is_invalid_state(world, officer):
    w = world
    with on(DAY):
        negotiation = agreed(officer, w.sales, w.listing, [w.hospital])
        services.negotiation_conclude(actor=officer, negotiation_id=negotiation.pk)
        with pytest.raises(InvalidStateError):
            services.negotiation_conclude(actor=officer, negotiation_id=negotiation.pk)
        with pytest.raises(InvalidStateError):
            services.negotiation_offer(
                actor=w.sales,
                negotiation_id=negotiation.pk,
                item_id=item_of(negotiation).pk,
                price="50.00",
            )
    assert AgreedPrice.objects.filter(hospital=w.hospital).count() == 1


def test_r_negotiation_actions_match_what_the_services_allow(world, officer):
    """The bureau may not accept before an offer; the supplier may offer until it has."""
    w = world
    with on(DAY):
        negotiation = invited(officer, [w.listing], [w.hospital])
        item = item_of(negotiation)
        bureau = negotiation_actions(actor=officer, negotiation=negotiation, item=item)
        supplier = negotiation_actions(actor=w.sales, negotiation=negotiation, item=item)
        assert not bureau["accept_offer"]
        assert bureau["accept_offer"].code == "invalid_state"
        assert supplier["offer"]
        whole = negotiation_actions(actor=officer, negotiation=negotiation)
        assert whole.allowed() == ["counter", "cancel"]
        assert whole["conclude"].code == "negotiation_nothing_agreed"
        with pytest.raises(InvalidStateError):
            services.negotiation_accept_offer(
                actor=officer, negotiation_id=negotiation.pk, item_id=item.pk
            )


def test_r_negotiation_portfolio_cuts_every_listed_product_of_the_manufacturer(world, officer):
    """NJ 2.2: a whole-portfolio negotiation takes every listed product of the manufacturer,
    each target its listed price less the cut; another manufacturer's and unlisted ones not."""
    w = world
    second = ListingFactory(manufacturer=w.manufacturer, price=Decimal("250.00"))
    ListingFactory(manufacturer=w.manufacturer, price=Decimal("80.00"), status=ListingStatus.DRAFT)
    ListingFactory(price=Decimal("90.00"))
    with on(DAY):
        negotiation = services.negotiation_open(
            actor=officer,
            title="整体带量降价谈判",
            kind="portfolio",
            manufacturer_id=w.manufacturer.pk,
            cut_ratio="0.1000",
            all_hospitals=True,
            deadline="2026-03-15",
            effective_on="2026-04-01",
            valid_until="2027-03-31",
        )
    targets = dict(negotiation.items.values_list("listing_id", "target_price"))
    assert targets == {w.listing.pk: Decimal("90.00"), second.pk: Decimal("225.00")}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "2026-03-09"}, "negotiation_deadline_invalid"),
        ({"effective_on": "2026-03-12"}, "invalid"),
        ({"hospital_ids": []}, "negotiation_hospitals_required"),
        ({"items": []}, "negotiation_products_required"),
    ],
    ids=["past_deadline", "effective_before_deadline", "no_hospitals", "no_products"],
)
def test_r_negotiation_open_refuses_bad_input_and_writes_nothing(world, officer, change, field):
    w = world
    fields = {
        "title": "谈判",
        "items": [{"listing_id": w.listing.pk, "target_price": "80.00"}],
        "hospital_ids": [w.hospital.pk],
        "deadline": "2026-03-15",
        "effective_on": "2026-04-01",
        "valid_until": "2027-03-31",
        **change,
    }
    with on(DAY), pytest.raises(ValidationError) as refused:
        services.negotiation_open(actor=officer, **fields)
    assert refused.value.code == field
    assert not Negotiation.objects.exists()


def test_r_disclose_public_results_nothing_before_effective_no_hospital_prices_when_private(
    world, officer
):
    """[R-DISCLOSE] a concluded negotiation is public only from its effective date; its
    hospital-specific price and hospitals only with include_hospital_prices; a listed-price
    agreement shows its price either way; an open negotiation never."""
    w = world
    other = ListingFactory(manufacturer=w.manufacturer, price=Decimal("60.00"))
    with on(DAY):
        private = agreed(officer, w.sales, w.listing, [w.hospital], price="88.00")
        services.negotiation_conclude(actor=officer, negotiation_id=private.pk)
        listed = invited(officer, [other], outcome="listed_price", all_hospitals=True)
        services.negotiation_accept_counter(
            actor=w.sales, negotiation_id=listed.pk, item_id=item_of(listed).pk
        )
        services.negotiation_conclude(actor=officer, negotiation_id=listed.pk)
        invited(officer, [w.listing], [w.hospital])  # open: never public
        assert negotiation_public_results(include_hospital_prices=True) == []
    with on(DAY + dt.timedelta(days=10)):  # the effective date (negotiation_world: +10 days)
        hidden = {
            r.negotiation_id: r for r in negotiation_public_results(include_hospital_prices=False)
        }
        shown = {
            r.negotiation_id: r for r in negotiation_public_results(include_hospital_prices=True)
        }
    assert set(hidden) == set(shown) == {private.pk, listed.pk}
    assert (hidden[private.pk].agreed_price, hidden[private.pk].hospitals) == (None, [])
    assert (shown[private.pk].agreed_price, shown[private.pk].hospitals) == (
        Decimal("88.00"),
        [w.hospital.name],
    )
    assert hidden[listed.pk].agreed_price == shown[listed.pk].agreed_price == Decimal("48.00")


def _paid(hospital, listing, price: str, quantity: int, *, day=DAY):
    from core.clock import SHANGHAI

    order = OrderFactory(
        hospital=hospital,
        status="confirmed",
        submitted_at=dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI),
    )
    OrderLineFactory(
        order=order,
        listing=listing,
        consumable=listing.consumable,
        quantity=quantity,
        unit_price=Decimal(price),
        amount=Decimal(price) * quantity,
    )


def test_r_negotiation_candidates_by_spread_competition_and_spend(world, officer):
    """A product paid 100 by one hospital and 70 by another (spread 30% >= 20%), with three
    listed manufacturers in its category and ¥170,000 spent, is suggested; one with the same
    spend but the same price everywhere is not; nor one short of competitors, nor one bought
    more than 12 months ago."""
    w = world
    category = w.listing.consumable.category_l3
    for _ in range(2):
        ListingFactory(consumable=ConsumableFactory(category_l3=category))
    flat = ListingFactory(consumable=ConsumableFactory(category_l3=category))
    lonely = ListingFactory(consumable=ConsumableFactory(category_l3="ZZ9999"))
    third = HospitalFactory(region_code="320106")
    _paid(w.hospital, w.listing, "100.00", 1000)
    _paid(third, w.listing, "70.00", 1000)
    _paid(w.hospital, flat, "100.00", 1000)
    _paid(third, flat, "100.00", 1000)
    _paid(w.hospital, lonely, "100.00", 1000)
    _paid(third, lonely, "50.00", 1000)
    with on(DAY + dt.timedelta(days=30)):
        found = negotiation_candidates(actor=officer)
    assert [c.listing_id for c in found] == [w.listing.pk]
    assert (found[0].spread_share, found[0].competitors, found[0].spend) == (
        Decimal("0.3"),
        4,
        Decimal("170000.00"),
    )
    with on(DAY + dt.timedelta(days=400)):
        assert negotiation_candidates(actor=officer) == []
    RegionPolicy.objects.create(region_code="320100", negotiation_candidate_min_spread="0.4000")
    with on(DAY + dt.timedelta(days=30)):
        assert negotiation_candidates(actor=officer) == []


def test_r_negotiation_counter_reopens_offered_products_with_new_targets(world, officer):
    w = world
    with on(DAY):
        negotiation = invited(officer, [w.listing], [w.hospital])
        item = item_of(negotiation)
        services.negotiation_offer(
            actor=w.sales, negotiation_id=negotiation.pk, item_id=item.pk, price="95.00"
        )
        with pytest.raises(ValidationError) as refused:
            services.negotiation_counter(
                actor=officer,
                negotiation_id=negotiation.pk,
                deadline="2026-03-20",
                targets={item.pk: "100.01"},
            )
        assert refused.value.code == "invalid"
        services.negotiation_counter(
            actor=officer,
            negotiation_id=negotiation.pk,
            deadline="2026-03-18",
            targets={item.pk: "85.00"},
        )
    item.refresh_from_db()
    assert (item.status, item.target_price, item.offered_price) == (
        NegotiationItemStatus.AWAITING_OFFER,
        Decimal("85.00"),
        None,
    )
    assert list(negotiation.rounds.values_list("number", "deadline")) == [
        (1, dt.date(2026, 3, 15)),
        (2, dt.date(2026, 3, 18)),
    ]


def test_r_negotiation_listed_price_skips_a_listing_delisted_since_and_applies_the_rest(
    world, officer
):
    """The daily application: a product delisted after the agreement keeps its price (its
    price change is refused), the others of the negotiation take the agreed price; a pending
    request of the supplier's is superseded."""
    from procurement.models import ListingPriceChange
    from procurement.services.listings import listing_delist
    from procurement.services.negotiations import negotiation_listed_prices_apply

    w = world
    other = ListingFactory(manufacturer=w.manufacturer, price=Decimal("60.00"))
    with on(DAY):
        negotiation = invited(
            officer, [w.listing, other], outcome="listed_price", all_hospitals=True
        )
        for listing in (w.listing, other):
            services.negotiation_accept_counter(
                actor=w.sales,
                negotiation_id=negotiation.pk,
                item_id=item_of(negotiation, listing).pk,
            )
        services.negotiation_conclude(actor=officer, negotiation_id=negotiation.pk)
        listing_delist(actor=officer, listing_id=other.pk, reason="质量抽检不合格")
        pending = ListingPriceChange.objects.create(
            listing=w.listing, old_price=w.listing.price, new_price="99.00", requested_by=w.sales
        )
    with on(DAY + dt.timedelta(days=10)):
        assert negotiation_listed_prices_apply() == 1
    w.listing.refresh_from_db()
    other.refresh_from_db()
    pending.refresh_from_db()
    assert (w.listing.price, pending.status) == (Decimal("80.00"), "rejected")
    negotiation.refresh_from_db()
    assert negotiation.applied_at is not None
    assert (other.status, other.price) == ("delisted", Decimal("60.00"))


def test_r_disclose_public_negotiation_page_and_api_follow_the_region_policy(world, officer):
    """[R-DISCLOSE] The public section's negotiation results, page, download and API: a
    hospital-specific price is hidden (with its hospitals) until the platform's region policy
    publishes hospitals' agreed prices; nothing shows before the effective date."""
    import json

    from django.test import Client
    from django.urls import reverse

    w = world
    with on(DAY):
        private = agreed(officer, w.sales, w.listing, [w.hospital], price="87.65")
        services.negotiation_conclude(actor=officer, negotiation_id=private.pk)
    client = Client()
    page_url = reverse("public:negotiation_results")
    api_url = reverse("api:public:negotiation_results")
    with on(DAY):
        assert "data-negotiation-result=" not in client.get(page_url).content.decode()
        assert client.get(api_url).json() == []
    with on(DAY + dt.timedelta(days=10)):
        page = client.get(page_url).content.decode()
        export = client.get(page_url, {"export": "csv"}).getvalue().decode("utf-8-sig")
        api = client.get(api_url).json()
        assert f'data-negotiation-result="{private.pk}"' in page
        for text in (page, export, json.dumps(api, ensure_ascii=False)):
            assert "87.65" not in text
            assert w.hospital.name not in text
        assert api[0]["agreed_price"] is None
        RegionPolicy.objects.create(region_code="320100", disclose_hospital_agreed_prices=True)
        page = client.get(page_url).content.decode()
        api = client.get(api_url, {"q": w.listing.consumable.code}).json()
        assert "87.65" in page
        assert w.hospital.name in page
        assert (api[0]["agreed_price"], api[0]["hospitals"]) == ("87.65", [w.hospital.name])
        assert client.get(api_url, {"q": "x" * 101}).status_code == 400
