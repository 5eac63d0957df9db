"""Old national codes a release replaced (原27位码) still resolve: product page, API, search,
and the UDI database's crosswalk (catalog.selectors, catalog/services/imports.py)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from catalog.choices import ConsumableStatus
from catalog.models import Consumable, ConsumableCodeAlias, CrosswalkConflict, DeviceIdentifier
from catalog.services.imports import consumable_import, device_identifier_import
from catalog.tests.factories import (
    PLATE_BASE,
    RELEASE_HEADERS,
    UDI_HEADERS,
    ConsumableFactory,
    DeviceIdentifierFactory,
    gtin14,
    release_row,
    udi_row,
    write_import_csv,
)

pytestmark = pytest.mark.django_db

OLD = f"{PLATE_BASE}0000009"
NEW = f"{PLATE_BASE}0000001"


@pytest.fixture
def replaced(tmp_path):
    """A release that replaced OLD by NEW (变更, 停用), imported as published."""
    path = write_import_csv(
        tmp_path / "C03.csv",
        [
            release_row(1, previous_code=OLD, previous_status="停用", change_type="变更"),
            release_row(2),
        ],
        headers=RELEASE_HEADERS,
    )
    result = consumable_import(actor=None, path=path)
    assert result.aliases == 1
    return result


def test_the_api_gives_the_product_that_replaced_an_old_code(api, replaced):
    body = api.get(f"/api/v1/catalog/consumables/{OLD}/").json()

    assert body["code"] == NEW
    assert body["previous_codes"] == [
        {"code": OLD, "previous_status": "停用", "change_type": "变更"}
    ]
    assert body["replaced_by"] == []


def test_a_search_by_an_old_code_finds_the_product_that_replaced_it(api, replaced):
    for params in ({"q": OLD}, {"code": OLD}, {"q": OLD.lower()}):
        rows = api.get("/api/v1/catalog/consumables/", params).json()["results"]
        assert [row["code"] for row in rows] == [NEW], params
    # A prefix is a prefix: it does not go through the aliases.
    rows = api.get("/api/v1/catalog/consumables/", {"code": OLD[:22]}).json()["results"]
    assert [row["code"] for row in rows] == [NEW, f"{PLATE_BASE}0000002"]


def test_the_product_page_of_an_old_code_redirects_to_the_new_one(replaced):
    client = Client()
    client.force_login(user_with_role(Role.HOSPITAL_PURCHASER))

    response = client.get(f"/catalog/products/{OLD}/", follow=True)

    assert response.redirect_chain == [(f"/catalog/products/{NEW}/", 302)]
    html = response.content.decode()
    assert f"{OLD} 已在国家版本中被替换为 {NEW}" in html
    assert f"<code>{OLD}</code>" in html  # under 原代码 (previous codes)
    assert "原代码" in html


def test_a_retired_products_page_names_the_codes_that_replaced_it(tmp_path):
    old = ConsumableFactory(code=OLD)
    path = write_import_csv(
        tmp_path / "C03.csv",
        [release_row(1, previous_code=OLD, previous_status="停用", change_type="变更")],
        headers=RELEASE_HEADERS,
    )
    consumable_import(actor=None, path=path)
    client = Client()
    client.force_login(user_with_role(Role.HOSPITAL_PURCHASER))

    response = client.get(f"/catalog/products/{OLD}/")

    old.refresh_from_db()
    assert old.status == ConsumableStatus.RETIRED
    assert response.status_code == 200  # the old product itself, not a redirect
    assert f'href="/catalog/products/{NEW}/"' in response.content.decode()
    api = APIClient()
    api.force_authenticate(user_with_role(Role.HOSPITAL_PURCHASER))
    assert api.get(f"/api/v1/catalog/consumables/{OLD}/").json()["replaced_by"] == [NEW]


def test_a_code_split_into_two_products_resolves_in_a_search_but_not_alone(api):
    first = ConsumableFactory(code=NEW)
    second = ConsumableFactory(code=f"{PLATE_BASE}0000002")
    for product in (first, second):
        ConsumableCodeAlias.objects.create(code=OLD, consumable=product, change_type="映射")

    assert api.get(f"/api/v1/catalog/consumables/{OLD}/").status_code == 404
    rows = api.get("/api/v1/catalog/consumables/", {"q": OLD}).json()["results"]
    assert {row["code"] for row in rows} == {first.code, second.code}


def test_a_udi_row_under_an_old_code_links_the_product_that_replaced_it(tmp_path, replaced):
    path = write_import_csv(tmp_path / "udi.csv", [udi_row(1, nhsa_code=OLD)], headers=UDI_HEADERS)

    result = device_identifier_import(actor=None, path=path)

    assert (result.inserted, result.unlinked) == (1, 0)
    di = DeviceIdentifier.objects.get()
    assert (di.nhsa_code, di.consumable.code) == (OLD, NEW)


@pytest.mark.parametrize(
    ("linked", "claimed"),
    [pytest.param(NEW, OLD, id="claims-the-old-code"), pytest.param(OLD, NEW, id="claims-new")],
)
def test_old_and_new_code_of_one_product_are_no_crosswalk_conflict(
    tmp_path, replaced, linked, claimed
):
    target = Consumable.objects.get(code=NEW)
    DeviceIdentifierFactory(di=gtin14(1), consumable=target, nhsa_code=linked)
    path = write_import_csv(
        tmp_path / "udi.csv", [udi_row(1, nhsa_code=claimed)], headers=UDI_HEADERS
    )

    result = device_identifier_import(actor=None, path=path)

    assert (result.conflicts, result.updated) == (0, 1)
    assert not CrosswalkConflict.objects.exists()
    di = DeviceIdentifier.objects.get()
    assert (di.nhsa_code, di.consumable) == (claimed, target)
