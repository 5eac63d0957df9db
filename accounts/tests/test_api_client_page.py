"""The API clients page: a new client's key is shown once, after a redirect, and a reload
never creates a second client; the help text shows the header literally."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.models import ApiClient
from accounts.tests.factories import HospitalFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = "/accounts/api-clients/"
KEY = re.compile(r"yg_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def _admin_page() -> Client:
    page = Client()
    page.force_login(user_with_role(Role.PLATFORM_ADMIN))
    return page


def test_creating_a_client_redirects_and_shows_the_key_once():
    hospital = HospitalFactory()
    page = _admin_page()
    created = page.post(URL, {"name": "HIS", "organization": hospital.pk})
    assert created.status_code == 302
    assert created["Location"] == URL
    shown = page.get(URL)
    keys = KEY.findall(shown.content.decode())
    assert len(keys) == 1
    assert shown["Cache-Control"] == "no-store"
    # A reload shows the list: the same client, no key, no second client.
    reloaded = page.get(URL).content.decode()
    assert not KEY.search(reloaded)
    assert "HIS" in reloaded
    assert ApiClient.objects.filter(organization=hospital).count() == 1


def test_the_key_shown_is_the_key_that_authenticates():
    hospital = HospitalFactory()
    page = _admin_page()
    key = KEY.search(
        page.post(URL, {"name": "HIS", "organization": hospital.pk}, follow=True).content.decode()
    ).group(0)
    answer = Client().get("/api/v1/procurement/orders/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200


def test_the_help_text_shows_the_authorization_header_literally():
    html = _admin_page().get(URL).content.decode()
    assert "Bearer &lt;key&gt;" in html
    assert "<key>" not in html


def test_a_client_without_a_hospital_is_refused_next_to_the_field():
    page = _admin_page()
    response = page.post(URL, {"name": "HIS", "organization": ""})
    assert response.status_code == 200
    assert 'class="invalid-feedback"' in response.content.decode()
    assert not ApiClient.objects.exists()
