"""listing_actions, agreed_price_actions and reference_price_actions say what their services
do: for every status and every kind of actor, an allowed action goes through, a refused one
is refused by the service with the same code (the listing page, the agreed-prices page and the
publicity page show exactly these buttons)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from accounts.tests.factories import HospitalFactory, OrganizationFactory
from catalog import selectors as catalog_selectors
from catalog.choices import ReferencePriceStatus
from catalog.services import prices
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core.errors import DomainError, NotFoundError
from procurement.choices import AgreedPriceStatus, ListingAction, ListingStatus
from procurement.selectors import agreed_prices as agreed_selectors
from procurement.selectors import listings as selectors
from procurement.services import agreed_prices, labels, listings
from procurement.tests.factories import AgreedPriceFactory, ListingFactory
from procurement.tests.test_listings import ROLES, actor_for

pytestmark = pytest.mark.django_db

# Fixed, with the clock frozen at its noon (Asia/Shanghai): a date taken when the module is
# imported and a request made after the next midnight would be two different days.
TODAY = dt.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _noon_of_today():
    noon = dt.datetime.combine(TODAY, dt.time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(noon, tick=True):
        yield


# Every listing action but changing the price, which approving a price change checks (the
# price change's own actions offer it).
LISTING_ACTIONS = [a for a in ListingAction.values if a != ListingAction.CHANGE_PRICE]


def _outcome(call) -> str:
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except DomainError as error:
        return error.code
    return "ok"


def _listing_call(action, actor, listing):
    pk = listing.pk
    calls = {
        ListingAction.EDIT: lambda: listings.listing_update(
            actor=actor, listing_id=pk, provinces=[{"code": "11", "evidence": "北京 GW-1"}]
        ),
        ListingAction.SUBMIT: lambda: listings.listing_submit(actor=actor, listing_id=pk),
        ListingAction.SET_LABEL: lambda: labels.listing_label_set(
            actor=actor, listing_id=pk, label="normal", reason="复核"
        ),
        ListingAction.SET_DISTRIBUTORS: lambda: listings.listing_distributor_set(
            actor=actor, listing_id=pk, grants=[]
        ),
        ListingAction.REQUEST_PRICE_CHANGE: lambda: listings.listing_price_change_request(
            actor=actor, listing_id=pk, new_price="90.00"
        ),
        ListingAction.AGREE_PRICE: lambda: agreed_prices.agreed_price_propose(
            actor=actor,
            listing_id=pk,
            price="90.00",
            valid_from=TODAY,
            valid_until=TODAY + dt.timedelta(days=90),
            hospital_id=None
            if actor.organization.is_hospital
            else HospitalFactory(region_code="320106").pk,
        ),
    }
    if action in calls:
        return calls[action]
    service = getattr(listings, f"listing_{action}")
    return lambda: service(actor=actor, listing_id=pk, reason="依据第3.2条")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ListingStatus.values)
def test_listing_actions_say_what_the_services_do(status, role):
    product = ConsumableFactory()
    # A confirmed reference above the price, so approval's rules pass [R-LIST-PRICE-CAP].
    ReferencePriceFactory(consumable=product, price=Decimal("200.00"))
    listing = ListingFactory(consumable=product, manufacturer=OrganizationFactory(), status=status)
    actor = actor_for(role, listing)
    try:
        shown = selectors.listing_detail(actor=actor, listing_id=listing.pk)
    except NotFoundError:
        for action in LISTING_ACTIONS:
            assert _outcome(_listing_call(action, actor, listing)) == "not_found", action
        return
    actions = selectors.listing_actions(actor=actor, listing=shown)
    assert sorted(actions) == sorted(LISTING_ACTIONS)
    for action, verdict in actions.items():
        expected = "ok" if verdict else verdict.code
        assert _outcome(_listing_call(action, actor, listing)) == expected, (action, verdict)


def test_one_pending_price_change_at_a_time():
    listing = ListingFactory()
    owner = actor_for("owner", listing)
    listings.listing_price_change_request(actor=owner, listing_id=listing.pk, new_price="90.00")
    shown = selectors.listing_detail(actor=owner, listing_id=listing.pk)
    verdict = selectors.listing_actions(actor=owner, listing=shown)["request_price_change"]
    assert verdict.code == "price_change_pending"


@pytest.mark.parametrize("who", ["hospital", "maker", "other_hospital"])
@pytest.mark.parametrize("status", AgreedPriceStatus.values)
@pytest.mark.parametrize("proposer", ["hospital", "maker"])
def test_agreed_price_actions_say_what_the_services_do(proposer, status, who):
    listing = ListingFactory(price=Decimal("100.00"))
    hospital = HospitalFactory(region_code="320106")
    actors = {
        "hospital": actor_for("hospital", listing),
        "maker": actor_for("owner", listing),
    }
    actors["hospital"].organization = hospital
    actors["hospital"].save(update_fields=["organization"])
    actors["other_hospital"] = actor_for("hospital", listing)
    agreed = AgreedPriceFactory(
        listing=listing,
        hospital=hospital,
        status=status,
        proposed_by=hospital if proposer == "hospital" else listing.manufacturer,
    )
    actor = actors[who]
    try:
        shown = agreed_selectors.agreed_price_get(actor=actor, agreed_price_id=agreed.pk)
    except NotFoundError:
        assert who == "other_hospital"
        return
    actions = agreed_selectors.agreed_price_actions(actor=actor, agreed_price=shown)
    assert list(actions) == ["accept", "decline", "end"]
    for action, verdict in actions.items():
        service = getattr(agreed_prices, f"agreed_price_{action}")
        outcome = _outcome(lambda: service(actor=actor, agreed_price_id=agreed.pk))  # noqa: B023
        assert outcome == ("ok" if verdict else verdict.code), (action, verdict)


@pytest.mark.parametrize("status", ReferencePriceStatus.values)
@pytest.mark.parametrize("ended", [True, False], ids=["publicity-ended", "in-publicity"])
def test_reference_price_actions_say_what_the_services_do(status, ended, bureau_and_supplier):
    rp = ReferencePriceFactory(
        status=status,
        price=Decimal("900.00"),
        publicity_starts_on=TODAY - dt.timedelta(days=20),
        publicity_ends_on=TODAY - dt.timedelta(days=1 if ended else -2),
    )
    calls = {
        "start_publicity": prices.reference_price_publicity_start,
        "confirm": prices.reference_price_confirm,
    }
    for actor in bureau_and_supplier:
        shown = catalog_selectors.reference_price_get(actor=actor, reference_price_id=rp.pk)
        actions = catalog_selectors.reference_price_actions(actor=actor, reference_price=shown)
        assert list(actions) == ["start_publicity", "confirm", "withdraw", "object"]
        for action, verdict in actions.items():
            if action in calls:
                call = calls[action]
                run = lambda: call(reference_price_id=rp.pk, actor=actor)  # noqa: B023, E731
            elif action == "withdraw":
                run = lambda: prices.reference_price_withdraw(  # noqa: E731
                    reference_price_id=rp.pk,
                    actor=actor,  # noqa: B023
                    reason="撤回",
                )
            else:
                run = lambda: prices.price_objection_raise(  # noqa: E731
                    reference_price_id=rp.pk,
                    actor=actor,  # noqa: B023
                    reason="价格不实",
                )
            assert _outcome(run) == ("ok" if verdict else verdict.code), (action, verdict)


def test_a_supplier_objects_once_and_confirmation_waits_for_the_answer(bureau_and_supplier):
    bureau, supplier = bureau_and_supplier
    rp = ReferencePriceFactory(
        status=ReferencePriceStatus.PUBLICITY,
        price=Decimal("900.00"),
        publicity_starts_on=TODAY - dt.timedelta(days=5),
        publicity_ends_on=TODAY,
    )
    prices.price_objection_raise(reference_price_id=rp.pk, actor=supplier, reason="价格不实")
    shown = catalog_selectors.reference_price_get(actor=supplier, reference_price_id=rp.pk)
    assert catalog_selectors.reference_price_actions(actor=supplier, reference_price=shown)[
        "object"
    ].code == ("objection_already_open")
    later = TODAY + dt.timedelta(days=1)
    shown = catalog_selectors.reference_price_get(actor=bureau, reference_price_id=rp.pk)
    confirm = catalog_selectors.reference_price_actions(
        actor=bureau, reference_price=shown, today=later
    )["confirm"]
    assert confirm.code == "reference_price_open_objections"


@pytest.fixture
def bureau_and_supplier():
    from accounts.choices import Role
    from accounts.tests.factories import BureauFactory, UserFactory

    return (
        UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER]),
        UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]),
    )
