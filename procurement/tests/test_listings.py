"""Listing services: applications, the bureau's review, price changes and distributors.
Rules: [R-LIST-CATALOGUES] [R-LIST-PRICE-CAP] [R-LIST-GREEN] [R-LIST-OTHER]."""

from decimal import Decimal

import pghistory.models
import pytest

from accounts.choices import Role
from accounts.tests.factories import (
    AgencyFactory,
    BureauFactory,
    DistributorFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from catalog.choices import ConsumableStatus
from catalog.models import ReferencePrice
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core.errors import DomainError
from core.policy import RegionPolicy
from core.regions import MAINLAND_PROVINCES
from core.tests.helpers import code_of
from procurement.choices import (
    LISTING_PUBLIC_STATUSES,
    Catalogue,
    GreenChannel,
    ListingStatus,
    PriceChangeStatus,
)
from procurement.models import Listing, ListingDistributor
from procurement.selectors import listings as selectors
from procurement.services import listings as services
from procurement.services.listings import DistributorGrant
from procurement.tests.factories import ListingDistributorFactory, ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(maker):
    return ConsumableFactory(manufacturer=maker)


def create(sales, product, **overrides):
    fields = {
        "consumable_id": product.pk,
        "price": "100.00",
        "registration_number": product.registration_number,
    }
    fields.update(overrides)
    return services.listing_create(actor=sales, **fields)


# ---------------------------------------------------------------------------------------------
# Every transition, per role


ROLES = ["owner", "other_maker", "distributor", "hospital", "bureau", "admin", "agency"]
REVIEWERS = {"bureau", "admin"}
ALLOWED_FROM = {
    ("submit", ListingStatus.DRAFT),
    ("submit", ListingStatus.REJECTED),
    ("approve", ListingStatus.SUBMITTED),
    ("reject", ListingStatus.SUBMITTED),
    ("suspend", ListingStatus.LISTED),
    ("reinstate", ListingStatus.SUSPENDED),
    ("delist", ListingStatus.DRAFT),
    ("delist", ListingStatus.REJECTED),
    ("delist", ListingStatus.LISTED),
    ("delist", ListingStatus.SUSPENDED),
}
TARGET = {
    "submit": ListingStatus.SUBMITTED,
    "approve": ListingStatus.LISTED,
    "reject": ListingStatus.REJECTED,
    "suspend": ListingStatus.SUSPENDED,
    "reinstate": ListingStatus.LISTED,
    "delist": ListingStatus.DELISTED,
}


def who_may(action: str, status: str) -> set[str]:
    if action == "submit":
        return {"owner"}
    if action == "delist" and status in (ListingStatus.DRAFT, ListingStatus.REJECTED):
        return {"owner"}  # withdrawing one's own application
    return REVIEWERS


def sees(role: str, status: str) -> bool:
    """Hospitals see what is or was on sale (a suspension or delisting is public), never an
    application; another manufacturer sees none of ours."""
    if role == "hospital":
        return status in LISTING_PUBLIC_STATUSES
    return role != "other_maker"


def expected(action: str, status: str, role: str) -> str:
    if not sees(role, status):
        return "not_found"
    if role not in who_may(action, status):
        return "permission_denied"
    return "ok" if (action, status) in ALLOWED_FROM else "invalid_state"


def actor_for(role: str, listing: Listing):
    if role == "owner":
        return UserFactory(organization=listing.manufacturer, roles=[Role.SUPPLIER_SALES])
    if role == "other_maker":
        return UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    if role == "distributor":
        grant = ListingDistributorFactory(listing=listing)
        return UserFactory(organization=grant.distributor, roles=[Role.SUPPLIER_SALES])
    if role == "hospital":
        return UserFactory(organization=HospitalFactory(), roles=[Role.HOSPITAL_PURCHASER])
    if role == "bureau":
        return UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    if role == "admin":
        return UserFactory(organization=BureauFactory(), roles=[Role.PLATFORM_ADMIN])
    return UserFactory(organization=AgencyFactory(), roles=[Role.AGENCY_FINANCE])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ListingStatus.values)
@pytest.mark.parametrize("action", list(TARGET))
def test_listing_transition_table_per_role(action, status, role):
    """Every transition service, from every status, for every role: done, or refused with
    not_found (out of scope), permission_denied (wrong role) or invalid_state."""
    product = ConsumableFactory()
    # A confirmed reference above the price, so approval's rules pass [R-LIST-PRICE-CAP].
    ReferencePriceFactory(consumable=product, price=Decimal("200.00"))
    listing = ListingFactory(consumable=product, manufacturer=OrganizationFactory(), status=status)
    actor = actor_for(role, listing)
    service = getattr(services, f"listing_{action}")
    kwargs = {} if action == "submit" else {"reason": "依据第3.2条"}
    want = expected(action, status, role)
    if want == "ok":
        result = service(actor=actor, listing_id=listing.pk, **kwargs)
        assert result.status == TARGET[action]
        listing.refresh_from_db()
        assert listing.status == TARGET[action]
        event = (
            pghistory.models.Events.objects.filter(
                pgh_model="procurement.ListingEvent", pgh_obj_id=str(listing.pk)
            )
            .order_by("pgh_id")
            .last()
        )
        assert event.pgh_context["action"] == f"listing_{action}"
    else:
        assert code_of(lambda: service(actor=actor, listing_id=listing.pk, **kwargs)) == want
        listing.refresh_from_db()
        assert listing.status == status  # nothing changed


@pytest.mark.parametrize("action", ["reject", "suspend", "delist"])
def test_bureau_decisions_need_a_reason(action, officer):
    status = ListingStatus.SUBMITTED if action == "reject" else ListingStatus.LISTED
    listing = ListingFactory(status=status)
    service = getattr(services, f"listing_{action}")
    assert code_of(lambda: service(actor=officer, listing_id=listing.pk, reason="  ")) == (
        "reason_required"
    )


# ---------------------------------------------------------------------------------------------
# Applications


def test_manufacturer_creates_a_draft_with_its_distributors(sales, product):
    distributor = DistributorFactory()
    listing = create(
        sales,
        product,
        companion_service=True,
        distributors=[DistributorGrant(distributor.pk, "320100")],
    )
    assert listing.status == ListingStatus.DRAFT
    assert listing.manufacturer == sales.organization
    assert listing.catalogue == Catalogue.ALTERNATE
    assert list(listing.distributors.values_list("distributor_id", "region_code")) == [
        (distributor.pk, "320100")
    ]


@pytest.mark.parametrize("role", [Role.HOSPITAL_PURCHASER, Role.BUREAU_OFFICER])
def test_only_supplier_sales_apply(role, product):
    org = HospitalFactory() if role == Role.HOSPITAL_PURCHASER else BureauFactory()
    actor = UserFactory(organization=org, roles=[role])
    assert code_of(lambda: create(actor, product)) == "permission_denied"


def test_distributors_do_not_apply(product):
    actor = UserFactory(organization=DistributorFactory(), roles=[Role.SUPPLIER_SALES])
    assert code_of(lambda: create(actor, product)) == "permission_denied"


def test_price_above_reference_refused_on_create(sales, product):
    """[R-LIST-PRICE-CAP]"""
    ReferencePriceFactory(consumable=product, price=Decimal("99.99"))
    assert code_of(lambda: create(sales, product, price="100.00")) == "price_above_cap"
    listing = create(sales, product, price="99.99")
    assert listing.catalogue == Catalogue.CAPPED


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("国械注准20153460788", "registration_number_mismatch"),
        ("not a number", "registration_number_invalid"),
        ("", "registration_number_invalid"),
    ],
)
def test_registration_number_is_checked(sales, product, number, code):
    """[R-MISCONDUCT] a listing under another product's certificate is a false document:
    refused, as is a number that does not parse."""
    assert code_of(lambda: create(sales, product, registration_number=number)) == code


def test_registration_number_is_compared_after_normalisation(sales, product):
    listing = create(sales, product, registration_number=" 国械注准２０１５３４６０７８９号 ")
    assert listing.registration_number == "国械注准20153460789"


def test_registration_number_taken_as_given_when_the_catalogue_has_none(sales, maker):
    product = ConsumableFactory(manufacturer=maker, registration_number="")
    listing = create(sales, product, registration_number="苏械注准20192140123")
    assert listing.registration_number == "苏械注准20192140123"


def test_another_manufacturers_product_cannot_be_listed(sales):
    product = ConsumableFactory(manufacturer=OrganizationFactory())
    assert code_of(lambda: create(sales, product)) == "consumable_not_listable"


def test_a_product_without_a_known_manufacturer_can_be_listed(sales):
    product = ConsumableFactory(manufacturer=None)
    assert create(sales, product).status == ListingStatus.DRAFT


def test_retired_product_cannot_be_listed(sales, maker):
    product = ConsumableFactory(manufacturer=maker, status=ConsumableStatus.RETIRED)
    assert code_of(lambda: create(sales, product)) == "consumable_not_listable"


def test_one_live_listing_per_product(sales, product):
    first = create(sales, product)
    assert code_of(lambda: create(sales, product)) == "listing_exists"
    services.listing_delist(actor=sales, listing_id=first.pk)
    assert create(sales, product).status == ListingStatus.DRAFT


def test_one_live_listing_per_product_and_companion_offer_R_VBP_COMPANION(sales, product):
    """With and without companion service are two offers of one product: one listing each."""
    plain = create(sales, product)
    companion = create(sales, product, companion_service=True, price="110.00")
    assert code_of(lambda: create(sales, product, companion_service=True)) == "listing_exists"
    change = lambda: services.listing_update(  # noqa: E731
        actor=sales, listing_id=plain.pk, companion_service=True
    )
    assert code_of(change) == "listing_exists"
    assert companion.companion_service
    assert not plain.companion_service


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": 100.5}, "price"),  # a float has already lost the cents
        ({"price": "100.001"}, "price"),
        ({"price": "0"}, "price"),
        ({"green_channel": "fast"}, "green_channel"),
        ({"provinces": [{"code": "99", "evidence": "x"}]}, "provinces"),
        ({"provinces": [{"code": "81", "evidence": "香港"}]}, "provinces"),  # not mainland
        ({"provinces": [{"code": "11", "evidence": "  "}]}, "provinces"),
        (
            {"provinces": [{"code": "11", "evidence": "a"}, {"code": "11", "evidence": "b"}]},
            "provinces",
        ),
        ({"provinces": [{"code": "11", "evidence": "x" * 301}]}, "provinces"),
        ({"provinces": "11,12,13,14,15"}, "provinces"),
    ],
)
def test_bad_application_input_is_refused_by_field(sales, product, overrides, field):
    with pytest.raises(DomainError) as exc:
        create(sales, product, **overrides)
    assert exc.value.code == "invalid"
    assert field in exc.value.extra["fields"]
    assert not Listing.objects.exists()


def test_update_changes_a_draft_only(sales, product):
    listing = create(sales, product)
    services.listing_update(
        actor=sales, listing_id=listing.pk, price="90.00", provinces=provinces(6)
    )
    listing.refresh_from_db()
    assert (listing.price, listing.provinces_listed) == (Decimal("90.00"), 6)
    services.listing_submit(actor=sales, listing_id=listing.pk)
    assert (
        code_of(lambda: services.listing_update(actor=sales, listing_id=listing.pk, price="80"))
        == "invalid_state"
    )


def test_update_refuses_fields_outside_the_application(sales, product):
    listing = create(sales, product)
    with pytest.raises(DomainError) as exc:
        services.listing_update(actor=sales, listing_id=listing.pk, status="listed")
    assert exc.value.code == "invalid"


def test_submit_rechecks_the_reference_price(sales, product):
    """[R-LIST-PRICE-CAP] a reference price confirmed after the draft was written."""
    listing = create(sales, product, price="100.00")
    ReferencePriceFactory(consumable=product, price=Decimal("80.00"))
    assert (
        code_of(lambda: services.listing_submit(actor=sales, listing_id=listing.pk))
        == "price_above_cap"
    )


# ---------------------------------------------------------------------------------------------
# Approval: catalogue and criteria


def test_approval_puts_a_product_with_reference_price_in_the_capped_catalogue(officer):
    """[R-LIST-CATALOGUES]"""
    product = ConsumableFactory()
    ReferencePriceFactory(consumable=product, price=Decimal("120.00"))
    listing = ListingFactory(
        consumable=product, status=ListingStatus.SUBMITTED, catalogue=Catalogue.ALTERNATE
    )
    services.listing_approve(actor=officer, listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.catalogue == Catalogue.CAPPED
    assert listing.reviewed_by == officer


def test_approval_refuses_a_price_above_the_reference_price(officer):
    """[R-LIST-PRICE-CAP] the reference price fell while the application waited."""
    product = ConsumableFactory()
    ReferencePriceFactory(consumable=product, price=Decimal("99.00"))
    listing = ListingFactory(consumable=product, status=ListingStatus.SUBMITTED, price=100)
    assert (
        code_of(lambda: services.listing_approve(actor=officer, listing_id=listing.pk))
        == "price_above_cap"
    )


@pytest.fixture
def emergency(monkeypatch):
    """Stand in for registered emergency purchases (procurement.selectors.emergency; real
    registrations: test_emergency.py)."""

    def install(hospitals: int, tier3: int, lowest=None):
        evidence = selectors.EmergencyEvidence(
            hospitals=hospitals, tier3_hospitals=tier3, lowest_price=lowest, available=True
        )
        monkeypatch.setattr(selectors, "emergency_purchase_evidence", lambda **_: evidence)

    return install


@pytest.mark.parametrize(
    ("green", "provinces", "emergency_counts", "approved"),
    [
        pytest.param(GreenChannel.INNOVATIVE, 0, None, True, id="green-innovative"),
        pytest.param(GreenChannel.PRIORITY, 0, None, True, id="green-priority"),
        pytest.param(GreenChannel.EMERGENCY, 0, None, True, id="green-emergency-approved"),
        pytest.param("", 5, None, True, id="five-provinces"),
        pytest.param("", 4, None, False, id="four-provinces"),
        pytest.param("", 0, (5, 3, None), True, id="emergency-5-of-which-3-tier3"),
        pytest.param("", 0, (5, 2, None), False, id="emergency-only-2-tier3"),
        pytest.param("", 0, (4, 4, None), False, id="emergency-only-4-hospitals"),
        pytest.param("", 0, (5, 3, Decimal("99.00")), False, id="above-lowest-emergency-price"),
        pytest.param("", 0, (5, 3, Decimal("100.00")), True, id="at-lowest-emergency-price"),
        pytest.param("", 0, None, False, id="no-criterion"),
    ],
)
def test_alternate_catalogue_listing_criteria(
    officer, emergency, green, provinces, emergency_counts, approved
):
    """[R-LIST-GREEN] [R-LIST-OTHER] without a reference price a product needs a green
    channel, listings in 5+ provinces, or emergency purchases by 5+ tier-2+ hospitals of which
    3+ tier-3, at no more than the lowest emergency price."""
    if emergency_counts:
        emergency(*emergency_counts)
    listing = ListingFactory(
        status=ListingStatus.SUBMITTED,
        price=Decimal("100.00"),
        green_channel=green,
        provinces_listed=provinces,
    )
    if approved:
        services.listing_approve(actor=officer, listing_id=listing.pk, provinces_checked=True)
        listing.refresh_from_db()
        assert (listing.status, listing.catalogue) == (ListingStatus.LISTED, Catalogue.ALTERNATE)
    else:
        with pytest.raises(DomainError) as exc:
            services.listing_approve(actor=officer, listing_id=listing.pk)
        assert exc.value.code == "listing_criteria_not_met"
        assert exc.value.extra["provinces"] == provinces


def test_criteria_use_the_reviewing_bureaus_region_policy(officer):
    """[R-LIST-OTHER] the province minimum is a region figure."""
    RegionPolicy.objects.create(
        region_code=officer.organization.region_code, other_listing_min_provinces=3
    )
    listing = ListingFactory(status=ListingStatus.SUBMITTED, provinces_listed=3)
    services.listing_approve(actor=officer, listing_id=listing.pk, provinces_checked=True)
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.LISTED


def test_criteria_selector_reports_every_criterion(officer):
    listing = ListingFactory(status=ListingStatus.SUBMITTED, provinces_listed=2)
    listing = selectors.listing_detail(actor=officer, listing_id=listing.pk)
    criteria = listing.criteria
    assert criteria.catalogue == Catalogue.ALTERNATE
    assert criteria.reference_price is None
    assert criteria.price_within_reference is None
    assert (criteria.provinces_listed, criteria.min_provinces) == (2, 5)
    assert criteria.emergency.available is False  # no emergency purchase registered
    assert not criteria.approvable


# ---------------------------------------------------------------------------------------------
# Price changes


@pytest.fixture
def listed(maker):
    product = ConsumableFactory(manufacturer=maker)
    ReferencePriceFactory(consumable=product, price=Decimal("100.00"))
    return ListingFactory(manufacturer=maker, consumable=product, price=Decimal("100.00"))


def test_price_change_is_reviewed_then_applied(sales, officer, listed):
    change = services.listing_price_change_request(
        actor=sales, listing_id=listed.pk, new_price="95.00", reason="集采联动"
    )
    assert (change.old_price, change.status) == (Decimal("100.00"), PriceChangeStatus.PENDING)
    listed.refresh_from_db()
    assert listed.price == Decimal("100.00")  # nothing applies before review
    services.listing_price_change_approve(actor=officer, price_change_id=change.pk)
    listed.refresh_from_db()
    assert listed.price == Decimal("95.00")


def test_one_pending_price_change_per_listing(sales, listed):
    services.listing_price_change_request(actor=sales, listing_id=listed.pk, new_price="95")
    assert (
        code_of(
            lambda: services.listing_price_change_request(
                actor=sales, listing_id=listed.pk, new_price="90"
            )
        )
        == "price_change_pending"
    )


@pytest.mark.parametrize(
    ("new_price", "code"),
    [("100.00", "price_unchanged"), ("100.01", "price_above_cap"), ("-1", "invalid")],
)
def test_price_change_request_is_checked(sales, listed, new_price, code):
    """[R-LIST-PRICE-CAP] never above the reference price."""
    assert (
        code_of(
            lambda: services.listing_price_change_request(
                actor=sales, listing_id=listed.pk, new_price=new_price
            )
        )
        == code
    )


def test_price_change_approval_rechecks_the_reference_price(sales, officer, listed):
    """[R-LIST-PRICE-CAP] the reference price fell below the requested price meanwhile."""
    change = services.listing_price_change_request(
        actor=sales, listing_id=listed.pk, new_price="95.00"
    )
    ReferencePrice.objects.filter(consumable=listed.consumable).update(price=Decimal("90.00"))
    assert (
        code_of(
            lambda: services.listing_price_change_approve(actor=officer, price_change_id=change.pk)
        )
        == "price_above_cap"
    )


@pytest.mark.parametrize(("action", "reason"), [("approve", ""), ("reject", "理由")])
def test_price_change_is_decided_once(sales, officer, listed, action, reason):
    change = services.listing_price_change_request(
        actor=sales, listing_id=listed.pk, new_price="95.00"
    )
    decide = getattr(services, f"listing_price_change_{action}")
    decide(actor=officer, price_change_id=change.pk, reason=reason)
    assert (
        code_of(lambda: decide(actor=officer, price_change_id=change.pk, reason=reason))
        == "invalid_state"
    )


def test_price_change_rejection_needs_a_reason(sales, officer, listed):
    change = services.listing_price_change_request(
        actor=sales, listing_id=listed.pk, new_price="95.00"
    )
    assert (
        code_of(
            lambda: services.listing_price_change_reject(
                actor=officer, price_change_id=change.pk, reason=""
            )
        )
        == "reason_required"
    )


def test_supplier_cannot_decide_its_own_price_change(sales, listed):
    change = services.listing_price_change_request(
        actor=sales, listing_id=listed.pk, new_price="95.00"
    )
    assert (
        code_of(
            lambda: services.listing_price_change_approve(actor=sales, price_change_id=change.pk)
        )
        == "permission_denied"
    )


def test_price_change_of_another_manufacturers_listing_is_not_found(listed):
    other = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    assert (
        code_of(
            lambda: services.listing_price_change_request(
                actor=other, listing_id=listed.pk, new_price="90"
            )
        )
        == "not_found"
    )


def test_price_change_only_for_listed_or_suspended(sales, maker):
    draft = ListingFactory(manufacturer=maker, status=ListingStatus.DRAFT)
    assert (
        code_of(
            lambda: services.listing_price_change_request(
                actor=sales, listing_id=draft.pk, new_price="90"
            )
        )
        == "invalid_state"
    )


# ---------------------------------------------------------------------------------------------
# Distributors


def test_distributor_set_replaces_the_authorisations(sales, listed):
    keep, drop, new = DistributorFactory(), DistributorFactory(), DistributorFactory()
    ListingDistributorFactory(listing=listed, distributor=keep, region_code="320100")
    ListingDistributorFactory(listing=listed, distributor=drop, region_code="320100")
    rows = services.listing_distributor_set(
        actor=sales,
        listing_id=listed.pk,
        grants=[
            DistributorGrant(keep.pk, "320100"),
            DistributorGrant(new.pk, "320000"),
            DistributorGrant(new.pk, "320000"),  # duplicates collapse
        ],
    )
    assert {(r.distributor_id, r.region_code) for r in rows} == {
        (keep.pk, "320100"),
        (new.pk, "320000"),
    }


@pytest.mark.parametrize(
    ("grant", "code"),
    [
        (lambda: DistributorGrant(DistributorFactory().pk, "999999"), "region_invalid"),
        (lambda: DistributorGrant(HospitalFactory().pk, "320100"), "distributor_invalid"),
        (
            lambda: DistributorGrant(DistributorFactory(is_active=False).pk, "320100"),
            "distributor_invalid",
        ),
    ],
)
def test_distributor_set_refuses_bad_grants(sales, listed, grant, code):
    bad = grant()
    assert (
        code_of(
            lambda: services.listing_distributor_set(
                actor=sales, listing_id=listed.pk, grants=[bad]
            )
        )
        == code
    )
    assert not ListingDistributor.objects.filter(listing=listed).exists()


def test_authorised_distributor_cannot_change_authorisations(listed):
    grant = ListingDistributorFactory(listing=listed)
    actor = UserFactory(organization=grant.distributor, roles=[Role.SUPPLIER_SALES])
    assert (
        code_of(
            lambda: services.listing_distributor_set(actor=actor, listing_id=listed.pk, grants=[])
        )
        == "permission_denied"
    )


# ---------------------------------------------------------------------------------------------
# [R-LIST-OTHER] the provinces already listing a product, named with their evidence


def provinces(n: int) -> list[dict[str, str]]:
    codes = sorted(MAINLAND_PROVINCES)[:n]
    return [{"code": code, "evidence": f"{code} 平台挂网编号 GW-{code}"} for code in codes]


def test_R_LIST_OTHER_provinces_are_named_with_evidence_and_counted(sales, product):
    listing = create(sales, product, provinces=provinces(3))
    assert listing.provinces_listed == 3
    rows = list(listing.provinces.values_list("province_code", "evidence"))
    assert rows == [
        ("11", "11 平台挂网编号 GW-11"),
        ("12", "12 平台挂网编号 GW-12"),
        ("13", "13 平台挂网编号 GW-13"),
    ]
    services.listing_update(
        actor=sales,
        listing_id=listing.pk,
        provinces=[{"code": "65", "evidence": "新疆平台 GW-65"}, *provinces(1)],
    )
    listing.refresh_from_db()
    assert listing.provinces_listed == 2
    assert sorted(listing.provinces.values_list("province_code", flat=True)) == ["11", "65"]
    # The typed number is gone: the count is only ever derived.
    assert (
        code_of(
            lambda: services.listing_update(actor=sales, listing_id=listing.pk, provinces_listed=9)
        )
        == "invalid"
    )


@pytest.mark.parametrize(
    ("count", "code"),
    [
        pytest.param(4, "listing_criteria_not_met", id="four-provinces-refused"),
        pytest.param(5, None, id="five-provinces-submitted"),
    ],
)
def test_R_LIST_OTHER_submission_needs_the_policy_minimum_of_provinces(sales, product, count, code):
    """Without a reference price, green channel or emergency purchases, fewer provinces than
    the region policy's minimum (5) are refused at submission, with the figures."""
    listing = create(sales, product, provinces=provinces(count))
    if code is None:
        assert services.listing_submit(actor=sales, listing_id=listing.pk).status == (
            ListingStatus.SUBMITTED
        )
    else:
        with pytest.raises(DomainError) as exc:
            services.listing_submit(actor=sales, listing_id=listing.pk)
        assert exc.value.code == code
        assert (exc.value.extra["provinces"], exc.value.extra["min_provinces"]) == (4, 5)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.DRAFT


def test_R_LIST_OTHER_submission_minimum_is_the_region_policy(sales, product):
    RegionPolicy.objects.create(
        region_code=sales.organization.region_code, other_listing_min_provinces=6
    )
    listing = create(sales, product, provinces=provinces(5))
    assert code_of(lambda: services.listing_submit(actor=sales, listing_id=listing.pk)) == (
        "listing_criteria_not_met"
    )


def test_R_LIST_OTHER_approval_records_that_the_evidence_was_checked(sales, product, officer):
    listing = create(sales, product, provinces=provinces(5))
    services.listing_submit(actor=sales, listing_id=listing.pk)
    detail = selectors.listing_detail(actor=officer, listing_id=listing.pk)
    assert [p.province_code for p in detail.province_rows] == ["11", "12", "13", "14", "15"]
    assert detail.criteria.provinces_only
    with pytest.raises(DomainError) as exc:
        services.listing_approve(actor=officer, listing_id=listing.pk)
    assert exc.value.code == "provinces_not_checked"
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SUBMITTED
    services.listing_approve(actor=officer, listing_id=listing.pk, provinces_checked=True)
    listing.refresh_from_db()
    assert (listing.status, listing.provinces_checked_by) == (ListingStatus.LISTED, officer)
    assert listing.provinces_checked_at is not None


def test_R_LIST_OTHER_a_green_channel_needs_no_province_check(officer):
    listing = ListingFactory(
        status=ListingStatus.SUBMITTED, green_channel=GreenChannel.INNOVATIVE, provinces_listed=5
    )
    services.listing_approve(actor=officer, listing_id=listing.pk)
    listing.refresh_from_db()
    assert (listing.status, listing.provinces_checked_by) == (ListingStatus.LISTED, None)
