"""The emergency purchase pages: the hospital registers (the cap panel follows what it types),
lists and reads its registrations; the bureau decides on the amount over the cap and reads the
violations; field errors stay next to their field with what was typed. [R-EMERG-CAP]
[R-EMERG-DEADLINE]"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, UserFactory
from catalog.tests.factories import ConsumableFactory
from core.tests.helpers import browser
from procurement.choices import EmergencyStatus
from procurement.models import EmergencyPurchase
from procurement.tests.emergency_world import bought_last_year, on, register

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def base(hospital):
    bought_last_year(hospital, Decimal("100000.00"), year=2026)  # tier 3: cap ¥3,000.00


def form(product, price="1000.00", quantity="2", **extra):
    return {
        "bought_on": "2026-03-10",
        "reason": "急诊手术，平台无货",
        "approver_name": "王主任",
        "approver_role": "分管副院长",
        "line1_code": product.code,
        "line1_supplier": "南京某医疗器械有限公司",
        "line1_price": price,
        "line1_quantity": quantity,
        **extra,
    }


def test_cap_panel_follows_the_lines_typed(purchaser, base):
    """[R-EMERG-CAP] the htmx panel: the amount typed, and a warning once past the cap."""
    client = browser(purchaser)
    with on(DAY):
        page = client.get(reverse("procurement:emergency_register"))
        assert 'data-cap="3000.00"' in page.content.decode()
        panel = client.get(
            reverse("procurement:emergency_cap_panel"),
            {"bought_on": "2026-03-10", "line1_price": "1500.01", "line1_quantity": "2"},
        ).content.decode()
    assert 'data-adding="3000.02"' in panel
    assert 'data-over-by="0.02"' in panel
    assert "data-over-cap" in panel


def test_register_then_bureau_approves_over_cap(purchaser, officer, base):
    product = ConsumableFactory()
    with on(DAY):
        response = browser(purchaser).post(
            reverse("procurement:emergency_register"), form(product, price="1600.00")
        )
        purchase = EmergencyPurchase.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("procurement:emergency_detail", args=[purchase.pk])
        assert purchase.status == EmergencyStatus.PENDING
        bureau = browser(officer)
        detail = bureau.get(response.url).content.decode()
        assert "data-approve" in detail
        assert 'data-violation="over_cap"' in detail
        bureau.post(
            reverse("procurement:emergency_decide", args=[purchase.pk, "approve"]),
            {"reason": "疫情应急"},
        )
        page = bureau.get(reverse("procurement:emergency_violation_list")).content.decode()
    purchase.refresh_from_db()
    assert purchase.status == EmergencyStatus.APPROVED
    assert 'data-kind="over_cap"' in page


def test_field_errors_stay_next_to_the_field_with_what_was_typed(purchaser, base):
    product = ConsumableFactory()
    with on(DAY):
        response = browser(purchaser).post(
            reverse("procurement:emergency_register"),
            form(product, bought_on="2026-03-11", line1_supplier="某公司"),
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="bought_on"' in html
    assert 'value="某公司"' in html
    assert not EmergencyPurchase.objects.exists()


def test_listed_product_without_reason_is_refused_next_to_the_field(purchaser, base):
    from procurement.tests.factories import ListingFactory

    listing = ListingFactory()
    with on(DAY):
        html = (
            browser(purchaser)
            .post(reverse("procurement:emergency_register"), form(listing.consumable))
            .content.decode()
        )
    assert 'data-field-error="listed_reason"' in html
    assert not EmergencyPurchase.objects.exists()


def test_list_shows_late_and_over_cap_and_another_hospital_gets_404(purchaser, base):
    with on(dt.date(2026, 3, 31)):
        late = register(purchaser, bought_on=DAY, price="3500.00")
        html = browser(purchaser).get(reverse("procurement:emergency_list")).content.decode()
    assert f'data-emergency-row="{late.pk}"' in html
    assert "data-late" in html
    assert "data-over-cap" in html
    other = UserFactory(
        organization=HospitalFactory(region_code="320106"), roles=[Role.HOSPITAL_PURCHASER]
    )
    with on(dt.date(2026, 3, 31)):
        response = browser(other).get(reverse("procurement:emergency_detail", args=[late.pk]))
    assert response.status_code == 404
