"""Every demo login reaches its home page, in Chinese by default and in English when switched;
each kind of user finds its pages in the menu, and each of them opens under its title."""

import re

import pytest
from django.test import Client
from django.urls import reverse
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
    # 47 users, plus the five key custodians of the tender rounds (sealed bids).
    assert len({u for u, _, _ in demo_logins}) == len(demo_logins) == 52


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


# One demo login of each kind of user the menu differs for, and the pages (URL names) its menu
# lists, in menu order (core/navigation.py).
_EVERYONE = ["core:home", "catalog:consumable_list", "catalog:publicity"]
_TRADE = ["procurement:listing_list", "procurement:agreed_price_list"]
_ORDERS = ["procurement:order_list", "procurement:delivery_list", "procurement:invoice_list"]
_FUND = ["settlement:fund_settlement_list", "settlement:advance_list", "settlement:account_list"]
MENUS = {
    "bureau": [
        *_EVERYONE,
        "catalog:objections",
        "catalog:sync_runs",
        "procurement:listing_list",
        "procurement:listing_review_queue",
        "procurement:listing_label_list",
        "procurement:agreed_price_list",
        "procurement:purchase_plan",
        "procurement:emergency_list",
        "procurement:negotiation_list",
        "procurement:catalogue_list",
        "procurement:round_list",
        "procurement:contract_list",
        *_ORDERS,
        "settlement:payment_request_list",
        "settlement:settlement_batch_list",
        "procurement:usage_list",
        *_FUND,
        "settlement:fund_view",
        "settlement:bank_statement_list",
        "supervision:dashboard",
        "supervision:five_rates",
        "supervision:monitoring",
        "supervision:retained_savings",
        "supervision:price_cut_list",
        "supervision:price_index",
        "supervision:credit_event_list",
        "supervision:sanction_list",
        "supervision:misconduct_item_list",
        "supervision:quality_report_list",
        "supervision:alert_list",
        "accounts:organization_list",
        "core:region_policy",
        "core:history",
        "core:export_jobs",
        "supervision:notification_list",
    ],
    "admin": [
        *_EVERYONE,
        "catalog:objections",
        "catalog:sync_runs",
        "catalog:imports",
        "procurement:listing_list",
        "procurement:listing_review_queue",
        "procurement:listing_label_list",
        "procurement:agreed_price_list",
        "procurement:emergency_list",
        "procurement:negotiation_list",
        "procurement:catalogue_list",
        "procurement:contract_list",
        *_ORDERS,
        "settlement:payment_request_list",
        "settlement:settlement_batch_list",
        "procurement:usage_list",
        *_FUND,
        "settlement:fund_view",
        "settlement:bank_statement_list",
        "supervision:dashboard",
        "supervision:five_rates",
        "supervision:monitoring",
        "supervision:retained_savings",
        "supervision:price_cut_list",
        "supervision:price_index",
        "supervision:credit_event_list",
        "supervision:sanction_list",
        "supervision:quality_report_list",
        "supervision:lot_notice_list",
        "supervision:alert_list",
        "accounts:organization_list",
        "accounts:api_client_list",
        "core:region_policy",
        "core:calendar",
        "core:history",
        "accounts:security_event_list",
        "core:export_jobs",
        "supervision:notification_list",
    ],
    "agency": [
        *_EVERYONE,
        *_TRADE,
        "procurement:emergency_list",
        "procurement:negotiation_list",
        "procurement:catalogue_list",
        "procurement:round_list",
        "procurement:contract_list",
        *_ORDERS,
        "settlement:payment_request_list",
        "settlement:settlement_batch_list",
        "procurement:usage_list",
        *_FUND,
        "settlement:fund_view",
        "settlement:bank_statement_list",
        "supervision:dashboard",
        "supervision:five_rates",
        "supervision:monitoring",
        "supervision:retained_savings",
        "supervision:price_cut_list",
        "supervision:price_index",
        "supervision:credit_event_list",
        "supervision:sanction_list",
        "supervision:quality_report_list",
        "supervision:alert_list",
        "accounts:organization_list",
        "core:region_policy",
        "core:export_jobs",
        "supervision:notification_list",
    ],
    "h01_purchaser": [
        *_EVERYONE,
        *_TRADE,
        "procurement:emergency_list",
        "procurement:catalogue_list",
        "procurement:demand_list",
        "procurement:contract_list",
        "procurement:order_place",
        *_ORDERS,
        "procurement:usage_list",
        "supervision:five_rates",
        "supervision:monitoring",
        "supervision:retained_savings",
        "supervision:credit_event_list",
        "supervision:sanction_list",
        "supervision:quality_report_list",
        "supervision:lot_notice_list",
        "accounts:organization_list",
        "accounts:api_client_list",
        "core:export_jobs",
        "supervision:notification_list",
    ],
    "h01_finance": [
        *_EVERYONE,
        *_TRADE,
        "procurement:purchase_plan",
        "procurement:emergency_list",
        "procurement:catalogue_list",
        "procurement:contract_list",
        *_ORDERS,
        "settlement:payment_request_list",
        "procurement:usage_list",
        *_FUND,
        "supervision:five_rates",
        "supervision:monitoring",
        "supervision:retained_savings",
        "supervision:credit_event_list",
        "supervision:sanction_list",
        "supervision:quality_report_list",
        "supervision:lot_notice_list",
        "accounts:organization_list",
        "accounts:api_client_list",
        "core:export_jobs",
        "supervision:notification_list",
    ],
    "m01_sales": [
        *_EVERYONE,
        "catalog:objections",
        *_TRADE,
        "procurement:negotiation_list",
        "procurement:contract_list",
        *_ORDERS,
        "settlement:payment_request_list",
        "settlement:settlement_batch_list",
        "supervision:five_rates",
        "supervision:credit_event_list",
        "supervision:sanction_list",
        "supervision:quality_report_list",
        "accounts:organization_list",
        "core:export_jobs",
        "supervision:notification_list",
    ],
    "d01_sales": [
        *_EVERYONE,
        "catalog:objections",
        *_TRADE,
        "procurement:negotiation_list",
        "procurement:contract_list",
        *_ORDERS,
        "settlement:payment_request_list",
        "settlement:settlement_batch_list",
        "supervision:five_rates",
        "supervision:credit_event_list",
        "supervision:sanction_list",
        "supervision:quality_report_list",
        "accounts:organization_list",
        "core:export_jobs",
        "supervision:notification_list",
    ],
}

# A page is titled as its menu entry, except where it names what the user sees there.
TITLES = {
    # Not the hospital's own orders: those overseen by a regulator, or received by a supplier;
    # titled by what the list shows, every status (issue 11), no longer "Incoming orders".
    ("bureau", "procurement:order_list"): "Orders in the region",
    ("admin", "procurement:order_list"): "Orders in the region",
    ("agency", "procurement:order_list"): "Orders in the region",
    ("m01_sales", "procurement:order_list"): "Orders received",
    ("d01_sales", "procurement:order_list"): "Orders received",
    ("m01_sales", "procurement:listing_list"): "My listings",
    # [R-FIVE-RATES] a hospital's or supplier's own rates, with its rank.
    ("h01_purchaser", "supervision:five_rates"): "My five rates",
    ("h01_finance", "supervision:five_rates"): "My five rates",
    ("m01_sales", "supervision:five_rates"): "My five rates",
    ("d01_sales", "supervision:five_rates"): "My five rates",
}

# Pages a user may read without a menu entry: the purchase plan is in the menu of those who set
# it, and hospital staff and overseers may read it.
# Published rounds are public to every organisation (the menu lists them for those who run
# them); the bureau's queue of demand to review is reached from its home card.
READABLE_OUTSIDE_THE_MENU = {
    "bureau": {"procurement:demand_list"},
    "admin": {
        "procurement:purchase_plan",
        "procurement:round_list",
        "procurement:demand_list",
        "supervision:misconduct_item_list",
    },
    "agency": {
        "procurement:purchase_plan",
        "procurement:demand_list",
        "supervision:misconduct_item_list",
    },
    "h01_purchaser": {
        "procurement:purchase_plan",
        "procurement:round_list",
        "supervision:misconduct_item_list",
    },
    "h01_finance": {
        "procurement:round_list",
        "procurement:demand_list",
        "supervision:misconduct_item_list",
    },
    "m01_sales": {"procurement:round_list", "supervision:misconduct_item_list"},
    "d01_sales": {"procurement:round_list", "supervision:misconduct_item_list"},
}

_MENU_LINK = re.compile(
    r'<a class="nav-link( active)?" href="([^"]+)"><i class="bi bi-[a-z0-9-]+"></i> ([^<]+)</a>'
)


def _menu(html: str) -> list[tuple[str, str, bool]]:
    """The menu a page shows: (URL, label, whether it is the current page)."""
    aside = html.partition('yg-menu">')[2]
    aside = aside.partition("</aside>")[0]
    return [(url, label, bool(active)) for active, url, label in _MENU_LINK.findall(aside)]


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?) · [^<]*</title>", html, re.DOTALL)
    assert match, html[:500]
    return match.group(1).strip()


def _logged_in(demo_logins, username: str) -> Client:
    from accounts.models import User

    assert username in {u for u, _, _ in demo_logins}
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _labels() -> dict[str, str]:
    """Each menu entry's label, in Chinese."""
    from core.navigation import MENU

    with translation.override("zh-hans"):
        return {item.url_name: str(item.label) for item in MENU}


@pytest.mark.parametrize("username", list(MENUS))
def test_each_kind_of_user_finds_its_pages_in_the_menu(demo_logins, username):
    html = _logged_in(demo_logins, username).get("/").content.decode()
    labels = _labels()
    assert _menu(html) == [
        (reverse(name), labels[name], name == "core:home") for name in MENUS[username]
    ]


@pytest.mark.parametrize("username", list(MENUS))
def test_every_menu_page_answers_in_chinese_under_its_title(demo_logins, username):
    """Each page of the user's menu opens (200), in Chinese, with its own title and its menu
    entry marked as the current page."""
    client = _logged_in(demo_logins, username)
    labels = _labels()
    for name in MENUS[username]:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'lang="zh-hans"' in html, url
        with translation.override("zh-hans"):
            expected = (
                translation.gettext(TITLES[username, name]) if (username, name) in TITLES else None
            )
        assert _title(html) == (expected or labels[name]), url
        assert [link for link, _label, active in _menu(html) if active] == [url]


@pytest.mark.parametrize("username", list(MENUS))
def test_a_page_outside_the_menu_is_refused(demo_logins, username):
    from core.navigation import MENU

    client = _logged_in(demo_logins, username)
    outside = [
        item.url_name
        for item in MENU
        if item.url_name not in MENUS[username]
        and item.url_name not in READABLE_OUTSIDE_THE_MENU.get(username, set())
    ]
    assert outside
    for name in outside:
        assert client.get(reverse(name)).status_code == 403, name
    for name in READABLE_OUTSIDE_THE_MENU.get(username, ()):
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.parametrize("username", list(MENUS))
def test_no_page_loads_anything_from_another_host(demo_logins, username):
    client = _logged_in(demo_logins, username)
    for name in MENUS[username]:
        html = client.get(reverse(name)).content.decode()
        assert "http://" not in html.replace("http://www.w3.org", ""), name
        assert "https://" not in html, name


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
