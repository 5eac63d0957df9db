"""The round and demand pages: the bureau sets a round up, dry-runs it and publishes it; a
hospital reports from its pre-filled form; the bureau adjusts; refusals show their reason."""

import datetime as dt

import pytest
from django.urls import reverse

from core import clock
from core.tests.helpers import browser
from procurement.choices import DemandStatus, RoundStatus
from procurement.models import TenderDemand, TenderRound
from procurement.tests.order_world import make_world, submitted
from procurement.tests.round_world import bureau_officer, draft_round, first_group, published_round

pytestmark = pytest.mark.django_db


def local(value):
    return clock.to_local(value).strftime("%Y-%m-%dT%H:%M")


def test_the_bureau_sets_up_dry_runs_and_publishes_a_round():
    w = make_world()
    officer = bureau_officer()
    page = browser(officer)
    now = clock.now()
    response = page.post(
        reverse("procurement:round_create"),
        {
            "name": "冠脉支架",
            "cycle_start": (clock.local_today() + dt.timedelta(days=40)).isoformat(),
            "cycle_end": (clock.local_today() + dt.timedelta(days=400)).isoformat(),
            "agreed_ratio": "0.8",
            "advance_ratio": "0.3",
            "demand_deadline": local(now + dt.timedelta(days=5)),
            "bid_deadline": local(now + dt.timedelta(days=4)),
            "opening_at": local(now + dt.timedelta(days=11)),
            "publicity_end": local(now + dt.timedelta(days=18)),
        },
    )
    assert response.status_code == 200  # the bid deadline before the demand deadline
    assert "is-invalid" in response.content.decode()
    assert not TenderRound.objects.exists()

    tender = draft_round(officer)
    detail = page.get(reverse("procurement:round_detail", args=[tender.pk])).content.decode()
    assert reverse("procurement:round_publish", args=[tender.pk]) not in detail  # no groups

    response = page.post(
        reverse("procurement:group_create", args=[tender.pk]),
        {
            "code": "G1",
            "name": "药物洗脱支架",
            "code_prefixes": w.listing.consumable.code,
            "max_valid_price": "100.00",
            "winning_rule": '{"condition": {"op": "n_lowest", "n": 0}}',
        },
    )
    assert response.status_code == 200
    assert "condition.n" in response.content.decode()
    response = page.post(
        reverse("procurement:group_create", args=[tender.pk]),
        {
            "code": "G1",
            "name": "药物洗脱支架",
            "code_prefixes": w.listing.consumable.code,
            "max_valid_price": "100.00",
            "winning_rule": '{"condition": {"op": "n_lowest", "n": 1}}',
        },
    )
    assert response.status_code == 302
    group = first_group(tender)

    response = page.post(
        reverse("procurement:round_dry_run", args=[tender.pk]),
        {"group": group.pk, "bids": "甲, 60\n乙, 55.50\n丙, 101"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-bid="乙" class="table-success"' in html
    assert "data-payment-standard" in html

    response = page.post(reverse("procurement:round_publish", args=[tender.pk]))
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == RoundStatus.PUBLISHED


def test_a_hospital_reports_from_its_prefilled_form_and_the_bureau_adjusts():
    w = make_world()
    officer = bureau_officer()
    tender = published_round(officer, consumables=[w.listing.consumable])
    group = first_group(tender)
    submitted(w, quantity=7)
    hospital = browser(w.purchaser)
    listing = hospital.get(reverse("procurement:demand_list") + "?todo=report").content.decode()
    assert f'data-round="{tender.pk}"' in listing
    form = hospital.get(reverse("procurement:round_demand", args=[tender.pk])).content.decode()
    assert f'name="volume_{group.pk}" inputmode="numeric" value="7"' in form
    response = hospital.post(
        reverse("procurement:round_demand", args=[tender.pk]), {f"volume_{group.pk}": "-3"}
    )
    assert "data-error" in response.content.decode()
    response = hospital.post(
        reverse("procurement:round_demand", args=[tender.pk]), {f"volume_{group.pk}": "11"}
    )
    assert response.status_code == 302
    row = TenderDemand.objects.get()
    assert row.reported_volume == 11
    listing = hospital.get(reverse("procurement:demand_list") + "?todo=report").content.decode()
    assert f'data-round="{tender.pk}"' not in listing

    bureau = browser(officer)
    review = bureau.get(reverse("procurement:round_demand", args=[tender.pk])).content.decode()
    assert f'data-demand="{row.pk}"' in review
    bureau.post(reverse("procurement:demand_review", args=[row.pk]), {"volume": "8", "reason": ""})
    row.refresh_from_db()
    assert row.status == DemandStatus.REPORTED  # no reason: refused
    bureau.post(
        reverse("procurement:demand_review", args=[row.pk]), {"volume": "8", "reason": "核减"}
    )
    row.refresh_from_db()
    assert (row.status, row.base_volume) == (DemandStatus.ADJUSTED, 8)

    # The deadline passes (moved here rather than travelling 10 days: the session would end).
    TenderRound.objects.filter(pk=tender.pk).update(demand_deadline=clock.now())
    response = hospital.post(
        reverse("procurement:round_demand", args=[tender.pk]), {f"volume_{group.pk}": "20"}
    )
    assert "data-error" in response.content.decode()
    row.refresh_from_db()
    assert row.reported_volume == 11


def test_an_amendment_on_the_page_is_shown_to_suppliers():
    w = make_world()
    officer = bureau_officer()
    tender = published_round(officer, consumables=[w.listing.consumable])
    page = browser(officer)
    values = {
        "reason": "延长截止时间",
        "cycle_start": tender.cycle_start.isoformat(),
        "cycle_end": tender.cycle_end.isoformat(),
        "agreed_ratio": "0.8",
        "advance_ratio": "0.3",
        "demand_deadline": local(tender.demand_deadline + dt.timedelta(days=1)),
        "bid_deadline": local(tender.bid_deadline),
        "opening_at": local(tender.opening_at),
        "publicity_end": local(tender.publicity_end),
    }
    response = page.post(reverse("procurement:round_amend", args=[tender.pk]), values)
    assert response.status_code == 302, response.content.decode()[:3000]
    seen = browser(w.sales).get(reverse("procurement:round_detail", args=[tender.pk]))
    assert "延长截止时间" in seen.content.decode()


def test_a_hospital_downloads_the_prefilled_template_and_uploads_it():
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook, load_workbook

    w = make_world()
    tender = published_round(bureau_officer(), consumables=[w.listing.consumable])
    group = first_group(tender)
    submitted(w, quantity=7)
    hospital = browser(w.purchaser)
    url = reverse("procurement:round_demand", args=[tender.pk])
    sheet = load_workbook(BytesIO(hospital.get(url + "?export=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (group.pk, "G1", "药物洗脱支架", 7, 7)

    book = Workbook()
    book.active.append(list(rows[0]))
    book.active.append([group.pk, "G1", "药物洗脱支架", 7, 13])
    raw = BytesIO()
    book.save(raw)
    upload = SimpleUploadedFile("demand.xlsx", raw.getvalue())
    assert hospital.post(url, {"xlsx": upload}).status_code == 302
    assert TenderDemand.objects.get().reported_volume == 13

    junk = SimpleUploadedFile("demand.xlsx", b"not a workbook")
    response = hospital.post(url, {"xlsx": junk})
    assert "data-error" in response.content.decode()
    assert TenderDemand.objects.get().reported_volume == 13
