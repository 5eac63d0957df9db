"""The hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE]: admission (single and bulk, with
the committee's decision), stop and resume with history, the refusal of an order outside it or
stopped (cart, quote, order create, submit; browser and API), the flag on HIS usage records,
the requesting department, who submits, and tenancy.

These tests build the catalogues themselves (``catalogue_strict``: the suite's fixture that
admits every product everywhere is off)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
from core.errors import DomainError
from core.policy import RegionPolicy
from core.tests.helpers import browser, client_for, code_of
from procurement.choices import CatalogueEntryStatus, CatalogueEventKind
from procurement.models import CatalogueEntry, CatalogueEvent, Order, UsageRecord
from procurement.selectors import catalogue as catalogue_selectors
from procurement.selectors.cart import order_quote
from procurement.services import catalogue, orders, usage
from procurement.tests.order_world import (
    add_listing,
    gs1,
    make_world,
    patient_hash,
    refused,
)

pytestmark = [pytest.mark.django_db, pytest.mark.catalogue_strict]

API = "/api/v1/procurement"
DECISION = "药事会〔2026〕3号"


def post(client, url, body=None):
    return client.post(url, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def admit(w, *listings, actor=None):
    return catalogue.catalogue_admit(
        actor=actor or w.purchaser,
        listing_ids=[x.pk for x in listings or [w.listing]],
        decision_date=clock.local_today() - dt.timedelta(days=1),
        decision_reference=DECISION,
    )


def line(w, listing=None, quantity=2):
    return [{"listing": (listing or w.listing).pk, "quantity": quantity}]


def create(w, listing=None):
    return orders.order_create(actor=w.purchaser, lines=line(w, listing), department="骨科")


# --- Admission ---------------------------------------------------------------------------------


def test_bulk_admission_records_the_committee_decision_and_one_event_each():
    w = make_world()
    other = add_listing(w)
    entries = admit(w, w.listing, other)
    assert {e.listing_id for e in entries} == {w.listing.pk, other.pk}
    for entry in CatalogueEntry.objects.filter(hospital=w.hospital):
        assert entry.status == CatalogueEntryStatus.ADMITTED
        assert entry.decision_reference == DECISION
        assert entry.admitted_by == w.purchaser
        assert list(entry.decisions.values_list("kind", flat=True)) == ["admitted"]


def test_admission_refuses_every_bad_listing_at_once_and_admits_none():
    """All or nothing: one already admitted, one not listed: ``lines_refused`` names both."""
    w = make_world()
    admit(w)
    suspended = add_listing(w, status="suspended")
    fresh = add_listing(w)
    error = refused(
        catalogue.catalogue_admit,
        "lines_refused",
        actor=w.purchaser,
        listing_ids=[w.listing.pk, suspended.pk, fresh.pk],
        decision_date=clock.local_today(),
        decision_reference=DECISION,
    )
    codes = [x["code"] for x in error.extra["lines"]]
    assert codes == ["catalogue_entry_exists", "catalogue_listing_not_admissible"]
    assert not CatalogueEntry.objects.filter(listing=fresh).exists()


@pytest.mark.parametrize(
    ("days", "reference"),
    [pytest.param(-1, "", id="no reference"), pytest.param(1, DECISION, id="future date")],
)
def test_admission_needs_the_committee_decision(days, reference):
    w = make_world()
    refused(
        catalogue.catalogue_admit,
        "catalogue_decision_required",
        actor=w.purchaser,
        listing_ids=[w.listing.pk],
        decision_date=clock.local_today() + dt.timedelta(days=days),
        decision_reference=reference,
    )


def test_only_the_hospitals_purchaser_admits():
    w = make_world()
    assert code_of(lambda: admit(w, actor=w.finance)) == "permission_denied"
    assert not CatalogueEntry.objects.exists()


# --- Stop and resume, history ------------------------------------------------------------------


def test_stop_and_resume_keep_every_reason_in_the_history_R_HOSP_CATALOGUE():
    w = make_world()
    (entry,) = admit(w)
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="抽检不合格")
    entry.refresh_from_db()
    assert (entry.status, entry.stop_reason) == (CatalogueEntryStatus.STOPPED, "抽检不合格")
    catalogue.catalogue_resume(actor=w.purchaser, entry_id=entry.pk, reason="复检合格")
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="厂家召回")
    history = list(CatalogueEvent.objects.filter(entry=entry).values_list("kind", "reason"))
    assert history == [
        (CatalogueEventKind.ADMITTED, ""),
        (CatalogueEventKind.STOPPED, "抽检不合格"),
        (CatalogueEventKind.RESUMED, "复检合格"),
        (CatalogueEventKind.STOPPED, "厂家召回"),
    ]
    # pghistory tracks the entry as well: one row per change.
    assert entry.events.count() == 4  # insert + three updates


def test_stop_needs_a_reason_and_a_stopped_product_cannot_be_stopped_again():
    w = make_world()
    (entry,) = admit(w)
    refused(
        catalogue.catalogue_stop,
        "reason_required",
        actor=w.purchaser,
        entry_id=entry.pk,
        reason=" ",
    )
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="停用")
    refused(
        catalogue.catalogue_stop,
        "invalid_state",
        actor=w.purchaser,
        entry_id=entry.pk,
        reason="再停",
    )
    refused(
        catalogue.catalogue_resume,
        "permission_denied",
        actor=w.finance,
        entry_id=entry.pk,
        reason="x",
    )


# --- Ordering ------------------------------------------------------------------------------------


def test_order_of_a_product_never_admitted_is_refused_with_the_reason_r_hosp_catalogue():
    w = make_world()
    error = refused(
        orders.order_create,
        "catalogue_not_admitted",
        actor=w.purchaser,
        lines=line(w),
        department="骨科",
    )
    assert str(w.listing.consumable) in error.message
    quote = order_quote(actor=w.purchaser, lines=line(w))
    assert [r.error.code for r in quote.refusals] == ["catalogue_not_admitted"]
    admit(w)
    assert create(w)[0].lines.get().listing == w.listing


def test_order_of_a_stopped_product_is_refused_with_the_stop_reason_r_hosp_catalogue():
    w = make_world()
    (entry,) = admit(w)
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="抽检不合格")
    error = refused(
        orders.order_create,
        "catalogue_stopped",
        actor=w.purchaser,
        lines=line(w),
        department="骨科",
    )
    assert "抽检不合格" in error.message
    assert error.extra["reason"] == "抽检不合格"


def test_submit_rechecks_a_product_stopped_after_the_draft_r_hosp_catalogue():
    w = make_world()
    (entry,) = admit(w)
    (order,) = create(w)
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="厂家召回")
    refused(orders.order_submit, "catalogue_stopped", actor=w.purchaser, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "draft"
    catalogue.catalogue_resume(actor=w.purchaser, entry_id=entry.pk, reason="召回解除")
    assert orders.order_submit(actor=w.purchaser, order_id=order.pk).status == "submitted"


def test_a_region_without_the_rule_orders_outside_the_catalogue_r_hosp_catalogue():
    """The figure is the region's: a bureau that turned it off (320100, the hospital's city)."""
    w = make_world()
    RegionPolicy.objects.create(region_code="320100", hospital_catalogue_required=False)
    assert create(w)[0].pk
    RegionPolicy.objects.create(region_code="320106", hospital_catalogue_required=True)
    assert code_of(lambda: create(w)) == "catalogue_not_admitted"  # the district's wins


def test_api_quote_and_create_refuse_outside_the_catalogue_r_hosp_catalogue():
    w = make_world()
    client = client_for(w.purchaser)
    quote = post(client, f"{API}/orders/quote/", {"lines": line(w)})
    assert quote.status_code == 400
    assert quote.json()["code"] == "catalogue_not_admitted"
    answer = post(client, f"{API}/orders/", {"lines": line(w), "department": "骨科"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "catalogue_not_admitted"
    assert str(w.listing.consumable) in body["message"]
    assert not Order.objects.exists()


def test_api_submit_refuses_a_product_stopped_since_the_draft_r_hosp_catalogue():
    w = make_world()
    (entry,) = admit(w)
    (order,) = create(w)
    client = client_for(w.purchaser)
    stop = post(client, f"{API}/catalogue/{entry.pk}/stop/", {"reason": "厂家召回"})
    assert stop.status_code == 200, stop.json()
    assert [h["kind"] for h in stop.json()["history"]] == ["admitted", "stopped"]
    answer = post(client, f"{API}/orders/{order.pk}/submit/")
    assert answer.status_code == 400
    assert answer.json()["code"] == "catalogue_stopped"
    assert answer.json()["extra"]["reason"] == "厂家召回"


def test_cart_shows_the_refusal_with_the_reason_r_hosp_catalogue():
    w = make_world()
    (entry,) = admit(w)
    page = browser(w.purchaser)
    page.post(reverse("procurement:cart_add"), {"listing": w.listing.pk, "quantity": "2"})
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="抽检不合格")
    html = page.get(reverse("procurement:order_place")).content.decode()
    assert "抽检不合格" in html
    response = page.post(
        reverse("procurement:cart_update"), {"department": "骨科", "action": "create"}
    )
    assert response.status_code == 400
    assert "抽检不合格" in response.content.decode()
    assert not Order.objects.exists()


def test_cart_refuses_to_add_a_product_outside_the_catalogue_r_hosp_catalogue():
    w = make_world()
    page = browser(w.purchaser)
    html = page.get(reverse("procurement:order_place")).content.decode()
    assert 'data-not-orderable="catalogue_not_admitted"' in html
    page.post(reverse("procurement:cart_add"), {"listing": w.listing.pk, "quantity": "2"})
    assert page.session.get("yg_cart", {}).get("lines", []) == []


# --- The requesting department, who submits ------------------------------------------------------


def test_an_order_names_its_requesting_department():
    w = make_world()
    admit(w)
    refused(
        orders.order_create,
        "order_department_required",
        actor=w.purchaser,
        lines=line(w),
        department="  ",
    )
    (order,) = create(w)
    assert order.department == "骨科"
    client = client_for(w.purchaser)
    answer = post(client, f"{API}/orders/", {"lines": line(w)})
    assert answer.status_code == 400
    assert "department" in answer.json()["extra"]["fields"]
    shown = client.get(f"{API}/orders/{order.pk}/").json()
    assert shown["department"] == "骨科"


def test_cart_asks_for_the_department_and_keeps_the_cart():
    w = make_world()
    admit(w)
    page = browser(w.purchaser)
    page.post(reverse("procurement:cart_add"), {"listing": w.listing.pk, "quantity": "2"})
    response = page.post(reverse("procurement:cart_update"), {"action": "create"})
    assert response.status_code == 400
    assert 'data-field-error="department"' in response.content.decode()
    assert not Order.objects.exists()
    assert len(page.session["yg_cart"]["lines"]) == 1


def test_a_hospital_role_that_is_not_a_purchaser_cannot_submit():
    """Departments do not order on their own: only the hospital's purchasers submit."""
    w = make_world()
    admit(w)
    (order,) = create(w)
    assert code_of(lambda: orders.order_submit(actor=w.finance, order_id=order.pk)) == (
        "permission_denied"
    )
    answer = post(client_for(w.finance), f"{API}/orders/{order.pk}/submit/")
    assert answer.status_code == 403
    order.refresh_from_db()
    assert order.status == "draft"


# --- HIS usage records -------------------------------------------------------------------------


def _use(w, listing=None, serial="S1"):
    listing = listing or w.listing
    di = listing.consumable.device_identifiers.first().di
    return usage.usage_record(
        actor=w.purchaser,
        records=[
            {
                "barcode": gs1(di, serial=serial),
                "operation_id": f"OP-{serial}",
                "doctor_code": "D001",
                "department": "骨科",
                "patient_hash": patient_hash(serial),
                "used_at": clock.now() - dt.timedelta(hours=1),
            }
        ],
    )[0]


def test_usage_of_a_stopped_or_never_admitted_product_is_kept_and_flagged_r_hosp_catalogue():
    w = make_world()
    never = add_listing(w)
    (entry,) = admit(w)
    assert _use(w, serial="S1").catalogue_flag == ""
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="停用")
    assert _use(w, serial="S2").catalogue_flag == "stopped"
    assert _use(w, listing=never, serial="S3").catalogue_flag == "not_admitted"
    client = client_for(w.purchaser)
    flagged = client.get(f"{API}/usage-records/", {"flagged": "any"}).json()["results"]
    assert sorted(r["catalogue_flag"] for r in flagged) == ["not_admitted", "stopped"]
    assert client.get(f"{API}/usage-records/", {"flagged": "bogus"}).status_code == 400
    html = browser(w.purchaser).get(reverse("procurement:usage_list") + "?flagged=stopped")
    assert html.content.decode().count("data-usage-flag=") == 1
    assert UsageRecord.objects.count() == 3


def test_home_counts_the_catalogue_stopped_products_and_flagged_usage():
    w = make_world()
    (entry, _other) = admit(w, w.listing, add_listing(w))
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="停用")
    _use(w, serial="S9")
    cards = {c["key"]: c for c in browser(w.purchaser).get("/api/v1/home/").json()}
    assert cards["catalogue_in_use"]["count"] == 1
    assert cards["catalogue_stopped"]["count"] == 1
    assert cards["usage_outside_catalogue"]["count"] == 1


# --- Tenancy, pages and the API ----------------------------------------------------------------


def test_one_hospital_never_sees_another_hospitals_catalogue():
    w = make_world()
    (entry,) = admit(w)
    other = client_for(w.other_purchaser)
    assert other.get(f"{API}/catalogue/{entry.pk}/").status_code == 404
    assert other.get(f"{API}/catalogue/").json()["results"] == []
    stop = post(other, f"{API}/catalogue/{entry.pk}/stop/", {"reason": "x"})
    assert stop.status_code == 404
    assert (
        browser(w.other_purchaser)
        .get(reverse("procurement:catalogue_detail", args=[entry.pk]))
        .status_code
        == 404
    )
    entry.refresh_from_db()
    assert entry.status == CatalogueEntryStatus.ADMITTED


def test_the_bureau_reads_its_regions_catalogues_but_changes_none():
    w = make_world()
    (entry,) = admit(w)
    officer = UserFactory(
        organization=BureauFactory(region_code="320100"), roles=[Role.BUREAU_OFFICER]
    )
    client = client_for(officer)
    assert client.get(f"{API}/catalogue/{entry.pk}/").status_code == 200
    assert post(client, f"{API}/catalogue/{entry.pk}/stop/", {"reason": "x"}).status_code == 403
    actions = client.get(f"{API}/catalogue/{entry.pk}/actions/").json()["actions"]
    assert [a["allowed"] for a in actions] == [False, False]


def test_api_admits_in_bulk_lists_with_filters_and_shows_the_history():
    w = make_world()
    other = add_listing(w)
    client = client_for(w.purchaser)
    admissible = client.get(f"{API}/catalogue/admissible/").json()["results"]
    assert {x["id"] for x in admissible} == {w.listing.pk, other.pk}
    answer = post(
        client,
        f"{API}/catalogue/",
        {
            "listings": [w.listing.pk, other.pk],
            "decision_date": clock.local_today().isoformat(),
            "decision_reference": DECISION,
        },
    )
    assert answer.status_code == 201, answer.json()
    first = answer.json()["entries"][0]["id"]
    post(client, f"{API}/catalogue/{first}/stop/", {"reason": "停用"})
    stopped = client.get(f"{API}/catalogue/", {"status": "stopped"}).json()["results"]
    assert [x["id"] for x in stopped] == [first]
    assert client.get(f"{API}/catalogue/", {"status": "gone"}).status_code == 400
    assert client.get(f"{API}/catalogue/admissible/").json()["results"] == []
    again = post(
        client,
        f"{API}/catalogue/",
        {
            "listings": [w.listing.pk],
            "decision_date": clock.local_today().isoformat(),
            "decision_reference": DECISION,
        },
    )
    assert again.status_code == 409
    assert again.json()["code"] == "catalogue_entry_exists"
    resume = post(client, f"{API}/catalogue/{first}/resume/", {})
    assert resume.status_code == 400  # no reason
    detail = client.get(f"{API}/catalogue/{first}/").json()
    assert [h["kind"] for h in detail["history"]] == ["admitted", "stopped"]


def test_pages_admit_in_bulk_stop_and_resume_with_the_history():
    w = make_world()
    other = add_listing(w)
    page = browser(w.purchaser)
    admit_url = reverse("procurement:catalogue_admit")
    assert f'data-admissible="{other.pk}"' in page.get(admit_url).content.decode()
    bad = page.post(admit_url, {"listing": [w.listing.pk, other.pk], "decision_reference": ""})
    assert bad.status_code == 400
    assert not CatalogueEntry.objects.exists()
    done = page.post(
        admit_url,
        {
            "listing": [w.listing.pk, other.pk],
            "decision_date": clock.local_today().isoformat(),
            "decision_reference": DECISION,
        },
    )
    assert done.status_code == 302
    entry = CatalogueEntry.objects.get(listing=w.listing)
    page.post(reverse("procurement:catalogue_change", args=[entry.pk, "stop"]), {"reason": "停用"})
    listed = page.get(reverse("procurement:catalogue_list") + "?status=stopped").content.decode()
    assert f'data-catalogue-entry="{entry.pk}"' in listed
    page.post(
        reverse("procurement:catalogue_change", args=[entry.pk, "resume"]), {"reason": "复用"}
    )
    html = page.get(reverse("procurement:catalogue_detail", args=[entry.pk])).content.decode()
    assert html.count("data-history-event=") == 3
    assert "复用" in html


def test_selector_checks_agree_with_the_services():
    """catalogue_actions says what the services would do, for each status and party."""
    w = make_world()
    (entry,) = admit(w)
    assert catalogue_selectors.catalogue_actions(actor=w.purchaser, entry=entry).allowed() == [
        "stop"
    ]
    catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="停用")
    entry.refresh_from_db()
    assert catalogue_selectors.catalogue_actions(actor=w.purchaser, entry=entry).allowed() == [
        "resume"
    ]
    with pytest.raises(DomainError):
        catalogue.catalogue_stop(actor=w.purchaser, entry_id=entry.pk, reason="再停")
