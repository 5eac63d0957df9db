"""[R-CREDIT] the pages and the API say what the services do: a suspended listing refused in the
cart and by the HIS API (409 sanction_in_force) and ordered again once the sanction ends; the
bureau records through the form and the API; the supplier applies for repair, the bureau
decides; the public page shows serious disclosed cases to anyone, without any person's data;
each person reads only their organisation's notifications."""

import pytest
from django.test import Client

from core.tests.helpers import browser, client_for
from procurement.tests.order_world import make_world
from supervision.models import CreditEvent, Notification
from supervision.services.notifications import notify
from supervision.tests.credit_world import after, bureau_officer, record

pytestmark = pytest.mark.django_db

ORDER = "/api/v1/procurement/orders/"


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def officer():
    return bureau_officer()


def _order_body(w):
    return {"department": "骨科", "lines": [{"listing": w.listing.pk, "quantity": 1}]}


def test_api_order_of_a_suspended_listing_is_refused_until_it_ends_r_credit(w, officer):
    record(officer, w.manufacturer, listing=w.listing)
    api = client_for(w.purchaser)
    response = api.post(ORDER, _order_body(w), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["code"] == "sanction_in_force"
    assert response.json()["extra"]["sanction"] == "suspend_listing"
    with after(30):
        again = client_for(w.purchaser).post(
            ORDER, _order_body(w), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
        )
        assert again.status_code == 201, again.json()


def test_the_cart_page_shows_the_sanction_as_the_lines_reason_r_credit(w, officer):
    record(officer, w.manufacturer, listing=w.listing)
    client = browser(w.purchaser)
    client.post("/procurement/orders/cart/add/", {"listing": w.listing.pk, "quantity": "1"})
    response = client.post("/procurement/orders/cart/", {"action": "create", "department": "骨科"})
    html = client.get("/procurement/orders/new/").content.decode()
    assert response.status_code in (200, 302)
    assert "暂停挂网" in html
    assert not w.purchaser.organization.orders.exists()


def test_the_bureau_records_through_the_form_and_the_supplier_is_told_r_credit(w, officer):
    response = browser(officer).post(
        "/supervision/credit/events/new/",
        {
            "subject": w.manufacturer.pk,
            "item": "supply_failure",
            "occurred_on": "2026-01-05",
            "description": "逾期未供货",
        },
    )
    event = CreditEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/credit/events/{event.pk}/"
    html = browser(w.sales).get("/supervision/notifications/").content.decode()
    assert "未按合同约定供货" in html
    missing = browser(officer).post("/supervision/credit/events/new/", {"item": "supply_failure"})
    assert missing.status_code == 400


def test_repair_through_the_api_and_its_refusal_for_a_non_repairable_event_r_credit(w, officer):
    repairable = record(officer, w.manufacturer)
    fixed = client_for(w.sales).post(
        f"/api/v1/supervision/credit/events/{repairable.pk}/repair/",
        {"statement": "已补货"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="r-1",
    )
    assert fixed.status_code == 201, fixed.json()
    decided = client_for(officer).post(
        f"/api/v1/supervision/credit/repairs/{fixed.json()['id']}/approve/",
        {"reason": "整改到位"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="r-2",
    )
    assert decided.json()["status"] == "approved"
    bribery = record(officer, w.manufacturer, "commercial_bribery")
    refused = client_for(w.sales).post(
        f"/api/v1/supervision/credit/events/{bribery.pk}/repair/",
        {"statement": "整改"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="r-3",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "credit_repair_not_allowed"
    actions = client_for(w.sales).get(f"/api/v1/supervision/credit/events/{bribery.pk}/actions/")
    assert actions.json()["actions"][0]["code"] == "credit_repair_not_allowed"


def test_public_page_shows_serious_disclosed_cases_without_personal_data_r_credit(w, officer):
    serious = record(officer, w.manufacturer, "commercial_bribery", description="商业贿赂案")
    record(officer, w.distributor, "regional_price_gap")  # minor: not public
    html = Client().get("/supervision/public/credit-cases/").content.decode()
    assert f'data-credit-case="{serious.pk}"' in html
    assert w.manufacturer.name in html
    assert w.distributor.name not in html
    assert officer.username not in html
    assert "商业贿赂案" not in html
    api = Client().get("/api/v1/supervision/public/credit-cases/").json()
    assert [row["id"] for row in api["results"]] == [serious.pk]
    assert "recorded_by" not in api["results"][0]
    assert Client().get("/public/").content.decode().count("/supervision/public/credit-cases/")


def test_each_person_sees_only_their_organisations_notifications(w):
    mine = notify(organization_id=w.hospital.pk, kind="notice", text="本院通知")
    personal = notify(
        organization_id=w.hospital.pk, kind="notice", text="仅财务", person_id=w.finance.pk
    )
    notify(organization_id=w.other_hospital.pk, kind="notice", text="他院通知")
    api = client_for(w.purchaser)
    rows = api.get("/api/v1/supervision/notifications/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert api.get("/api/v1/supervision/notifications/unread-count/").json() == {"unread": 1}
    other = client_for(w.other_purchaser).post(
        f"/api/v1/supervision/notifications/{mine.pk}/read/", HTTP_IDEMPOTENCY_KEY="n-1"
    )
    assert other.status_code == 404
    read = api.post(
        f"/api/v1/supervision/notifications/{mine.pk}/read/", HTTP_IDEMPOTENCY_KEY="n-2"
    )
    assert read.json()["read_at"]
    assert Notification.objects.get(pk=personal.pk).read_at is None
    finance = client_for(w.finance).get("/api/v1/supervision/notifications/").json()["results"]
    assert {r["id"] for r in finance} == {mine.pk, personal.pk}
