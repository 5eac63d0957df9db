"""The alert workflow [R-MISCONDUCT] [R-ALERT-USE]: the state machine table-driven from
supervision.choices (open -> acknowledged -> resolved | dismissed with a reason; assign on a
live alert), ``alert_actions`` saying what the services do, refused steps changing nothing;
the run idempotent (one live alert per rule and subject, refreshed not duplicated), a closed
alert firing again only with new evidence; parameters out of range refused; tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import (
    AgencyFactory,
    BureauFactory,
    OrganizationFactory,
    UserFactory,
)
from core.errors import DomainError
from procurement.tests.factories import ListingFactory
from supervision.choices import ALERT_STATES, AlertAction, AlertStatus
from supervision.models import Alert, AlertRule, CreditEvent, Notification
from supervision.selectors import alerts as selectors
from supervision.services import alerts as services
from supervision.tests.alerts_world import REGION, live, officer, rise, run

pytestmark = pytest.mark.django_db


class W:
    def __init__(self):
        self.bureau_org = BureauFactory(region_code=REGION)
        self.bureau = officer(bureau=self.bureau_org)
        self.colleague = officer(bureau=self.bureau_org)
        self.agency = UserFactory(
            organization=AgencyFactory(region_code=REGION), roles=[Role.AGENCY_FINANCE]
        )
        self.admin = UserFactory(
            organization=BureauFactory(region_code="110000"), roles=[Role.PLATFORM_ADMIN]
        )
        self.elsewhere = officer("440300")
        self.listing = ListingFactory(manufacturer=OrganizationFactory(region_code="320106"))
        self.sales = UserFactory(
            organization=self.listing.manufacturer, roles=[Role.SUPPLIER_SALES]
        )

    def raise_rise(self, pct: str = "30.00"):
        rise(self.listing, "100.00", str(Decimal("100.00") + Decimal(pct)), by=self.sales)
        run()
        return Alert.objects.get(subject_key=f"listing:{self.listing.pk}", status="open")


@pytest.fixture
def w():
    return W()


def _do(action, w, alert, actor=None):
    actor = actor or w.bureau
    if action == AlertAction.ACKNOWLEDGE:
        return services.alert_acknowledge(actor=actor, alert_id=alert.pk)
    if action == AlertAction.ASSIGN:
        return services.alert_assign(actor=actor, alert_id=alert.pk, assignee_id=w.colleague.pk)
    if action == AlertAction.RESOLVE:
        return services.alert_resolve(actor=actor, alert_id=alert.pk, note="已约谈企业")
    return services.alert_dismiss(actor=actor, alert_id=alert.pk, reason="原材料涨价，合理")


def _state():
    return list(Alert.objects.values_list("pk", "status", "assignee_id", "close_reason"))


@pytest.mark.parametrize("start", list(AlertStatus.values))
@pytest.mark.parametrize("action", list(AlertAction.values))
def test_each_transition_is_allowed_exactly_as_the_table_says_r_misconduct(w, start, action):
    alert = w.raise_rise()
    Alert.objects.filter(pk=alert.pk).update(status=start)
    alert.refresh_from_db()
    allowed = ALERT_STATES.allows(start, action)
    assert selectors.alert_actions(actor=w.bureau, alert=alert)[action].allowed == allowed
    if allowed:
        done = _do(action, w, alert)
        target = ALERT_STATES.targets.get(action, start)
        assert done.status == target
    else:
        before = _state()
        with pytest.raises(DomainError) as error:
            _do(action, w, alert)
        assert error.value.code == "invalid_state"
        assert _state() == before


@pytest.mark.parametrize("action", list(AlertAction.values))
def test_only_the_bureau_handles_alerts_others_get_403_or_404_r_misconduct(w, action):
    alert = w.raise_rise()
    for actor in (w.agency, w.admin, w.sales):
        assert not selectors.alert_actions(actor=actor, alert=alert)[action].allowed
    before = _state()
    for actor, status in ((w.agency, 403), (w.sales, 404), (w.elsewhere, 404)):
        with pytest.raises(DomainError) as error:
            _do(action, w, alert, actor=actor)
        assert error.value.http_status == status, actor
    assert _state() == before


def test_dismissal_needs_a_reason_and_assignment_a_bureau_officer_of_the_region(w):
    alert = w.raise_rise()
    before = _state()
    with pytest.raises(DomainError) as error:
        services.alert_dismiss(actor=w.bureau, alert_id=alert.pk, reason="  ")
    assert error.value.http_status == 400
    for user in (w.sales, w.elsewhere, w.agency):
        with pytest.raises(DomainError) as error:
            services.alert_assign(actor=w.bureau, alert_id=alert.pk, assignee_id=user.pk)
        assert error.value.code == "alert_assignee_invalid"
    assert _state() == before
    done = services.alert_assign(actor=w.bureau, alert_id=alert.pk, assignee_id=w.colleague.pk)
    assert done.assignee == w.colleague
    assert Notification.objects.filter(person=w.colleague, kind="alert").exists()


def test_acknowledging_assigns_the_officer_and_history_keeps_every_step(w):
    alert = w.raise_rise()
    services.alert_acknowledge(actor=w.bureau, alert_id=alert.pk)
    services.alert_dismiss(actor=w.bureau, alert_id=alert.pk, reason="合理涨价")
    alert.refresh_from_db()
    assert (alert.status, alert.assignee, alert.closed_by) == ("dismissed", w.bureau, w.bureau)
    statuses = list(alert.events.order_by("pgh_id").values_list("status", flat=True))
    assert statuses == ["open", "acknowledged", "dismissed"]


def test_rerunning_refreshes_the_live_alert_and_never_duplicates_it(w):
    alert = w.raise_rise("30.00")
    assert run()["unchanged"] == 1
    rise(w.listing, "130.00", "200.00", by=w.sales)
    assert run()["refreshed"] == 1
    (again,) = live()
    assert again.pk == alert.pk
    assert again.measured == Decimal("53.8462")
    assert len(again.evidence) == 3
    assert run() == {"created": 0, "refreshed": 0, "unchanged": 1, "suppressed": 0}


def test_a_closed_alert_fires_again_only_with_new_evidence(w):
    alert = w.raise_rise()
    services.alert_resolve(actor=w.bureau, alert_id=alert.pk, note="已约谈")
    assert run()["suppressed"] == 1
    assert live() == []
    rise(w.listing, "130.00", "140.00", by=w.sales)
    assert run()["created"] == 1
    (new,) = live()
    assert new.pk != alert.pk


def test_a_new_high_alert_notifies_the_bureau(w):
    w.raise_rise("30.00")  # over twice 10%: high
    note = Notification.objects.get(organization=w.bureau_org, kind="alert")
    assert "/alerts/" in note.link


def test_resolving_a_price_rise_as_misconduct_raises_the_credit_event_r_misconduct(w):
    alert = w.raise_rise()
    done = services.alert_resolve(
        actor=w.bureau, alert_id=alert.pk, note="无正当理由涨价", misconduct=True
    )
    event = CreditEvent.objects.get(source_key=f"alert:{alert.pk}")
    assert (event.item.code, event.subject) == ("abnormal_price_rise", w.listing.manufacturer)
    assert done.credit_event == event


def test_a_parameter_out_of_range_is_refused_naming_it_and_its_range(w):
    for value in ("0.5", "101", "abc", True):
        with pytest.raises(DomainError) as error:
            services.alert_rule_update(
                actor=w.bureau, code="price_rise", params={"rise_pct": value}
            )
        assert error.value.http_status == 400
        assert error.value.code == "alert_rule_param_out_of_range"
        assert error.value.extra["param"] == "rise_pct"
        assert (error.value.extra["minimum"], error.value.extra["maximum"]) == (1, 100)
    assert not AlertRule.objects.filter(params__rise_pct="101").exists()
    with pytest.raises(DomainError) as error:
        services.alert_rule_update(actor=w.bureau, code="price_rise", params={"nope": "1"})
    assert error.value.code == "alert_rule_param_unknown"
    with pytest.raises(DomainError) as error:
        services.alert_rule_update(actor=w.agency, code="price_rise", params={"rise_pct": "5"})
    assert error.value.http_status == 403
    rule = services.alert_rule_update(actor=w.bureau, code="price_rise", params={"rise_pct": "40"})
    assert rule.params["rise_pct"] == "40"
    rise(w.listing, "100.00", "130.00", by=w.sales)
    run()
    assert live() == []  # 30% is within 40%


def test_a_disabled_rule_raises_nothing(w):
    services.alert_rule_update(actor=w.bureau, code="price_rise", enabled=False)
    rise(w.listing, "100.00", "150.00", by=w.sales)
    run()
    assert live() == []


def test_alerts_are_seen_by_the_regulators_of_the_jurisdiction_only(w):
    alert = w.raise_rise()
    for actor in (w.bureau, w.agency, w.admin):
        assert list(selectors.alert_list(actor=actor)) == [alert]
    assert list(selectors.alert_list(actor=w.elsewhere)) == []
    with pytest.raises(DomainError) as error:
        selectors.alert_list(actor=w.sales)
    assert error.value.http_status == 403
    for actor in (w.sales, w.elsewhere):
        with pytest.raises(DomainError) as error:
            selectors.alert_get(actor=actor, alert_id=alert.pk)
        assert error.value.http_status == 404


def test_the_nightly_task_is_scheduled_and_runs_the_rules(w, settings):
    from config.celery import app
    from supervision import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["supervision-alerts-run"]
    assert entry["task"] == "supervision.alerts_run"
    assert "supervision.alerts_run" in app.tasks
    rise(w.listing, "100.00", "150.00", by=w.sales)
    assert "'created': 1" in tasks.alerts_run()
    assert "'created': 0" in tasks.alerts_run()
    assert len(live()) == 1


def test_a_rule_registered_as_plain_data_runs_like_the_trade_rules_r_alert_use(w):
    """The usage rules' contract: a rule given as a dict (params as tuples) whose evaluate
    returns duck-typed findings becomes alerts, once."""
    from types import SimpleNamespace

    from supervision.selectors import alert_rules

    def evaluate(*, region_code, params, as_of):
        assert params["min_volume"] == Decimal(20)
        return [
            SimpleNamespace(
                subject_key="doctor:D1:brand:9",
                region_code=region_code,
                hospital_id=None,
                supplier_id=w.listing.manufacturer_id,
                severity="low",
                summary="单一品牌占比 95%",
                measured=Decimal("95"),
                threshold=Decimal("80"),
                evidence=[{"kind": "usage_record", "id": 1}],
            )
        ]

    saved = dict(alert_rules._RULES)
    try:
        alert_rules.register_rule_dicts(
            [
                {
                    "code": "test_brand_share",
                    "rule_id": "R-ALERT-USE",
                    "title": "单一品牌",
                    "params": [("min_volume", "最小用量", Decimal(1), Decimal(100), Decimal(20))],
                    "evaluate": evaluate,
                }
            ]
        )
        assert run()["created"] == 1
        assert run()["unchanged"] == 1
        (alert,) = live()
        assert (alert.rule.code, alert.severity) == ("test_brand_share", "low")
    finally:
        alert_rules._RULES.clear()
        alert_rules._RULES.update(saved)
