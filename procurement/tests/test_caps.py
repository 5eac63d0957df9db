"""[R-LIST-ALT-CAP] annual purchase plans and the alternate-catalogue cap: alternate-catalogue
purchases may not exceed a region share (15% by default) of the hospital's annual total."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import (
    AgencyFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from core import clock
from core.errors import DomainError
from core.policy import RegionPolicy
from core.tests.helpers import code_of
from procurement.choices import Catalogue, LineStatus, OrderStatus
from procurement.models import AnnualPurchasePlan, Order, OrderLine
from procurement.selectors.caps import alternate_cap_check
from procurement.selectors.purchase_plans import alternate_cap_status_get, purchase_plan_get
from procurement.services.purchase_plans import purchase_plan_set
from procurement.tests.factories import AnnualPurchasePlanFactory, ListingFactory

pytestmark = pytest.mark.django_db


_numbers = iter(range(1, 10**6))


def buy(
    hospital,
    amount: str,
    *,
    catalogue=Catalogue.ALTERNATE,
    order_status=None,
    line_status=None,
    when=None,
):
    """An order line as the order services would have written it."""
    listing = ListingFactory(catalogue=catalogue)
    user = UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])
    order = Order.objects.create(
        number=f"T{next(_numbers):08d}",
        hospital=hospital,
        supplier=listing.manufacturer,
        status=order_status or OrderStatus.SUBMITTED,
        created_by=user,
        submitted_at=when or clock.now(),
        total=Decimal(amount),
    )
    return OrderLine.objects.create(
        order=order,
        listing=listing,
        consumable=listing.consumable,
        quantity=1,
        unit_price=Decimal(amount),
        amount=Decimal(amount),
        catalogue=catalogue,
        label=listing.label,
        status=line_status or LineStatus.PENDING,
    )


# ---------------------------------------------------------------------------------------------
# Setting the plan


def test_hospital_finance_sets_its_own_total(finance, hospital):
    year = clock.local_today().year
    plan = purchase_plan_set(actor=finance, year=year, total="1,000,000.00")
    assert (plan.hospital, plan.year, plan.total) == (hospital, year, Decimal("1000000.00"))
    plan = purchase_plan_set(actor=finance, year=year, total="1200000")
    assert AnnualPurchasePlan.objects.get().total == Decimal("1200000.00")


def test_bureau_sets_the_total_of_a_hospital_in_its_region(officer, hospital):
    year = clock.local_today().year
    plan = purchase_plan_set(actor=officer, hospital_id=hospital.pk, year=year, total="500000")
    assert plan.hospital == hospital


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        pytest.param("finance", "other", "not_found", id="finance-other-hospital"),
        pytest.param("officer", "suzhou", "not_found", id="bureau-outside-region"),
        pytest.param("officer", None, "invalid", id="bureau-without-hospital"),
        pytest.param("purchaser", "own", "permission_denied", id="purchaser"),
        pytest.param("supplier", "own", "permission_denied", id="supplier"),
        pytest.param("agency", "own", "permission_denied", id="agency"),
    ],
)
def test_who_sets_which_plan(hospital, finance, officer, who, target, code):
    actor = {
        "finance": finance,
        "officer": officer,
        "purchaser": UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER]),
        "supplier": UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]),
        "agency": UserFactory(organization=AgencyFactory(), roles=[Role.AGENCY_FINANCE]),
    }[who]
    hospital_id = {
        "own": hospital.pk,
        "other": HospitalFactory().pk,
        "suzhou": HospitalFactory(region_code="320505").pk,
        None: None,
    }[target]
    year = clock.local_today().year
    assert (
        code_of(
            lambda: purchase_plan_set(actor=actor, hospital_id=hospital_id, year=year, total="1")
        )
        == code
    )
    assert not AnnualPurchasePlan.objects.exists()


@pytest.mark.parametrize(
    ("year_offset", "total", "code"),
    [
        pytest.param(2, "1", "purchase_plan_year_invalid", id="two-years-ahead"),
        pytest.param(-2, "1", "purchase_plan_year_invalid", id="two-years-back"),
        pytest.param(0, "-1", "invalid", id="negative"),
        pytest.param(0, 1.5, "invalid", id="float"),
    ],
)
def test_plan_input_is_checked(finance, year_offset, total, code):
    year = clock.local_today().year + year_offset
    assert code_of(lambda: purchase_plan_set(actor=finance, year=year, total=total)) == code


# ---------------------------------------------------------------------------------------------
# Cap status


def test_cap_status_counts_only_alternate_catalogue_purchases_of_the_year(finance, hospital):
    year = clock.local_today().year
    AnnualPurchasePlanFactory(hospital=hospital, year=year, total=Decimal("1000000.00"))
    buy(hospital, "100000.00")
    buy(hospital, "49999.99", order_status=OrderStatus.CONFIRMED, line_status=LineStatus.CONFIRMED)
    # None of these count:
    buy(hospital, "500.00", catalogue=Catalogue.CAPPED)
    buy(hospital, "600.00", order_status=OrderStatus.CANCELLED)
    buy(hospital, "700.00", order_status=OrderStatus.DRAFT)
    buy(hospital, "800.00", line_status=LineStatus.REJECTED)
    last_year = dt.datetime(year - 1, 6, 1, tzinfo=dt.UTC)
    buy(hospital, "900.00", when=last_year)
    buy(HospitalFactory(), "1000.00")

    got_hospital, cap = alternate_cap_status_get(actor=finance)
    assert got_hospital == hospital
    assert (cap.total, cap.ratio, cap.cap) == (
        Decimal("1000000.00"),
        Decimal("0.1500"),
        Decimal("150000.00"),
    )
    assert (cap.used, cap.remaining) == (Decimal("149999.99"), Decimal("0.01"))


def test_cap_boundary_allows_the_last_cent_and_refuses_the_next(hospital):
    """[R-LIST-ALT-CAP] at the boundary: reaching the cap exactly is allowed."""
    year = clock.local_today().year
    AnnualPurchasePlanFactory(hospital=hospital, year=year, total=Decimal("1000000.00"))
    buy(hospital, "149999.99")
    assert alternate_cap_check(hospital=hospital, year=year, adding=Decimal("0.01")).cap == (
        Decimal("150000.00")
    )
    with pytest.raises(DomainError) as exc:
        alternate_cap_check(hospital=hospital, year=year, adding=Decimal("0.02"))
    assert exc.value.code == "alternate_cap_exceeded"
    assert exc.value.extra["cap_amount"] == "150000.00"


def test_cap_ratio_is_the_hospitals_region_policy(finance, hospital):
    RegionPolicy.objects.create(region_code="320100", alternate_catalogue_cap_ratio="0.1000")
    AnnualPurchasePlanFactory(hospital=hospital, total=Decimal("1000000.00"))
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert cap.cap == Decimal("100000.00")


def test_cap_without_a_plan_has_no_figures(finance):
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert (cap.total, cap.cap, cap.remaining, cap.used) == (None, None, None, Decimal("0.00"))


def test_used_above_a_lowered_total_leaves_nothing_remaining(finance, hospital):
    AnnualPurchasePlanFactory(hospital=hospital, total=Decimal("1000000.00"))
    buy(hospital, "100000.00")
    purchase_plan_set(actor=finance, year=clock.local_today().year, total="100000")
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert (cap.cap, cap.used, cap.remaining) == (
        Decimal("15000.00"),
        Decimal("100000.00"),
        Decimal("0.00"),
    )


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        pytest.param("purchaser", "own", None, id="purchaser-own"),
        pytest.param("purchaser", "other", "not_found", id="purchaser-other"),
        pytest.param("officer", "own", None, id="bureau-region"),
        pytest.param("officer", "suzhou", "not_found", id="bureau-outside-region"),
        pytest.param("agency", "own", None, id="agency-region"),
        pytest.param("supplier", "own", "permission_denied", id="supplier"),
    ],
)
def test_who_sees_which_cap(hospital, officer, who, target, code):
    actor = {
        "purchaser": UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER]),
        "officer": officer,
        "agency": UserFactory(
            organization=AgencyFactory(region_code="320100"), roles=[Role.AGENCY_FINANCE]
        ),
        "supplier": UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]),
    }[who]
    hospital_id = {
        "own": hospital.pk,
        "other": HospitalFactory().pk,
        "suzhou": HospitalFactory(region_code="320505").pk,
    }[target]
    if code is None:
        got, _cap = alternate_cap_status_get(actor=actor, hospital_id=hospital_id)
        assert got == hospital
    else:
        assert code_of(lambda: alternate_cap_status_get(actor=actor, hospital_id=hospital_id)) == (
            code
        )


def test_plan_get_returns_the_years_plan(finance, hospital):
    year = clock.local_today().year
    plan = AnnualPurchasePlanFactory(hospital=hospital, year=year)
    AnnualPurchasePlanFactory(hospital=hospital, year=year - 1)
    assert purchase_plan_get(actor=finance, year=year) == plan


def test_the_cap_has_one_shape_in_the_quote_the_cap_and_the_plan():
    """[R-LIST-ALT-CAP] the quote, GET /cap/ and GET /purchase-plan/ answer the same cap."""
    import uuid

    from rest_framework.test import APIClient

    from procurement.tests.order_world import make_world

    w = make_world()
    client = APIClient()
    client.force_authenticate(w.purchaser)
    api = "/api/v1/procurement"
    quote = client.post(
        f"{api}/orders/quote/",
        {"lines": [{"listing": w.listing.pk, "quantity": 1}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    ).json()["cap"]
    cap = client.get(f"{api}/cap/").json()
    plan = client.get(f"{api}/purchase-plan/").json()["cap"]
    assert quote == cap == plan
    assert set(cap) == {"hospital", "year", "total", "ratio", "cap", "used", "remaining"}
    assert cap["hospital"] == {"id": w.hospital.pk, "name": w.hospital.name}
