"""Emergency purchases (应急采购): the registration deadline [R-EMERG-DEADLINE], the cap by tier
[R-EMERG-CAP], the bureau's decision, the violations settlement and credit read, and the
evidence they give other listings [R-LIST-OTHER]."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import HospitalTier, Role
from accounts.tests.factories import HospitalFactory, UserFactory
from catalog.tests.factories import ConsumableFactory
from core.errors import DomainError
from core.policy import RegionPolicy
from core.tests.helpers import code_of
from procurement.choices import EmergencyStatus, EmergencyViolationKind
from procurement.models import EmergencyPurchase, EmergencyViolation
from procurement.selectors import emergency as selectors
from procurement.selectors.listings import emergency_purchase_evidence
from procurement.services import emergency as services
from procurement.tests.emergency_world import bought_last_year, on, register
from procurement.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)  # a Tuesday


@pytest.fixture
def base(hospital):
    """Last year's platform purchases: ¥100,000.00 (tier 3: cap ¥3,000.00)."""
    bought_last_year(hospital, Decimal("100000.00"), year=2026)


# --- the deadline [R-EMERG-DEADLINE] -------------------------------------------------------


@pytest.mark.parametrize(
    ("registered_on", "late"),
    [
        pytest.param(dt.date(2026, 10, 12), False, id="on-the-5th-working-day-after-the-holiday"),
        pytest.param(dt.date(2026, 10, 13), True, id="one-working-day-late"),
    ],
)
def test_deadline_skips_national_day_and_counts_the_make_up_saturday_R_EMERG_DEADLINE(
    purchaser, base, registered_on, late
):
    """[R-EMERG-DEADLINE] bought Tuesday 2026-09-29: 5 working days are 09-30, 10-08, 10-09,
    Saturday 10-10 (the make-up working day of National Day) and 10-12; 10-01 to 10-07 are
    the holiday. Counted Monday to Friday it would be 10-06, ignoring the holiday 10-13."""
    with on(registered_on):
        purchase = register(purchaser, bought_on="2026-09-29")
    assert purchase.deadline == dt.date(2026, 10, 12)
    assert purchase.deadline_estimated is False
    assert purchase.late is late
    kinds = set(purchase.violations.values_list("kind", flat=True))
    assert (EmergencyViolationKind.LATE in kinds) is late


def test_late_registration_is_accepted_and_recorded_as_a_violation_R_EMERG_DEADLINE(
    purchaser, base
):
    """[R-EMERG-DEADLINE] never refused, never silent: a violation of the whole amount."""
    with on(dt.date(2026, 3, 31)):
        purchase = register(purchaser, bought_on=DAY, price="250.00", quantity=2)
    violation = EmergencyViolation.objects.get(purchase=purchase)
    assert (violation.kind, violation.amount, violation.year) == (
        EmergencyViolationKind.LATE,
        Decimal("500.00"),
        2026,
    )
    assert purchase.status == EmergencyStatus.REGISTERED  # within the cap: nothing to decide
    assert list(
        selectors.emergency_violations_unscoped(year=2026, hospital_ids=[purchase.hospital_id])
    ) == [violation]


def test_the_deadline_is_the_region_policys_R_EMERG_DEADLINE(purchaser, hospital, base):
    """[R-EMERG-DEADLINE] SZ counts 10 working days."""
    RegionPolicy.objects.create(
        region_code=hospital.region_code, emergency_registration_working_days=10
    )
    with on(dt.date(2026, 3, 20)):
        purchase = register(purchaser, bought_on=DAY)
    assert (purchase.deadline, purchase.late) == (dt.date(2026, 3, 24), False)


def test_future_date_is_refused_and_writes_nothing(purchaser, base):
    with on(DAY):
        assert (
            code_of(lambda: register(purchaser, bought_on=DAY + dt.timedelta(days=1)))
            == "emergency_date_in_future"
        )
    assert not EmergencyPurchase.objects.exists()


# --- the cap [R-EMERG-CAP] -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "cap"),
    [
        pytest.param(HospitalTier.TIER_3, Decimal("3000.00"), id="tier3-3pct"),
        pytest.param(HospitalTier.TIER_2, Decimal("2000.00"), id="tier2-2pct"),
        pytest.param(HospitalTier.TIER_1, Decimal("2000.00"), id="tier1-2pct"),
    ],
)
@pytest.mark.parametrize(
    ("cents_over", "status"),
    [
        pytest.param(0, EmergencyStatus.REGISTERED, id="exactly-at-cap"),
        pytest.param(1, EmergencyStatus.PENDING, id="one-cent-over"),
    ],
)
def test_cap_at_the_boundary_per_tier_R_EMERG_CAP(tier, cap, cents_over, status):
    """[R-EMERG-CAP] tier 3: 3% of last year's platform purchases, others 2% (region policy
    defaults); exactly at the cap is fine, one cent over is an over-cap violation awaiting the
    bureau."""
    hospital = HospitalFactory(region_code="320106", tier=tier)
    purchaser = UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])
    bought_last_year(hospital, Decimal("100000.00"), year=2026)
    with on(DAY):
        register(purchaser, bought_on=DAY, price=cap - 1000)  # earlier purchases count
        purchase = register(
            purchaser, bought_on=DAY, price=Decimal("1000.00") + Decimal(cents_over) / 100
        )
    assert purchase.cap == cap
    assert purchase.status == status
    assert purchase.over_cap_amount == Decimal(cents_over) / 100
    over = EmergencyViolation.objects.filter(kind=EmergencyViolationKind.OVER_CAP)
    assert [v.amount for v in over] == ([Decimal("0.01")] if cents_over else [])
    if cents_over:
        assert over.get().purchase == purchase


def test_cap_ratios_are_the_region_policys_R_EMERG_CAP(purchaser, hospital, base):
    """[R-EMERG-CAP] SZ: 5% for every hospital."""
    RegionPolicy.objects.create(
        region_code=hospital.region_code,
        emergency_cap_ratio_tier3=Decimal("0.0500"),
        emergency_cap_ratio_other=Decimal("0.0500"),
    )
    with on(DAY):
        purchase = register(purchaser, bought_on=DAY, price="5000.00")
    assert (purchase.cap, purchase.status) == (Decimal("5000.00"), EmergencyStatus.REGISTERED)


def test_bureau_approval_lifts_the_over_cap_violation_and_raises_the_cap(purchaser, officer, base):
    """[R-EMERG-CAP] the bureau may approve more, with a reason."""
    with on(DAY):
        purchase = register(purchaser, bought_on=DAY, price="3500.00")
        assert (
            code_of(
                lambda: services.emergency_purchase_approve(
                    actor=officer, purchase_id=purchase.pk, reason=" "
                )
            )
            == "reason_required"
        )
        services.emergency_purchase_approve(
            actor=officer, purchase_id=purchase.pk, reason="疫情应急，准予超额"
        )
        cap = selectors.emergency_cap_for(actor=purchaser)
    purchase.refresh_from_db()
    assert purchase.status == EmergencyStatus.APPROVED
    assert purchase.decision_reason == "疫情应急，准予超额"
    violation = purchase.violations.get()
    assert violation.lifted_by == officer
    assert not selectors.emergency_violations_unscoped(year=2026).exists()
    assert (cap.cap, cap.used, cap.remaining) == (
        Decimal("3500.00"),
        Decimal("3500.00"),
        Decimal("0.00"),
    )


def test_bureau_refusal_keeps_the_violation(purchaser, officer, base):
    with on(DAY):
        purchase = register(purchaser, bought_on=DAY, price="3500.00")
        services.emergency_purchase_reject(actor=officer, purchase_id=purchase.pk, reason="不符")
    purchase.refresh_from_db()
    assert purchase.status == EmergencyStatus.REJECTED
    standing = selectors.emergency_violations_unscoped(year=2026)
    assert [(v.kind, v.amount) for v in standing] == [
        (EmergencyViolationKind.OVER_CAP, Decimal("500.00"))
    ]


# --- products orderable on the platform ----------------------------------------------------


def test_listed_orderable_product_needs_a_reason(purchaser, base):
    listing = ListingFactory()
    with on(DAY):
        assert (
            code_of(lambda: register(purchaser, bought_on=DAY, product=listing.consumable))
            == "emergency_listed_reason_required"
        )
        assert not EmergencyPurchase.objects.exists()
        purchase = register(
            purchaser,
            bought_on=DAY,
            product=listing.consumable,
            listed_reason="平台供应商断货，无法按时配送",
        )
    assert purchase.listed_reason == "平台供应商断货，无法按时配送"
    assert purchase.lines.get().listed_on_platform is True


def test_unlisted_product_needs_no_such_reason(purchaser, base):
    with on(DAY):
        purchase = register(purchaser, bought_on=DAY, listed_reason="ignored")
    assert purchase.listed_reason == ""
    assert purchase.lines.get().listed_on_platform is False


# --- bad input, roles, tenancy -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"bought_on": "2026-13-01"}, "bought_on", id="bad-date"),
        pytest.param({"bought_on": "0001-01-01"}, "bought_on", id="year-1"),
        pytest.param({"reason": "  "}, "reason", id="no-reason"),
        pytest.param({"approver_name": ""}, "approver_name", id="no-approver"),
        pytest.param(
            {
                "lines": [
                    {"consumable_id": 0, "supplier_name": "x", "unit_price": "1", "quantity": 1}
                ]
            },
            "lines.1.consumable_id",
            id="unknown-product",
        ),
    ],
)
def test_bad_input_is_refused_field_by_field_and_writes_nothing(purchaser, base, change, field):
    with on(DAY), pytest.raises(DomainError) as error:
        register(purchaser, **{"bought_on": DAY, **change})
    assert error.value.code == "invalid"
    assert field in error.value.extra["fields"]
    assert not EmergencyPurchase.objects.exists()


@pytest.mark.parametrize(
    ("price", "quantity", "field"),
    [
        pytest.param(1.5, 1, "unit_price", id="float-price"),
        pytest.param("1.001", 1, "unit_price", id="three-decimals"),
        pytest.param("0.00", 1, "unit_price", id="zero-price"),
        pytest.param("1.00", 0, "quantity", id="zero-quantity"),
        pytest.param("1.00", "two", "quantity", id="text-quantity"),
    ],
)
def test_bad_line_is_refused(purchaser, base, price, quantity, field):
    with on(DAY), pytest.raises(DomainError) as error:
        register(purchaser, bought_on=DAY, price=price, quantity=quantity)
    assert f"lines.1.{field}" in error.value.extra["fields"]


def test_no_lines_is_refused(purchaser, base):
    with on(DAY):
        assert code_of(lambda: register(purchaser, bought_on=DAY, lines=[])) == (
            "emergency_lines_required"
        )


def test_only_hospital_purchasers_register(finance, officer, base):
    with on(DAY):
        for actor in (finance, officer):
            assert code_of(lambda a=actor: register(a, bought_on=DAY)) == "permission_denied"


def test_another_hospital_sees_a_404(purchaser, base):
    with on(DAY):
        purchase = register(purchaser, bought_on=DAY)
    other = UserFactory(
        organization=HospitalFactory(region_code="320106"), roles=[Role.HOSPITAL_PURCHASER]
    )
    assert (
        code_of(lambda: selectors.emergency_purchase_get(actor=other, purchase_id=purchase.pk))
        == "not_found"
    )
    assert not selectors.emergency_purchase_list(actor=other).exists()
    assert not selectors.emergency_violation_list(actor=other).exists()


def test_bureau_of_another_region_cannot_decide(purchaser, base):
    from accounts.tests.factories import BureauFactory

    stranger = UserFactory(
        organization=BureauFactory(region_code="330100"), roles=[Role.BUREAU_OFFICER]
    )
    with on(DAY):
        purchase = register(purchaser, bought_on=DAY, price="3500.00")
        assert (
            code_of(
                lambda: services.emergency_purchase_approve(
                    actor=stranger, purchase_id=purchase.pk, reason="x"
                )
            )
            == "not_found"
        )
    purchase.refresh_from_db()
    assert purchase.status == EmergencyStatus.PENDING


# --- evidence for other listings [R-LIST-OTHER] --------------------------------------------


def test_evidence_counts_distinct_tier2_plus_hospitals_of_the_region_and_the_lowest_price():
    """[R-LIST-OTHER] tier-2+ hospitals of the region, each counted once; tier 1 and other
    regions do not count toward the hospitals, the lowest price is the region's."""
    product = ConsumableFactory()
    tiers = [HospitalTier.TIER_3, HospitalTier.TIER_3, HospitalTier.TIER_2, HospitalTier.TIER_1]
    prices = ["120.00", "110.00", "130.00", "90.00"]
    with on(DAY):
        for tier, price in zip(tiers, prices, strict=True):
            hospital = HospitalFactory(region_code="320106", tier=tier)
            buyer = UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])
            register(buyer, bought_on=DAY, price=price, product=product)
            if tier == HospitalTier.TIER_3:
                register(buyer, bought_on=DAY, price=price, product=product)  # counted once
        elsewhere = HospitalFactory(region_code="330106", tier=HospitalTier.TIER_3)
        register(
            UserFactory(organization=elsewhere, roles=[Role.HOSPITAL_PURCHASER]),
            bought_on=DAY,
            price="10.00",
            product=product,
        )
    evidence = emergency_purchase_evidence(consumable_id=product.pk, region_code="320100")
    assert (evidence.hospitals, evidence.tier3_hospitals, evidence.lowest_price) == (
        3,
        2,
        Decimal("90.00"),
    )
    assert evidence.available is True


def _bought_by(product, tiers, price="100.00"):
    with on(DAY):
        for tier in tiers:
            hospital = HospitalFactory(region_code="320106", tier=tier)
            buyer = UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])
            register(buyer, bought_on=DAY, price=price, product=product)


@pytest.mark.parametrize(
    ("tiers", "price", "approved"),
    [
        pytest.param(
            [HospitalTier.TIER_3] * 3 + [HospitalTier.TIER_2] * 2,
            "100.00",
            True,
            id="5-of-which-3-tier3",
        ),
        pytest.param(
            [HospitalTier.TIER_3] * 2 + [HospitalTier.TIER_2] * 3,
            "100.00",
            False,
            id="only-2-tier3",
        ),
        pytest.param(
            [HospitalTier.TIER_3] * 4 + [HospitalTier.TIER_1],
            "100.00",
            False,
            id="tier1-does-not-count",
        ),
        pytest.param(
            [HospitalTier.TIER_3] * 5, "99.99", False, id="listed-above-lowest-emergency-price"
        ),
    ],
)
def test_emergency_purchases_qualify_an_other_listing_R_LIST_OTHER(officer, tiers, price, approved):
    """[R-LIST-OTHER] the listing review reads the registered emergency purchases: 5+ tier-2+
    hospitals of the region (3+ tier 3), at no more than the region's lowest emergency price."""
    from procurement.choices import ListingStatus
    from procurement.services import listings

    listing = ListingFactory(status=ListingStatus.SUBMITTED, price=Decimal("100.00"))
    _bought_by(listing.consumable, tiers, price=price)
    if approved:
        listings.listing_approve(actor=officer, listing_id=listing.pk)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.LISTED
    else:
        assert (
            code_of(lambda: listings.listing_approve(actor=officer, listing_id=listing.pk))
            == "listing_criteria_not_met"
        )


def test_cap_base_for_a_hospital_new_to_the_platform_is_its_approved_annual_total(
    purchaser, hospital
):
    """[R-EMERG-CAP] nothing bought on the platform last year: the annual purchase total the
    bureau approved for the year is the base (else the cap is 0 and every purchase is over)."""
    from procurement.tests.factories import AnnualPurchasePlanFactory

    with on(DAY):
        assert selectors.emergency_cap_for(actor=purchaser).cap == Decimal("0.00")
        AnnualPurchasePlanFactory(hospital=hospital, year=2026, total=Decimal("50000.00"))
        cap = selectors.emergency_cap_for(actor=purchaser)
    assert (cap.base, cap.base_kind, cap.cap) == (
        Decimal("50000.00"),
        "approved",
        Decimal("1500.00"),
    )
