"""Hospitals' demand for a round: the pre-fill from their purchases, the report, the lock at
the deadline, the bureau's review, tenancy, and the agreed volume [R-VBP-VOLUME]."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core.errors import DomainError
from procurement.choices import DemandStatus
from procurement.models import Order, TenderDemand
from procurement.models.rounds import agreed_volume
from procurement.selectors.demand import demand_list, demand_rows, round_demand_totals
from procurement.services import demand
from procurement.tests.order_world import draft, make_world, submitted
from procurement.tests.round_world import (
    bureau_officer,
    draft_round,
    first_group,
    published_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def officer():
    return bureau_officer()


@pytest.fixture
def tender(officer, w):
    return published_round(officer, consumables=[w.listing.consumable])


def refusal(call):
    with pytest.raises(DomainError) as error:
        call()
    return error.value


def report(w, tender, volume, actor=None):
    return demand.demand_report(
        actor=actor or w.purchaser,
        round_id=tender.pk,
        lines=[{"group": first_group(tender).pk, "volume": volume}],
    )


@pytest.mark.parametrize(
    ("base", "ratio", "agreed"),
    [
        (10, "0.8", 8),
        (11, "0.8", 9),
        (1001, "0.7001", 701),
        (0, "0.8", 0),
        (7, "1", 7),
    ],
    ids=["exact", "fraction-up", "smallest-fraction-up", "zero", "ratio-one"],
)
def test_agreed_volume_is_base_times_ratio_rounded_up_r_vbp_volume(base, ratio, agreed):
    """[R-VBP-VOLUME] agreed volume = base volume x agreed ratio, rounded up to whole units."""
    assert agreed_volume(base, Decimal(ratio)) == agreed


def test_the_form_is_prefilled_from_the_last_12_months_of_purchases(w, tender):
    submitted(w, quantity=7)
    submitted(w, quantity=5)
    draft(w, quantity=100)  # a draft bought nothing
    with time_machine.travel(dt.timedelta(days=-400)):
        old = submitted(w, quantity=50)  # more than a year ago
    assert Order.objects.filter(pk=old.pk).exists()
    rows = demand_rows(actor=w.purchaser, round=tender)
    assert [(row.prefill, row.volume, row.demand) for row in rows] == [(12, 12, None)]


def test_a_report_stores_the_volume_and_the_prefill(w, tender):
    submitted(w, quantity=7)
    (row,) = report(w, tender, 11)
    assert (row.reported_volume, row.prefill_volume, row.status) == (11, 7, DemandStatus.REPORTED)
    assert row.agreed_volume(tender.agreed_ratio) == 9  # [R-VBP-VOLUME] 11 x 0.8 = 8.8 -> 9


def test_a_second_report_replaces_the_first_and_waits_for_review_again(w, tender, officer):
    (row,) = report(w, tender, 11)
    demand.demand_review(actor=officer, demand_id=row.pk, volume=8, reason="与去年用量不符")
    (again,) = report(w, tender, 12)
    assert again.pk == row.pk
    assert (again.reported_volume, again.adjusted_volume, again.status) == (
        12,
        None,
        DemandStatus.REPORTED,
    )


@pytest.mark.parametrize("bad", [-1, "1.5", "abc", 1.0, True, None])
def test_a_volume_must_be_a_whole_number_of_units(w, tender, bad):
    error = refusal(lambda: report(w, tender, bad))
    assert error.code == "demand_volume_invalid"
    assert not TenderDemand.objects.exists()


def test_a_group_of_another_round_is_refused(w, tender, officer):
    other = published_round(officer, consumables=[w.listing.consumable])
    error = refusal(
        lambda: demand.demand_report(
            actor=w.purchaser,
            round_id=tender.pk,
            lines=[{"group": first_group(other).pk, "volume": 1}],
        )
    )
    assert error.code == "demand_group_unknown"


def test_demand_is_refused_at_the_deadline_r_vbp_volume(w, tender):
    """[R-VBP-VOLUME] volumes lock at the demand deadline: a second before, a report is taken;
    at the deadline it is refused with the deadline, and nothing changes."""
    with time_machine.travel(tender.demand_deadline - dt.timedelta(seconds=1), tick=False):
        (row,) = report(w, tender, 10)
    with time_machine.travel(tender.demand_deadline, tick=False):
        error = refusal(lambda: report(w, tender, 20))
    assert error.code == "demand_locked"
    assert error.http_status == 409
    assert "deadline" in error.extra
    row.refresh_from_db()
    assert row.reported_volume == 10


def test_demand_on_a_draft_round_is_an_invalid_state(w, officer):
    tender = draft_round(officer, consumables=[w.listing.consumable])
    error = refusal(lambda: report(w, tender, 1))
    # A hospital does not see a draft at all.
    assert error.code == "not_found"


def test_only_a_hospital_purchaser_reports(w, tender):
    assert refusal(lambda: report(w, tender, 1, actor=w.finance)).code == "permission_denied"
    assert refusal(lambda: report(w, tender, 1, actor=w.sales)).code == "permission_denied"


def test_the_bureau_adjusts_with_a_reason(w, tender, officer):
    (row,) = report(w, tender, 11)
    assert (
        refusal(
            lambda: demand.demand_review(actor=officer, demand_id=row.pk, volume=8, reason="")
        ).code
        == "reason_required"
    )
    adjusted = demand.demand_review(
        actor=officer, demand_id=row.pk, volume=8, reason="与去年用量不符"
    )
    assert (adjusted.status, adjusted.base_volume, adjusted.review_reason) == (
        DemandStatus.ADJUSTED,
        8,
        "与去年用量不符",
    )
    assert adjusted.agreed_volume(tender.agreed_ratio) == 7  # 8 x 0.8 = 6.4 -> 7
    history = list(adjusted.events.order_by("pgh_id").values_list("status", "adjusted_volume"))
    assert history[-1] == ("adjusted", 8)
    assert history[0] == ("reported", None)


def test_the_bureau_accepts_a_report_as_it_is(w, tender, officer):
    (row,) = report(w, tender, 11)
    accepted = demand.demand_review(actor=officer, demand_id=row.pk)
    assert (accepted.status, accepted.base_volume) == (DemandStatus.ACCEPTED, 11)


def test_the_review_closes_at_the_bid_deadline(w, tender, officer):
    (row,) = report(w, tender, 11)
    with time_machine.travel(tender.bid_deadline, tick=False):
        error = refusal(lambda: demand.demand_review(actor=officer, demand_id=row.pk))
    assert error.code == "demand_locked"


def test_a_hospital_sees_only_its_own_demand(w, tender, officer):
    report(w, tender, 11)
    report(w, tender, 3, actor=w.other_purchaser)
    assert [row.hospital for row in demand_list(actor=w.purchaser)] == [w.hospital]
    assert [row.hospital for row in demand_list(actor=w.other_purchaser)] == [w.other_hospital]
    assert demand_list(actor=officer).count() == 2
    assert demand_list(actor=w.sales).count() == 0
    assert demand_list(actor=bureau_officer("310100")).count() == 0
    other_row = demand_list(actor=w.other_purchaser).get()
    error = refusal(lambda: demand.demand_review(actor=w.purchaser, demand_id=other_row.pk))
    assert error.code == "not_found"


def test_the_round_totals_sum_each_hospitals_rounded_up_agreed_volume(w, tender, officer):
    """[R-VBP-VOLUME] 11 x 0.8 -> 9 and 3 x 0.8 -> 3: the group's agreed volume is 12."""
    report(w, tender, 11)
    report(w, tender, 3, actor=w.other_purchaser)
    (total,) = round_demand_totals(actor=officer, round=tender)
    assert (total["hospitals"], total["base"], total["agreed"], total["awaiting"]) == (2, 14, 12, 2)
