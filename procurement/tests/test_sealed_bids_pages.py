"""The pages of sealed bids: the supplier's bid page (sealed in the browser: no field posts a
price), receipts, withdrawal and refusals; the custodian's page; the bureau's view of who
bid; the public results without login."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from procurement.models import TenderBid
from procurement.tests.bid_world import make_bid_world

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_supplier_bids_on_its_own_products_through_the_page():
    world = make_bid_world()
    client = _client(world.sellers["A"])
    page = client.get(reverse("procurement:round_bids", args=[world.tender.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-sealed-bid") == 1  # product A only: B and C are others'
    assert f'data-product="{world.products["A"].pk}"' in html
    assert f'data-product="{world.products["B"].pk}"' not in html
    # The price field has no name: it is never posted; the envelope is.
    price_inputs = re.findall(r"<input[^>]*data-sealed-price[^>]*>", html)
    assert price_inputs
    assert all("name=" not in tag for tag in price_inputs)
    assert 'id="round-key"' in html
    assert world.tender.key_fingerprint in html
    response = client.post(
        reverse("procurement:bid_submit", args=[world.tender.pk]),
        {
            "group": world.group.pk,
            "product": world.products["A"].pk,
            "envelope": world.seal("A", "80.00"),
        },
        follow=True,
    )
    bid = TenderBid.objects.get()
    assert bid.commitment in response.content.decode()
    response = client.post(
        reverse("procurement:bid_submit", args=[world.tender.pk]),
        {"group": world.group.pk, "product": world.products["A"].pk, "envelope": "garbage"},
        follow=True,
    )
    html = response.content.decode()
    assert "sealed_envelope_malformed" in html  # listed among the refusals
    assert TenderBid.objects.count() == 1
    response = client.post(
        reverse("procurement:bid_withdraw", args=[world.tender.pk, bid.pk]), follow=True
    )
    assert "已撤回" in response.content.decode()


def test_the_bureau_sees_who_bid_and_when_but_no_form():
    world = make_bid_world()
    world.bid("B", "85.00")
    html = (
        _client(world.officer)
        .get(reverse("procurement:round_bids", args=[world.tender.pk]))
        .content.decode()
    )
    assert world.sellers["B"].organization.name in html
    assert "data-sealed-bid" not in html
    assert "data-custodians" in html


def test_a_custodian_collects_once_and_enters_at_the_opening():
    world = make_bid_world(collect=False)
    client = _client(world.custodians[0])
    url = reverse("procurement:round_custody", args=[world.tender.pk])
    assert "data-collect" in client.get(url).content.decode()
    shown = client.post(url, {"action": "collect"}).content.decode()
    share = re.search(r"<pre[^>]*data-share>([^<]+)</pre>", shown).group(1)
    assert share.startswith("YGS-")
    again = client.get(url).content.decode()
    assert share not in again
    assert "data-collect" not in again
    with world.at_opening():
        client.force_login(world.custodians[0])  # the session of three weeks ago expired
        page = client.get(url).content.decode()
        assert "data-enter-share" in page
        client.post(url, {"action": "enter", "share": share})
        assert "1 / 3" in client.get(url).content.decode()


def test_results_are_public_in_publicity_and_not_before():
    world = make_bid_world()
    world.bid("A", "80.00")
    world.bid("B", "85.00")
    anonymous = _client()
    url = reverse("public:tender_round", args=[world.tender.pk])
    assert anonymous.get(url).status_code == 404
    with world.at_opening():
        for position in (1, 2, 3):
            world.enter(position)
    html = anonymous.get(url).content.decode()
    assert "¥80.00" in html
    assert "¥85.00" in html
    assert (
        str(world.tender.number) in anonymous.get(reverse("public:tender_results")).content.decode()
    )
