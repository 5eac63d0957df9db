"""Emergency purchases through the API: registration, the live cap, the bureau's decision, the
violations; each answer matches the OpenAPI schema; bad input is a 4xx envelope that changes
nothing; another hospital's registration is a 404. [R-EMERG-DEADLINE] [R-EMERG-CAP]"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, UserFactory
from catalog.tests.factories import ConsumableFactory
from core import clock
from core.tests.helpers import client_for
from procurement.models import EmergencyPurchase, EmergencyViolation
from procurement.tests.emergency_world import bought_last_year, on
from tests.matrix_support import assert_conforms

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
LIST = "api/v1/procurement/emergency-purchases/"


def url(name: str, *args) -> str:
    return reverse(f"api:procurement:{name}", args=args)


def post(client, path, body):
    return client.post(
        path, body, format="json", HTTP_IDEMPOTENCY_KEY=f"{id(body)}-{path}-{clock.now()}"
    )


def body(product, *, price="1500.00", bought_on="2026-03-10", **extra):
    return {
        "bought_on": bought_on,
        "reason": "急诊手术，平台无货",
        "approver_name": "王主任",
        "approver_role": "分管副院长",
        "lines": [
            {
                "consumable_id": product.pk,
                "supplier_name": "南京某医疗器械有限公司",
                "unit_price": price,
                "quantity": 2,
            }
        ],
        **extra,
    }


@pytest.fixture
def base(hospital):
    bought_last_year(hospital, Decimal("100000.00"), year=2026)  # tier 3: cap ¥3,000.00


def test_register_over_the_cap_then_the_bureau_approves(purchaser, officer, base):
    """[R-EMERG-CAP] the hospital sees its share; one cent over the cap awaits the bureau,
    which approves it with a reason."""
    hospital, bureau = client_for(purchaser), client_for(officer)
    product = ConsumableFactory()
    with on(DAY):
        cap = hospital.get(url("emergency_cap"), {"adding": "3000.01"})
        assert_conforms("api/v1/procurement/emergency-purchases/cap/", "GET", "", cap)
        assert (cap.json()["cap"], cap.json()["over_by"]) == ("3000.00", "0.01")
        created = post(hospital, url("emergency_list"), body(product, price="1500.01"))
        assert created.status_code == 201, created.json()
        assert_conforms(LIST, "POST", url("emergency_list"), created)
        data = created.json()
        assert (data["status"], data["over_cap_amount"], data["late"]) == (
            "pending",
            "0.02",
            False,
        )
        assert [v["kind"] for v in data["violations"]] == ["over_cap"]
        pk = data["id"]
        actions = bureau.get(url("emergency_actions", pk)).json()["actions"]
        assert {a["action"]: a["allowed"] for a in actions} == {"approve": True, "reject": True}
        queue = bureau.get(url("emergency_list"), {"status": "pending"})
        assert_conforms(LIST, "GET", url("emergency_list"), queue)
        assert [r["id"] for r in queue.json()["results"]] == [pk]
        approved = post(bureau, url("emergency_approve", pk), {"reason": "疫情应急"})
        assert approved.status_code == 200
        assert approved.json()["status"] == "approved"
        violations = bureau.get(url("emergency_violation_list"), {"standing": "true"})
        assert_conforms(
            "api/v1/procurement/emergency-violations/",
            "GET",
            url("emergency_violation_list"),
            violations,
        )
        assert violations.json()["results"] == []
        cap = hospital.get(url("emergency_cap")).json()
    assert (cap["cap"], cap["used"]) == ("3000.02", "3000.02")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        pytest.param({"bought_on": "2026-03-11"}, 400, "emergency_date_in_future", id="future"),
        pytest.param({"bought_on": "yesterday"}, 400, "invalid", id="bad-date"),
        pytest.param({"reason": ""}, 400, "invalid", id="no-reason"),
        pytest.param({"lines": []}, 400, "invalid", id="no-lines"),
        pytest.param({"approver_name": None}, 400, "invalid", id="null-approver"),
    ],
)
def test_bad_input_is_a_4xx_envelope_changing_nothing(purchaser, base, change, status, code):
    product = ConsumableFactory()
    with on(DAY):
        response = post(client_for(purchaser), url("emergency_list"), {**body(product), **change})
    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "extra"}
    assert response.json()["code"] == code
    assert not EmergencyPurchase.objects.exists()
    assert not EmergencyViolation.objects.exists()


@pytest.mark.parametrize(
    "price", [pytest.param(1500.5, id="json-float"), pytest.param("1.001", id="three-decimals")]
)
def test_bad_price_is_refused(purchaser, base, price):
    with on(DAY):
        response = post(
            client_for(purchaser), url("emergency_list"), body(ConsumableFactory(), price=price)
        )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not EmergencyPurchase.objects.exists()


def test_bad_filters_are_refused(purchaser):
    client = client_for(purchaser)
    for params in ({"status": "lost"}, {"violation": "maybe"}, {"year": "soon"}):
        response = client.get(url("emergency_list"), params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "invalid"
    assert client.get(url("emergency_cap"), {"adding": "1.5.0"}).status_code == 400


def test_another_hospital_gets_404(purchaser, base):
    with on(DAY):
        created = post(client_for(purchaser), url("emergency_list"), body(ConsumableFactory()))
    pk = created.json()["id"]
    other = client_for(
        UserFactory(
            organization=HospitalFactory(region_code="320106"), roles=[Role.HOSPITAL_PURCHASER]
        )
    )
    for name in ("emergency_detail", "emergency_actions"):
        response = other.get(url(name, pk))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert other.get(url("emergency_list")).json()["results"] == []


def test_listed_product_needs_a_reason_through_the_api(purchaser, base):
    from procurement.tests.factories import ListingFactory

    listing = ListingFactory()
    client = client_for(purchaser)
    with on(DAY):
        refused = post(client, url("emergency_list"), body(listing.consumable))
        assert refused.status_code == 400
        assert refused.json()["code"] == "emergency_listed_reason_required"
        assert not EmergencyPurchase.objects.exists()
        accepted = post(
            client,
            url("emergency_list"),
            body(listing.consumable, listed_reason="平台供应商断货"),
        )
    assert accepted.status_code == 201
    assert accepted.json()["lines"][0]["listed_on_platform"] is True
