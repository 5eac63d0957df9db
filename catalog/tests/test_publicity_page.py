"""The publicity page (公示): each price offers the buttons reference_price_actions allows,
and an action returns only to a page of ours."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, OrganizationFactory, UserFactory
from catalog.choices import ReferencePriceStatus
from catalog.tests.factories import ReferencePriceFactory
from core import clock
from core.tests.helpers import browser

pytestmark = pytest.mark.django_db

TODAY = clock.local_today()


def test_the_bureau_sees_the_buttons_the_actions_allow():
    bureau = UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    proposed = ReferencePriceFactory(status=ReferencePriceStatus.PROPOSED)
    ended = ReferencePriceFactory(
        status=ReferencePriceStatus.PUBLICITY,
        price=Decimal("900.00"),
        publicity_starts_on=TODAY - dt.timedelta(days=20),
        publicity_ends_on=TODAY - dt.timedelta(days=1),
    )
    running = ReferencePriceFactory(
        status=ReferencePriceStatus.PUBLICITY,
        publicity_starts_on=TODAY - dt.timedelta(days=2),
        publicity_ends_on=TODAY + dt.timedelta(days=3),
    )
    html = browser(bureau).get(reverse("catalog:publicity")).content.decode()

    def offered(rp, action):
        return reverse("catalog:reference_price_action", args=[rp.pk, action]) in html

    assert offered(proposed, "publicity")
    assert not offered(proposed, "confirm")
    assert offered(ended, "confirm")
    assert not offered(ended, "publicity")
    assert not offered(running, "confirm")  # its publicity has not ended
    assert all(offered(rp, "withdraw") for rp in (proposed, ended, running))
    assert not any(offered(rp, "object") for rp in (proposed, ended, running))


def test_a_supplier_may_object_only_during_publicity():
    supplier = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    running = ReferencePriceFactory(
        status=ReferencePriceStatus.PUBLICITY,
        publicity_starts_on=TODAY - dt.timedelta(days=2),
        publicity_ends_on=TODAY,
    )
    proposed = ReferencePriceFactory(status=ReferencePriceStatus.PROPOSED)
    html = browser(supplier).get(reverse("catalog:publicity")).content.decode()
    assert reverse("catalog:reference_price_action", args=[running.pk, "object"]) in html
    assert reverse("catalog:reference_price_action", args=[proposed.pk, "object"]) not in html
    assert reverse("catalog:reference_price_action", args=[running.pk, "withdraw"]) not in html


def test_an_action_never_redirects_to_another_site():
    bureau = UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    rp = ReferencePriceFactory(status=ReferencePriceStatus.PROPOSED)
    response = browser(bureau).post(
        reverse("catalog:reference_price_action", args=[rp.pk, "withdraw"]),
        {"reason": "数据有误", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:publicity")
    rp.refresh_from_db()
    assert rp.status == ReferencePriceStatus.WITHDRAWN
