"""Reference-price lifecycle and objections (catalog/services/prices.py) [R-LIST-CATALOGUES]."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory.models
import pytest

from accounts.choices import Role
from accounts.tests.factories import DistributorFactory, HospitalFactory, user_with_role
from catalog.choices import REFERENCE_PRICE_TRANSITIONS, ObjectionStatus, ReferencePriceStatus
from catalog.models import ReferencePrice, ReferencePriceCut
from catalog.services.prices import (
    ProposalAction,
    price_objection_raise,
    price_objection_resolve,
    proposal_action,
    publicity_window,
    reference_price_confirm,
    reference_price_propose,
    reference_price_publicity_start,
    reference_price_withdraw,
)
from catalog.tests.factories import ConsumableFactory, PriceObjectionFactory, ReferencePriceFactory
from core.errors import DomainError
from core.policy import RegionPolicy, system_region_policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

S = ReferencePriceStatus
# Tuesday 30 September 2025, the day before the National Day holiday (1-8 October).
TODAY = dt.date(2025, 9, 30)
ENDS = dt.date(2025, 10, 14)  # 5 working days later: 9, 10, 11 (adjusted Saturday), 13, 14


@pytest.fixture
def bureau():
    return user_with_role(Role.BUREAU_OFFICER)


@pytest.fixture
def supplier():
    return user_with_role(Role.SUPPLIER_SALES)


def confirmed(price: str = "1000.00", **kwargs) -> ReferencePrice:
    return ReferencePriceFactory(price=Decimal(price), **kwargs)


def in_publicity(*, ends: dt.date = ENDS, price: str = "900.00", base: str | None = "1000.00"):
    """A decrease in publicity (over a confirmed ``base`` price unless None)."""
    consumable = ConsumableFactory()
    if base is not None:
        confirmed(base, consumable=consumable)
    return ReferencePriceFactory(
        consumable=consumable,
        price=Decimal(price),
        status=S.PUBLICITY,
        previous_price=Decimal(base) if base else None,
        publicity_starts_on=TODAY,
        publicity_ends_on=ends,
    )


# --- Proposing ------------------------------------------------------------------------------


def test_lower_price_is_proposed_then_put_into_publicity():
    """R-LIST-CATALOGUES: a new national lowest price goes into publicity at once; the history
    shows both steps."""
    base = confirmed("1000.00")
    rp = reference_price_propose(consumable_id=base.consumable_id, price="900.00")
    rp.refresh_from_db()
    assert rp.status == S.PUBLICITY
    assert (rp.previous_price, rp.is_increase) == (Decimal("1000.00"), False)
    assert (rp.publicity_starts_on, rp.publicity_ends_on) == (TODAY, ENDS)
    events = pghistory.models.Events.objects.filter(
        pgh_model="catalog.ReferencePriceEvent", pgh_obj_id=str(rp.pk)
    ).order_by("pgh_id")
    assert [e.pgh_data["status"] for e in events] == [S.PROPOSED, S.PUBLICITY]
    assert events.last().pgh_context["action"] == "reference_price_propose"
    assert events.last().pgh_context["actor"] == "system"


def test_increase_is_flagged_and_never_applied_automatically():
    base = confirmed("1000.00")
    rp = reference_price_propose(consumable_id=base.consumable_id, price="1100.00")
    assert (rp.status, rp.is_increase, rp.publicity_ends_on) == (S.FLAGGED, True, None)
    with pytest.raises(DomainError) as excinfo:
        reference_price_publicity_start(reference_price_id=rp.pk, actor=None)
    assert excinfo.value.code == "reference_price_increase_needs_bureau"
    base.refresh_from_db()
    assert (base.status, base.price) == (S.CONFIRMED, Decimal("1000.00"))


def test_bureau_may_put_a_flagged_increase_into_publicity(bureau):
    base = confirmed("1000.00")
    rp = reference_price_propose(consumable_id=base.consumable_id, price="1100.00")
    rp = reference_price_publicity_start(reference_price_id=rp.pk, actor=bureau)
    assert (rp.status, rp.publicity_ends_on) == (S.PUBLICITY, ENDS)


def test_a_first_price_is_proposed_without_a_confirmed_one():
    consumable = ConsumableFactory()
    rp = reference_price_propose(consumable_id=consumable.pk, price="88.00")
    assert (rp.status, rp.previous_price, rp.is_increase) == (S.PUBLICITY, None, False)


def test_proposing_the_confirmed_price_is_refused():
    base = confirmed("1000.00")
    with pytest.raises(DomainError) as excinfo:
        reference_price_propose(consumable_id=base.consumable_id, price="1000.00")
    assert excinfo.value.code == "reference_price_unchanged"


@pytest.mark.parametrize(
    ("price", "reason"),
    [("0", "must be greater than zero"), ("12.345", "decimals"), ("-1", "negative")],
)
def test_proposing_a_bad_amount_is_refused(price, reason):
    base = confirmed("1000.00")
    with pytest.raises(DomainError) as excinfo:
        reference_price_propose(consumable_id=base.consumable_id, price=price)
    assert excinfo.value.code == "amount_invalid"


@pytest.mark.parametrize(
    ("new_price", "replaced"),
    [
        pytest.param("850.00", True, id="lower-than-open-replaces-it"),
        pytest.param("900.00", False, id="same-as-open-unchanged"),
        pytest.param("950.00", False, id="between-open-and-confirmed-keeps-the-lower-open"),
        pytest.param("1200.00", False, id="increase-keeps-the-open-decrease"),
    ],
)
def test_new_price_against_an_open_proposal(new_price, replaced):
    rp = in_publicity(price="900.00")
    result = reference_price_propose(consumable_id=rp.consumable_id, price=new_price)
    rp.refresh_from_db()
    if replaced:
        assert rp.status == S.SUPERSEDED
        assert (result.price, result.status) == (Decimal(new_price), S.PUBLICITY)
    else:
        assert rp.status == S.PUBLICITY
        assert result.pk == rp.pk


def test_lower_price_replaces_a_flagged_increase():
    base = confirmed("1000.00")
    flag = reference_price_propose(consumable_id=base.consumable_id, price="1100.00")
    rp = reference_price_propose(consumable_id=base.consumable_id, price="990.00")
    flag.refresh_from_db()
    assert (flag.status, rp.status) == (S.SUPERSEDED, S.PUBLICITY)


def test_system_does_not_propose_again_a_price_the_bureau_withdrew(bureau):
    rp = in_publicity(price="900.00")
    reference_price_withdraw(reference_price_id=rp.pk, actor=bureau, reason="数据来源错误")
    assert reference_price_propose(consumable_id=rp.consumable_id, price="900.00") is None
    # ...but a different price is proposed, and the bureau itself may re-propose.
    assert reference_price_propose(consumable_id=rp.consumable_id, price="890.00").status == (
        S.PUBLICITY
    )


@pytest.mark.parametrize(
    ("price", "confirmed_price", "open_price", "open_is_increase", "withdrawn", "expected"),
    [
        ("90", "100", None, False, False, ProposalAction.PROPOSE),
        ("90", None, None, False, False, ProposalAction.PROPOSE),
        ("100", "100", None, False, False, ProposalAction.UNCHANGED),
        ("110", "100", None, False, False, ProposalAction.FLAG),
        ("110", "100", "105", True, False, ProposalAction.UNCHANGED),
        ("110", "100", None, False, True, ProposalAction.UNCHANGED),
        ("90", "100", "95", False, False, ProposalAction.PROPOSE),
        ("95", "100", "90", False, False, ProposalAction.UNCHANGED),
        ("90", "100", "105", True, False, ProposalAction.PROPOSE),
        ("90", "100", None, False, True, ProposalAction.UNCHANGED),
    ],
)
def test_proposal_rules(price, confirmed_price, open_price, open_is_increase, withdrawn, expected):
    def d(value):
        return Decimal(value) if value is not None else None

    assert (
        proposal_action(
            price=d(price),
            confirmed_price=d(confirmed_price),
            open_price=d(open_price),
            open_is_increase=open_is_increase,
            bureau_withdrew_same=withdrawn,
        )
        == expected
    )


# --- Publicity period: working days [R-LIST-CATALOGUES] -------------------------------------


def test_publicity_ends_after_n_working_days_across_a_holiday():
    """R-LIST-CATALOGUES: the publicity period is counted in working days with chinese-calendar:
    from 30 September 2025, five working days skip the National Day holiday (1-8 October) and
    count the adjusted working Saturday (11 October), ending on 14 October."""
    assert publicity_window(TODAY, RegionPolicy(region_code="320100")) == (TODAY, ENDS, False)


def test_bureau_path_uses_its_region_policy(bureau):
    """R-LIST-CATALOGUES: the figure is a region setting; the acting bureau's region counts."""
    RegionPolicy.objects.create(region_code="320100", reference_price_publicity_working_days=10)
    base = confirmed("1000.00")
    rp = reference_price_propose(consumable_id=base.consumable_id, price="900.00", actor=bureau)
    # 10 working days from 30 September: 9, 10, 11, 13, 14, 15, 16, 17, 20, 21 October.
    assert rp.publicity_ends_on == dt.date(2025, 10, 21)


def test_system_path_uses_the_configured_region(settings):
    """R-LIST-CATALOGUES: the sync counts with REFERENCE_PRICE_REGION_CODE's policy, else the
    first saved policy, else the defaults."""
    assert system_region_policy().reference_price_publicity_working_days == 5
    RegionPolicy.objects.create(region_code="440300", reference_price_publicity_working_days=7)
    RegionPolicy.objects.create(region_code="320100", reference_price_publicity_working_days=3)
    assert system_region_policy().region_code == "440300"
    settings.REFERENCE_PRICE_REGION_CODE = "320104"  # a district: its city's policy applies
    assert system_region_policy().reference_price_publicity_working_days == 3


# --- Transitions: every allowed and forbidden one -------------------------------------------

ALLOWED_FROM = {
    "publicity_start": {S.PROPOSED, S.FLAGGED},
    "confirm": {S.PUBLICITY},
    "withdraw": {S.PROPOSED, S.FLAGGED, S.PUBLICITY},
}
TARGET = {"publicity_start": S.PUBLICITY, "confirm": S.CONFIRMED, "withdraw": S.WITHDRAWN}
ACTION = {"publicity_start": "start_publicity", "confirm": "confirm", "withdraw": "withdraw"}


def run_service(name: str, rp: ReferencePrice, actor):
    if name == "publicity_start":
        return reference_price_publicity_start(reference_price_id=rp.pk, actor=actor)
    if name == "confirm":
        return reference_price_confirm(reference_price_id=rp.pk, actor=actor)
    return reference_price_withdraw(reference_price_id=rp.pk, actor=actor, reason="测试撤回")


def test_the_transition_table_is_what_the_services_implement():
    for name, sources in ALLOWED_FROM.items():
        table = {s for s, targets in REFERENCE_PRICE_TRANSITIONS.items() if TARGET[name] in targets}
        assert table == sources, name


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("service", list(ALLOWED_FROM))
def test_transition_matrix(service, status, bureau):
    """Every service from every status: allowed exactly where the table says, otherwise
    refused with invalid_state (naming the price, its status, the action and where it would
    have led) and nothing changes. The publicity has ended with no objection, so only the
    status decides."""
    rp = ReferencePriceFactory(
        status=status,
        price=Decimal("900.00"),
        publicity_starts_on=TODAY - dt.timedelta(days=20),
        publicity_ends_on=TODAY - dt.timedelta(days=1),
    )
    if status in ALLOWED_FROM[service]:
        result = run_service(service, rp, bureau)
        assert result.status == TARGET[service]
    else:
        with pytest.raises(DomainError) as excinfo:
            run_service(service, rp, bureau)
        assert excinfo.value.code == "invalid_state"
        assert excinfo.value.extra == {
            "object": "reference_price",
            "id": rp.pk,
            "state": status,
            "action": ACTION[service],
            "target": TARGET[service],
        }
        rp.refresh_from_db()
        assert rp.status == status


MANAGERS = {Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("service", list(ALLOWED_FROM))
def test_only_the_bureau_moves_reference_prices(service, role):
    rp = ReferencePriceFactory(
        status=next(iter(sorted(ALLOWED_FROM[service]))),
        price=Decimal("900.00"),
        publicity_starts_on=TODAY - dt.timedelta(days=20),
        publicity_ends_on=TODAY - dt.timedelta(days=1),
    )
    actor = user_with_role(role)
    if role in MANAGERS:
        assert run_service(service, rp, actor).status == TARGET[service]
    else:
        with pytest.raises(DomainError) as excinfo:
            run_service(service, rp, actor)
        assert excinfo.value.code == "permission_denied"


def test_withdraw_needs_a_person_and_a_reason(bureau):
    rp = in_publicity()
    with pytest.raises(DomainError) as excinfo:
        reference_price_withdraw(reference_price_id=rp.pk, actor=None, reason="x")
    assert excinfo.value.code == "permission_denied"
    with pytest.raises(DomainError) as excinfo:
        reference_price_withdraw(reference_price_id=rp.pk, actor=bureau, reason="  ")
    assert excinfo.value.code == "reference_price_reason_required"
    rp = reference_price_withdraw(reference_price_id=rp.pk, actor=bureau, reason="来源价格有误")
    assert (rp.status, rp.note) == (S.WITHDRAWN, "来源价格有误")
    assert rp.closed_at is not None


# --- Confirmation ---------------------------------------------------------------------------


def test_confirm_waits_for_the_end_of_publicity(frozen_today):
    rp = in_publicity(ends=ENDS)
    frozen_today.move_to(dt.datetime(2025, 10, 14, 12, 0, tzinfo=dt.UTC))  # the last day
    with pytest.raises(DomainError) as excinfo:
        reference_price_confirm(reference_price_id=rp.pk)
    assert excinfo.value.code == "reference_price_publicity_not_ended"
    frozen_today.move_to(dt.datetime(2025, 10, 15, 1, 0, tzinfo=dt.UTC))
    assert reference_price_confirm(reference_price_id=rp.pk).status == S.CONFIRMED


def test_confirm_supersedes_the_old_price_and_records_the_cut(frozen_today):
    rp = in_publicity(ends=TODAY - dt.timedelta(days=1), price="900.00", base="1000.00")
    old = ReferencePrice.objects.get(consumable=rp.consumable, status=S.CONFIRMED)
    reference_price_confirm(reference_price_id=rp.pk)
    old.refresh_from_db()
    rp.refresh_from_db()
    assert (old.status, rp.status) == (S.SUPERSEDED, S.CONFIRMED)
    assert old.closed_at is not None
    assert rp.confirmed_at is not None
    cut = ReferencePriceCut.objects.get(reference_price=rp)
    assert (cut.old_price, cut.new_price, cut.processed_at) == (
        Decimal("1000.00"),
        Decimal("900.00"),
        None,
    )


def test_a_first_price_is_a_cut_from_nothing():
    rp = in_publicity(ends=TODAY - dt.timedelta(days=1), base=None)
    reference_price_confirm(reference_price_id=rp.pk)
    assert ReferencePriceCut.objects.get(reference_price=rp).old_price is None


def test_a_confirmed_increase_records_no_cut(bureau):
    rp = in_publicity(ends=TODAY - dt.timedelta(days=1), price="1100.00", base="1000.00")
    reference_price_confirm(reference_price_id=rp.pk, actor=bureau)
    assert not ReferencePriceCut.objects.filter(reference_price=rp).exists()


def test_confirm_is_blocked_by_an_open_objection_until_it_is_dismissed(bureau):
    rp = in_publicity(ends=TODAY - dt.timedelta(days=1))
    objection = PriceObjectionFactory(reference_price=rp)
    with pytest.raises(DomainError) as excinfo:
        reference_price_confirm(reference_price_id=rp.pk)
    assert excinfo.value.code == "reference_price_open_objections"
    price_objection_resolve(
        objection_id=objection.pk,
        actor=bureau,
        outcome=ObjectionStatus.DISMISSED,
        resolution="该价格有效",
    )
    assert reference_price_confirm(reference_price_id=rp.pk).status == S.CONFIRMED


# --- Objections -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ends", "allowed"),
    [
        pytest.param(S.PUBLICITY, TODAY, True, id="publicity-last-day"),
        pytest.param(S.PUBLICITY, ENDS, True, id="publicity"),
        pytest.param(S.PUBLICITY, TODAY - dt.timedelta(days=1), False, id="publicity-ended"),
        pytest.param(S.PROPOSED, None, False, id="proposed"),
        pytest.param(S.FLAGGED, None, False, id="flagged"),
        pytest.param(S.CONFIRMED, TODAY, False, id="confirmed"),
        pytest.param(S.WITHDRAWN, ENDS, False, id="withdrawn"),
        pytest.param(S.SUPERSEDED, ENDS, False, id="superseded"),
    ],
)
def test_objections_only_during_publicity(supplier, status, ends, allowed):
    rp = ReferencePriceFactory(
        status=status, price=Decimal("900.00"), publicity_starts_on=TODAY, publicity_ends_on=ends
    )
    if allowed:
        objection = price_objection_raise(reference_price_id=rp.pk, actor=supplier, reason="有误")
        assert (objection.status, objection.supplier_id) == (
            ObjectionStatus.OPEN,
            supplier.organization_id,
        )
    else:
        with pytest.raises(DomainError) as excinfo:
            price_objection_raise(reference_price_id=rp.pk, actor=supplier, reason="有误")
        assert excinfo.value.code == "objection_window_closed"


@pytest.mark.parametrize("role", list(Role))
def test_only_supplier_sales_raise_objections(role):
    rp = in_publicity()
    actor = user_with_role(role)
    if role == Role.SUPPLIER_SALES:
        assert price_objection_raise(reference_price_id=rp.pk, actor=actor, reason="有误")
    else:
        with pytest.raises(DomainError) as excinfo:
            price_objection_raise(reference_price_id=rp.pk, actor=actor, reason="有误")
        assert excinfo.value.code == "permission_denied"


def test_distributors_may_object_too():
    rp = in_publicity()
    actor = user_with_role(Role.SUPPLIER_SALES, organization=DistributorFactory())
    assert price_objection_raise(reference_price_id=rp.pk, actor=actor, reason="有误")


def test_supplier_role_in_a_hospital_cannot_object():
    rp = in_publicity()
    actor = user_with_role(Role.SUPPLIER_SALES, organization=HospitalFactory())
    with pytest.raises(DomainError) as excinfo:
        price_objection_raise(reference_price_id=rp.pk, actor=actor, reason="有误")
    assert excinfo.value.code == "permission_denied"


def test_an_objection_needs_a_reason(supplier):
    rp = in_publicity()
    with pytest.raises(DomainError) as excinfo:
        price_objection_raise(reference_price_id=rp.pk, actor=supplier, reason=" \n ")
    assert excinfo.value.code == "objection_reason_required"


def test_one_open_objection_per_supplier_and_price(supplier):
    rp = in_publicity()
    price_objection_raise(reference_price_id=rp.pk, actor=supplier, reason="有误")
    with pytest.raises(DomainError) as excinfo:
        price_objection_raise(reference_price_id=rp.pk, actor=supplier, reason="再次")
    assert excinfo.value.code == "objection_already_open"


def test_an_upheld_objection_withdraws_the_price(bureau):
    rp = in_publicity()
    objection = PriceObjectionFactory(reference_price=rp)
    price_objection_resolve(
        objection_id=objection.pk,
        actor=bureau,
        outcome=ObjectionStatus.UPHELD,
        resolution="来源平台价格已撤销",
    )
    rp.refresh_from_db()
    objection.refresh_from_db()
    assert (objection.status, objection.resolved_by, rp.status) == (
        ObjectionStatus.UPHELD,
        bureau,
        S.WITHDRAWN,
    )


def test_a_dismissed_objection_leaves_the_price_in_publicity(bureau):
    rp = in_publicity()
    objection = PriceObjectionFactory(reference_price=rp)
    price_objection_resolve(
        objection_id=objection.pk,
        actor=bureau,
        outcome=ObjectionStatus.DISMISSED,
        resolution="无误",
    )
    rp.refresh_from_db()
    assert rp.status == S.PUBLICITY


def test_an_objection_is_resolved_once(bureau):
    objection = PriceObjectionFactory(reference_price=in_publicity())
    price_objection_resolve(
        objection_id=objection.pk,
        actor=bureau,
        outcome=ObjectionStatus.DISMISSED,
        resolution="无误",
    )
    with pytest.raises(DomainError) as excinfo:
        price_objection_resolve(
            objection_id=objection.pk,
            actor=bureau,
            outcome=ObjectionStatus.UPHELD,
            resolution="改判",
        )
    assert excinfo.value.code == "objection_already_resolved"


@pytest.mark.parametrize(
    ("outcome", "resolution"),
    [(ObjectionStatus.OPEN, "x"), ("rejected", "x"), (ObjectionStatus.UPHELD, "  ")],
)
def test_resolution_needs_an_outcome_and_an_answer(bureau, outcome, resolution):
    objection = PriceObjectionFactory(reference_price=in_publicity())
    with pytest.raises(DomainError) as excinfo:
        price_objection_resolve(
            objection_id=objection.pk, actor=bureau, outcome=outcome, resolution=resolution
        )
    assert excinfo.value.code == "objection_resolution_invalid"


@pytest.mark.parametrize("role", list(Role))
def test_only_the_bureau_resolves_objections(role):
    objection = PriceObjectionFactory(reference_price=in_publicity())
    actor = user_with_role(role)
    call = {
        "objection_id": objection.pk,
        "actor": actor,
        "outcome": ObjectionStatus.DISMISSED,
        "resolution": "无误",
    }
    if role in MANAGERS:
        assert price_objection_resolve(**call).status == ObjectionStatus.DISMISSED
    else:
        with pytest.raises(DomainError) as excinfo:
            price_objection_resolve(**call)
        # Refused by role before the objection is looked up: 403 whatever the id, so even a
        # supplier who cannot see the objection learns nothing about it.
        assert excinfo.value.code == "permission_denied"
        assert excinfo.value.extra == {"action": "price_objection.resolve"}


# --- History --------------------------------------------------------------------------------


def test_every_change_is_in_the_history_with_who_did_it(bureau, supplier):
    rp = in_publicity()
    objection = price_objection_raise(reference_price_id=rp.pk, actor=supplier, reason="有误")
    price_objection_resolve(
        objection_id=objection.pk, actor=bureau, outcome=ObjectionStatus.UPHELD, resolution="成立"
    )
    rp_events = pghistory.models.Events.objects.filter(
        pgh_model="catalog.ReferencePriceEvent", pgh_obj_id=str(rp.pk)
    ).order_by("pgh_id")
    last = rp_events.last()
    assert last.pgh_data["status"] == S.WITHDRAWN
    assert last.pgh_context["user"] == bureau.pk
    assert last.pgh_context["action"] == "price_objection_resolve"
    objection_events = pghistory.models.Events.objects.filter(
        pgh_model="catalog.PriceObjectionEvent", pgh_obj_id=str(objection.pk)
    ).order_by("pgh_id")
    assert [e.pgh_context["user"] for e in objection_events] == [supplier.pk, bureau.pk]
