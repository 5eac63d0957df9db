"""[R-LIST-PRICE-CAP] hospital-agreed prices: no higher than the listed price and the reference
price; proposed by one side, answered by the other; orders use the lowest applicable price."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import (
    BureauFactory,
    DistributorFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from catalog.models import ReferencePrice
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core import clock
from core.errors import DomainError
from core.tests.helpers import code_of
from procurement.choices import AgreedPriceStatus, LineStatus, ListingStatus, OrderStatus
from procurement.models import Order, OrderLine
from procurement.selectors.pricing import unit_price_for
from procurement.services import agreed_prices as services
from procurement.tests.factories import (
    AgreedPriceFactory,
    ListingDistributorFactory,
    ListingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    product = ConsumableFactory()
    ReferencePriceFactory(consumable=product, price=Decimal("95.00"))
    return ListingFactory(consumable=product, price=Decimal("90.00"))


@pytest.fixture
def sales(listing):
    return UserFactory(organization=listing.manufacturer, roles=[Role.SUPPLIER_SALES])


def propose(actor, listing, price="80.00", **overrides):
    today = clock.local_today()
    fields = {
        "listing_id": listing.pk,
        "price": price,
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=365),
        "annual_volume": 200,
    }
    fields.update(overrides)
    return services.agreed_price_propose(actor=actor, **fields)


def test_hospital_proposes_and_the_manufacturer_accepts(purchaser, sales, listing, hospital):
    agreed = propose(purchaser, listing)
    assert (agreed.hospital, agreed.proposed_by) == (hospital, hospital)
    assert agreed.status == AgreedPriceStatus.PROPOSED
    services.agreed_price_accept(actor=sales, agreed_price_id=agreed.pk)
    agreed.refresh_from_db()
    assert agreed.status == AgreedPriceStatus.AGREED
    assert agreed.decided_at is not None
    # Orders pay the lowest applicable price.
    assert unit_price_for(
        listing=listing, hospital_id=hospital.pk, on=clock.local_today()
    ) == Decimal("80.00")


def test_manufacturer_proposes_and_the_hospital_declines(purchaser, sales, listing, hospital):
    agreed = propose(sales, listing, hospital_id=hospital.pk)
    assert agreed.proposed_by == listing.manufacturer
    services.agreed_price_decline(actor=purchaser, agreed_price_id=agreed.pk)
    agreed.refresh_from_db()
    assert agreed.status == AgreedPriceStatus.DECLINED


@pytest.mark.parametrize(
    ("price", "code"),
    [
        pytest.param("90.01", "price_above_cap", id="above-listed-price"),
        pytest.param("90.00", None, id="at-listed-price"),
        pytest.param("0", "invalid", id="zero"),
        pytest.param("80.001", "invalid", id="three-decimals"),
    ],
)
def test_agreed_price_is_bounded_by_the_listed_price(purchaser, listing, price, code):
    if code is None:
        assert propose(purchaser, listing, price=price).price == Decimal(price)
    else:
        assert code_of(lambda: propose(purchaser, listing, price=price)) == code


def test_agreed_price_is_bounded_by_the_reference_price(purchaser):
    """A listed price above the reference price (a cut not yet followed) does not let an
    agreed price above the reference price through."""
    product = ConsumableFactory()
    ReferencePriceFactory(consumable=product, price=Decimal("85.00"))
    listing = ListingFactory(consumable=product, price=Decimal("90.00"))
    with pytest.raises(DomainError) as exc:
        propose(purchaser, listing, price="86.00")
    assert exc.value.code == "price_above_cap"
    assert exc.value.extra["cap_amount"] == "85.00"
    assert propose(purchaser, listing, price="85.00").price == Decimal("85.00")


def test_acceptance_rechecks_the_bounds(purchaser, sales, listing):
    agreed = propose(purchaser, listing, price="85.00")
    ReferencePrice.objects.filter(consumable=listing.consumable).update(price=Decimal("84.00"))
    assert (
        code_of(lambda: services.agreed_price_accept(actor=sales, agreed_price_id=agreed.pk))
        == "price_above_cap"
    )


def test_proposer_cannot_accept_its_own_proposal(purchaser, listing):
    agreed = propose(purchaser, listing)
    assert (
        code_of(lambda: services.agreed_price_accept(actor=purchaser, agreed_price_id=agreed.pk))
        == "agreed_price_own_proposal"
    )


def test_one_open_proposal_per_hospital_and_listing(purchaser, listing):
    propose(purchaser, listing)
    assert code_of(lambda: propose(purchaser, listing)) == "agreed_price_pending"


@pytest.mark.parametrize(
    ("from_days", "until_days"),
    [pytest.param(10, 5, id="ends-before-it-starts"), pytest.param(-30, -1, id="in-the-past")],
)
def test_agreed_price_dates_are_checked(purchaser, listing, from_days, until_days):
    today = clock.local_today()
    assert (
        code_of(
            lambda: propose(
                purchaser,
                listing,
                valid_from=today + dt.timedelta(days=from_days),
                valid_until=today + dt.timedelta(days=until_days),
            )
        )
        == "agreed_price_dates_invalid"
    )


def test_supplier_must_name_a_hospital(sales, listing):
    assert code_of(lambda: propose(sales, listing)) == "invalid"


def test_only_listed_products_get_agreed_prices(sales, hospital):
    suspended = ListingFactory(
        manufacturer=sales.organization, status=ListingStatus.SUSPENDED, price=Decimal("90")
    )
    assert code_of(lambda: propose(sales, suspended, hospital_id=hospital.pk)) == "invalid_state"


@pytest.mark.parametrize(
    ("who", "code"),
    [
        pytest.param("other_manufacturer", "not_found", id="other-manufacturer"),
        pytest.param("distributor", "permission_denied", id="authorised-distributor"),
        pytest.param("bureau", "permission_denied", id="bureau"),
        pytest.param("finance", "permission_denied", id="hospital-finance"),
    ],
)
def test_who_may_propose(listing, hospital, who, code):
    if who == "other_manufacturer":
        actor = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    elif who == "distributor":
        grant = ListingDistributorFactory(listing=listing, distributor=DistributorFactory())
        actor = UserFactory(organization=grant.distributor, roles=[Role.SUPPLIER_SALES])
    elif who == "bureau":
        actor = UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    else:
        actor = UserFactory(organization=hospital, roles=[Role.HOSPITAL_FINANCE])
    assert code_of(lambda: propose(actor, listing, hospital_id=hospital.pk)) == code


def test_another_hospitals_agreed_price_is_not_found(listing):
    agreed = AgreedPriceFactory(listing=listing, status=AgreedPriceStatus.PROPOSED)
    stranger = UserFactory(organization=HospitalFactory(), roles=[Role.HOSPITAL_PURCHASER])
    assert (
        code_of(lambda: services.agreed_price_decline(actor=stranger, agreed_price_id=agreed.pk))
        == "not_found"
    )


@pytest.mark.parametrize("side", ["hospital", "manufacturer"])
def test_either_side_ends_an_agreed_price(listing, side):
    agreed = AgreedPriceFactory(listing=listing)
    org = agreed.hospital if side == "hospital" else listing.manufacturer
    role = Role.HOSPITAL_PURCHASER if side == "hospital" else Role.SUPPLIER_SALES
    actor = UserFactory(organization=org, roles=[role])
    services.agreed_price_end(actor=actor, agreed_price_id=agreed.pk)
    agreed.refresh_from_db()
    assert agreed.status == AgreedPriceStatus.ENDED
    assert unit_price_for(
        listing=listing, hospital_id=agreed.hospital_id, on=clock.local_today()
    ) == Decimal("90.00")
    assert (
        code_of(lambda: services.agreed_price_end(actor=actor, agreed_price_id=agreed.pk))
        == "invalid_state"
    )


def test_proposer_withdraws_but_the_other_side_answers(purchaser, sales, listing):
    agreed = propose(purchaser, listing)
    assert (
        code_of(lambda: services.agreed_price_end(actor=sales, agreed_price_id=agreed.pk))
        == "invalid_state"
    )
    services.agreed_price_end(actor=purchaser, agreed_price_id=agreed.pk)
    agreed.refresh_from_db()
    assert agreed.status == AgreedPriceStatus.ENDED


@pytest.mark.parametrize("status", [AgreedPriceStatus.DECLINED, AgreedPriceStatus.ENDED])
def test_closed_agreed_prices_cannot_be_accepted(listing, status):
    agreed = AgreedPriceFactory(listing=listing, status=status, proposed_by=listing.manufacturer)
    actor = UserFactory(organization=agreed.hospital, roles=[Role.HOSPITAL_PURCHASER])
    assert (
        code_of(lambda: services.agreed_price_accept(actor=actor, agreed_price_id=agreed.pk))
        == "invalid_state"
    )


# ---------------------------------------------------------------------------------------------
# [R-LIST-PRICE-CAP] no higher than the hospital's own current purchase price


def paid(hospital, listing, unit_price, *, days_ago=10, order_status=OrderStatus.CONFIRMED):
    """A purchase of the listing by the hospital, as the order services would have written."""
    user = UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])
    order = Order.objects.create(
        number=f"P{Order.objects.count() + 1:08d}",
        hospital=hospital,
        supplier=listing.manufacturer,
        status=order_status,
        created_by=user,
        submitted_at=clock.now() - dt.timedelta(days=days_ago),
        total=Decimal(unit_price),
    )
    OrderLine.objects.create(
        order=order,
        listing=listing,
        consumable=listing.consumable,
        quantity=1,
        unit_price=Decimal(unit_price),
        amount=Decimal(unit_price),
        catalogue=listing.catalogue,
        label=listing.label,
        status=LineStatus.CONFIRMED,
    )


@pytest.mark.parametrize(
    ("price", "code"),
    [
        pytest.param("82.00", None, id="equal-to-last-paid"),
        pytest.param("82.01", "price_above_cap", id="one-cent-above-last-paid"),
    ],
)
def test_R_LIST_PRICE_CAP_agreed_price_is_bounded_by_the_last_price_paid(
    purchaser, hospital, listing, price, code
):
    paid(hospital, listing, "86.00", days_ago=40)
    paid(hospital, listing, "82.00", days_ago=5)  # the latest purchase decides
    paid(hospital, listing, "70.00", order_status=OrderStatus.CANCELLED, days_ago=1)
    paid(HospitalFactory(), listing, "60.00", days_ago=1)  # another hospital's price
    if code is None:
        assert propose(purchaser, listing, price=price).price == Decimal(price)
    else:
        with pytest.raises(DomainError) as exc:
            propose(purchaser, listing, price=price)
        assert exc.value.code == code
        assert exc.value.extra["cap_amount"] == "82.00"


@pytest.mark.parametrize(
    ("price", "code"),
    [
        pytest.param("75.00", None, id="equal-to-agreed"),
        pytest.param("75.01", "price_above_cap", id="one-cent-above-agreed"),
    ],
)
def test_R_LIST_PRICE_CAP_agreed_price_is_bounded_by_the_agreed_price_in_force(
    sales, hospital, listing, price, code
):
    """An agreed price in force is the current price, whatever was paid before; the
    manufacturer proposing to the hospital is held to it too."""
    paid(hospital, listing, "88.00")
    AgreedPriceFactory(listing=listing, hospital=hospital, price=Decimal("75.00"))
    if code is None:
        agreed = propose(sales, listing, price=price, hospital_id=hospital.pk)
        assert agreed.price == Decimal(price)
    else:
        assert code_of(lambda: propose(sales, listing, price=price, hospital_id=hospital.pk)) == (
            code
        )


def test_R_LIST_PRICE_CAP_without_a_current_price_only_the_listed_and_reference_prices_bound(
    purchaser, hospital, listing
):
    paid(HospitalFactory(), listing, "50.00")
    AgreedPriceFactory(
        listing=listing,
        hospital=hospital,
        price=Decimal("40.00"),
        valid_from=clock.local_today() - dt.timedelta(days=60),
        valid_until=clock.local_today() - dt.timedelta(days=1),
    )  # expired
    assert propose(purchaser, listing, price="90.00").price == Decimal("90.00")


def test_R_LIST_PRICE_CAP_acceptance_rechecks_the_current_price(
    purchaser, sales, hospital, listing
):
    agreed = propose(purchaser, listing, price="85.00")
    paid(hospital, listing, "84.00", days_ago=0)
    assert code_of(
        lambda: services.agreed_price_accept(actor=sales, agreed_price_id=agreed.pk)
    ) == ("price_above_cap")
