"""The round and demand API end to end: the bureau sets a round up, dry-runs its rule and
publishes it; a hospital reports demand from its pre-filled form; the bureau adjusts it; a
supplier reads the published round and its amendments; tenancy and refusals in the error
envelope. [R-VBP-VOLUME] [R-PAY-STANDARD]"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core import clock
from core.tests.helpers import client_for
from procurement.tests.order_world import make_world, submitted
from procurement.tests.round_world import RULE, bureau_officer

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"api:procurement:{name}", args=args)


def post(client, path, body):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=str(id(body)) + path)


def test_a_round_through_the_api():
    w = make_world()
    officer = bureau_officer()
    bureau = client_for(officer)
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
    assert response.json()["status"] == "draft"

    response = post(
        bureau,
        url("round_groups", round_id),
        {
            "code": "G1",
            "name": "药物洗脱支架",
            "code_prefixes": [w.listing.consumable.code],
            "max_valid_price": "100.00",
            "winning_rule": {"condition": {"op": "n_lowest", "n": 0}},
        },
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["extra"]["path"]) == (
        "winning_rule_invalid",
        "condition.n",
    )
    response = post(
        bureau,
        url("round_groups", round_id),
        {
            "code": "G1",
            "name": "药物洗脱支架",
            "code_prefixes": [w.listing.consumable.code],
            "max_valid_price": "100.00",
            "winning_rule": RULE,
        },
    )
    assert response.status_code == 201, response.json()
    group_id = response.json()["id"]

    # The dry run: typed bids, winners and the payment standard.
    response = post(
        bureau,
        url("round_dry_run", round_id),
        {
            "group": group_id,
            "bids": [
                {"label": "甲", "price": "60.00"},
                {"label": "乙", "price": "55.50"},
                {"label": "丙", "price": "70.00"},
            ],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(b["label"], b["rank"], b["won"], b["payment_standard"]) for b in body["bids"]] == [
        ("乙", 1, True, "55.50"),
        ("甲", 2, True, "55.50"),
        ("丙", 3, False, "60.00"),
    ]
    assert body["payment_standard"] == {"winner_price": "55.50", "non_winner_cap": "60.00"}

    # Suppliers do not see the draft.
    assert client_for(w.sales).get(url("round_detail", round_id)).status_code == 404
    response = post(bureau, url("round_publish", round_id), {})
    assert (response.status_code, response.json()["status"]) == (200, "published")
    response = post(bureau, url("round_publish", round_id), {})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")

    # A hospital's form is pre-filled from its purchases; it reports.
    submitted(w, quantity=7)
    hospital = client_for(w.purchaser)
    form = hospital.get(url("round_demand", round_id)).json()
    assert [(row["group"], row["prefill_volume"], row["demand"]) for row in form["rows"]] == [
        (group_id, 7, None)
    ]
    response = post(
        hospital, url("round_demand", round_id), {"lines": [{"group": group_id, "volume": 11}]}
    )
    assert response.status_code == 200, response.json()
    (report,) = response.json()["reports"]
    assert (report["base_volume"], report["agreed_volume"]) == (11, 9)  # [R-VBP-VOLUME]

    # The other hospital sees none of it; the bureau adjusts with a reason.
    assert client_for(w.other_purchaser).get(url("round_demand", round_id)).json()["reports"] == []
    response = post(
        client_for(w.other_purchaser),
        url("demand_review", report["id"]),
        {"volume": 1, "reason": "x"},
    )
    assert response.status_code == 403
    response = post(bureau, url("demand_review", report["id"]), {"volume": 8, "reason": "核减"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["agreed_volume"]) == ("adjusted", 7)

    # An amendment every supplier sees.
    response = post(
        bureau,
        url("round_amend", round_id),
        {"reason": "调整最高有效申报价", "groups": [{"id": group_id, "max_valid_price": "98.00"}]},
    )
    assert response.status_code == 200, response.json()
    seen = client_for(w.sales).get(url("round_detail", round_id)).json()
    assert seen["amendments"][0]["changes"] == {"max_valid_price": ["100.00", "98.00"]}
    assert seen["groups"][0]["max_valid_price"] == "98.00"
    actions = client_for(w.sales).get(url("round_actions", round_id)).json()["actions"]
    assert [a["action"] for a in actions if a["allowed"]] == []

    # At the deadline the hospital's report is refused with the reason.
    with time_machine.travel(clock.now() + dt.timedelta(days=6)):
        response = post(
            hospital, url("round_demand", round_id), {"lines": [{"group": group_id, "volume": 3}]}
        )
    assert (response.status_code, response.json()["code"]) == (409, "demand_locked")
