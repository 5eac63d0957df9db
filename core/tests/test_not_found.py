"""An address that matches no route: JSON in the API's error format under /api/, HTML else."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/procurement/orders/-1/", "/api/v1/procurement/orders/null/submit/", "/api/v2/"],
)
def test_an_api_address_without_a_route_gets_the_error_format(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert set(response.json()) == {"code", "message", "extra"}


def test_a_page_address_without_a_route_stays_a_page(client):
    response = client.get("/procurement/orders/null/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
