import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_is_a_valid_openapi_3_document(tmp_path):
    out = tmp_path / "schema.yaml"
    # --validate checks against the OpenAPI 3 JSON schema; --fail-on-warn turns any
    # drf-spectacular warning (an undocumented endpoint, say) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert text.startswith("openapi: 3.")
    assert "Idempotency-Key" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(admin_client):
    assert admin_client.get("/api/schema/").status_code == 200
    docs = admin_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
