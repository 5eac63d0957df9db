"""Volume-based procurement rounds: drafts, publication, amendments, the allowed actions, and
who sees a round. Each refused transition is checked for its exact code and ``extra``, and for
changing nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import AgencyFactory, UserFactory
from core import clock
from core.errors import DomainError
from procurement.choices import RoundAction, RoundStatus
from procurement.models import TenderAmendment, TenderRound
from procurement.selectors.rounds import round_actions, round_dry_run, round_list
from procurement.services import rounds
from procurement.tests.order_world import make_world
from procurement.tests.round_world import (
    RULE,
    bureau_officer,
    draft_round,
    first_group,
    published_round,
    round_values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def officer():
    return bureau_officer()


def refusal(call):
    with pytest.raises(DomainError) as error:
        call()
    return error.value


def test_a_bureau_officer_creates_a_draft_of_its_region(officer):
    tender = draft_round(officer)
    assert tender.status == RoundStatus.DRAFT
    assert tender.jurisdiction == "3201"
    assert tender.number.startswith("VBP")


def test_a_hospital_cannot_create_a_round(w):
    error = refusal(lambda: rounds.round_create(actor=w.purchaser, **round_values()))
    assert (error.code, error.extra) == ("permission_denied", {"action": "round.manage"})
    assert not TenderRound.objects.exists()


def test_dates_out_of_order_are_refused(officer):
    now = clock.now()
    error = refusal(
        lambda: rounds.round_create(
            actor=officer, **round_values(bid_deadline=now + dt.timedelta(days=5))
        )
    )
    assert error.code == "round_dates_invalid"
    assert error.extra["field"] == "demand_deadline"


def test_a_ratio_above_one_is_refused(officer):
    error = refusal(
        lambda: rounds.round_create(actor=officer, **round_values(agreed_ratio=Decimal("1.2")))
    )
    assert (error.code, error.extra["field"]) == ("round_field_invalid", "agreed_ratio")


def test_a_draft_is_editable(officer, w):
    tender = draft_round(officer, consumables=[w.listing.consumable])
    rounds.round_update(actor=officer, round_id=tender.pk, name="改名")
    group = rounds.group_update(
        actor=officer,
        round_id=tender.pk,
        group_id=first_group(tender).pk,
        max_valid_price=Decimal("95.00"),
    )
    tender.refresh_from_db()
    assert (tender.name, group.max_valid_price) == ("改名", Decimal("95.00"))
    assert not TenderAmendment.objects.exists()


def test_a_group_with_an_invalid_rule_is_not_saved(officer, w):
    tender = draft_round(officer)
    error = refusal(
        lambda: rounds.group_create(
            actor=officer,
            round_id=tender.pk,
            code="G1",
            name="x",
            code_prefixes=[w.listing.consumable.code],
            max_valid_price=Decimal("100.00"),
            winning_rule={"condition": {"op": "n_lowest", "n": 0}},
        )
    )
    assert (error.code, error.extra["path"]) == ("winning_rule_invalid", "condition.n")
    assert not tender.groups.exists()


def test_a_cut_against_a_missing_reference_price_is_refused_on_save(officer, w):
    tender = draft_round(officer)
    error = refusal(
        lambda: rounds.group_create(
            actor=officer,
            round_id=tender.pk,
            code="G1",
            name="x",
            code_prefixes=[w.listing.consumable.code],
            max_valid_price=Decimal("100.00"),
            winning_rule={"condition": {"op": "min_cut_vs", "base": "reference", "ratio": "0.2"}},
        )
    )
    assert (error.code, error.extra["path"]) == ("winning_rule_invalid", "condition.base")


def test_a_group_needs_a_national_code_prefix(officer):
    tender = draft_round(officer)
    error = refusal(
        lambda: rounds.group_create(
            actor=officer,
            round_id=tender.pk,
            code="G1",
            name="x",
            code_prefixes=[],
            max_valid_price=Decimal("100.00"),
            winning_rule=RULE,
        )
    )
    assert error.code == "group_filter_invalid"


def test_publish_rejects_a_round_without_groups(officer):
    tender = draft_round(officer)
    error = refusal(lambda: rounds.round_publish(actor=officer, round_id=tender.pk))
    assert error.code == "round_incomplete"
    tender.refresh_from_db()
    assert tender.status == RoundStatus.DRAFT


def test_publish_rejects_a_round_whose_demand_deadline_passed(officer, w):
    tender = draft_round(
        officer,
        consumables=[w.listing.consumable],
        demand_deadline=clock.now() - dt.timedelta(minutes=1),
    )
    error = refusal(lambda: rounds.round_publish(actor=officer, round_id=tender.pk))
    assert (error.code, error.extra["field"]) == ("round_dates_invalid", "demand_deadline")


def test_publish_moves_a_draft_to_published(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    assert tender.status == RoundStatus.PUBLISHED
    assert tender.published_at is not None


def test_publishing_twice_is_an_invalid_state(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    error = refusal(lambda: rounds.round_publish(actor=officer, round_id=tender.pk))
    assert error.code == "invalid_state"
    assert error.extra == {
        "object": "round",
        "id": tender.pk,
        "state": "published",
        "action": "publish",
        "target": "published",
    }


def test_a_published_round_is_not_edited_in_place(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    error = refusal(lambda: rounds.round_update(actor=officer, round_id=tender.pk, name="改"))
    assert error.code == "invalid_state"
    assert error.extra == {
        "object": "round",
        "id": tender.pk,
        "state": "published",
        "action": "edit",
        "target": "",
    }
    error = refusal(
        lambda: rounds.group_update(
            actor=officer,
            round_id=tender.pk,
            group_id=first_group(tender).pk,
            max_valid_price=Decimal("1.00"),
        )
    )
    assert (error.code, error.extra["action"]) == ("invalid_state", "edit")
    assert first_group(tender).max_valid_price == Decimal("100.00")


def test_a_draft_cannot_be_amended(officer, w):
    tender = draft_round(officer, consumables=[w.listing.consumable])
    error = refusal(
        lambda: rounds.round_amend(
            actor=officer, round_id=tender.pk, reason="x", changes={"note": "y"}
        )
    )
    assert error.code == "invalid_state"
    assert error.extra == {
        "object": "round",
        "id": tender.pk,
        "state": "draft",
        "action": "amend",
        "target": "",
    }


def test_an_amendment_records_what_changed_why_who_and_when(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    group = first_group(tender)
    new_deadline = tender.bid_deadline + dt.timedelta(hours=12)
    made = rounds.round_amend(
        actor=officer,
        round_id=tender.pk,
        reason="延长申报时间",
        changes={"bid_deadline": new_deadline, "agreed_ratio": Decimal("0.8")},
        groups={group.pk: {"max_valid_price": Decimal("98.00")}},
    )
    assert len(made) == 2
    round_change, group_change = TenderAmendment.objects.order_by("pk")
    assert round_change.changes == {
        "bid_deadline": [tender.bid_deadline.isoformat(), new_deadline.isoformat()]
    }  # the agreed ratio did not change, so it is not listed
    assert group_change.group == group
    assert group_change.changes == {"max_valid_price": ["100.00", "98.00"]}
    assert (round_change.reason, round_change.created_by) == ("延长申报时间", officer)
    tender.refresh_from_db()
    group.refresh_from_db()
    assert (tender.bid_deadline, group.max_valid_price) == (new_deadline, Decimal("98.00"))


def test_an_amendment_needs_a_reason_and_a_change(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    assert (
        refusal(
            lambda: rounds.round_amend(actor=officer, round_id=tender.pk, reason=" ", changes={})
        ).code
        == "reason_required"
    )
    assert (
        refusal(
            lambda: rounds.round_amend(
                actor=officer, round_id=tender.pk, reason="x", changes={"name": tender.name}
            )
        ).code
        == "amendment_empty"
    )
    assert not TenderAmendment.objects.exists()


def test_an_amendment_cannot_move_a_date_into_the_past(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    error = refusal(
        lambda: rounds.round_amend(
            actor=officer,
            round_id=tender.pk,
            reason="x",
            changes={"demand_deadline": clock.now() - dt.timedelta(hours=1)},
        )
    )
    assert (error.code, error.extra["field"]) == ("round_dates_invalid", "demand_deadline")
    assert not TenderAmendment.objects.exists()


def test_an_amended_rule_is_validated(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    error = refusal(
        lambda: rounds.round_amend(
            actor=officer,
            round_id=tender.pk,
            reason="x",
            groups={first_group(tender).pk: {"winning_rule": {"condition": {"op": "bad"}}}},
        )
    )
    assert error.code == "winning_rule_invalid"


def test_another_regions_bureau_gets_not_found(officer, w):
    tender = draft_round(officer, consumables=[w.listing.consumable])
    stranger = bureau_officer("310100")
    assert refusal(lambda: rounds.round_publish(actor=stranger, round_id=tender.pk)).code == (
        "not_found"
    )


def test_the_agency_may_run_its_regions_rounds(w):
    agent = UserFactory(
        organization=AgencyFactory(region_code="320100"), roles=[Role.AGENCY_FINANCE]
    )
    tender = published_round(agent, consumables=[w.listing.consumable])
    assert tender.status == RoundStatus.PUBLISHED


# --- visibility --------------------------------------------------------------------------------


def test_drafts_are_the_bureaus_alone_published_rounds_are_seen_by_suppliers(officer, w):
    draft = draft_round(officer, consumables=[w.listing.consumable])
    published = published_round(officer, consumables=[w.listing.consumable])
    assert set(round_list(actor=officer)) == {draft, published}
    assert list(round_list(actor=w.sales)) == [published]
    assert list(round_list(actor=w.purchaser)) == [published]
    assert list(round_list(actor=bureau_officer("310100"))) == []


def test_a_hospital_outside_the_region_does_not_see_the_round(officer, w):
    from accounts.tests.factories import HospitalFactory

    published_round(officer, consumables=[w.listing.consumable])
    far = UserFactory(
        organization=HospitalFactory(region_code="310101"), roles=[Role.HOSPITAL_PURCHASER]
    )
    assert list(round_list(actor=far)) == []


# --- allowed actions ----------------------------------------------------------------------------


def test_round_actions_match_the_services(officer, w):
    draft = draft_round(officer, consumables=[w.listing.consumable])
    actions = round_actions(actor=officer, round=draft)
    assert actions.allowed() == ["edit", "publish", "dry_run"]
    assert actions[RoundAction.AMEND].code == "invalid_state"
    assert actions[RoundAction.REPORT_DEMAND].code == "permission_denied"
    published = rounds.round_publish(actor=officer, round_id=draft.pk)
    assert round_actions(actor=officer, round=published).allowed() == [
        "amend",
        "dry_run",
        "review_demand",
    ]
    assert round_actions(actor=w.purchaser, round=published).allowed() == ["report_demand"]
    assert round_actions(actor=w.sales, round=published).allowed() == []


def test_publish_action_gives_the_services_refusal(officer):
    tender = draft_round(officer)
    assert round_actions(actor=officer, round=tender)[RoundAction.PUBLISH].code == (
        "round_incomplete"
    )


# --- dry run -----------------------------------------------------------------------------------


def test_dry_run_shows_winners_and_the_payment_standard(officer, w):
    """[R-PAY-STANDARD] typed hypothetical bids: who wins, at what price, what is paid."""
    tender = draft_round(officer, consumables=[w.listing.consumable])
    _group, outcome = round_dry_run(
        actor=officer,
        round_id=tender.pk,
        group_id=first_group(tender).pk,
        bids="甲, 60\n乙，55.50\n丙, 70\n丁, 101",
    )
    assert [(r.key, r.rank, r.price) for r in outcome.winners] == [
        ("乙", 1, Decimal("55.50")),
        ("甲", 2, Decimal("60")),
    ]
    assert outcome.payment_standard.winner_price == Decimal("55.50")
    assert outcome.payment_standard.non_winner_cap == Decimal("60.00")
    assert [r.valid for r in outcome.results] == [True, True, True, False]


def test_dry_run_refuses_malformed_bids(officer, w):
    tender = draft_round(officer, consumables=[w.listing.consumable])
    error = refusal(
        lambda: round_dry_run(
            actor=officer, round_id=tender.pk, group_id=first_group(tender).pk, bids="甲 60"
        )
    )
    assert (error.code, error.extra["line"]) == ("dry_run_bids_invalid", 1)


def test_dry_run_is_the_bureaus(officer, w):
    tender = published_round(officer, consumables=[w.listing.consumable])
    error = refusal(
        lambda: round_dry_run(
            actor=w.sales, round_id=tender.pk, group_id=first_group(tender).pk, bids="a, 1"
        )
    )
    assert error.code == "permission_denied"
