"""The credit pages [R-CREDIT] [R-MISCONDUCT]: the bureau records events, keeps the
misconduct catalogue and decides on repairs; an organisation reads its own events, sanctions
and score and applies for repair. The same services and selectors as supervision/api/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import request_actor
from core.errors import DomainError, NotFoundError
from core.forms import add_domain_error
from core.permissions import can, require
from core.web import attachment_response, paginate
from procurement.models.evidence import EVIDENCE_FILE_MAX_BYTES
from supervision.choices import RepairAction
from supervision.forms.credit import (
    CreditEventForm,
    CreditEventSearchForm,
    MisconductItemForm,
    RepairApplyForm,
    RepairSearchForm,
    SanctionSearchForm,
)
from supervision.selectors import credit as selectors
from supervision.services import credit as services

T = "supervision/credit/"
FIELD_ERROR_STATUS = 400


def _file(upload) -> tuple[str, bytes] | None:
    if upload is None:
        return None
    # One byte past the limit is enough to refuse it; never read more into memory.
    return upload.name, upload.read(EVIDENCE_FILE_MAX_BYTES + 1)


@login_required
def credit_event_list(request):
    user = request_actor(request)
    require(user, "credit.view")
    form = CreditEventSearchForm(request.GET or None)
    filters = form.filters()
    rows = selectors.credit_event_list(
        actor=user,
        status=[filters["status"]] if filters.get("status") else None,
        month=filters.get("month"),
    )
    own = None
    if user.organization is not None and not user.organization.is_regulator:
        own = selectors.credit_standing(actor=user, subject_id=user.organization.pk)
    return render(
        request,
        T + "event_list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "standing": own,
            "can_record": can(user, "credit.record"),
        },
    )


@login_required
def credit_event_new(request):
    user = request_actor(request)
    require(user, "credit.record")
    form = CreditEventForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.credit_event_record(
                    actor=user,
                    subject_id=data["subject"].pk,
                    item_code=data["item"].code,
                    occurred_on=data["occurred_on"],
                    description=data["description"],
                    evidence_text=data["evidence_text"],
                    evidence=_file(data.get("evidence")),
                    listing_id=data.get("listing"),
                )
            except DomainError as error:
                if error.http_status not in (FIELD_ERROR_STATUS, 413):
                    raise
                add_domain_error(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Credit event %(event)s recorded against %(subject)s.")
                    % {"event": event.pk, "subject": event.subject.name},
                )
                return redirect("supervision:credit_event_detail", pk=event.pk)
        else:
            status = 400
    return render(request, T + "event_new.html", {"form": form}, status=status)


@login_required
def credit_event_detail(request, pk: int):
    user = request_actor(request)
    event = selectors.credit_event_get(actor=user, event_id=pk)
    repairs = list(event.repairs.all())
    return render(
        request,
        T + "event_detail.html",
        {
            "event": event,
            "actions": selectors.credit_event_actions(actor=user, event=event),
            "repairs": [
                (r, selectors.credit_repair_actions(actor=user, repair=r)) for r in repairs
            ],
            "standing": selectors.credit_standing_unscoped(subject_id=event.subject_id),
            "repair_form": RepairApplyForm(),
        },
    )


@login_required
def credit_event_evidence(request, pk: int):
    event = selectors.credit_event_evidence(actor=request_actor(request), event_id=pk)
    return attachment_response(
        bytes(event.evidence_content or b""),
        content_type=event.evidence_type,
        name=event.evidence_name,
    )


@login_required
@require_POST
def credit_repair_apply(request, pk: int):
    """[R-CREDIT] the supplier applies for the repair of its event, with evidence."""
    user = request_actor(request)
    form = RepairApplyForm(request.POST, request.FILES)
    if not form.is_valid():
        event = selectors.credit_event_get(actor=user, event_id=pk)
        return render(
            request,
            T + "event_detail.html",
            {
                "event": event,
                "actions": selectors.credit_event_actions(actor=user, event=event),
                "repairs": [
                    (r, selectors.credit_repair_actions(actor=user, repair=r))
                    for r in event.repairs.all()
                ],
                "standing": selectors.credit_standing_unscoped(subject_id=event.subject_id),
                "repair_form": form,
            },
            status=400,
        )
    services.credit_repair_apply(
        actor=user,
        event_id=pk,
        statement=form.cleaned_data["statement"],
        evidence=_file(form.cleaned_data.get("evidence")),
    )
    messages.success(request, _("Credit repair applied for: the bureau will decide."))
    return redirect("supervision:credit_event_detail", pk=pk)


@login_required
def credit_repair_list(request):
    user = request_actor(request)
    require(user, "credit.view")
    form = RepairSearchForm(request.GET or None)
    filters = form.filters()
    rows = selectors.repair_list(
        actor=user, status=[filters["status"]] if filters.get("status") else None
    )
    return render(request, T + "repair_list.html", {"form": form, "page": paginate(request, rows)})


@login_required
def credit_repair_evidence(request, pk: int):
    repair = selectors.credit_repair_get(actor=request_actor(request), repair_id=pk)
    if not repair.evidence_name:
        raise NotFoundError()
    content = (
        type(repair).objects.filter(pk=repair.pk).values_list("evidence_content", flat=True)[0]
    )
    return attachment_response(
        bytes(content or b""), content_type=repair.evidence_type, name=repair.evidence_name
    )


@login_required
@require_POST
def credit_repair_decide(request, pk: int, action: str):
    """[R-CREDIT] the bureau approves or rejects a repair, with a reason (a refusal is shown
    as a message by core.middleware)."""
    decisions = {
        RepairAction.APPROVE.value: services.credit_repair_approve,
        RepairAction.REJECT.value: services.credit_repair_reject,
    }
    if action not in decisions:
        raise NotFoundError()
    repair = decisions[action](
        actor=request_actor(request), repair_id=pk, reason=request.POST.get("reason", "")
    )
    messages.success(
        request,
        _("Credit repair %(repair)s: %(status)s.")
        % {"repair": repair.pk, "status": repair.get_status_display()},
    )
    return redirect("supervision:credit_event_detail", pk=repair.event_id)


@login_required
def sanction_list(request):
    user = request_actor(request)
    require(user, "credit.view")
    form = SanctionSearchForm(request.GET or None)
    filters = form.filters()
    rows = selectors.sanction_list(
        actor=user, in_force=not filters.get("ended"), kind=filters.get("kind", "")
    )
    return render(
        request, T + "sanction_list.html", {"form": form, "page": paginate(request, rows)}
    )


@login_required
def misconduct_item_list(request):
    user = request_actor(request)
    rows = selectors.misconduct_item_list(actor=user)
    return render(
        request,
        T + "item_list.html",
        {"items": rows, "can_manage": can(user, "misconduct_item.manage")},
    )


@login_required
def misconduct_item_edit(request, pk: int):
    """[R-MISCONDUCT] the bureau edits an item: level, deduction, sanctions and days."""
    user = request_actor(request)
    item = selectors.misconduct_item_get(actor=user, item_id=pk)
    require(user, "misconduct_item.manage")
    form = MisconductItemForm(request.POST or None, initial=MisconductItemForm.initial_for(item))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.misconduct_item_update(
                    actor=user,
                    item_id=item.pk,
                    name=data["name"],
                    level=data["level"],
                    score_deduction=data["score_deduction"],
                    sanctions=form.sanctions(),
                    repairable=data["repairable"],
                    is_active=data["is_active"],
                )
            except DomainError as error:
                if error.http_status != FIELD_ERROR_STATUS:
                    raise
                add_domain_error(form, error)
                status = 400
            else:
                messages.success(
                    request, _("Misconduct item %(code)s saved.") % {"code": item.code}
                )
                return redirect("supervision:misconduct_item_list")
        else:
            status = 400
    return render(request, T + "item_edit.html", {"form": form, "item": item}, status=status)
