"""[R-QUALITY] quality reports: a hospital reports on a product it accepted; exactly the other
hospitals that accepted goods of the same lot get a lot notice (a notification linking to a
page with the product, lot, severity and date, nothing of who reported it); the supplier is
told; a serious report raises one credit event on the supplier at once, a general one when the
bureau confirms it; each party sees only its own (404 for others); bad input is a 400."""

import datetime as dt

import pytest

from core import clock
from core.tests.helpers import browser, client_for
from supervision.models import CreditEvent, LotNotice, Notification, QualityReport
from supervision.services import quality as services
from supervision.tests.quality_world import (
    file,
    make_rates_world,
    product,
    received,
    third_hospital,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/supervision/quality/"


@pytest.fixture
def w():
    world = make_rates_world()
    received(world, world.hospital, "LOTA")
    return world


def _body(w, **kw):
    return {
        "consumable": product(w).pk,
        "lot": "LOTA",
        "severity": "general",
        "occurred_on": (clock.local_today() - dt.timedelta(days=1)).isoformat(),
        "description": "导管在使用中断裂",
    } | kw


def test_the_lot_notice_reaches_exactly_the_hospitals_that_accepted_the_lot_r_quality(w):
    received(w, w.other_hospital, "LOTA")
    lot_b, _lot_b_user = third_hospital("320104")
    received(w, lot_b, "LOTB")  # the same product, another lot
    shipped_only, _ = third_hospital("320105")
    received(w, shipped_only, "LOTA", accepted=False)  # on its way, not accepted
    report = file(w)
    told = set(LotNotice.objects.filter(report=report).values_list("organization_id", flat=True))
    assert told == {w.other_hospital.pk}
    note = Notification.objects.get(organization=w.other_hospital, kind="lot_notice")
    notice = LotNotice.objects.get(report=report)
    assert note.link == f"/supervision/quality/notices/{notice.pk}/"
    assert "LOTA" in note.text
    assert not Notification.objects.filter(organization__in=[lot_b, shipped_only]).exists()
    assert not Notification.objects.filter(organization=w.hospital, kind="lot_notice").exists()
    assert Notification.objects.filter(organization=w.supplier, kind="quality_report").exists()


def test_the_notice_page_shows_the_lot_not_the_reporter_r_quality(w):
    received(w, w.other_hospital, "LOTA")
    report = file(w, description="第三例患者出现过敏反应")
    notice = LotNotice.objects.get(report=report)
    html = browser(w.other_purchaser).get(f"/supervision/quality/notices/{notice.pk}/")
    assert html.status_code == 200
    text = html.content.decode()
    assert "LOTA" in text
    assert product(w).product_name in text
    assert w.hospital.name not in text
    assert "过敏反应" not in text
    api = client_for(w.other_purchaser).get(API + f"notices/{notice.pk}/").json()
    assert api["lot"] == "LOTA"
    assert "hospital" not in api
    assert "description" not in api
    listed = client_for(w.other_purchaser).get(API + "notices/").json()["results"]
    assert [n["id"] for n in listed] == [notice.pk]


def test_others_get_404_for_a_report_and_a_notice_r_quality(w):
    received(w, w.other_hospital, "LOTA")
    report = file(w)
    notice = LotNotice.objects.get(report=report)
    _far, far_user = third_hospital("320104")
    # The other hospital is told of the lot but cannot read the report itself.
    assert client_for(w.other_purchaser).get(API + f"{report.pk}/").status_code == 404
    assert browser(w.other_purchaser).get(f"/supervision/quality/{report.pk}/").status_code == 404
    assert client_for(far_user).get(API + f"notices/{notice.pk}/").status_code == 404
    assert browser(far_user).get(f"/supervision/quality/notices/{notice.pk}/").status_code == 404
    assert client_for(w.other_sales).get(API + f"{report.pk}/").status_code == 404
    assert client_for(w.purchaser).get(API + f"notices/{notice.pk}/").status_code == 404
    assert client_for(w.purchaser).get(API + f"{report.pk}/").status_code == 200
    assert client_for(w.bureau).get(API + f"{report.pk}/").status_code == 200


def test_the_supplier_reads_reports_on_its_products_without_staff_names_r_quality(w):
    report = file(w)
    rows = client_for(w.sales).get(API).json()["results"]
    assert [r["id"] for r in rows] == [report.pk]
    assert "filed_by" not in rows[0]
    html = browser(w.sales).get(f"/supervision/quality/{report.pk}/").content.decode()
    assert w.purchaser.username not in html
    assert str(w.purchaser) not in html
    own = browser(w.purchaser).get(f"/supervision/quality/{report.pk}/").content.decode()
    assert str(w.purchaser) in own


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "  "}, "description"),
        ({"severity": "mild"}, "severity"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
    ],
)
def test_bad_input_is_a_400_r_quality(w, change, field):
    response = client_for(w.purchaser).post(API, _body(w, **change), format="json")
    assert response.status_code == 400, response.json()
    assert field in str(response.json())
    assert not QualityReport.objects.exists()


def test_a_product_or_lot_the_hospital_never_received_is_a_400_r_quality(w):
    api = client_for(w.purchaser)
    unknown = api.post(API, _body(w, consumable=999999), format="json")
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "quality_product_not_received"
    other_product = received(w, w.other_hospital, "X1", supplier=w.other_supplier)
    foreign = api.post(
        API, _body(w, consumable=other_product.order_line.consumable_id), format="json"
    )
    assert foreign.json()["code"] == "quality_product_not_received"
    lot = api.post(API, _body(w, lot="NEVER"), format="json")
    assert lot.status_code == 400
    assert lot.json()["code"] == "quality_lot_not_received"
    assert not QualityReport.objects.exists()


def test_only_a_hospital_files_r_quality(w):
    assert client_for(w.sales).post(API, _body(w), format="json").status_code == 403
    assert client_for(w.bureau).post(API, _body(w), format="json").status_code == 403


def test_filing_through_the_page_r_quality(w):
    client = browser(w.purchaser)
    page = client.get("/supervision/quality/new/")
    assert product(w).product_name in page.content.decode()
    bad = client.post("/supervision/quality/new/", _body(w, lot="NEVER"))
    assert bad.status_code == 400
    response = client.post("/supervision/quality/new/", _body(w))
    report = QualityReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/quality/{report.pk}/"


def test_a_serious_report_raises_one_credit_event_at_once_r_quality(w):
    report = file(w, severity="serious")
    report.refresh_from_db()
    event = CreditEvent.objects.get(source_key=f"quality_report:{report.pk}")
    assert report.credit_event == event
    assert event.subject == w.supplier
    assert event.item.code == "quality_problem"
    services.quality_report_confirm(actor=w.bureau, report_id=report.pk, reason="核实")
    assert CreditEvent.objects.filter(subject=w.supplier).count() == 1


def test_a_general_report_raises_its_credit_event_on_confirmation_r_quality(w):
    report = file(w, severity="general")
    assert not CreditEvent.objects.exists()
    response = client_for(w.bureau).post(
        API + f"{report.pk}/confirm/", {"reason": "经核实"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    assert CreditEvent.objects.filter(subject=w.supplier, source="quality").count() == 1


def test_a_dismissed_general_report_raises_no_credit_event_r_quality(w):
    report = file(w, severity="general")
    services.quality_report_dismiss(actor=w.bureau, report_id=report.pk, reason="非产品问题")
    assert not CreditEvent.objects.exists()
    assert Notification.objects.filter(organization=w.hospital, kind="quality_report").exists()


def test_the_bureau_counts_reports_by_product_and_supplier_r_quality(w):
    file(w)
    file(w, severity="serious")
    received(w, w.other_hospital, "Z9", supplier=w.other_supplier)
    file(
        w,
        actor=w.other_purchaser,
        lot="Z9",
        consumable_id=product(w, w.other_supplier).pk,
    )
    counts = client_for(w.bureau).get(API + "counts/").json()
    by_supplier = {c["name"]: (c["total"], c["serious"]) for c in counts["by_supplier"]}
    assert by_supplier == {w.supplier.name: (2, 1), w.other_supplier.name: (1, 0)}
    filtered = client_for(w.bureau).get(API, {"supplier": w.other_supplier.pk}).json()
    assert filtered["count"] == 1
    page = browser(w.bureau).get("/supervision/quality/").content.decode()
    assert w.other_supplier.name in page
    # A hospital counts only its own.
    own = client_for(w.purchaser).get(API + "counts/").json()
    assert {c["name"] for c in own["by_supplier"]} == {w.supplier.name}
