"""Who reads which five rates [R-FIVE-RATES]: hospitals and suppliers their own (with their
rank among peers), regulators their jurisdiction; a slice one may not read is refused with the
reason, another organisation's is missing. Pages and API answer alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from core.errors import NotFoundError
from supervision.choices import Rate, SliceKind
from supervision.errors import FiveRatesMonthInvalidError, FiveRatesSliceRefusedError
from supervision.selectors.five_rates import (
    five_rates_below_unscoped,
    five_rates_scope,
    five_rates_table,
    parse_month,
)
from supervision.services.five_rates import five_rates_freeze
from supervision.tests.rates_world import NOVEMBER, at, make_rates_world, order_line, ship

pytestmark = pytest.mark.django_db

DURING_NOVEMBER = at(25, 12)
FIRST_OF_DECEMBER = at(1, 3, 0, month=12)


def _trade(w):
    """November's deliveries: the hospital 1 of 2 lines on time (10.00 of 40.00), the other
    Nanjing hospital 1 of 1 (20.00), Shanghai's hospital 1 of 1; the supplier delivers all but
    the 30.00 line, the other supplier delivers the other hospital's."""
    on_time = order_line(w, quantity=1, price="10.00", submitted_at=at(10))
    ship(on_time, quantity=1, shipped_at=at(11))
    late = order_line(w, quantity=1, price="30.00", submitted_at=at(10))
    ship(late, quantity=1, shipped_at=at(20))
    other = order_line(
        w,
        quantity=1,
        price="20.00",
        submitted_at=at(10),
        hospital=w.other_hospital,
        supplier=w.other_supplier,
    )
    ship(other, quantity=1, shipped_at=at(11))
    far = order_line(w, quantity=1, price="50.00", submitted_at=at(10), hospital=w.far_hospital)
    ship(far, quantity=1, shipped_at=at(11))


def test_a_hospital_reads_its_own_rates_and_rank_among_the_citys_hospitals_r_five_rates():
    w = make_rates_world()
    _trade(w)
    with time_machine.travel(DURING_NOVEMBER, tick=False):
        scope = five_rates_scope(actor=w.purchaser)
        table = five_rates_table(actor=w.purchaser, month=NOVEMBER, scope=scope)
    (row,) = table.rows
    assert row.key == str(w.hospital.pk)
    assert row.rates[Rate.DELIVERY].amount_rate == Decimal("0.2500")
    # Peers: Nanjing's two hospitals (Shanghai's is another city); the other one is at 100%.
    assert table.peers == 2
    assert row.rank[Rate.DELIVERY] == 2


def test_a_supplier_reads_its_own_rates_and_rank_among_suppliers_r_five_rates():
    w = make_rates_world()
    _trade(w)
    with time_machine.travel(DURING_NOVEMBER, tick=False):
        table = five_rates_table(
            actor=w.other_sales, month=NOVEMBER, scope=five_rates_scope(actor=w.other_sales)
        )
    (row,) = table.rows
    assert row.key == str(w.other_supplier.pk)
    assert row.rank[Rate.DELIVERY] == 1
    assert table.peers == 2


@pytest.mark.parametrize(
    ("who", "kind", "key", "error"),
    [
        ("purchaser", SliceKind.SUPPLIER, "", FiveRatesSliceRefusedError),
        ("purchaser", SliceKind.DISTRICT, "", FiveRatesSliceRefusedError),
        ("purchaser", SliceKind.HOSPITAL, "other_hospital", NotFoundError),
        ("sales", SliceKind.HOSPITAL, "", FiveRatesSliceRefusedError),
        ("sales", SliceKind.SUPPLIER, "other_supplier", NotFoundError),
        ("bureau", SliceKind.DISTRICT, "310101", FiveRatesSliceRefusedError),
        ("bureau", SliceKind.HOSPITAL, "far_hospital", NotFoundError),
        ("bureau", "nonsense", "", FiveRatesSliceRefusedError),
    ],
    ids=[
        "hospital-by-supplier",
        "hospital-by-district",
        "hospital-other-hospital",
        "supplier-by-hospital",
        "supplier-other-supplier",
        "bureau-other-province",
        "bureau-hospital-outside",
        "unknown-slice",
    ],
)
def test_a_slice_one_may_not_read_is_refused_r_five_rates(who, kind, key, error):
    w = make_rates_world()
    org = getattr(w, key, None)
    with pytest.raises(error) as refused:
        five_rates_scope(actor=getattr(w, who), kind=kind, key=str(org.pk) if org else key)
    if error is FiveRatesSliceRefusedError:
        assert refused.value.code == "five_rates_slice_refused"
        assert refused.value.message  # the reason, in the user's language


def test_the_bureau_reads_its_jurisdiction_only_r_five_rates():
    w = make_rates_world()
    _trade(w)
    with time_machine.travel(DURING_NOVEMBER, tick=False):
        scope = five_rates_scope(actor=w.bureau, kind=SliceKind.HOSPITAL)
        table = five_rates_table(actor=w.bureau, month=NOVEMBER, scope=scope)
    assert {row.key for row in table.rows} == {str(w.hospital.pk), str(w.other_hospital.pk)}
    # Below threshold: the hospital's 25% delivery rate (threshold 90%).
    assert table.below_count == 1


def test_the_parties_below_threshold_are_what_notifications_go_to_r_five_rates():
    """The seam for threshold notifications: the hospitals and suppliers below a threshold."""
    w = make_rates_world()
    _trade(w)
    with time_machine.travel(DURING_NOVEMBER, tick=False):
        below = five_rates_below_unscoped(month=NOVEMBER, region_prefix="3201")
    assert [s.key for s in below[SliceKind.HOSPITAL]] == [str(w.hospital.pk)]
    assert [s.key for s in below[SliceKind.SUPPLIER]] == [str(w.supplier.pk)]
    assert below[SliceKind.HOSPITAL][0].below == [Rate.DELIVERY]


@pytest.mark.parametrize("value", ["2026-13", "11-2026", "2027-01", "1999-12", "x", "2026-1"])
def test_a_malformed_or_future_month_is_refused(value):
    with (
        time_machine.travel(DURING_NOVEMBER, tick=False),
        pytest.raises(FiveRatesMonthInvalidError),
    ):
        parse_month(value)


def test_the_api_answers_the_table_and_refuses_with_a_reason_r_five_rates():
    w = make_rates_world()
    _trade(w)
    api = APIClient()
    api.force_authenticate(w.purchaser)
    with time_machine.travel(DURING_NOVEMBER, tick=False):
        mine = api.get("/api/v1/supervision/five-rates/", {"month": "2026-11"})
        refused = api.get("/api/v1/supervision/five-rates/", {"kind": "supplier"})
        missing = api.get(
            "/api/v1/supervision/five-rates/", {"kind": "hospital", "key": w.other_hospital.pk}
        )
        bad = api.get("/api/v1/supervision/five-rates/", {"month": "2026-99"})
    assert mine.status_code == 200
    body = mine.json()
    assert body["frozen"] is False
    (row,) = body["rows"]
    delivery = row["rates"][0]
    assert delivery["rate"] == "delivery"
    assert (delivery["amount_numerator"], delivery["amount_denominator"]) == ("10.00", "40.00")
    assert delivery["amount_rate"] == "0.2500"
    assert delivery["amount_below"] is True
    assert row["rank"]["delivery"] == 2
    assert refused.status_code == 403
    assert refused.json()["code"] == "five_rates_slice_refused"
    assert missing.status_code == 404
    assert bad.status_code == 400
    assert bad.json()["code"] == "five_rates_month_invalid"


def test_the_bureaus_page_marks_rates_below_threshold_and_offers_the_report_r_five_rates():
    w = make_rates_world()
    _trade(w)
    client = Client()
    client.force_login(w.bureau)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        before = client.get("/supervision/five-rates/", {"month": "2026-11", "kind": "hospital"})
        missing = client.get("/supervision/five-rates/report/", {"month": "2026-11"})
        five_rates_freeze()
        page = client.get("/supervision/five-rates/", {"month": "2026-11", "kind": "hospital"})
        report = client.get("/supervision/five-rates/report/", {"month": "2026-11"})
        api_report = APIClient()
        api_report.force_authenticate(w.bureau)
        via_api = api_report.get("/api/v1/supervision/five-rates/report/", {"month": "2026-11"})
    assert before.status_code == 200
    assert 'data-frozen="0"' in before.content.decode()
    assert missing.status_code == 404
    html = page.content.decode()
    assert 'data-frozen="1"' in html
    assert f'data-slice="{w.hospital.pk}" data-below="delivery"' in html
    assert f'data-slice="{w.other_hospital.pk}">' in html
    assert "data-report" in html
    assert "黄浦医院" not in html
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert via_api.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(report.content))
    names = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row[1:2]]
    assert "鼓楼医院" in names
    assert "黄浦医院" not in names  # the report keeps to the bureau's jurisdiction


def test_a_hospital_may_not_download_the_report_and_sees_its_own_page_r_five_rates():
    w = make_rates_world()
    _trade(w)
    client = Client()
    client.force_login(w.purchaser)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        five_rates_freeze()
        page = client.get("/supervision/five-rates/", {"month": "2026-11"})
        refused = client.get("/supervision/five-rates/", {"kind": "district"})
        report = client.get("/supervision/five-rates/report/", {"month": "2026-11"})
        below = client.get("/supervision/five-rates/below/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-slice="{w.hospital.pk}"' in html
    assert str(w.other_hospital.pk) not in html.split("<tbody>")[1]
    assert 'data-rank="delivery">2<' in html
    assert refused.status_code == 403
    assert report.status_code == 403
    assert [f.rate for f in below.context["page"]] == [Rate.DELIVERY]
