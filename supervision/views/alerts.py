"""The alert pages [R-ALERT-USE] [R-MISCONDUCT]: the list (filters: rule, status, severity,
assignee, hospital, supplier), one alert with its evidence rows linked to the pages behind
them and the actions ``alert_actions`` allows, and the region's rules with their parameters
(the bureau edits them). Regulators of the jurisdiction and platform admins only (others:
404). The same services and selectors as supervision/api/alerts.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import request_actor
from core.errors import DomainError, NotFoundError
from core.permissions import can
from core.web import paginate
from supervision.choices import AlertAction
from supervision.forms.alerts import AlertSearchForm
from supervision.selectors import alerts as selectors
from supervision.services import alerts as services

T = "supervision/alerts/"


@login_required
def alert_list(request):
    user = request_actor(request)
    form = AlertSearchForm(request.GET or None, rules=selectors.rule_choices())
    filters = form.filters()
    rows = selectors.alert_list(
        actor=user,
        rule=filters.get("rule") or "",
        status=[filters["status"]] if filters.get("status") else None,
        severity=filters.get("severity") or "",
        assignee_id=filters.get("assignee"),
        hospital_id=filters.get("hospital"),
        supplier_id=filters.get("supplier"),
    )
    return render(
        request,
        T + "alert_list.html",
        {"form": form, "page": paginate(request, rows), "can_rules": can(user, "alert_rule.view")},
    )


@login_required
def alert_detail(request, pk: int):
    user = request_actor(request)
    alert = selectors.alert_get(actor=user, alert_id=pk)
    actions = selectors.alert_actions(actor=user, alert=alert)
    return render(
        request,
        T + "alert_detail.html",
        {
            "alert": alert,
            "actions": actions,
            "evidence": selectors.alert_evidence(alert),
            "assignable": services.assignable_users_unscoped(alert) if actions["assign"] else [],
            "misconduct_possible": alert.rule.code in services.MISCONDUCT_ITEMS
            and alert.supplier_id is not None,
        },
    )


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


@login_required
@require_POST
def alert_act(request, pk: int, action: str):
    user = request_actor(request)
    post = request.POST
    if action == AlertAction.ACKNOWLEDGE.value:
        alert = services.alert_acknowledge(actor=user, alert_id=pk)
    elif action == AlertAction.ASSIGN.value:
        alert = services.alert_assign(
            actor=user, alert_id=pk, assignee_id=_int(post.get("assignee"))
        )
    elif action == AlertAction.RESOLVE.value:
        alert = services.alert_resolve(
            actor=user,
            alert_id=pk,
            note=post.get("note", ""),
            misconduct=post.get("misconduct") == "1",
        )
    elif action == AlertAction.DISMISS.value:
        alert = services.alert_dismiss(actor=user, alert_id=pk, reason=post.get("reason", ""))
    else:
        raise NotFoundError()
    messages.success(
        request,
        _("Alert %(alert)s: %(status)s.")
        % {"alert": alert.pk, "status": alert.get_status_display()},
    )
    return redirect("supervision:alert_detail", pk=alert.pk)


@login_required
def alert_rule_list(request):
    user = request_actor(request)
    return render(
        request,
        T + "rule_list.html",
        {
            "rows": selectors.alert_rule_list(actor=user),
            "can_manage": can(user, "alert_rule.manage"),
        },
    )


@login_required
def alert_rule_edit(request, code: str):
    user = request_actor(request)
    row = selectors.alert_rule_get(actor=user, code=code)
    status, error = 200, None
    if request.method == "POST":
        try:
            services.alert_rule_update(
                actor=user,
                code=code,
                params={p.name: request.POST.get(p.name, "") for p in row.spec.params},
                enabled=request.POST.get("enabled") == "1",
            )
        except DomainError as refused:
            if refused.http_status != 400:
                raise
            status, error = 400, refused
        else:
            messages.success(request, _("Rule %(rule)s saved.") % {"rule": row.spec.title})
            return redirect("supervision:alert_rule_list")
    return render(
        request,
        T + "rule_edit.html",
        {"row": row, "error": error, "can_manage": can(user, "alert_rule.manage")},
        status=status,
    )
