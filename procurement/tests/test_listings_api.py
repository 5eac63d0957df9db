"""The listing, label, agreed-price, purchase-plan and cap API: a permission matrix for every
endpoint (anonymous, another organisation, wrong role, right role), the error format,
idempotency, and the query count of the available-listings endpoint."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import (
    BureauFactory,
    DistributorFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core import clock
from core.tests.helpers import client_for
from procurement.choices import (
    AgreedPriceStatus,
    GreenChannel,
    ListingStatus,
    PurchaseLabel,
    PurchasePlanStatus,
)
from procurement.models import Listing, ListingPriceChange
from procurement.tests.factories import (
    AgreedPriceFactory,
    AnnualPurchasePlanFactory,
    ListingFactory,
)

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"api:procurement:{name}", args=args)


@dataclass
class World:
    maker: object
    sales: object
    other_sales: object
    purchaser: object
    finance: object
    other_purchaser: object
    officer: object
    hospital: object
    other_hospital: object
    product: object

    def listing(self, status=ListingStatus.LISTED, **kw) -> Listing:
        return ListingFactory(
            manufacturer=self.maker,
            consumable=ConsumableFactory(manufacturer=self.maker),
            status=status,
            **kw,
        )


@pytest.fixture
def world():
    maker = OrganizationFactory()
    hospital = HospitalFactory(region_code="320106")
    other_hospital = HospitalFactory(region_code="320104")
    return World(
        maker=maker,
        sales=UserFactory(organization=maker, roles=[Role.SUPPLIER_SALES]),
        other_sales=UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES]),
        purchaser=UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER]),
        finance=UserFactory(organization=hospital, roles=[Role.HOSPITAL_FINANCE]),
        other_purchaser=UserFactory(organization=other_hospital, roles=[Role.HOSPITAL_PURCHASER]),
        officer=UserFactory(
            organization=BureauFactory(region_code="320100"), roles=[Role.BUREAU_OFFICER]
        ),
        hospital=hospital,
        other_hospital=other_hospital,
        product=ConsumableFactory(manufacturer=maker),
    )


def call(user, method: str, path: str, data=None):
    client = client_for(user)
    return getattr(client, method)(path, data or {}, format="json")


# ---------------------------------------------------------------------------------------------
# The permission matrix: (endpoint, who) -> status. Each case builds what it needs from the
# same world, so a refusal cannot pass because something was missing.


def _today(days=0) -> str:
    return (clock.local_today() + dt.timedelta(days=days)).isoformat()


def case_list(w):
    return "get", url("listing_list"), None


def case_create(w):
    return (
        "post",
        url("listing_list"),
        {
            "consumable_code": w.product.code,
            "price": "100.00",
            "registration_number": w.product.registration_number,
        },
    )


def case_available(w):
    w.listing()
    return "get", url("listing_available"), None


def case_detail(w):
    return "get", url("listing_detail", w.listing(ListingStatus.DRAFT).pk), None


def case_update(w):
    return "patch", url("listing_detail", w.listing(ListingStatus.DRAFT).pk), {"price": "99.00"}


def case_submit(w):
    listing = w.listing(ListingStatus.DRAFT, green_channel=GreenChannel.INNOVATIVE)
    return "post", url("listing_submit", listing.pk), None


def case_approve(w):
    """[R-LIST-OTHER] qualified by five provinces, whose evidence the officer checked."""
    listing = w.listing(ListingStatus.SUBMITTED, provinces_listed=5)
    return "post", url("listing_approve", listing.pk), {"provinces_checked": True}


def case_reject(w):
    listing = w.listing(ListingStatus.SUBMITTED)
    return "post", url("listing_reject", listing.pk), {"reason": "材料不全"}


def case_suspend(w):
    return "post", url("listing_suspend", w.listing().pk), {"reason": "信用处罚"}


def case_reinstate(w):
    return "post", url("listing_reinstate", w.listing(ListingStatus.SUSPENDED).pk), {}


def case_delist(w):
    return "post", url("listing_delist", w.listing().pk), {"reason": "退市"}


def case_withdraw(w):
    return "post", url("listing_delist", w.listing(ListingStatus.DRAFT).pk), {}


def case_label(w):
    return "post", url("listing_label", w.listing().pk), {"label": "preferred", "reason": "集采"}


def case_distributors_get(w):
    return "get", url("listing_distributors", w.listing(ListingStatus.DRAFT).pk), None


def case_distributors_set(w):
    distributor = DistributorFactory()
    return (
        "post",
        url("listing_distributors", w.listing(ListingStatus.DRAFT).pk),
        {"distributors": [{"distributor": distributor.pk, "region_code": "320100"}]},
    )


def case_price_change_request(w):
    return "post", url("listing_price_change_request", w.listing().pk), {"new_price": "88.00"}


def case_price_change_list(w):
    return "get", url("price_change_list"), None


def _pending_change(w):
    listing = w.listing()
    return ListingPriceChange.objects.create(
        listing=listing, old_price=listing.price, new_price=Decimal("88.00"), requested_by=w.sales
    )


def case_price_change_approve(w):
    return "post", url("price_change_approve", _pending_change(w).pk), {}


def case_price_change_reject(w):
    return "post", url("price_change_reject", _pending_change(w).pk), {"reason": "不合理"}


def case_agreed_list(w):
    return "get", url("agreed_price_list"), None


def case_agreed_propose(w):
    return (
        "post",
        url("agreed_price_list"),
        {
            "listing": w.listing().pk,
            "price": "90.00",
            "valid_from": _today(),
            "valid_until": _today(365),
            "annual_volume": 100,
        },
    )


def _proposal(w):
    return AgreedPriceFactory(
        listing=w.listing(),
        hospital=w.hospital,
        status=AgreedPriceStatus.PROPOSED,
        proposed_by=w.maker,
    )


def case_agreed_accept(w):
    return "post", url("agreed_price_accept", _proposal(w).pk), None


def case_agreed_decline(w):
    return "post", url("agreed_price_decline", _proposal(w).pk), None


def case_agreed_end(w):
    agreed = AgreedPriceFactory(listing=w.listing(), hospital=w.hospital)
    return "post", url("agreed_price_end", agreed.pk), None


def case_plan_get(w):
    return "get", url("purchase_plan") + f"?hospital={w.hospital.pk}", None


def case_plan_set(w):
    return (
        "post",
        url("purchase_plan"),
        {"year": clock.local_today().year, "total": "1000000.00", "reason": "新院区"},
    )


def _plan(w):
    return AnnualPurchasePlanFactory(
        hospital=w.hospital, total=None, status=PurchasePlanStatus.PROPOSED
    )


def case_plan_list(w):
    return "get", url("purchase_plan_list") + "?status=proposed", None


def case_plan_actions(w):
    return "get", url("purchase_plan_actions", _plan(w).pk), None


def case_plan_approve(w):
    return "post", url("purchase_plan_approve", _plan(w).pk), {}


def case_plan_reject(w):
    return "post", url("purchase_plan_reject", _plan(w).pk), {"reason": "无依据"}


def case_cap(w):
    return "get", url("cap_status") + f"?hospital={w.hospital.pk}", None


# case -> {who: expected status}. "right" is the role the operation is for.
MATRIX = {
    case_list: {"right": ("purchaser", 200)},
    case_create: {"right": ("sales", 201), "wrong": ("purchaser", 403)},
    case_available: {"right": ("purchaser", 200), "wrong": ("sales", 403)},
    case_detail: {"right": ("sales", 200), "other": ("other_sales", 404)},
    case_update: {
        "right": ("sales", 200),
        "wrong": ("officer", 403),
        "other": ("other_sales", 404),
    },
    case_submit: {
        "right": ("sales", 200),
        "wrong": ("officer", 403),
        "other": ("other_sales", 404),
    },
    case_approve: {"right": ("officer", 200), "wrong": ("sales", 403)},
    case_reject: {"right": ("officer", 200), "wrong": ("sales", 403)},
    case_suspend: {"right": ("officer", 200), "wrong": ("sales", 403)},
    case_reinstate: {"right": ("officer", 200), "wrong": ("purchaser", 403)},
    case_delist: {"right": ("officer", 200), "wrong": ("purchaser", 403)},
    case_withdraw: {
        "right": ("sales", 200),
        "wrong": ("officer", 403),
        "other": ("other_sales", 404),
    },
    case_label: {"right": ("officer", 200), "wrong": ("sales", 403)},
    case_distributors_get: {"right": ("sales", 200), "other": ("other_sales", 404)},
    case_distributors_set: {
        "right": ("sales", 200),
        "wrong": ("officer", 403),
        "other": ("other_sales", 404),
    },
    case_price_change_request: {
        "right": ("sales", 201),
        "wrong": ("officer", 403),
        "other": ("other_sales", 404),
    },
    case_price_change_list: {"right": ("officer", 200)},
    case_price_change_approve: {
        "right": ("officer", 200),
        "wrong": ("sales", 403),
    },
    case_price_change_reject: {"right": ("officer", 200), "wrong": ("sales", 403)},
    case_agreed_list: {"right": ("purchaser", 200)},
    case_agreed_propose: {"right": ("purchaser", 201), "wrong": ("officer", 403)},
    case_agreed_accept: {
        "right": ("purchaser", 200),
        "wrong": ("officer", 403),
        "other": ("other_purchaser", 404),
    },
    case_agreed_decline: {
        "right": ("purchaser", 200),
        "wrong": ("officer", 403),
        "other": ("other_purchaser", 404),
    },
    case_agreed_end: {
        "right": ("sales", 200),
        "wrong": ("officer", 403),
        "other": ("other_purchaser", 404),
    },
    case_plan_get: {
        "right": ("finance", 200),
        "wrong": ("sales", 403),
        "other": ("other_purchaser", 404),
    },
    case_plan_set: {
        "right": ("finance", 200),
        "wrong": ("purchaser", 403),
        "other": ("other_sales", 403),
    },
    case_plan_list: {"right": ("officer", 200), "wrong": ("sales", 403)},
    case_plan_actions: {
        "right": ("finance", 200),
        "wrong": ("sales", 404),
        "other": ("other_purchaser", 404),
    },
    case_plan_approve: {
        "right": ("officer", 200),
        "wrong": ("finance", 403),
        "other": ("other_purchaser", 403),
    },
    case_plan_reject: {
        "right": ("officer", 200),
        "wrong": ("finance", 403),
        "other": ("other_purchaser", 403),
    },
    case_cap: {
        "right": ("purchaser", 200),
        "wrong": ("sales", 403),
        "other": ("other_purchaser", 404),
    },
}

PARAMS = [
    pytest.param(case, who, user, status, id=f"{case.__name__[5:]}-{who}")
    for case, table in MATRIX.items()
    for who, (user, status) in table.items()
] + [
    pytest.param(case, "anonymous", None, None, id=f"{case.__name__[5:]}-anonymous")
    for case in MATRIX
]


@pytest.mark.parametrize(("case", "who", "user", "status"), PARAMS)
def test_permission_matrix(world, case, who, user, status):
    method, path, data = case(world)
    actor = getattr(world, user) if user else None
    response = call(actor, method, path, data)
    if who == "anonymous":
        assert response.status_code in (401, 403)
        assert response.json()["code"] in ("not_authenticated", "authentication_failed")
        return
    assert response.status_code == status, response.content
    if status >= 400:
        body = response.json()
        assert body["code"] == {403: "permission_denied", 404: "not_found"}[status]
        assert set(body) == {"code", "message", "extra"}


# ---------------------------------------------------------------------------------------------
# Behaviour through the API


def test_full_listing_flow_through_the_api(world):
    ReferencePriceFactory(consumable=world.product, price=Decimal("120.00"))
    created = call(world.sales, "post", url("listing_list"), case_create(world)[2])
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["price"], body["reference_price"]) == (
        "draft",
        "100.00",
        "120.00",
    )
    assert body["criteria"]["catalogue"] == "capped"
    pk = body["id"]
    assert call(world.sales, "post", url("listing_submit", pk)).json()["status"] == "submitted"
    approved = call(world.officer, "post", url("listing_approve", pk), {"reason": ""}).json()
    assert (approved["status"], approved["catalogue"]) == ("listed", "capped")
    assert approved["suggested_label"]["label"] == PurchaseLabel.PREFERRED  # >= 10% below
    labelled = call(
        world.officer, "post", url("listing_label", pk), {"label": "encouraged", "reason": "价低"}
    ).json()
    assert labelled["label"] == "encouraged"


def test_price_above_reference_is_refused_with_its_code(world):
    """[R-LIST-PRICE-CAP]"""
    ReferencePriceFactory(consumable=world.product, price=Decimal("99.00"))
    response = call(world.sales, "post", url("listing_list"), case_create(world)[2])
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "price_above_cap"
    assert body["extra"]["cap_amount"] == "99.00"
    assert not Listing.objects.exists()


def test_amounts_must_be_strings(world):
    data = {**case_create(world)[2], "price": 100.5}
    response = call(world.sales, "post", url("listing_list"), data)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "price" in response.json()["extra"]["fields"]


def test_wrong_state_is_a_conflict(world):
    listing = world.listing(ListingStatus.LISTED)
    response = call(world.sales, "post", url("listing_submit", listing.pk))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert response.json()["extra"] == {
        "object": "listing",
        "id": listing.pk,
        "state": "listed",
        "action": "submit",
        "target": "submitted",
    }


def test_create_is_idempotent(world):
    client = client_for(world.sales)
    data = case_create(world)[2]
    first = client.post(url("listing_list"), data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url("listing_list"), data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Listing.objects.count() == 1


def test_list_is_scoped_and_filtered(world):
    own = world.listing(ListingStatus.DRAFT)
    world.listing(ListingStatus.LISTED)
    ListingFactory(status=ListingStatus.DRAFT)  # another manufacturer's draft
    body = call(world.sales, "get", url("listing_list") + "?status=draft").json()
    assert [row["id"] for row in body["results"]] == [own.pk]
    hospital_view = call(world.purchaser, "get", url("listing_list")).json()
    assert {row["status"] for row in hospital_view["results"]} == {"listed"}


def test_available_listings_show_the_hospitals_own_price(world):
    cheap = world.listing(price=Decimal("100.00"))
    AgreedPriceFactory(listing=cheap, hospital=world.hospital, price=Decimal("80.00"))
    AgreedPriceFactory(listing=cheap, hospital=world.other_hospital, price=Decimal("70.00"))
    world.listing(label=PurchaseLabel.FORBIDDEN)
    world.listing(status=ListingStatus.SUSPENDED)
    restricted = world.listing(label=PurchaseLabel.RESTRICTED, price=Decimal("50.00"))
    body = call(world.purchaser, "get", url("listing_available")).json()
    rows = {row["id"]: row for row in body["results"]}
    assert set(rows) == {cheap.pk, restricted.pk}
    assert (rows[cheap.pk]["listed_price"], rows[cheap.pk]["unit_price"]) == ("100.00", "80.00")
    assert rows[restricted.pk]["label"] == "restricted"
    assert rows[restricted.pk]["unit_price"] == "50.00"


@pytest.mark.parametrize("rows", [3, 30])
def test_available_listings_query_count_does_not_grow(world, django_assert_max_num_queries, rows):
    """No N+1: the count, the page (with reference prices), and the agreed prices of the page."""
    for _ in range(rows):
        listing = world.listing()
        ReferencePriceFactory(consumable=listing.consumable, price=Decimal("150.00"))
        AgreedPriceFactory(listing=listing, hospital=world.hospital)
    client = client_for(world.purchaser)
    with django_assert_max_num_queries(4):
        response = client.get(url("listing_available") + "?page_size=50")
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


def test_cap_endpoint_returns_the_figures(world):
    """[R-LIST-ALT-CAP]"""
    AnnualPurchasePlanFactory(hospital=world.hospital, total=Decimal("2000000.00"))
    body = call(world.purchaser, "get", url("cap_status")).json()
    assert body == {
        "hospital": {"id": world.hospital.pk, "name": world.hospital.name},
        "year": clock.local_today().year,
        "total": "2000000.00",
        "base": "approved",
        "default_total": "0.00",
        "ratio": "0.1500",
        "cap": "300000.00",
        "used": "0.00",
        "remaining": "300000.00",
    }


def test_R_LIST_ALT_CAP_proposal_and_approval_through_the_api(world):
    """Finance proposes; the cap keeps the default base until the bureau approves."""
    body = call(
        world.finance,
        "post",
        url("purchase_plan"),
        {"year": clock.local_today().year, "total": "1000000.00", "reason": "新院区"},
    ).json()
    assert (body["total"], body["cap"]["base"], body["cap"]["cap"]) == (
        "0.00",
        "previous_year",
        "0.00",
    )
    assert (body["plan"]["status"], body["plan"]["proposed_total"]) == (
        "proposed",
        "1000000.00",
    )
    plan_id = body["plan"]["id"]
    queue = call(world.officer, "get", url("purchase_plan_list") + "?status=proposed").json()
    assert [row["id"] for row in queue] == [plan_id]
    actions = call(world.officer, "get", url("purchase_plan_actions", plan_id)).json()
    assert {a["action"]: a["allowed"] for a in actions["actions"]} == {
        "propose": False,
        "approve": True,
        "reject": True,
    }
    decided = call(world.officer, "post", url("purchase_plan_approve", plan_id), {}).json()
    assert (decided["status"], decided["total"]) == ("approved", "1000000.00")
    cap = call(world.finance, "get", url("cap_status")).json()
    assert (cap["base"], cap["cap"]) == ("approved", "150000.00")
    again = call(world.officer, "post", url("purchase_plan_approve", plan_id), {})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")


def test_agreed_price_flow_through_the_api(world):
    listing = world.listing(price=Decimal("100.00"))
    proposed = call(
        world.sales,
        "post",
        url("agreed_price_list"),
        {
            "listing": listing.pk,
            "hospital": world.hospital.pk,
            "price": "85.00",
            "valid_from": _today(),
            "valid_until": _today(30),
        },
    )
    assert proposed.status_code == 201
    pk = proposed.json()["id"]
    accepted = call(world.purchaser, "post", url("agreed_price_accept", pk)).json()
    assert accepted["status"] == "agreed"
    available = call(world.purchaser, "get", url("listing_available")).json()
    assert available["results"][0]["unit_price"] == "85.00"


def test_price_change_answers_carry_the_products_reference_price(world):
    """The request, the listing's pending change and the decision all say the confirmed
    reference price the bureau decides against, never null when there is one."""
    listing = world.listing()
    ReferencePriceFactory(consumable=listing.consumable, price=Decimal("150.00"))
    requested = call(
        world.sales, "post", url("listing_price_change_request", listing.pk), {"new_price": "88"}
    )
    assert requested.status_code == 201, requested.json()
    assert requested.json()["reference_price"] == "150.00"
    detail = call(world.sales, "get", url("listing_detail", listing.pk)).json()
    assert detail["pending_price_change"]["reference_price"] == "150.00"
    approved = call(world.officer, "post", url("price_change_approve", requested.json()["id"]))
    assert approved.status_code == 200, approved.json()
    assert approved.json()["reference_price"] == "150.00"
    assert approved.json()["status"] == "approved"


def test_R_LIST_OTHER_provinces_through_the_api(world):
    """The supplier names the provinces with evidence; the count is derived; the bureau reads
    them on the listing and confirms the check when approving."""
    body = case_create(world)[2] | {
        "provinces": [
            {"code": code, "evidence": f"{code} 平台 GW-{code}"}
            for code in ("11", "31", "33", "44", "51")
        ]
    }
    created = call(world.sales, "post", url("listing_list"), body)
    assert created.status_code == 201
    listing = created.json()
    assert listing["provinces_listed"] == 5
    assert [p["code"] for p in listing["provinces"]] == ["11", "31", "33", "44", "51"]
    assert listing["provinces"][0] == {"code": "11", "name": "北京市", "evidence": "11 平台 GW-11"}
    pk = listing["id"]
    assert call(world.sales, "post", url("listing_submit", pk)).status_code == 200
    refused = call(world.officer, "post", url("listing_approve", pk), {})
    assert (refused.status_code, refused.json()["code"]) == (400, "provinces_not_checked")
    approved = call(world.officer, "post", url("listing_approve", pk), {"provinces_checked": True})
    assert approved.json()["status"] == "listed"
    assert approved.json()["provinces_checked_at"] is not None


def test_R_LIST_OTHER_an_unknown_province_is_refused_by_field(world):
    body = case_create(world)[2] | {"provinces": [{"code": "81", "evidence": "香港"}]}
    response = call(world.sales, "post", url("listing_list"), body)
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "provinces" in response.json()["extra"]["fields"]
