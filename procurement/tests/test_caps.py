"""[R-LIST-ALT-CAP] annual purchase plans and the alternate-catalogue cap: alternate-catalogue
purchases may not exceed a region share (15% by default) of the hospital's annual total."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import (
    AgencyFactory,
    BureauFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from core import clock
from core.errors import DomainError
from core.policy import RegionPolicy
from core.tests.helpers import code_of
from procurement.choices import Catalogue, LineStatus, OrderStatus, PurchasePlanStatus
from procurement.models import AnnualPurchasePlan, Order, OrderLine
from procurement.selectors.caps import alternate_cap_check
from procurement.selectors.purchase_plans import (
    alternate_cap_status_get,
    purchase_plan_actions,
    purchase_plan_get,
    purchase_plan_get_by_id,
    purchase_plan_history,
    purchase_plan_list,
)
from procurement.services.purchase_plans import (
    purchase_plan_approve,
    purchase_plan_propose,
    purchase_plan_reject,
)
from procurement.services.purchase_totals import purchase_totals_rebuild
from procurement.tests.factories import AnnualPurchasePlanFactory, ListingFactory

pytestmark = pytest.mark.django_db


_numbers = iter(range(1, 10**6))


def last_year_day(month: int = 6, day: int = 1) -> dt.datetime:
    return dt.datetime(clock.local_today().year - 1, month, day, 4, tzinfo=dt.UTC)


def buy(
    hospital,
    amount: str,
    *,
    catalogue=Catalogue.ALTERNATE,
    order_status=None,
    line_status=None,
    when=None,
):
    """An order line as the order services would have written it, with the hospital's
    running purchase totals it moves (the services keep them; here they are rebuilt)."""
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
    line = OrderLine.objects.create(
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
    purchase_totals_rebuild(hospital_ids=[hospital.pk])
    return line


# ---------------------------------------------------------------------------------------------
# Proposing a total, the bureau's decision


def propose(finance, total="1200000", reason="新院区开业", year=None):
    year = year or clock.local_today().year
    return purchase_plan_propose(actor=finance, year=year, total=total, reason=reason)


def test_R_LIST_ALT_CAP_a_proposed_total_waits_for_the_bureau(finance, hospital):
    buy(hospital, "1000000.00", when=last_year_day())
    plan = propose(finance, total="2,000,000.00")
    assert (plan.hospital, plan.status, plan.proposed_total, plan.total) == (
        hospital,
        PurchasePlanStatus.PROPOSED,
        Decimal("2000000.00"),
        None,
    )
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert (cap.base, cap.total, cap.cap) == (
        "previous_year",
        Decimal("1000000.00"),
        Decimal("150000.00"),
    )


def test_R_LIST_ALT_CAP_the_bureaus_approval_puts_the_total_in_force(finance, officer):
    plan = propose(finance, total="2000000")
    plan = purchase_plan_approve(actor=officer, plan_id=plan.pk, reason="与预算一致")
    assert (plan.status, plan.total, plan.decided_by) == (
        PurchasePlanStatus.APPROVED,
        Decimal("2000000.00"),
        officer,
    )
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert (cap.base, cap.total, cap.cap) == (
        "approved",
        Decimal("2000000.00"),
        Decimal("300000.00"),
    )


def test_R_LIST_ALT_CAP_a_rejection_keeps_the_total_in_force(finance, officer):
    plan = propose(finance, total="2000000")
    purchase_plan_approve(actor=officer, plan_id=plan.pk)
    propose(finance, total="9000000")
    plan = purchase_plan_reject(actor=officer, plan_id=plan.pk, reason="无依据")
    assert (plan.status, plan.total, plan.proposed_total, plan.decision_reason) == (
        PurchasePlanStatus.REJECTED,
        Decimal("2000000.00"),
        Decimal("9000000.00"),
        "无依据",
    )
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert cap.total == Decimal("2000000.00")


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        pytest.param("proposed", "propose", False, id="proposed-propose"),
        pytest.param("proposed", "approve", True, id="proposed-approve"),
        pytest.param("proposed", "reject", True, id="proposed-reject"),
        pytest.param("approved", "propose", True, id="approved-propose"),
        pytest.param("approved", "approve", False, id="approved-approve"),
        pytest.param("approved", "reject", False, id="approved-reject"),
        pytest.param("rejected", "propose", True, id="rejected-propose"),
        pytest.param("rejected", "approve", False, id="rejected-approve"),
        pytest.param("rejected", "reject", False, id="rejected-reject"),
    ],
)
def test_R_LIST_ALT_CAP_plan_state_machine(finance, officer, state, action, allowed):
    """Each transition from each state: the service and the allowed actions agree."""
    plan = propose(finance)
    if state == "approved":
        purchase_plan_approve(actor=officer, plan_id=plan.pk)
    elif state == "rejected":
        purchase_plan_reject(actor=officer, plan_id=plan.pk, reason="无依据")
    plan.refresh_from_db()
    actor = finance if action == "propose" else officer
    offered = bool(purchase_plan_actions(actor=actor, plan=plan)[action])
    run = {
        "propose": lambda: propose(finance, total="3000000"),
        "approve": lambda: purchase_plan_approve(actor=officer, plan_id=plan.pk),
        "reject": lambda: purchase_plan_reject(actor=officer, plan_id=plan.pk, reason="否"),
    }[action]
    assert offered == allowed
    if allowed:
        run()
    else:
        assert code_of(run) == "invalid_state"
        plan_before = plan.status
        plan.refresh_from_db()
        assert plan.status == plan_before


def test_R_LIST_ALT_CAP_rejecting_needs_a_reason(finance, officer):
    plan = propose(finance)
    assert code_of(lambda: purchase_plan_reject(actor=officer, plan_id=plan.pk, reason=" ")) == (
        "reason_required"
    )


@pytest.mark.parametrize(
    "who",
    ["purchaser", "officer", "supplier", "agency"],
)
def test_R_LIST_ALT_CAP_only_hospital_finance_proposes(hospital, officer, who):
    actor = {
        "officer": officer,
        "purchaser": UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER]),
        "supplier": UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]),
        "agency": UserFactory(organization=AgencyFactory(), roles=[Role.AGENCY_FINANCE]),
    }[who]
    assert code_of(lambda: propose(actor)) == "permission_denied"
    assert not AnnualPurchasePlan.objects.exists()


@pytest.mark.parametrize(
    ("who", "code"),
    [
        pytest.param("finance", "permission_denied", id="the-hospitals-finance"),
        pytest.param("other_finance", "permission_denied", id="another-hospitals-finance"),
        pytest.param("admin", "permission_denied", id="platform-admin"),
        pytest.param("suzhou_officer", "not_found", id="bureau-outside-region"),
    ],
)
def test_R_LIST_ALT_CAP_only_the_regions_bureau_decides(finance, who, code):
    plan = propose(finance)
    actor = {
        "finance": finance,
        "other_finance": UserFactory(organization=HospitalFactory(), roles=[Role.HOSPITAL_FINANCE]),
        "admin": UserFactory(organization=finance.organization, roles=[Role.PLATFORM_ADMIN]),
        "suzhou_officer": UserFactory(
            organization=BureauFactory(region_code="320505"),
            roles=[Role.BUREAU_OFFICER],
        ),
    }[who]
    assert code_of(lambda: purchase_plan_approve(actor=actor, plan_id=plan.pk)) == code
    plan.refresh_from_db()
    assert plan.status == PurchasePlanStatus.PROPOSED


def test_R_LIST_ALT_CAP_another_hospitals_finance_neither_sees_nor_changes_a_plan(
    finance, hospital
):
    plan = propose(finance)
    other = UserFactory(organization=HospitalFactory(), roles=[Role.HOSPITAL_FINANCE])
    assert code_of(lambda: purchase_plan_get(actor=other, hospital_id=hospital.pk)) == ("not_found")
    assert code_of(lambda: purchase_plan_get_by_id(actor=other, plan_id=plan.pk)) == "not_found"
    assert not purchase_plan_list(actor=other).exists()
    # Its own proposal is its own hospital's row.
    mine = propose(other, total="1")
    assert mine.hospital == other.organization
    plan.refresh_from_db()
    assert plan.proposed_total == Decimal("1200000.00")


@pytest.mark.parametrize(
    ("year_offset", "total", "reason", "code"),
    [
        pytest.param(2, "1", "理由", "purchase_plan_year_invalid", id="two-years-ahead"),
        pytest.param(-2, "1", "理由", "purchase_plan_year_invalid", id="two-years-back"),
        pytest.param(0, "-1", "理由", "invalid", id="negative"),
        pytest.param(0, 1.5, "理由", "invalid", id="float"),
        pytest.param(0, "1", "  ", "reason_required", id="no-reason"),
    ],
)
def test_plan_input_is_checked(finance, year_offset, total, reason, code):
    year = clock.local_today().year + year_offset
    assert code_of(lambda: propose(finance, total=total, reason=reason, year=year)) == code


def test_R_LIST_ALT_CAP_the_plan_keeps_its_history(finance, officer):
    plan = propose(finance, total="2000000")
    purchase_plan_approve(actor=officer, plan_id=plan.pk)
    propose(finance, total="3000000")
    purchase_plan_reject(actor=officer, plan_id=plan.pk, reason="无依据")
    rows = list(purchase_plan_history(plan=plan))
    assert [(r.status, r.proposed_total, r.total) for r in reversed(rows)] == [
        ("proposed", Decimal("2000000.00"), None),
        ("approved", Decimal("2000000.00"), Decimal("2000000.00")),
        ("proposed", Decimal("3000000.00"), Decimal("2000000.00")),
        ("rejected", Decimal("3000000.00"), Decimal("2000000.00")),
    ]
    actions = [r.pgh_context.metadata["action"] for r in reversed(rows)]
    assert actions == [
        "purchase_plan_propose",
        "purchase_plan_approve",
        "purchase_plan_propose",
        "purchase_plan_reject",
    ]


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
    buy(hospital, "900.00", when=last_year_day())
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


def test_R_LIST_ALT_CAP_default_base_is_last_years_platform_purchases(finance, hospital):
    """Last year's order lines that are purchases, in both catalogues, by the submission day in
    Beijing; a proposed (not approved) figure changes nothing."""
    year = clock.local_today().year
    buy(hospital, "600000.00", when=last_year_day())
    buy(hospital, "300000.00", catalogue=Catalogue.CAPPED, when=last_year_day(3))
    buy(
        hospital,
        "99999.99",
        order_status=OrderStatus.COMPLETED,
        line_status=LineStatus.CONFIRMED,
        when=last_year_day(11),
    )
    # 2 January 00:30 in Beijing of last year; 1 January 00:30 in Beijing of this year (the
    # evening of 31 December in UTC) belongs to this year.
    buy(hospital, "0.01", when=dt.datetime(year - 1, 1, 1, 16, 30, tzinfo=dt.UTC))
    buy(hospital, "0.50", when=dt.datetime(year - 1, 12, 31, 16, 30, tzinfo=dt.UTC))
    # None of these count towards the base:
    buy(hospital, "600.00", order_status=OrderStatus.CANCELLED, when=last_year_day())
    buy(hospital, "700.00", order_status=OrderStatus.DRAFT, when=last_year_day())
    buy(hospital, "800.00", line_status=LineStatus.REJECTED, when=last_year_day())
    buy(hospital, "900.00", when=dt.datetime(year - 2, 6, 1, tzinfo=dt.UTC))
    buy(HospitalFactory(), "1000.00", when=last_year_day())
    propose(finance, total="9000000")
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert (cap.base, cap.default_total, cap.total, cap.cap) == (
        "previous_year",
        Decimal("1000000.00"),
        Decimal("1000000.00"),
        Decimal("150000.00"),
    )
    assert cap.used == Decimal("0.50")


def test_R_LIST_ALT_CAP_default_base_boundary_at_the_cap_and_one_cent_over(hospital):
    year = clock.local_today().year
    buy(hospital, "1000000.00", catalogue=Catalogue.CAPPED, when=last_year_day())
    buy(hospital, "149999.99")
    assert alternate_cap_check(hospital=hospital, year=year, adding=Decimal("0.01")).cap == (
        Decimal("150000.00")
    )
    assert code_of(
        lambda: alternate_cap_check(hospital=hospital, year=year, adding=Decimal("0.02"))
    ) == ("alternate_cap_exceeded")


def test_R_LIST_ALT_CAP_nothing_bought_last_year_and_nothing_approved_refuses(finance, hospital):
    _hospital, cap = alternate_cap_status_get(actor=finance)
    assert (cap.base, cap.total, cap.cap, cap.remaining, cap.used) == (
        "previous_year",
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    year = clock.local_today().year
    assert code_of(
        lambda: alternate_cap_check(hospital=hospital, year=year, adding=Decimal("0.01"))
    ) == ("purchase_plan_missing")


def test_used_above_a_lowered_total_leaves_nothing_remaining(finance, officer, hospital):
    AnnualPurchasePlanFactory(hospital=hospital, total=Decimal("1000000.00"))
    buy(hospital, "100000.00")
    plan = propose(finance, total="100000")
    purchase_plan_approve(actor=officer, plan_id=plan.pk)
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
    assert set(cap) == {
        "hospital",
        "year",
        "total",
        "base",
        "default_total",
        "ratio",
        "cap",
        "used",
        "remaining",
    }
    assert cap["hospital"] == {"id": w.hospital.pk, "name": w.hospital.name}
