"""The negotiation pages [R-NEGOTIATION]: the bureau opens a negotiation through the form
(field errors next to their field, what was typed kept), invites, counters and concludes; the
supplier offers and accepts the target; each sees only what is theirs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.tests.helpers import browser
from procurement.models import Negotiation
from procurement.tests.emergency_world import on
from procurement.tests.order_world import make_world

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def world():
    return make_world(price=Decimal("100.00"))


def form(w, **extra):
    return {
        "title": "冠脉球囊价格谈判",
        "kind": "products",
        "item1_code": w.listing.consumable.code,
        "item1_target": "80.00",
        "hospitals": [w.hospital.pk],
        "outcome": "hospital_price",
        "deadline": "2026-03-15",
        "effective_on": "2026-04-01",
        "valid_until": "2027-03-31",
        **extra,
    }


def test_r_negotiation_round_through_the_pages(world, officer):
    w = world
    bureau, supplier = browser(officer), browser(w.sales)
    with on(DAY):
        page = bureau.get(reverse("procurement:negotiation_open"))
        assert page.status_code == 200
        assert w.hospital.name in page.content.decode()
        created = bureau.post(reverse("procurement:negotiation_open"), form(w))
        assert created.status_code == 302, created.content.decode()[:2000]
        negotiation = Negotiation.objects.get()
        item = negotiation.items.get()
        detail = reverse("procurement:negotiation_detail", args=[negotiation.pk])
        assert "data-invite" in bureau.get(detail).content.decode()
        bureau.post(reverse("procurement:negotiation_act", args=[negotiation.pk, "invite"]))
        shown = supplier.get(detail).content.decode()
        assert "data-offer-submit" in shown
        assert "data-accept-target" in shown
        supplier.post(
            reverse("procurement:negotiation_item_act", args=[negotiation.pk, item.pk, "offer"]),
            {"price": "95.00"},
        )
        page = bureau.get(detail).content.decode()
        assert "data-accept-offer" in page
        assert "data-counter-form" in page
        countered = bureau.post(
            reverse("procurement:negotiation_act", args=[negotiation.pk, "counter"]),
            {"deadline": "2026-03-20", "note": "请进一步让利", f"target_{item.pk}": "85.00"},
        )
        assert countered.status_code == 302
        supplier.post(
            reverse(
                "procurement:negotiation_item_act",
                args=[negotiation.pk, item.pk, "accept-target"],
            )
        )
        bureau.post(reverse("procurement:negotiation_act", args=[negotiation.pk, "conclude"]))
        page = bureau.get(detail).content.decode()
    negotiation.refresh_from_db()
    assert negotiation.status == "concluded"
    assert 'data-status="agreed"' in page
    assert "¥85.00" in page
    assert "data-published" in page


def test_open_form_keeps_what_was_typed_and_shows_errors_by_the_field(world, officer):
    w = world
    with on(DAY):
        answer = browser(officer).post(
            reverse("procurement:negotiation_open"), form(w, item1_target="120.00")
        )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'data-field-error="item1_target"' in body
    assert 'value="120.00"' in body
    assert not Negotiation.objects.exists()


def test_r_negotiation_counter_with_a_past_deadline_is_refused_on_the_page(world, officer):
    from procurement.tests.negotiation_world import invited

    w = world
    with on(DAY):
        negotiation = invited(officer, [w.listing], [w.hospital])
        answer = browser(officer).post(
            reverse("procurement:negotiation_act", args=[negotiation.pk, "counter"]),
            {"deadline": "2026-03-01"},
        )
    assert answer.status_code == 400
    assert 'data-field-error="deadline"' in answer.content.decode()
    negotiation.refresh_from_db()
    assert negotiation.round_number == 1
