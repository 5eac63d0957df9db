"""Inputs that once gave a 500: each gets a 4xx and changes nothing, on every path.

The API answers in the ``{code, message, extra}`` envelope; pages answer with the error page.
The NUL cases are every endpoint and parameter that reached PostgreSQL (which refuses NUL in
text) when each query and path parameter of the OpenAPI schema was sent ``x%00y``;
``test_every_schema_parameter_refuses_a_nul`` keeps that true for endpoints still to come.
"""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from procurement.tests.order_world import make_world

pytestmark = pytest.mark.django_db

NUL = "x%00y"
# Rows a refused request may still write: the browser session (touched by every page request)
# and the stored response of a keyed request (so that its retry is answered the same).
NOT_DATA = {"sessions.session", "core.idempotencyrecord"}


def snapshot() -> dict[str, list]:
    """Every row of every table the platform keeps, in primary-key order."""
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in NOT_DATA
    }


@pytest.fixture
def world():
    return make_world()


def _actor(world, role: str):
    return {
        "purchaser": world.purchaser,
        "finance": world.finance,
        "sales": world.sales,
    }.get(role) or user_with_role(role)


def _nul(role: str, path: str):
    return pytest.param(role, "get", path, {}, 400, "nul_character", id=f"nul {path}")


def _upload() -> io.BytesIO:
    file = io.BytesIO("国家医保耗材代码\nC0201\n".encode())
    file.name = "catalog.csv"
    return file


API_CASES = [
    _nul("purchaser", f"/api/v1/catalog/consumables/?code={NUL}"),
    _nul("purchaser", f"/api/v1/catalog/consumables/?q={NUL}"),
    _nul("purchaser", f"/api/v1/catalog/consumables/?status={NUL}"),
    _nul("purchaser", f"/api/v1/catalog/consumables/{NUL}/"),
    _nul(Role.BUREAU_OFFICER, f"/api/v1/catalog/reference-prices/?status={NUL}"),
    _nul(Role.PLATFORM_ADMIN, f"/api/v1/history/?model={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/agreed-prices/?status={NUL}"),
    _nul("sales", f"/api/v1/procurement/listings/?catalogue={NUL}"),
    _nul("sales", f"/api/v1/procurement/listings/?code={NUL}"),
    _nul("sales", f"/api/v1/procurement/listings/?label={NUL}"),
    _nul("sales", f"/api/v1/procurement/listings/?q={NUL}"),
    _nul("sales", f"/api/v1/procurement/listings/?status={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/listings/available/?catalogue={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/listings/available/?code={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/listings/available/?label={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/listings/available/?q={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/orders/?number={NUL}"),
    _nul("sales", f"/api/v1/procurement/price-changes/?status={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/usage-records/?department={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/usage-records/?doctor_code={NUL}"),
    _nul("purchaser", f"/api/v1/procurement/usage-records/?operation_id={NUL}"),
    pytest.param(
        "purchaser",
        "get",
        "/api/v1/procurement/cap/?year=190078431",
        {},
        400,
        "year_out_of_range",
        id="cap year 190078431",
    ),
    pytest.param(
        "finance",
        "get",
        "/api/v1/procurement/purchase-plan/?year=28157",
        {},
        400,
        "year_out_of_range",
        id="purchase-plan year 28157",
    ),
    pytest.param(
        "purchaser",
        "get",
        "/api/v1/procurement/orders/99999999999999999999/",
        {},
        404,
        "not_found",
        id="order id beyond bigint",
    ),
    pytest.param(
        "purchaser",
        "post",
        "/api/v1/procurement/orders/quote/",
        {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"},
        400,
        "body_too_deep",
        id="json nested 5000 deep",
    ),
    pytest.param(
        "purchaser",
        "post",
        "/api/v1/procurement/orders/",
        {
            "data": json.dumps({"lines": [], "note": "x" * (10 * 1024 * 1024)}),
            "content_type": "application/json",
            "HTTP_IDEMPOTENCY_KEY": "ten-mb",
        },
        413,
        "request_too_large",
        id="10 MB body",
    ),
    pytest.param(
        "purchaser",
        "post",
        "/api/v1/procurement/orders/",
        {
            "data": '{"lines": [{"listing": 1, "quantity": 1e400}]}',
            "content_type": "application/json",
            "HTTP_IDEMPOTENCY_KEY": "inf",
        },
        400,
        "number_out_of_range",
        id="quantity 1e400",
    ),
    pytest.param(
        "purchaser",
        "post",
        "/api/v1/procurement/orders/quote/",
        {
            "data": '{"lines": [{"listing": 1, "quantity": 123456789012345678901234567890}]}',
            "content_type": "application/json",
        },
        400,
        "number_out_of_range",
        id="quantity beyond 64 bits",
    ),
    pytest.param(
        "purchaser",
        "post",
        "/api/v1/catalog/scan/",
        {"data": '{"barcode": "01\\u00000"}', "content_type": "application/json"},
        400,
        "nul_character",
        id="nul in a json string",
    ),
    pytest.param(
        "finance",
        "post",
        "/api/v1/procurement/purchase-plan/",
        {
            "data": json.dumps({"year": 2026, "total": "1" * 30}),
            "content_type": "application/json",
            "HTTP_IDEMPOTENCY_KEY": "thirty-digits",
        },
        400,
        "invalid",
        id="30-digit amount",
    ),
    pytest.param(
        Role.PLATFORM_ADMIN,
        "post",
        "/api/v1/catalog/imports/",
        {
            "data": {"kind": "bogus", "file": "upload"},
            "format": "multipart",
            "HTTP_IDEMPOTENCY_KEY": "upload-1",
        },
        400,
        "invalid",
        id="multipart upload with a key",
    ),
]


@pytest.mark.parametrize(("role", "method", "path", "kwargs", "status", "code"), API_CASES)
def test_api_refuses_bad_input_in_the_envelope_and_changes_nothing(
    world, role, method, path, kwargs, status, code
):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(_actor(world, role))
    kwargs = dict(kwargs)
    if kwargs.get("data", {}) and isinstance(kwargs["data"], dict):
        kwargs["data"] = {k: _upload() if v == "upload" else v for k, v in kwargs["data"].items()}
    before = snapshot()

    response = getattr(client, method)(path, **kwargs)

    assert (response.status_code, response["Content-Type"]) == (status, "application/json")
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code
    assert snapshot() == before


PAGE_CASES = [
    pytest.param("purchaser", "get", f"/catalog/?q={NUL}", {}, id="catalog q"),
    pytest.param("purchaser", "get", f"/catalog/?code={NUL}", {}, id="catalog code"),
    pytest.param("purchaser", "get", f"/catalog/products/{NUL}/", {}, id="product code in path"),
    pytest.param("sales", "get", f"/procurement/listings/?q={NUL}", {}, id="listings q"),
    pytest.param("purchaser", "get", f"/procurement/orders/new/?q={NUL}", {}, id="cart q"),
    pytest.param(Role.PLATFORM_ADMIN, "get", f"/history/?model={NUL}", {}, id="history model"),
    pytest.param(
        Role.PLATFORM_ADMIN, "get", f"/accounts/organizations/?q={NUL}", {}, id="organisations q"
    ),
    pytest.param(
        "purchaser", "post", "/catalog/scan/", {"data": {"barcode": "01\x000"}}, id="scan form"
    ),
    pytest.param(
        "finance", "get", "/procurement/purchase-plan/?year=28157", {}, id="purchase plan year"
    ),
]


@pytest.mark.parametrize(("role", "method", "path", "kwargs"), PAGE_CASES)
def test_pages_refuse_bad_input_with_an_error_page_and_change_nothing(
    world, role, method, path, kwargs
):
    client = Client(raise_request_exception=False)
    client.force_login(_actor(world, role))
    before = snapshot()

    response = getattr(client, method)(path, **kwargs)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"data-error-code=" in response.content
    assert snapshot() == before


def test_every_schema_parameter_refuses_a_nul(world):
    """A NUL in any query or path parameter of any operation is refused before it reaches a
    view, whatever the caller may do there."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user_with_role(Role.PLATFORM_ADMIN))
    schema = SchemaGenerator().get_schema(request=None, public=True)
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = [p for p in operation.get("parameters", []) if p["in"] != "header"]
            for parameter in parameters:
                url = path
                for other in parameters:
                    if other["in"] == "path":
                        value = NUL if other is parameter else "1"
                        url = url.replace("{" + other["name"] + "}", value)
                if parameter["in"] == "query":
                    url += f"?{parameter['name']}={NUL}"
                response = getattr(client, method)(url)
                assert response.status_code == 400, (method, url)
                assert response.json()["code"] == "nul_character", (method, url)
                checked += 1
    assert checked > 40
