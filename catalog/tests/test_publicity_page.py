"""The publicity page (公示): each price offers the buttons reference_price_actions allows,
and an action returns only to a page of ours."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, OrganizationFactory, UserFactory
from catalog.choices import ReferencePriceStatus
from catalog.tests.factories import ReferencePriceFactory
from core.tests.helpers import browser

pytestmark = pytest.mark.django_db

# Fixed, with the clock frozen at its noon (Asia/Shanghai): a date taken when the module is
# imported and a request made after the next midnight would be two different days.
TODAY = dt.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _noon_of_today():
    noon = dt.datetime.combine(TODAY, dt.time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(noon, tick=True):
        yield


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


def _searchable_prices():
    from accounts.choices import OrganizationKind
    from catalog.tests.factories import ConsumableFactory

    maker = OrganizationFactory(kind=OrganizationKind.MANUFACTURER, name="威高骨科材料股份有限公司")
    stent = ReferencePriceFactory(consumable=ConsumableFactory(product_name="冠脉支架系统"))
    plate = ReferencePriceFactory(
        consumable=ConsumableFactory(
            product_name="小儿接骨板", company_name="", registrant="", manufacturer=maker
        )
    )
    balloon = ReferencePriceFactory(
        consumable=ConsumableFactory(product_name="球囊扩张导管", company_name="微创医疗")
    )
    return stent, plate, balloon


@pytest.mark.parametrize("how", ["code", "product", "manufacturer", "company"])
def test_the_publicity_list_is_searched_by_code_product_and_manufacturer(how):
    stent, plate, balloon = _searchable_prices()
    wanted, q = {
        "code": (stent, stent.consumable.code[-9:]),
        "product": (plate, "接骨"),
        "manufacturer": (plate, "威高骨科"),
        "company": (balloon, "微创"),
    }[how]
    bureau = UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    response = browser(bureau).get(reverse("catalog:publicity"), {"status": "confirmed", "q": q})
    html = response.content.decode()
    shown = {rp for rp in (stent, plate, balloon) if f'data-reference-price="{rp.pk}"' in html}
    assert shown == {wanted}
    assert f'value="{q}"' in html  # the box keeps what was typed
    if how == "manufacturer":
        assert "威高骨科材料股份有限公司" in html  # the row names its maker


def test_the_reference_price_api_takes_the_same_search():
    from rest_framework.test import APIClient

    _stent, plate, _balloon = _searchable_prices()
    client = APIClient()
    client.force_authenticate(
        UserFactory(organization=BureauFactory(), roles=[Role.BUREAU_OFFICER])
    )
    body = client.get("/api/v1/catalog/reference-prices/", {"q": "威高骨科"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [row["id"] for row in rows] == [plate.pk]
