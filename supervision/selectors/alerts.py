"""Reads of abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT]: the alerts of the actor's
jurisdiction (regulators and platform admins only: anyone else is refused the lists, 403,
and any alert, 404), one alert with its
evidence rows linked to the pages behind them, what the actor may do with it
(``alert_actions``, shared by pages, API and tests), and the region's rules with their
parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from core import permissions
from core.actions import Actions, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from supervision.choices import ALERT_LIVE, ALERT_STATES, AlertAction
from supervision.models import Alert, AlertRule
from supervision.selectors.alert_rules import RuleSpec, rules


def _require(actor: User, action: str) -> None:
    """The lists are the regulators' (403 for anyone else, as any page outside one's menu)."""
    if not permissions.can(actor, action):
        raise PermissionDeniedError(action=action)


def alert_list(
    *,
    actor: User,
    rule: str = "",
    status: list[str] | None = None,
    severity: str = "",
    assignee_id: int | None = None,
    hospital_id: int | None = None,
    supplier_id: int | None = None,
) -> QuerySet[Alert]:
    _require(actor, "alert.view")
    rows = Alert.objects.visible_to(actor).select_related(
        "rule", "hospital", "supplier", "assignee"
    )
    if rule:
        rows = rows.filter(rule__code=rule)
    if status:
        rows = rows.filter(status__in=status)
    if severity:
        rows = rows.filter(severity=severity)
    if assignee_id is not None:
        rows = rows.filter(assignee_id=assignee_id)
    if hospital_id is not None:
        rows = rows.filter(hospital_id=hospital_id)
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    return rows


def open_alerts(*, actor: User) -> QuerySet[Alert]:
    """The live alerts (open or acknowledged) of the actor's jurisdiction: the home card."""
    return alert_list(actor=actor, status=list(ALERT_LIVE))


def alert_get(*, actor: User, alert_id: int) -> Alert:
    """One alert of the actor's jurisdiction; anyone else's, or for anyone but a regulator or
    a platform admin: 404."""
    if not permissions.can(actor, "alert.view"):
        raise NotFoundError()
    found = alert_list(actor=actor).filter(pk=alert_id).first()
    if found is None:
        raise NotFoundError()
    return found


def _state_check(alert: Alert, action: str) -> Callable[[], None]:
    return lambda: ALERT_STATES.check(alert, action)


def alert_actions(*, actor: User, alert: Alert) -> Actions:
    """What the actor may do with the alert now: the bureau acknowledges an open one,
    assigns, resolves or dismisses a live one."""
    return Actions(
        [
            verdict(action, role_check(actor, "alert.handle"), _state_check(alert, action))
            for action in (
                AlertAction.ACKNOWLEDGE,
                AlertAction.ASSIGN,
                AlertAction.RESOLVE,
                AlertAction.DISMISS,
            )
        ]
    )


# The page an evidence row links to: kind -> (url name, the row's key holding the pk).
EVIDENCE_LINKS = {
    "order": ("procurement:order_detail", "id"),
    "order_line": ("procurement:order_detail", "order_id"),
    "invoice": ("procurement:invoice_detail", "id"),
    "listing": ("procurement:listing_detail", "id"),
    "price_change": ("procurement:listing_detail", "listing_id"),
    "contract": ("procurement:contract_detail", "id"),
    "emergency_purchase": ("procurement:emergency_detail", "id"),
}


def evidence_link(row: dict) -> str:
    name, key = EVIDENCE_LINKS.get(str(row.get("kind", "")), ("", ""))
    pk = row.get(key) if name else None
    if not name or not isinstance(pk, int):
        return ""
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def alert_evidence(alert: Alert) -> list[dict]:
    """The alert's evidence rows, each with ``link`` (the page behind it, or "") and
    ``fields`` (its other values, for a table)."""
    rows = []
    for row in alert.evidence or []:
        if not isinstance(row, dict):
            continue
        rows.append(
            {
                "kind": str(row.get("kind", "")),
                "id": row.get("id"),
                "link": evidence_link(row),
                "fields": {k: v for k, v in row.items() if k not in ("kind", "id")},
            }
        )
    return rows


# --- Rules -------------------------------------------------------------------------------------


@dataclass
class RuleRow:
    spec: RuleSpec
    rule: AlertRule | None  # None: never stored, the defaults apply
    values: dict[str, Decimal]
    enabled: bool
    live: int = 0

    @property
    def code(self) -> str:
        return self.spec.code


def alert_rule_list(*, actor: User) -> list[RuleRow]:
    """The registered rules with the actor's region's settings (a bureau's region; a platform
    admin or another regulator: their organisation's region)."""
    _require(actor, "alert_rule.view")
    org = actor.organization
    region = org.region_code if org is not None else ""
    stored = {r.code: r for r in AlertRule.objects.filter(region_code=region)}
    rows = []
    for code, spec in rules().items():
        rule = stored.get(code)
        rows.append(
            RuleRow(
                spec=spec,
                rule=rule,
                values=spec.resolved(rule.params if rule else None),
                enabled=rule.enabled if rule else True,
            )
        )
    return rows


def alert_rule_get(*, actor: User, code: str) -> RuleRow:
    for row in alert_rule_list(actor=actor):
        if row.code == code:
            return row
    raise NotFoundError()


def rule_choices() -> list[tuple[str, str]]:
    return [(code, str(spec.title)) for code, spec in rules().items()]
