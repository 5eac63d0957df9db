"""The API document is exact: valid under a strict OpenAPI 3 validator, money declared one way
everywhere, and what the server sends matches it (tests/test_api_fuzz.py and
tests/test_permission_matrix.py check real responses against it)."""

import importlib
import json
import pkgutil

import pytest
from django.apps import apps
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import OpenAPIV30SpecValidator
from rest_framework import serializers

from core.api.fields import MONEY_REQUEST_PATTERN, MONEY_RESPONSE_PATTERN, MoneyField
from core.money import DECIMAL_PLACES

PROJECT_APPS = ("core", "accounts", "catalog", "procurement", "settlement", "supervision")


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.django_db
def test_schema_is_a_valid_openapi_3_document(tmp_path):
    out = tmp_path / "schema.yaml"
    # --validate checks against the OpenAPI 3 JSON schema; --fail-on-warn turns any
    # drf-spectacular warning (an undocumented endpoint, say) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert text.startswith("openapi: 3.")
    assert "Idempotency-Key" in text


def _spec_errors(document: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.path))}: {e.message}"
        for e in OpenAPIV30SpecValidator(document).iter_errors()
    ]


def test_schema_passes_the_strict_openapi_spec_validator():
    """openapi-spec-validator also checks what the JSON schema of OpenAPI cannot: that every
    default and example obeys its own schema (a default of 0 under minimum 1 was one)."""
    assert _spec_errors(_schema()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_served_schema_passes_the_strict_openapi_spec_validator(client, language):
    """What clients download (/api/schema/, in the language of the request) is valid too."""
    client.cookies["django_language"] = language
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.0")
    assert _spec_errors(document) == []


def _properties(node, path=""):
    """Every (path, property schema) in a schema document."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{path}/{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{path}/{index}")


def test_no_property_is_a_json_number():
    """Money and ratios are decimal strings; nothing in the API is a float."""
    numbers = [path for path, prop in _properties(_schema()) if prop.get("type") == "number"]
    assert numbers == []


def test_every_amount_has_the_one_money_declaration():
    schema = _schema()["components"]["schemas"]
    amounts = {
        f"{name}{path}": prop
        for name, component in schema.items()
        for path, prop in _properties(component)
        if prop.get("format") == "decimal" and "[0-9]{1,16}" in prop.get("pattern", "")
    }
    # The components that carry money: orders, listings, prices, invoices, caps.
    assert len(amounts) > 40
    for where, prop in amounts.items():
        direction_pattern = (
            MONEY_REQUEST_PATTERN
            if where.split("/")[0].endswith("Request")
            else MONEY_RESPONSE_PATTERN
        )
        assert prop["type"] == "string", where
        assert prop["pattern"] == direction_pattern, where


def _project_serializers():
    for app in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{apps.get_app_config(app).name}.api.serializers")
        except ModuleNotFoundError:
            continue
        # A package (procurement/api/serializers/<aggregate>.py): every module of it.
        for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
            importlib.import_module(f"{module.__name__}.{sub.name}")
    seen, stack = set(), [serializers.Serializer]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return sorted(
        (c for c in seen if c.__module__.split(".")[0] in PROJECT_APPS),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def test_every_serializer_amount_is_a_money_field():
    """A DecimalField with the cents' two places that is not MoneyField would give the schema
    a second declaration of money (and accept a JSON number)."""
    found, offenders = 0, []
    for cls in _project_serializers():
        for name, field in cls().fields.items():
            cents = isinstance(field, serializers.DecimalField)
            if cents and field.decimal_places == DECIMAL_PLACES:
                found += 1
                if not isinstance(field, MoneyField):
                    offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert found > 30
    assert offenders == []


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("1234.50", "1234.50"), ("1234.5", "1234.50"), ("1234", "1234.00"), ("0.01", "0.01")],
)
def test_money_field_reads_exact_cents(value, parsed):
    assert str(MoneyField().run_validation(value)) == parsed
    assert MoneyField().to_representation(MoneyField().run_validation(value)) == parsed


@pytest.mark.parametrize("value", [1234.5, "1.234", "-1.00", "1" * 17, "x", "NaN", "Infinity"])
def test_money_field_refuses_what_core_money_refuses(value):
    with pytest.raises(serializers.ValidationError) as error:
        MoneyField().run_validation(value)
    assert error.value.get_codes() == ["amount_invalid"]


@pytest.mark.django_db
def test_schema_and_docs_are_served(admin_client):
    assert admin_client.get("/api/schema/").status_code == 200
    docs = admin_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
