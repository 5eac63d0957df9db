"""Pages of volume-based procurement rounds: the list, a round with its groups and amendments,
the bureau's forms (round, group, amendment), publication and the dry run; the same services
as procurement/api/rounds.py."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.permissions import can, require
from core.web import paginate
from procurement.choices import RoundAction, RoundStatus
from procurement.forms.rounds import AmendForm, DryRunForm, GroupForm, RoundForm, attach_error
from procurement.selectors import bids as bid_selectors
from procurement.selectors import demand as demand_selectors
from procurement.selectors import rounds as selectors
from procurement.services import rounds
from procurement.views.common import FIELD_ERROR_STATUS, refused_here

T = "procurement/rounds/"


def _detail_url(pk) -> str:
    return reverse("procurement:round_detail", args=[pk])


def _form_error(form, error: DomainError) -> None:
    if error.http_status != FIELD_ERROR_STATUS:
        raise error
    attach_error(form, error)


@login_required
def round_list(request):
    require(request.user, "round.view")
    status = request.GET.get("status", "")
    todo = request.GET.get("todo", "")
    rows = selectors.round_list(
        actor=request.user, status=[status] if status in RoundStatus.values else None
    )
    if todo in bid_selectors.ROUND_TODOS:
        rows = (
            bid_selectors.rounds_todo(actor=request.user, todo=todo)
            .filter(pk__in=rows.values("pk"))
            .order_by("-created_at", "-id")
        )
    return render(
        request,
        T + "list.html",
        {
            "page": paginate(request, rows),
            "statuses": RoundStatus.choices,
            "params": {"status": status, "todo": todo},
            "todo": todo if todo in bid_selectors.ROUND_TODOS else "",
            "can_manage": can(request.user, "round.manage"),
        },
    )


@login_required
def round_create(request):
    require(request.user, "round.manage")
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = rounds.round_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Draft round created. Now add its product groups."))
            return redirect(_detail_url(created.pk))
    return render(request, T + "form.html", {"form": form, "round": None})


@login_required
def round_detail(request, pk: int):
    found = selectors.round_get(actor=request.user, round_id=pk)
    require(request.user, "round.view")
    actions = selectors.round_actions(actor=request.user, round=found)
    groups = selectors.round_groups(round=found)
    for group in groups:
        setattr(group, "product_count", selectors.group_products(group=group).count())  # noqa: B010
    totals = None
    if found.status != RoundStatus.DRAFT and _manages(request.user, found):
        totals = demand_selectors.round_demand_totals(actor=request.user, round=found)
    return render(
        request,
        T + "detail.html",
        {
            "round": found,
            "groups": groups,
            "amendments": selectors.round_amendments(round=found),
            "actions": actions,
            "totals": totals,
            "perms_bid_view": can(request.user, "bid.view"),
            "perms_share_hold": can(request.user, "share.hold"),
        },
    )


def _manages(user, found) -> bool:
    try:
        selectors.round_party_check(actor=user, round=found, permission="round.manage")
    except DomainError:
        return False
    return True


@login_required
def round_edit(request, pk: int):
    found = selectors.round_get(actor=request.user, round_id=pk)
    if refused_here(request, selectors.round_actions(actor=request.user, round=found)["edit"]):
        return redirect(_detail_url(pk))
    initial = {name: getattr(found, name) for name in RoundForm.base_fields}
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rounds.round_update(actor=request.user, round_id=pk, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Round saved."))
            return redirect(_detail_url(pk))
    return render(request, T + "form.html", {"form": form, "round": found})


@login_required
def group_form(request, pk: int, group_id: int | None = None):
    found = selectors.round_get(actor=request.user, round_id=pk)
    if refused_here(request, selectors.round_actions(actor=request.user, round=found)["edit"]):
        return redirect(_detail_url(pk))
    group = selectors.round_group_get(round=found, group_id=group_id) if group_id else None
    initial = {}
    if group is not None:
        initial = {
            "code": group.code,
            "name": group.name,
            "code_prefixes": " ".join(group.code_prefixes),
            "max_valid_price": group.max_valid_price,
            "reference_price": group.reference_price or "",
            "winning_rule": _json(group.winning_rule),
            **{f"attr_{k}": v for k, v in (group.attribute_filters or {}).items()},
        }
    form = GroupForm(request.POST or None, initial=initial, editing=group is not None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            if group is None:
                rounds.group_create(actor=request.user, round_id=pk, **values)
            else:
                values.pop("code")
                rounds.group_update(actor=request.user, round_id=pk, group_id=group.pk, **values)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Product group saved."))
            return redirect(_detail_url(pk))
    return render(request, T + "group_form.html", {"form": form, "round": found, "group": group})


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@login_required
@require_POST
def round_publish(request, pk: int):
    found = selectors.round_get(actor=request.user, round_id=pk)
    if refused_here(request, selectors.round_actions(actor=request.user, round=found)["publish"]):
        return redirect(_detail_url(pk))
    rounds.round_publish(actor=request.user, round_id=pk)
    messages.success(request, _("Round published: hospitals may now report their demand."))
    return redirect(_detail_url(pk))


@login_required
def round_amend(request, pk: int):
    found = selectors.round_get(actor=request.user, round_id=pk)
    if refused_here(request, selectors.round_actions(actor=request.user, round=found)["amend"]):
        return redirect(_detail_url(pk))
    initial = {name: getattr(found, name) for name in RoundForm.base_fields if name != "name"}
    form = AmendForm(request.POST or None, initial=initial, groups=found.groups.all())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        group = data.pop("group")
        group_changes = {
            name: data.pop(name)
            for name in ("max_valid_price", "winning_rule")
            if data.get(name) not in (None, "")
        }
        data.pop("max_valid_price", None)
        data.pop("winning_rule", None)
        try:
            rounds.round_amend(
                actor=request.user,
                round_id=pk,
                reason=reason,
                changes=data,
                groups={group.pk: group_changes} if group is not None and group_changes else {},
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Amendment recorded; every supplier sees it."))
            return redirect(_detail_url(pk))
    return render(request, T + "amend.html", {"form": form, "round": found})


@login_required
def round_dry_run(request, pk: int):
    """[R-PAY-STANDARD] who would win with these bids, at what price, what the fund pays."""
    found = selectors.round_get(actor=request.user, round_id=pk)
    if refused_here(
        request, selectors.round_actions(actor=request.user, round=found)[RoundAction.DRY_RUN]
    ):
        return redirect(_detail_url(pk))
    form = DryRunForm(request.POST or None, groups=found.groups.all())
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group, outcome = selectors.round_dry_run(
                actor=request.user,
                round_id=pk,
                group_id=data["group"].pk,
                bids=data["bids"],
                winning_rule=data.get("winning_rule"),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            result = selectors.dry_run_body(group, outcome)
            result["group_obj"] = group
    return render(request, T + "dry_run.html", {"form": form, "round": found, "result": result})
