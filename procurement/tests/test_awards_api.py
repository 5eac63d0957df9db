"""The award and contract API end to end: the bureau applies a final round's results, the
hospital chooses among the winners, the bureau allocates, the three parties sign, the
hospital's orders count toward its contract; the payment standard by product and day;
tenancy and refusals in the error envelope. [R-VBP-VOLUME] [R-VBP-CONTRACT]
[R-PAY-STANDARD] [R-VBP-COMPANION]"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core import clock
from core.tests.helpers import client_for
from procurement.tests.award_world import bought, contracted, make_award_world

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"api:procurement:{name}", args=args)


def post(client, path, body=None):
    return client.post(
        path, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=f"{id(body)}-{path}-{clock.now()}"
    )


def test_award_to_contract_progress_through_the_api_R_VBP_CONTRACT_R_VBP_VOLUME():
    aw = make_award_world()
    bureau, hospital = client_for(aw.officer), client_for(aw.w.purchaser)
    response = post(bureau, url("round_apply_results", aw.tender.pk))
    assert response.status_code == 200, response.json()
    (group,) = response.json()["groups"]
    assert [
        (w["result"], w["price"], w["companion_price"], w["via"]) for w in group["winners"]
    ] == [
        (aw.a.pk, "80.00", "95.00", "bid"),
        (aw.b.pk, "85.00", None, "bid"),
    ]
    (standard,) = group["payment_standards"]
    assert (standard["winner_price"], standard["non_winner_cap"]) == ("80.00", "85.00")
    (target,) = group["stepped_targets"]
    assert (target["level"], len(target["steps"])) == ("85.00", 3)

    response = post(
        hospital,
        url("round_choices", aw.tender.pk),
        {"lines": [{"result": aw.b.pk, "quantity": 30}]},
    )
    assert response.status_code == 200, response.json()
    assert response.json()[0]["agreed"] == 80
    assert response.json()[0]["chosen"] == {str(aw.b.pk): 30}

    with time_machine.travel(aw.tender.award.choice_deadline + dt.timedelta(minutes=1)):
        response = post(bureau, url("round_allocate", aw.tender.pk))
    assert response.status_code == 200, response.json()
    made = {c["consumable"]["id"]: c for c in response.json()}
    contract = made[aw.a.consumable_id]
    assert (contract["agreed_quantity"], contract["price"], contract["status"]) == (
        50,
        "80.00",
        "awaiting",
    )
    for user in (aw.w.purchaser, aw.w.sales, aw.w.distributor_sales):
        response = post(client_for(user), url("contract_sign", contract["id"]))
        assert response.status_code == 200, response.json()
    assert response.json()["contract"]["status"] == "active"

    bought(aw, 12)
    body = hospital.get(url("contract_detail", contract["id"])).json()
    assert (body["contract"]["done"], body["progress"]["done"], body["progress"]["agreed"]) == (
        12,
        12,
        50,
    )
    assert body["progress"]["months"][-1]["cumulative"] == 12
    listed = hospital.get(url("contract_list"), {"lagging": "false", "status": "active"}).json()
    assert [c["id"] for c in listed["results"]] == [contract["id"]]


def test_a_refused_signature_is_an_error_envelope_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = contracted(aw)
    response = post(client_for(aw.w.finance), url("contract_sign", contract.pk))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    hospital = client_for(aw.w.purchaser)
    post(hospital, url("contract_sign", contract.pk))
    again = post(hospital, url("contract_sign", contract.pk))
    assert again.status_code == 409
    assert again.json()["code"] == "contract_already_signed"
    actions = hospital.get(url("contract_actions", contract.pk)).json()["actions"]
    assert actions == [
        {
            "action": "sign",
            "allowed": False,
            "code": "contract_already_signed",
            "reason": again.json()["message"],
        }
    ]


def test_another_hospital_gets_404_for_contracts_and_choices():
    aw = make_award_world()
    contract = contracted(aw)
    other = client_for(aw.w.other_purchaser)
    assert other.get(url("contract_detail", contract.pk)).status_code == 404
    assert other.get(url("contract_list")).json()["results"] == []
    # It sees the award (public), but has no agreed volume to choose from.
    assert other.get(url("round_choices", aw.tender.pk)).json() == []


def test_choice_over_the_agreed_volume_is_refused_through_the_api_R_VBP_VOLUME():
    aw = make_award_world()
    post(client_for(aw.officer), url("round_apply_results", aw.tender.pk))
    response = post(
        client_for(aw.w.purchaser),
        url("round_choices", aw.tender.pk),
        {"lines": [{"result": aw.a.pk, "quantity": 81}]},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "choice_exceeds_volume"
    assert response.json()["extra"]["agreed"] == 80


def test_payment_standard_by_product_and_day_R_PAY_STANDARD():
    aw = make_award_world()
    client = client_for(aw.w.finance)
    post(client_for(aw.officer), url("round_apply_results", aw.tender.pk))
    body = client.get(url("payment_standard"), {"consumable": aw.c.consumable_id}).json()
    assert (body["kind"], body["amount"]) == ("non_winner", "85.00")
    before = (aw.tender.cycle_start - dt.timedelta(days=1)).isoformat()
    response = client.get(url("payment_standard"), {"consumable": aw.a.consumable_id, "on": before})
    assert response.status_code == 404
    bad = client.get(url("payment_standard"), {"consumable": "x"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_contract_list_refuses_an_unknown_filter_value():
    aw = make_award_world()
    response = client_for(aw.w.purchaser).get(url("contract_list"), {"lagging": "maybe"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
