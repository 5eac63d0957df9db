"""A sealed-bid round end to end through the API: the bureau sets it up with custodians and
publishes it, custodians collect their shares once, a hospital reports demand, suppliers bid
(compact JWE, as their own systems would seal them), replace and withdraw; at the opening
custodians enter their shares, k-1 do not open, the k-th does; results are public in
publicity; after it the round is final and its results applied; allocation makes contracts.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from core import clock
from core.sealed import seal_bid
from core.tests.helpers import client_for
from procurement.models import Contract, Listing, PaymentStandard, RoundAward
from procurement.tests.factories import ListingFactory
from procurement.tests.order_world import make_world
from procurement.tests.round_world import bureau_officer

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"api:procurement:{name}", args=args)


def post(client, path, body):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def _set_up(bureau, w, products, custodians):
    now = clock.now()
    response = post(
        bureau,
        url("round_list"),
        {
            "name": "冠脉支架",
            "cycle_start": (clock.local_today() + dt.timedelta(days=40)).isoformat(),
            "cycle_end": (clock.local_today() + dt.timedelta(days=400)).isoformat(),
            "agreed_ratio": "0.8000",
            "advance_ratio": "0.3000",
            "demand_deadline": (now + dt.timedelta(days=5)).isoformat(),
            "bid_deadline": (now + dt.timedelta(days=10)).isoformat(),
            "opening_at": (now + dt.timedelta(days=11)).isoformat(),
            "publicity_end": (now + dt.timedelta(days=18)).isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    round_id = response.json()["id"]
    response = post(
        bureau,
        url("round_groups", round_id),
        {
            "code": "G1",
            "name": "药物洗脱支架",
            "code_prefixes": [p.code for p in products],
            "attribute_filters": {},
            "max_valid_price": "100.00",
            "winning_rule": {"condition": {"op": "n_lowest", "n": 2}, "min_valid_bids": 2},
        },
    )
    assert response.status_code == 201, response.json()
    group_id = response.json()["id"]
    response = post(
        bureau,
        url("round_custodians", round_id),
        {
            "threshold": 3,
            "custodians": [
                {"user": u.pk, "discipline_inspection": i == 4} for i, u in enumerate(custodians)
            ],
        },
    )
    assert response.status_code == 200, response.json()
    response = post(bureau, url("round_publish", round_id), {})
    assert response.status_code == 200, response.json()
    return round_id, group_id, response.json()


def test_a_sealed_round_through_the_api():
    w = make_world()
    officer = bureau_officer()
    bureau = client_for(officer)
    custodians = [
        UserFactory(organization=officer.organization, roles=[Role.BUREAU_OFFICER])
        for _ in range(5)
    ]
    maker_b = OrganizationFactory()
    listing_b = ListingFactory(manufacturer=maker_b, price=Decimal("90.00"))
    sales_b = UserFactory(organization=maker_b, roles=[Role.SUPPLIER_SALES])
    products = [w.listing.consumable, listing_b.consumable]
    round_id, group_id, published = _set_up(bureau, w, products, custodians)
    assert published["key_fingerprint"]
    assert published["public_jwk"]["kty"] == "EC"
    assert "d" not in published["public_jwk"]
    jwk = published["public_jwk"]

    def seal(product, price):
        return seal_bid(jwk, price=Decimal(price), product=product.pk, round_ref=round_id)

    supplier = client_for(w.sales)
    body = {"group": group_id, "product": products[0].pk, "envelope": seal(products[0], "80.00")}
    refused = post(supplier, url("round_bids", round_id), body)
    assert refused.status_code == 409
    assert refused.json()["code"] == "shares_not_collected"

    shares = {}
    for position, user in enumerate(custodians, start=1):
        response = post(client_for(user), url("share_collect", round_id), {})
        assert response.status_code == 200, response.json()
        shares[position] = response.json()["share"]
        again = post(client_for(user), url("share_collect", round_id), {})
        assert again.json()["code"] == "share_already_collected"

    hospital = client_for(w.purchaser)
    response = post(
        hospital, url("round_demand", round_id), {"lines": [{"group": group_id, "volume": 100}]}
    )
    assert response.status_code == 200, response.json()

    first = post(supplier, url("round_bids", round_id), body)
    assert first.status_code == 201, first.json()
    receipt = first.json()["commitment"]
    assert len(receipt) == 64
    assert "price" not in first.json()
    # A replacement: the first bid is no longer live.
    body["envelope"] = seal(products[0], "78.00")
    second = post(supplier, url("round_bids", round_id), body)
    assert second.status_code == 201
    assert second.json()["replaces"] == first.json()["id"]
    other = client_for(sales_b)
    b_body = {"group": group_id, "product": products[1].pk, "envelope": seal(products[1], "85.00")}
    b_bid = post(other, url("round_bids", round_id), b_body)
    assert b_bid.status_code == 201
    # Withdraw and bid again.
    withdrawn = post(other, url("bid_withdraw", round_id, b_bid.json()["id"]), {})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["live"] is False
    b_body["envelope"] = seal(products[1], "86.00")
    assert post(other, url("round_bids", round_id), b_body).status_code == 201

    listed = bureau.get(url("round_bids", round_id)).json()["results"]
    assert len(listed) == 4
    assert all("price" not in bid for bid in listed)
    assert all("envelope" not in bid for bid in listed)
    own = supplier.get(url("round_bids", round_id)).json()["results"]
    assert {bid["supplier"] for bid in own} == {w.manufacturer.pk}

    round = bureau.get(url("round_detail", round_id)).json()
    with time_machine.travel(
        dt.datetime.fromisoformat(round["opening_at"]) - dt.timedelta(minutes=1), tick=False
    ):
        early = post(client_for(custodians[0]), url("share_enter", round_id), {"share": shares[1]})
        assert early.status_code == 409
        assert early.json()["code"] == "opening_too_early"
    opening = dt.datetime.fromisoformat(round["opening_at"]) + dt.timedelta(minutes=1)
    with time_machine.travel(opening, tick=False):
        for position in (1, 2):
            response = post(
                client_for(custodians[position - 1]),
                url("share_enter", round_id),
                {"share": shares[position]},
            )
            assert response.status_code == 200, response.json()
            assert response.json()["status"] == "bidding_closed"
        early_open = post(bureau, url("round_open", round_id), {})
        assert early_open.json()["code"] == "sealed_shares_insufficient"
        assert client_for().get(url("round_public_results", round_id)).status_code == 404
        response = post(
            client_for(custodians[4]), url("share_enter", round_id), {"share": shares[5]}
        )
        assert response.json()["status"] == "publicity", response.json()
    results = client_for().get(url("round_public_results", round_id)).json()["results"]
    assert [(r["product_code"], r["price"], r["rank"], r["won"]) for r in results] == [
        (products[0].code, "78.00", 1, True),
        (products[1].code, "86.00", 2, True),
    ]
    assert results[0]["commitment"] == second.json()["commitment"]

    publicity_end = dt.datetime.fromisoformat(round["publicity_end"]) + dt.timedelta(minutes=1)
    with time_machine.travel(publicity_end, tick=False):
        response = post(bureau, url("round_finalise", round_id), {})
        assert response.status_code == 200
        assert response.json()["status"] == "final"
    assert PaymentStandard.objects.get(round_id=round_id).winner_price == Decimal("78.00")
    assert Listing.objects.filter(consumable=products[0], price=Decimal("78.00")).exists()
    award = RoundAward.objects.get(round_id=round_id)
    choice_end = award.choice_deadline + dt.timedelta(minutes=1)
    with time_machine.travel(choice_end, tick=False):
        response = post(bureau, url("round_allocate", round_id), {})
        assert response.status_code == 200, response.json()
    contract = Contract.objects.get(round_id=round_id)
    assert contract.hospital == w.hospital
    assert contract.agreed_quantity == 80
