"""Catalogue search, product page and scan, through the API and the pages."""

import datetime as dt
from decimal import Decimal

import pytest
from biip.checksums import gs1_standard_check_digit
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from catalog.choices import IssuingAgency, ReferencePriceStatus
from catalog.models import Consumable, DeviceIdentifier, ReferencePrice
from catalog.search import consumable_search_terms
from core import clock

pytestmark = pytest.mark.django_db


def make(code_serial: int, product: str, spec: str = "", *, level1: str = "02", **extra):
    code = f"C{level1}0111212000001076{6 + code_serial % 3}{code_serial:07d}"
    fields = {
        "generic_name": extra.pop("generic_name", product[:4]),
        "product_name": product,
        "specification": spec,
        "model": extra.pop("model", ""),
        "company_name": extra.pop("company_name", "某医疗器械有限公司"),
    }
    return Consumable.objects.create(
        code=code,
        base_code=code[:20],
        category_l1=code[1:3],
        category_l2=code[1:5],
        category_l3=code[1:7],
        generic_group=code[7:10],
        material_code=code[10:12],
        feature_code=code[12:15],
        company_code=code[15:20],
        spec_serial=code[20:],
        search_terms=consumable_search_terms(fields),
        **fields,
        **extra,
    )


def gtin(n: int) -> str:
    body = f"069012345{n:04d}"
    return body + str(gs1_standard_check_digit(body))


@pytest.fixture
def catalogue():
    stent = make(1, "药物洗脱冠状动脉支架系统", "直径3.0mm 长度29mm", model="Firebird2")
    balloon = make(2, "冠状动脉球囊扩张导管", "直径2.5mm 长度20mm")
    lens = make(3, "非球面人工晶状体", "+20.0D", level1="08")
    ReferencePrice.objects.create(
        consumable=stent, price=Decimal("590.00"), status=ReferencePriceStatus.CONFIRMED
    )
    DeviceIdentifier.objects.create(
        di=gtin(1), agency=IssuingAgency.GS1, consumable=stent, nhsa_code=stent.code
    )
    return {"stent": stent, "balloon": balloon, "lens": lens}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("冠状动脉", {"stent", "balloon"}),
        ("冠脉 支架", set()),  # bigram 冠脉 is not in any name: no false positives
        ("冠状 支架", {"stent"}),  # every word must match, in any field
        ("晶状体", {"lens"}),
        ("firebird", {"stent"}),  # case-insensitive, model field
        ("29mm", {"stent"}),  # specification
        ("架", {"stent"}),  # one character: its own term in the index
        ("C08", {"lens"}),  # a code prefix
    ],
)
def test_search(api, catalogue, q, expected):
    response = api.get("/api/v1/catalog/consumables/", {"q": q})
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert codes == {catalogue[name].code for name in expected}


def test_list_shows_reference_price_and_filters(api, catalogue):
    rows = api.get("/api/v1/catalog/consumables/", {"category": "02"}).json()["results"]
    prices = {row["code"]: row["reference_price"] for row in rows}
    assert prices == {catalogue["stent"].code: "590.00", catalogue["balloon"].code: None}


def test_list_query_count_does_not_grow_with_rows(api, catalogue, django_assert_max_num_queries):
    for n in range(10, 60):
        make(n, f"测试产品{n}")
    with django_assert_max_num_queries(6):  # session/auth, count, page; no N+1
        response = api.get("/api/v1/catalog/consumables/", {"page_size": 50})
    assert len(response.json()["results"]) == 50


def test_detail_and_unknown_code(api, catalogue):
    response = api.get(f"/api/v1/catalog/consumables/{catalogue['stent'].code}/")
    assert response.status_code == 200
    assert response.json()["device_identifiers"][0]["di"] == gtin(1)
    missing = api.get("/api/v1/catalog/consumables/C99999999999999999999999999/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_scan_returns_parts_product_and_reference_price(api, catalogue):
    barcode = f"]d2 01{gtin(1)}17281231 10LOT42\x1d21SN001".replace(" ", "")
    response = api.post("/api/v1/catalog/scan/", {"barcode": barcode}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["parsed"] == {
        "agency": "gs1",
        "di": gtin(1),
        "lot": "LOT42",
        "production_date": None,
        "expiry_date": "2028-12-31",
        "serial": "SN001",
    }
    assert body["matched"] is True
    assert body["consumable"]["code"] == catalogue["stent"].code
    assert body["reference_price"] == "590.00"


def test_scan_of_unknown_product_is_valid_but_unmatched(api, catalogue):
    response = api.post("/api/v1/catalog/scan/", {"barcode": f"(01){gtin(77)}"}, format="json")
    assert response.status_code == 200
    assert response.json()["matched"] is False


@pytest.mark.parametrize(
    ("barcode", "reason"),
    [
        ("(01)06901234567891", "bad_check_digit"),
        ("(01)06901234567892(17)251332", "bad_date"),
        ("hello", "unknown_structure"),
    ],
)
def test_scan_refuses_bad_barcodes_with_the_reason(api, barcode, reason):
    response = api.post("/api/v1/catalog/scan/", {"barcode": barcode}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "barcode_invalid"
    assert response.json()["extra"]["reason"] == reason


def test_scan_of_an_expired_lot_warns_on_the_page_and_via_api(api, catalogue):
    yesterday = clock.local_today() - dt.timedelta(days=1)
    barcode = f"(01){gtin(1)}(17){yesterday:%y%m%d}(10)OLD1"
    assert api.post("/api/v1/catalog/scan/", {"barcode": barcode}, format="json").json()["expired"]
    fresh = f"(01){gtin(1)}(17){clock.local_today():%y%m%d}(10)NEW1"
    assert not api.post("/api/v1/catalog/scan/", {"barcode": fresh}, format="json").json()[
        "expired"
    ]
    client = Client()
    client.force_login(user_with_role(Role.HOSPITAL_PURCHASER))
    html = client.post("/catalog/scan/", {"barcode": barcode}, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert f'data-scan-expired="{yesterday:%Y-%m-%d}"' in html
    assert "OLD1" in html
    fresh_html = client.post("/catalog/scan/", {"barcode": fresh}, HTTP_HX_REQUEST="true")
    assert "data-scan-expired" not in fresh_html.content.decode()


def test_udi_rows_show_packaging_properly_or_nothing(catalogue):
    stent = catalogue["stent"]
    DeviceIdentifier.objects.filter(di=gtin(1)).update(packaging_level="0", packaging_quantity=1)
    DeviceIdentifier.objects.create(
        di=gtin(5),
        agency=IssuingAgency.GS1,
        consumable=stent,
        packaging_level="箱",
        packaging_quantity=10,
    )
    DeviceIdentifier.objects.create(
        di=gtin(6),
        agency=IssuingAgency.GS1,
        consumable=stent,
        packaging_level="盒",
    )
    client = Client()
    client.force_login(user_with_role(Role.HOSPITAL_PURCHASER))
    html = client.get(f"/catalog/products/{stent.code}/").content.decode()
    assert "0 × 1" not in html
    assert "<td data-packaging>—</td>" in html
    assert "<td data-packaging>箱（内含 10）</td>" in html
    assert "<td data-packaging>盒</td>" in html


def test_catalogue_needs_a_login():
    assert APIClient().get("/api/v1/catalog/consumables/").status_code in (401, 403)
    assert Client().get("/catalog/").status_code == 302


def test_scan_box_on_the_page_shows_the_product(catalogue):
    client = Client()
    client.force_login(user_with_role(Role.HOSPITAL_PURCHASER))
    page = client.get("/catalog/").content.decode()
    assert 'id="scan-box"' in page
    assert "autofocus" in page
    partial = client.post("/catalog/scan/", {"barcode": f"(01){gtin(1)}"}, HTTP_HX_REQUEST="true")
    assert f'data-scan-matched="{catalogue["stent"].code}"' in partial.content.decode()
    bad = client.post("/catalog/scan/", {"barcode": "(01)06901234567891"}).content.decode()
    assert 'data-reason="bad_check_digit"' in bad


def test_product_page_shows_crosswalk_and_chart(catalogue):
    client = Client()
    client.force_login(user_with_role(Role.SUPPLIER_SALES))
    html = client.get(f"/catalog/products/{catalogue['stent'].code}/").content.decode()
    assert gtin(1) in html
    assert "price-chart" in html
    assert "¥590.00" in html


def test_broad_searches_stop_counting_at_the_cap(api, catalogue, monkeypatch):
    """On millions of products a broad search must not count every match (issue 4: fast at
    500,000 products); the count stops just past the cap and says so."""
    from core.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for n in range(10, 15):
        make(n, f"冠状动脉测试产品{n}")
    body = api.get("/api/v1/catalog/consumables/", {"q": "冠状动脉", "page_size": 2}).json()
    assert body["count"] == 3
    assert body["count_capped"] is True
    assert len(body["results"]) == 2
    body = api.get("/api/v1/catalog/consumables/", {"q": "晶状体"}).json()
    assert (body["count"], body["count_capped"]) == (1, False)
