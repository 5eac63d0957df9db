"""Every demo login reaches its home page, in Chinese by default and in English when switched."""

import pytest
from django.test import Client
from django.utils import translation

from accounts import demo
from accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_logins(django_db_setup, django_db_blocker):
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        logins = demo.seed()
    yield logins
    # Committed for real: empty the tables the way transactional tests do (as the owner; the
    # app's role may not delete the audit rows a deleted user would take with it).
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def test_demo_has_the_promised_shape(demo_logins):
    from accounts.models import Organization

    kinds = dict.fromkeys(["bureau", "agency", "hospital", "manufacturer", "distributor"], 0)
    for org in Organization.objects.all():
        kinds[org.kind] += 1
    assert kinds == {"bureau": 1, "agency": 1, "hospital": 12, "manufacturer": 15, "distributor": 5}
    assert len({u for u, _, _ in demo_logins}) == len(demo_logins) == 47


def test_seeding_twice_changes_nothing(demo_logins):
    import pghistory.models

    before = pghistory.models.Events.objects.count()
    demo.seed()
    assert pghistory.models.Events.objects.count() == before


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_demo_login_reaches_home(demo_logins, language):
    expected = {"zh-hans": "欢迎", "en": "Welcome"}[language]
    for username, role, _org in demo_logins:
        client = Client()
        if language != "zh-hans":
            client.post("/i18n/setlang/", {"language": language, "next": "/"})
        response = client.post(
            "/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        page = client.get("/")
        assert page.status_code == 200
        html = page.content.decode()
        assert expected in html, (username, language)
        assert f'lang="{language}"' in html
        # The role is named in the page's language, never in the other one.
        with translation.override(language):
            shown = str(Role(role).label)
        with translation.override("en" if language == "zh-hans" else "zh-hans"):
            other = str(Role(role).label)
        assert shown in html, (username, language)
        assert other not in html, (username, language)


def test_login_page_is_chinese_by_default(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html


def test_no_page_loads_anything_from_another_host(demo_logins):
    client = Client()
    client.post("/accounts/login/", {"username": "admin", "password": demo.DEMO_PASSWORD})
    for url in [
        "/",
        "/accounts/organizations/",
        "/accounts/api-clients/",
        "/history/",
        "/region-policy/",
        "/accounts/security-events/",
    ]:
        html = client.get(url).content.decode()
        assert "http://" not in html.replace("http://www.w3.org", ""), url
        assert "https://" not in html, url


def test_browser_language_does_not_override_chinese_default(client):
    """An English-language browser still gets Chinese until the user switches."""
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in html


def test_demo_catalogue_covers_all_17_categories_with_valid_codes(demo_logins):
    """[R-CATEGORIES] all 17 first-level categories; [R-CODE] national code and UDI on each."""
    from catalog import demo as catalog_demo
    from catalog.barcodes import parse_barcode
    from catalog.codes import parse_nhsa_code
    from catalog.models import Consumable
    from catalog.registration import parse_registration_number

    assert catalog_demo.seed() >= 2000
    assert catalog_demo.seed() >= 2000  # idempotent
    consumables = Consumable.objects.prefetch_related("device_identifiers")
    assert {c.category_l1 for c in consumables} == {f"{n:02d}" for n in range(1, 18)}
    for consumable in consumables:
        parse_nhsa_code(consumable.code)
        parse_registration_number(consumable.registration_number)
        (device,) = consumable.device_identifiers.all()
        assert parse_barcode(f"(01){device.di}").di == device.di
    assert Consumable.objects.count() == 2000


def test_favicon_is_served_and_linked(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    body = b"".join(icon.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in icon["Cache-Control"]
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in html
