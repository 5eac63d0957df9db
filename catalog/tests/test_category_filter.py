"""The catalogue's category filter shows the names a national release gave the categories:
the search page's select and GET /api/v1/catalog/categories/."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from catalog.services.imports import consumable_import
from catalog.tests.factories import (
    PLATE_BASE,
    RELEASE_HEADERS,
    TUBING_BASE,
    release_row,
    write_import_csv,
)

pytestmark = pytest.mark.django_db

CATEGORIES_URL = "/api/v1/catalog/categories/"


@pytest.fixture
def released(tmp_path):
    """The categories as a release in the published layout names them (locally numbered)."""
    rows = [
        release_row(1),
        # A second level-3 category of 0311 (the number agrees with the code's segment).
        release_row(
            1,
            code="C03111508002007064100000001",
            base_code="C0311150800200706410",
            level3="15-锁定接骨板",
        ),
        release_row(1, base=TUBING_BASE),
    ]
    path = write_import_csv(tmp_path / "release.csv", rows, headers=RELEASE_HEADERS)
    assert consumable_import(actor=None, path=path).inserted == 3


def _options(html: str) -> list[str]:
    select = re.search(r'<select name="category".*?</select>', html, re.S).group(0)
    return [
        re.sub(r"\s+", " ", text.replace("&emsp;", "_")).strip()
        for text in re.findall(r"<option[^>]*>(.*?)</option>", select)
    ]


@pytest.fixture
def page():
    client = Client()
    client.force_login(user_with_role(Role.HOSPITAL_PURCHASER))
    return lambda **params: client.get("/catalog/", params).content.decode()


def test_the_search_page_offers_level_1_categories_by_name(released, page):
    assert _options(page()) == ["全部分类", "C03 骨科材料", "C09 体外循环材料"]


def test_a_chosen_category_opens_its_subcategories_by_name(released, page):
    html = page(category="031116")

    assert _options(html) == [
        "全部分类",
        "C03 骨科材料",
        "_C0311 接骨板",
        "__C031115 锁定接骨板",
        "__C031116 小儿接骨板",
        "C09 体外循环材料",
    ]
    assert re.search(r'<option value="031116" selected>', html)
    # The filter itself: only the product of that level-3 category.
    assert f"{PLATE_BASE}0000001" in html
    assert "C03111508002007064100000001" not in html


def test_an_unnamed_category_says_so_instead_of_a_bare_code(page):
    from catalog.models import Category

    Category.objects.create(code="15", level=1, name="")

    assert _options(page()) == ["全部分类", "C15 （尚未命名）"]


def test_the_api_lists_categories_with_their_names(released):
    api = APIClient()
    api.force_authenticate(user_with_role(Role.SUPPLIER_SALES))

    level1 = api.get(CATEGORIES_URL).json()
    children = api.get(CATEGORIES_URL, {"parent": "C0311"}).json()

    assert level1 == [
        {"code": "03", "level": 1, "name": "骨科材料", "parent": None},
        {"code": "09", "level": 1, "name": "体外循环材料", "parent": None},
    ]
    assert children == [
        {"code": "031115", "level": 3, "name": "锁定接骨板", "parent": "0311"},
        {"code": "031116", "level": 3, "name": "小儿接骨板", "parent": "0311"},
    ]
    assert api.get(CATEGORIES_URL, {"parent": "x"}).json() == []
    products = api.get("/api/v1/catalog/consumables/", {"category": "031115"}).json()
    assert [row["code"] for row in products["results"]] == ["C03111508002007064100000001"]


@pytest.mark.parametrize(
    "role", [Role.HOSPITAL_PURCHASER, Role.BUREAU_OFFICER, Role.SUPPLIER_SALES]
)
def test_every_signed_in_role_reads_the_categories(released, role):
    api = APIClient()
    api.force_authenticate(user_with_role(role))

    assert api.get(CATEGORIES_URL).status_code == 200


def test_the_categories_need_a_login(released):
    assert APIClient().get(CATEGORIES_URL).status_code in (401, 403)


def test_the_product_shows_its_categories_by_name(released, page):
    code = f"{PLATE_BASE}0000001"
    client = Client()
    client.force_login(user_with_role(Role.HOSPITAL_PURCHASER))
    api = APIClient()
    api.force_authenticate(user_with_role(Role.HOSPITAL_PURCHASER))

    html = client.get(f"/catalog/products/{code}/").content.decode()
    body = api.get(f"/api/v1/catalog/consumables/{code}/").json()

    assert "C03 骨科材料</a> / " in html
    assert '<a href="/catalog/?category=031116">C031116 小儿接骨板</a>' in html
    assert [(c["code"], c["name"]) for c in body["categories"]] == [
        ("03", "骨科材料"),
        ("0311", "接骨板"),
        ("031116", "小儿接骨板"),
    ]
