"""The award and contract pages: what each party sees and does, the same services as the API.
[R-VBP-COMPANION] [R-PAY-STANDARD] [R-VBP-VOLUME] [R-VBP-CONTRACT]"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core import clock
from core.tests.helpers import browser
from procurement.choices import ContractStatus
from procurement.models import AllocationChoice, Contract, RoundAward
from procurement.services import awards
from procurement.tests.award_world import bought, contracted, make_award_world, signed

pytestmark = pytest.mark.django_db


def test_bureau_applies_the_results_and_sees_winners_and_standard_R_PAY_STANDARD():
    aw = make_award_world()
    client = browser(aw.officer)
    page = reverse("procurement:round_awards", args=[aw.tender.pk])
    assert "执行结果" in client.get(page).content.decode()
    response = client.post(reverse("procurement:round_apply", args=[aw.tender.pk]))
    assert response.status_code == 302
    assert RoundAward.objects.filter(round=aw.tender).exists()
    html = client.get(page).content.decode()
    assert f'data-winner="{aw.a.pk}"' in html
    assert "¥95.00" in html  # the price with companion service [R-VBP-COMPANION]
    assert "¥80.00" in html
    assert "¥85.00" in html
    assert f'data-target="{aw.c.stepped_target.pk}"' in html


def test_hospital_chooses_and_an_over_volume_choice_keeps_what_it_typed_R_VBP_VOLUME():
    aw = make_award_world()
    awards.round_apply_results(actor=aw.officer, round_id=aw.tender.pk)
    client = browser(aw.w.purchaser)
    page = reverse("procurement:round_choices", args=[aw.tender.pk])
    response = client.post(page, {f"qty_{aw.a.pk}": "50", f"qty_{aw.b.pk}": "31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-error" in html
    assert 'value="31"' in html
    assert not AllocationChoice.objects.exists()
    response = client.post(page, {f"qty_{aw.b.pk}": "30"})
    assert response.status_code == 302
    assert list(AllocationChoice.objects.values_list("result_id", "quantity")) == [(aw.b.pk, 30)]


def test_hospital_signs_on_the_contract_page_and_reads_its_progress_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = contracted(aw)
    for user in (aw.w.sales, aw.w.distributor_sales):
        browser(user).post(reverse("procurement:contract_sign", args=[contract.pk]))
    client = browser(aw.w.purchaser)
    detail = reverse("procurement:contract_detail", args=[contract.pk])
    assert "签署</button>" in client.get(detail).content.decode()
    response = client.post(reverse("procurement:contract_sign", args=[contract.pk]))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    bought(aw, 9)
    html = client.get(detail).content.decode()
    assert "已采购 9 / 80 件" in html
    assert f'data-month="{clock.local_today():%Y-%m}"' in html


def test_another_hospital_gets_404_on_the_contract_page():
    aw = make_award_world()
    contract = contracted(aw)
    client = browser(aw.w.other_purchaser)
    assert client.get(reverse("procurement:contract_detail", args=[contract.pk])).status_code == 404
    response = client.post(reverse("procurement:contract_sign", args=[contract.pk]))
    assert response.status_code == 404


def test_lagging_filter_lists_only_lagging_contracts_R_VBP_CONTRACT():
    aw = make_award_world()
    contract = signed(aw)
    client = browser(aw.w.purchaser)
    lagging = client.get(reverse("procurement:contract_list"), {"lagging": "1"})
    assert [c.pk for c in lagging.context["page"]] == [contract.pk]
    on_track = client.get(reverse("procurement:contract_list"), {"lagging": "0"})
    assert list(on_track.context["page"]) == []


def test_renewal_with_a_bad_price_cut_is_shown_next_to_the_field_R_VBP_CONTRACT():
    aw = make_award_world(cycle_days=40)  # ends in ten days (passwords do not expire yet)
    contract = signed(aw)
    moment = dt.datetime.combine(contract.cycle_end, dt.time(10), tzinfo=clock.SHANGHAI)
    url = reverse("procurement:group_decide", args=[aw.tender.pk, contract.group_id])
    with time_machine.travel(moment, tick=False):
        response = browser(aw.officer).post(
            url, {"decision": "renew", "price_cut": "1.5", "reason": "续约"}
        )
    assert response.status_code == 200
    assert "降价幅度为 0 至 1" in response.content.decode()
    assert Contract.objects.count() == 1
