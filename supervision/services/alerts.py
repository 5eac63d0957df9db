"""Abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT] (docs/alerts.md): running the rules and
the alert workflow.

    open --acknowledge--> acknowledged
    open | acknowledged --resolve (note; confirmed misconduct)--> resolved
    open | acknowledged --dismiss (reason)--> dismissed
    open | acknowledged --assign (a bureau officer of the jurisdiction)--> (same status)

Running (``alerts_run``, nightly): each enabled rule of each bureau's region is evaluated;
a finding becomes an alert unless one is live (open or acknowledged) for the same rule and
subject, which is then refreshed (severity, figures, summary and evidence) when they changed
and left untouched when not: re-running never duplicates. A closed alert (resolved or
dismissed) keeps its subject quiet while the finding shows nothing new: a new alert fires for
the subject only when the finding persists after the closing with an evidence row the closed
alert did not have (another price rise, another overdue invoice, another emergency purchase,
another month of a lagging contract).

Notifications: a new high-severity alert, or a live one becoming high, is sent to the bureau
of the region (and to the assignee when there is one); an assignment to the assignee.
Resolving a price-rise or regional-gap alert as confirmed misconduct raises the supplier's
credit event (``abnormal_price_rise`` / ``regional_price_gap``) [R-CREDIT].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind, Role
from accounts.models import Organization, User
from core import clock
from core.errors import ValidationError
from core.permissions import require
from core.regions import jurisdiction_prefix
from supervision.choices import (
    ALERT_LIVE,
    ALERT_STATES,
    AlertAction,
    AlertSeverity,
    AlertStatus,
    CreditEventSource,
    NotificationKind,
)
from supervision.errors import (
    AlertAssigneeInvalidError,
    AlertMisconductNotApplicableError,
    AlertRuleParamOutOfRangeError,
    AlertRuleParamUnknownError,
    AlertRuleUnknownError,
)
from supervision.locks import lock_alert, lock_alert_rule, lock_live_alert
from supervision.models import Alert, AlertRule
from supervision.selectors.alert_rules import (
    FindingLike,
    RuleSpec,
    evidence_keys,
    fingerprint,
    rule_get,
    rules,
)
from supervision.services.credit import credit_event_raise
from supervision.services.notifications import notify

REASON_MAX = 1000
# [R-MISCONDUCT] the credit catalogue's item a rule's confirmed misconduct raises.
MISCONDUCT_ITEMS = {"price_rise": "abnormal_price_rise", "regional_price_gap": "regional_price_gap"}
CLOSED = (AlertStatus.RESOLVED, AlertStatus.DISMISSED)


def _platform(text_of: Callable[[], object]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text_of())


def _link(alert: Alert) -> str:
    return reverse("supervision:alert_detail", kwargs={"pk": alert.pk})


def _reason(value: object, field: str, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(fields={field: [_("This field is required.")]})
    return text[:REASON_MAX]


# --- Rules -------------------------------------------------------------------------------------


def _stored(values: Mapping[str, Decimal]) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}


def alert_rules_seed(*, region_code: str) -> list[AlertRule]:
    """Every registered rule of the region, created with its defaults where missing."""
    specs = rules()
    have = {r.code: r for r in AlertRule.objects.filter(region_code=region_code)}
    missing = [
        AlertRule(region_code=region_code, code=code, params=_stored(spec.defaults()))
        for code, spec in specs.items()
        if code not in have
    ]
    if missing:
        AlertRule.objects.bulk_create(missing, ignore_conflicts=True)
        have = {r.code: r for r in AlertRule.objects.filter(region_code=region_code)}
    return [have[code] for code in specs if code in have]


def _param_value(spec: RuleSpec, name: str, raw: object) -> Decimal:
    try:
        param = spec.param(name)
    except KeyError:
        raise AlertRuleParamUnknownError(rule=spec.code, param=name) from None
    error = AlertRuleParamOutOfRangeError(
        param=name,
        label=str(param.label),
        minimum=param.minimum,
        maximum=param.maximum,
        value=str(raw)[:40],
    )
    if isinstance(raw, bool):
        raise error
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise error from None
    if not value.is_finite() or not param.minimum <= value <= param.maximum:
        raise error
    return value


@transaction.atomic
def alert_rule_update(
    *,
    actor: User,
    code: str,
    params: Mapping[str, object] | None = None,
    enabled: bool | None = None,
) -> AlertRule:
    """The bureau sets its region's rule ``code``: parameters (each a number within its
    ParamSpec range, else 400 naming the parameter and its range, nothing changed) and on/off."""
    require(actor, "alert_rule.manage")
    spec = rule_get(code)
    org = actor.organization
    if spec is None or org is None:
        raise AlertRuleUnknownError(rule=code)
    values = {name: _param_value(spec, name, raw) for name, raw in (params or {}).items()}
    alert_rules_seed(region_code=org.region_code)
    rule = lock_alert_rule(region_code=org.region_code, code=code)
    merged = spec.resolved(rule.params)
    merged.update(values)
    rule.params = _stored(merged)
    if enabled is not None:
        rule.enabled = bool(enabled)
    rule.updated_at = clock.now()
    rule.updated_by = actor
    rule.save(update_fields=["params", "enabled", "updated_at", "updated_by"])
    return rule


# --- Running -----------------------------------------------------------------------------------


def _bureaus_of(region_code: str) -> list[Organization]:
    return list(
        Organization.objects.filter(
            kind=OrganizationKind.BUREAU, is_active=True, region_code=region_code
        )
    )


def _tell_high(alert: Alert) -> None:
    def text() -> str:
        return _("High-severity alert %(alert)s: %(summary)s") % {
            "alert": alert.pk,
            "summary": alert.summary,
        }

    for bureau in _bureaus_of(alert.rule.region_code):
        notify(
            organization_id=bureau.pk,
            kind=NotificationKind.ALERT,
            text=_platform(text),
            link=_link(alert),
        )
    if alert.assignee is not None and alert.assignee.organization_id is not None:
        notify(
            organization_id=alert.assignee.organization_id,
            person_id=alert.assignee_id,
            kind=NotificationKind.ALERT,
            text=_platform(text),
            link=_link(alert),
        )


FIGURES = ("severity", "summary", "measured", "threshold", "evidence", "fingerprint")


def _apply(rule: AlertRule, finding: FindingLike, now: dt.datetime) -> str:
    """One finding: ``created``, ``refreshed``, ``unchanged`` or ``suppressed``."""
    evidence = list(finding.evidence)
    figures = {
        "severity": finding.severity
        if finding.severity in AlertSeverity.values
        else AlertSeverity.MEDIUM,
        "summary": str(finding.summary)[:500],
        "measured": Decimal(finding.measured).quantize(Decimal("0.0001")),
        "threshold": Decimal(finding.threshold).quantize(Decimal("0.0001")),
        "evidence": evidence,
        "fingerprint": fingerprint(evidence),
    }
    key = str(finding.subject_key)[:120]
    live = lock_live_alert(rule=rule, subject_key=key, live=ALERT_LIVE)
    if live is not None:
        changed = [f for f in FIGURES if getattr(live, f) != figures[f]]
        if not changed:
            return "unchanged"
        escalated = (
            live.severity != AlertSeverity.HIGH and figures["severity"] == AlertSeverity.HIGH
        )
        for f in changed:
            setattr(live, f, figures[f])
        live.refreshed_at = now
        live.save(update_fields=[*changed, "refreshed_at"])
        if escalated:
            _tell_high(live)
        return "refreshed"
    closed = (
        Alert.objects.filter(rule=rule, subject_key=key, status__in=CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )
    if closed is not None and evidence_keys(evidence) <= evidence_keys(closed.evidence):
        return "suppressed"
    alert = Alert.objects.create(
        rule=rule,
        region_code=rule.region_code,
        subject_key=key,
        hospital_id=finding.hospital_id,
        supplier_id=finding.supplier_id,
        created_at=now,
        refreshed_at=now,
        **figures,
    )
    if alert.severity == AlertSeverity.HIGH:
        _tell_high(alert)
    return "created"


def alert_regions() -> list[str]:
    """The regions rules run for: every active bureau's."""
    return sorted(
        set(
            Organization.objects.filter(kind=OrganizationKind.BUREAU, is_active=True).values_list(
                "region_code", flat=True
            )
        )
    )


def alerts_run(*, region_code: str | None = None, as_of: dt.date | None = None) -> dict[str, int]:
    """Evaluate every enabled rule of ``region_code`` (default: every bureau's region) on
    ``as_of`` (default: today, Asia/Shanghai); how many alerts were created, refreshed, left
    unchanged and kept quiet by a closed one. Idempotent."""
    day = as_of or clock.local_today()
    counts = {"created": 0, "refreshed": 0, "unchanged": 0, "suppressed": 0}
    specs = rules()
    for region in [region_code] if region_code else alert_regions():
        for rule in alert_rules_seed(region_code=region):
            spec = specs.get(rule.code)
            if spec is None or not rule.enabled:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                findings = list(
                    spec.evaluate(region_code=region, params=spec.resolved(rule.params), as_of=day)
                )
            with transaction.atomic():
                now = clock.now()
                for finding in findings:
                    counts[_apply(rule, finding, now)] += 1
    return counts


# --- The workflow ------------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor: User, alert_id: int) -> Alert:
    """The bureau takes note of an open alert; it is assigned to the officer when no one is."""
    alert = lock_alert(actor=actor, alert_id=alert_id, action="alert.handle")
    ALERT_STATES.check(alert, AlertAction.ACKNOWLEDGE)
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = clock.now()
    alert.acknowledged_by = actor
    fields = ["status", "acknowledged_at", "acknowledged_by"]
    if alert.assignee_id is None:
        alert.assignee = actor
        fields.append("assignee")
    alert.save(update_fields=fields)
    return alert


def assignable_users_unscoped(alert: Alert) -> list[User]:
    """Active bureau officers of bureaus whose jurisdiction covers the alert's region."""
    candidates = User.objects.filter(
        is_active=True,
        roles__contains=[Role.BUREAU_OFFICER],
        organization__kind=OrganizationKind.BUREAU,
        organization__is_active=True,
    ).select_related("organization")
    return [
        u
        for u in candidates.order_by("organization_id", "pk")
        if alert.region_code.startswith(jurisdiction_prefix(u.organization.region_code))
    ]


@transaction.atomic
def alert_assign(*, actor: User, alert_id: int, assignee_id: int) -> Alert:
    """The bureau gives a live alert to one of its officers (who is told)."""
    alert = lock_alert(actor=actor, alert_id=alert_id, action="alert.handle")
    ALERT_STATES.check(alert, AlertAction.ASSIGN)
    assignee = next((u for u in assignable_users_unscoped(alert) if u.pk == assignee_id), None)
    if assignee is None or assignee.organization_id is None:
        raise AlertAssigneeInvalidError(user=assignee_id)
    alert.assignee = assignee
    alert.save(update_fields=["assignee"])
    notify(
        organization_id=assignee.organization_id,
        person_id=assignee.pk,
        kind=NotificationKind.ALERT,
        text=_platform(
            lambda: (
                _("Alert %(alert)s was assigned to you: %(summary)s")
                % {"alert": alert.pk, "summary": alert.summary}
            )
        ),
        link=_link(alert),
    )
    return alert


def _close(alert: Alert, actor: User, status: str, reason: str) -> None:
    alert.status = status
    alert.closed_at = clock.now()
    alert.closed_by = actor
    alert.close_reason = reason


@transaction.atomic
def alert_resolve(*, actor: User, alert_id: int, note: str = "", misconduct: bool = False) -> Alert:
    """The bureau resolves a live alert (a note). ``misconduct``: a price-rise or regional
    price-gap alert confirmed as misconduct raises the supplier's credit event [R-CREDIT]."""
    alert = lock_alert(actor=actor, alert_id=alert_id, action="alert.handle")
    ALERT_STATES.check(alert, AlertAction.RESOLVE)
    note = _reason(note, "note", required=bool(misconduct))
    item = MISCONDUCT_ITEMS.get(alert.rule.code)
    if misconduct and (item is None or alert.supplier is None):
        raise AlertMisconductNotApplicableError()
    _close(alert, actor, AlertStatus.RESOLVED, note)
    fields = ["status", "closed_at", "closed_by", "close_reason"]
    if misconduct and item is not None and alert.supplier is not None:
        alert.misconduct = True
        alert.credit_event = credit_event_raise(
            item_code=item,
            subject=alert.supplier,
            source=CreditEventSource.ALERT,
            source_key=f"alert:{alert.pk}",
            description=_platform(
                lambda: (
                    _("Alert %(alert)s: %(summary)s (%(note)s)")
                    % {"alert": alert.pk, "summary": alert.summary, "note": note}
                )
            ),
            occurred_on=clock.local_today(),
            region_code=alert.region_code,
            actor=actor,
        )
        fields += ["misconduct", "credit_event"]
    alert.save(update_fields=fields)
    return alert


@transaction.atomic
def alert_dismiss(*, actor: User, alert_id: int, reason: str) -> Alert:
    """The bureau dismisses a live alert as not a problem, with a reason."""
    alert = lock_alert(actor=actor, alert_id=alert_id, action="alert.handle")
    ALERT_STATES.check(alert, AlertAction.DISMISS)
    reason = _reason(reason, "reason", required=True)
    _close(alert, actor, AlertStatus.DISMISSED, reason)
    alert.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    return alert
