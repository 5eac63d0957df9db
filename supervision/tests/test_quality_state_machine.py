"""[R-QUALITY] the report's state machine, table-driven from supervision.choices: filed ->
confirmed | dismissed (the bureau, with a reason); nothing leaves confirmed or dismissed;
``quality_report_actions`` says what the services do; a refused step changes nothing."""

import pytest

from core.errors import DomainError
from supervision.choices import QUALITY_STATES, QualityAction, QualityStatus
from supervision.models import CreditEvent, QualityReport
from supervision.selectors.quality import quality_report_actions
from supervision.services import quality as services
from supervision.tests.quality_world import file, make_rates_world, received

pytestmark = pytest.mark.django_db

DECIDE = {
    QualityAction.CONFIRM: services.quality_report_confirm,
    QualityAction.DISMISS: services.quality_report_dismiss,
}


@pytest.fixture
def w():
    world = make_rates_world()
    received(world, world.hospital, "LOTA")
    return world


def _state():
    return (
        list(QualityReport.objects.values_list("pk", "status", "decision_reason")),
        CreditEvent.objects.count(),
    )


@pytest.mark.parametrize("start", list(QualityStatus.values))
@pytest.mark.parametrize("action", list(QualityAction.values))
def test_each_transition_is_allowed_exactly_as_the_table_says_r_quality(w, start, action):
    report = file(w)
    QualityReport.objects.filter(pk=report.pk).update(status=start)
    report.refresh_from_db()
    allowed = QUALITY_STATES.targets[action] in QUALITY_STATES.transitions[start]
    said = quality_report_actions(actor=w.bureau, report=report)[action].allowed
    assert said == allowed
    if allowed:
        done = DECIDE[action](actor=w.bureau, report_id=report.pk, reason="理由")
        assert done.status == QUALITY_STATES.targets[action]
        assert done.decided_by == w.bureau
    else:
        before = _state()
        with pytest.raises(DomainError) as error:
            DECIDE[action](actor=w.bureau, report_id=report.pk, reason="理由")
        assert error.value.code == "invalid_state"
        assert _state() == before


@pytest.mark.parametrize("action", list(QualityAction.values))
def test_only_the_bureau_decides_and_gives_a_reason_r_quality(w, action):
    report = file(w)
    for actor in (w.purchaser, w.sales, w.agency, w.admin):
        assert not quality_report_actions(actor=actor, report=report)[action].allowed
    before = _state()
    with pytest.raises(DomainError) as error:
        DECIDE[action](actor=w.sales, report_id=report.pk, reason="理由")
    assert error.value.http_status == 403
    with pytest.raises(DomainError) as error:
        DECIDE[action](actor=w.bureau, report_id=report.pk, reason=" ")
    assert error.value.http_status == 400
    assert _state() == before
    assert quality_report_actions(actor=w.bureau, report=report)[action].allowed
