"""The permission layer, table-driven: for every role, what it may and may not do and see."""

import pytest

from accounts.choices import Role
from accounts.models import ApiClient, Organization, SecurityEvent, User
from accounts.services import api_client_create
from accounts.tests.factories import (
    AgencyFactory,
    BureauFactory,
    HospitalFactory,
    OrganizationFactory,
    user_with_role,
)
from core import permissions
from core.errors import NotFoundError, PermissionDeniedError

pytestmark = pytest.mark.django_db

EVERYONE = {
    "organization.view",
    "user.view",
    "catalog.view",
    "reference_price.view",
    "listing.view",
    "order.view",
    "agreed_price.view",
    "round.view",
    # What follows a final round: its award, the contracts one is party to, the standards.
    "award.view",
    "contract.view",
    "payment_standard.view",
    # [R-FIVE-RATES] each within its own slice (supervision.selectors.five_rates_scope).
    "five_rates.view",
    # supervision: everyone reads its own credit, the catalogue and its notifications.
    "credit.view",
    "misconduct_item.view",
    "notification.view",
    # [R-QUALITY] each party its own reports (the hospital's, on the supplier's products, the
    # region's).
    "quality_report.view",
}
ALLOWED = {
    Role.HOSPITAL_PURCHASER: EVERYONE
    | {
        "api_client.view",
        "agreed_price.negotiate",
        "order.place",
        "delivery.accept",
        "usage.record",
        "usage.view",
        "event.view",
        "demand.view",
        "demand.report",
        "allocation.choose",
        "contract.sign",
        "emergency.view",
        "emergency.register",
        # [R-HOSP-CATALOGUE] the hospital's own catalogue; only purchasers submit orders.
        "catalogue.view",
        "catalogue.manage",
        "order.submit",
        "quality_report.file",
        "lot_notice.view",
        # [R-MONITOR] [R-RETAINED] its own row.
        "monitoring.view",
    },
    Role.HOSPITAL_FINANCE: EVERYONE
    | {
        "api_client.view",
        "purchase_plan.propose",
        "purchase_plan.manage",
        "invoice.confirm",
        "usage.view",
        "event.view",
        "demand.view",
        "emergency.view",
        # Its own advances and fund settlements [R-ADVANCE] [R-FUND-MONTHLY].
        "advance.view",
        "fund_settlement.view",
        # The payment flow [R-ESCROW]: it approves, disputes and pays into escrow.
        "payment_request.view",
        "payment_request.approve",
        "payment_request.pay",
        "catalogue.view",
        "quality_report.file",
        "lot_notice.view",
        "monitoring.view",
    },
    Role.SUPPLIER_SALES: EVERYONE
    | {
        "credit.repair_apply",
        "price_objection.raise",
        "price_objection.view",
        "listing.apply",
        "agreed_price.negotiate",
        "order.respond",
        "delivery.create",
        "invoice.register",
        "event.view",
        "contract.sign",
        # Sealed bids: a supplier bids and reads its own bids, receipts and refusals.
        "bid.view",
        "bid.submit",
        # The payment flow: it requests payment and reads what was paid.
        "payment_request.view",
        "payment_request.create",
        "settlement_batch.view",
        # [R-NEGOTIATION] invited manufacturers read their negotiations and offer.
        "negotiation.view",
        "negotiation.offer",
    },
    Role.BUREAU_OFFICER: EVERYONE
    | {
        "credit.record",
        "credit.decide",
        "quality_report.decide",
        "misconduct_item.manage",
        "region_policy.view",
        "region_policy.edit",
        "reference_price.manage",
        "price_objection.view",
        "price_objection.resolve",
        "sync_run.view",
        "sync_run.start",
        "listing.review",
        "purchase_plan.review",
        "purchase_plan.manage",
        "usage.view",
        # Their jurisdiction's history (issue 11): core.selectors.history_list scopes it.
        "history.view",
        "round.manage",
        "demand.view",
        "demand.review",
        "award.manage",
        "emergency.view",
        "emergency.review",
        "catalogue.view",
        # Sealed bids: who bid and when (never a price before the opening); custodians are
        # officers; the bureau opens.
        "bid.view",
        "share.hold",
        "round.open",
        "advance.view",
        "fund_settlement.view",
        "ledger_check.view",
        "fund.view",
        "bank_statement.view",
        "payment_request.view",
        "settlement_batch.view",
        "negotiation.view",
        "negotiation.manage",
        "price_index.view",
        "five_rates.report",
        "alert.view",
        "alert.handle",
        "alert_rule.view",
        "alert_rule.manage",
        "dashboard.view",
        "monitoring.view",
        "price_cuts.view",
    },
    # The agency runs volume-based procurement rounds with the bureau.
    Role.AGENCY_FINANCE: EVERYONE
    | {
        "region_policy.view",
        "usage.view",
        "round.manage",
        "demand.view",
        "demand.review",
        "award.manage",
        "emergency.view",
        "catalogue.view",
        "bid.view",
        "share.hold",
        "round.open",
        # The fund's side of settlement: advances and the monthly fund settlement.
        "advance.view",
        "advance.pay",
        "fund_settlement.view",
        "fund_settlement.manage",
        "ledger_check.view",
        "fund.view",
        "bank_statement.view",
        "bank_statement.import",
        "payment_request.view",
        "payment_request.pay_direct",
        "settlement_batch.view",
        "settlement_batch.run",
        "negotiation.view",
        "negotiation.manage",
        "price_index.view",
        "five_rates.report",
        "alert.view",
        "alert_rule.view",
        "dashboard.view",
        "monitoring.view",
        "price_cuts.view",
    },
    # Trading acts are the parties' own; an administrator cannot act on their behalf.
    Role.PLATFORM_ADMIN: set(permissions.ACTIONS)
    - {
        "credit.record",
        "credit.decide",
        "credit.repair_apply",
        "quality_report.file",
        "quality_report.decide",
        "alert.handle",
        "alert_rule.manage",
        "misconduct_item.manage",
        "price_objection.raise",
        "listing.apply",
        "agreed_price.negotiate",
        "purchase_plan.propose",
        "purchase_plan.review",
        "purchase_plan.manage",
        "order.place",
        "order.respond",
        "delivery.create",
        "delivery.accept",
        "invoice.register",
        "invoice.confirm",
        "usage.record",
        "event.view",
        # Rounds are run by the region's regulators; demand is the hospitals'.
        "round.manage",
        "round.open",
        "bid.submit",
        "share.hold",
        "demand.report",
        "demand.review",
        # Awards are the regulators'; choices and signatures the parties'.
        "award.manage",
        "allocation.choose",
        "contract.sign",
        # Emergency purchases are the hospitals'; the over-cap decision the bureau officer's.
        "emergency.register",
        "emergency.review",
        # The fund's money moves by the agency's hand only; payments are the parties' own.
        "advance.pay",
        "fund_settlement.manage",
        "payment_request.create",
        "payment_request.approve",
        "payment_request.pay",
        "payment_request.pay_direct",
        "settlement_batch.run",
        "bank_statement.import",
        # Negotiations are the region's regulators' and the suppliers'.
        "negotiation.manage",
        "negotiation.offer",
        # [R-HOSP-CATALOGUE] the hospitals' committees decide their catalogues and submit.
        "catalogue.manage",
        "order.submit",
    },
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", sorted(permissions.ACTIONS))
def test_action_table(role, action):
    user = user_with_role(role)
    assert permissions.can(user, action) is (action in ALLOWED[role])


@pytest.mark.parametrize("action", sorted(permissions.ACTIONS))
def test_inactive_user_may_do_nothing(action):
    user = user_with_role(Role.PLATFORM_ADMIN)
    user.is_active = False
    assert permissions.can(user, action) is False


def test_refusal_is_recorded_in_the_security_log():
    user = user_with_role(Role.HOSPITAL_PURCHASER)
    with pytest.raises(PermissionDeniedError) as exc:
        permissions.require(user, "user.manage")
    assert exc.value.code == "permission_denied"
    event = SecurityEvent.objects.get(kind="permission_denied")
    assert event.user == user
    assert event.detail == {"action": "user.manage"}


@pytest.fixture
def region():
    """Two hospitals and a supplier in Nanjing, one hospital in Suzhou, and their regulators."""
    return {
        "bureau": BureauFactory(region_code="320100"),
        "agency": AgencyFactory(region_code="320100"),
        "hospital_a": HospitalFactory(region_code="320106"),
        "hospital_b": HospitalFactory(region_code="320104"),
        "supplier": OrganizationFactory(region_code="320115"),
        "suzhou": HospitalFactory(region_code="320505"),
        "beijing_supplier": OrganizationFactory(region_code="110114"),
    }


VISIBLE_ORGS = {
    # role: (the actor's organisation, organisations visible)
    Role.HOSPITAL_PURCHASER: ("hospital_a", {"hospital_a"}),
    Role.HOSPITAL_FINANCE: ("hospital_a", {"hospital_a"}),
    Role.SUPPLIER_SALES: ("supplier", {"supplier"}),
    # Regulators: their region's organisations, and every supplier wherever registered.
    Role.BUREAU_OFFICER: (
        "bureau",
        {"bureau", "agency", "hospital_a", "hospital_b", "supplier", "beijing_supplier"},
    ),
    Role.AGENCY_FINANCE: (
        "agency",
        {"bureau", "agency", "hospital_a", "hospital_b", "supplier", "beijing_supplier"},
    ),
    Role.PLATFORM_ADMIN: (
        "bureau",
        {"bureau", "agency", "hospital_a", "hospital_b", "supplier", "suzhou", "beijing_supplier"},
    ),
}


@pytest.mark.parametrize("role", Role.values)
def test_organisations_visible_per_role(region, role):
    own, expected = VISIBLE_ORGS[role]
    user = user_with_role(role, organization=region[own])
    visible = set(Organization.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {region[name].pk for name in expected}


@pytest.mark.parametrize("role", Role.values)
def test_access_outside_scope_is_not_found_not_forbidden(region, role):
    """Another organisation's object looks exactly like a missing one."""
    own, expected = VISIBLE_ORGS[role]
    user = user_with_role(role, organization=region[own])
    for name, org in region.items():
        if name in expected:
            assert (
                permissions.access(
                    user, Organization.objects, action="organization.view", pk=org.pk
                )
                == org
            )
        else:
            with pytest.raises(NotFoundError):
                permissions.access(
                    user, Organization.objects, action="organization.view", pk=org.pk
                )
    with pytest.raises(NotFoundError):
        permissions.access(user, Organization.objects, action="organization.view", pk=10**9)


def test_users_visible_only_within_own_organisation(region):
    a = user_with_role(Role.HOSPITAL_PURCHASER, organization=region["hospital_a"])
    b = user_with_role(Role.HOSPITAL_PURCHASER, organization=region["hospital_b"])
    assert list(User.objects.visible_to(a)) == [a]
    assert b not in User.objects.visible_to(a)


def test_api_clients_visible_to_own_hospital_only(region):
    client_a = api_client_create(actor=None, organization=region["hospital_a"], name="HIS A")
    api_client_create(actor=None, organization=region["hospital_b"], name="HIS B")
    finance_a = user_with_role(Role.HOSPITAL_FINANCE, organization=region["hospital_a"])
    assert list(ApiClient.objects.visible_to(finance_a)) == [client_a.client]


def test_anonymous_sees_nothing(region):
    from django.contrib.auth.models import AnonymousUser

    assert not Organization.objects.visible_to(AnonymousUser()).exists()
    assert not Organization.objects.visible_to(None).exists()
