"""Pages of what follows a final round: its award (winners, payment standards, stepped
targets, the allocation), the hospitals' choice among the winners, and the bureau's actions
(apply the results, allocate, decide the renewal); the same services as
procurement/api/awards.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import add_domain_error
from core.permissions import require
from core.web import parse_id
from procurement.choices import AwardAction, RenewalDecision
from procurement.forms.awards import RenewalForm
from procurement.selectors import awards as selectors
from procurement.selectors import contracts as contract_selectors
from procurement.selectors.rounds import round_party_check
from procurement.services import awards, contracts
from procurement.views.common import FIELD_ERROR_STATUS, refused_here

T = "procurement/rounds/"


def _awards_url(pk) -> str:
    return reverse("procurement:round_awards", args=[pk])


def _manages(user, found) -> bool:
    try:
        round_party_check(actor=user, round=found, permission="award.manage")
    except DomainError:
        return False
    return True


@login_required
def round_awards(request, pk: int, renewal_form=None, renewal_group=None):
    """[R-VBP-COMPANION] [R-VBP-STEPPED] [R-PAY-STANDARD] the award of a final round."""
    require(request.user, "award.view")
    found = selectors.round_award_get(actor=request.user, round_id=pk)
    manages = _manages(request.user, found)
    groups = selectors.round_award_groups(actor=request.user, round=found)
    if manages:
        for group in groups:
            group.renewal_form = (
                renewal_form
                if renewal_group == group.group.pk
                else RenewalForm(initial={"decision": RenewalDecision.RENEW})
            )
            group.contracts = contract_selectors.contract_list(
                actor=request.user, group_id=group.group.pk
            ).count()
    return render(
        request,
        T + "awards.html",
        {
            "round": found,
            "award": selectors.round_award(round=found),
            "groups": groups,
            "actions": selectors.award_actions(actor=request.user, round=found),
            "manages": manages,
        },
    )


@login_required
@require_POST
def round_apply(request, pk: int):
    found = selectors.round_award_get(actor=request.user, round_id=pk)
    verdicts = selectors.award_actions(actor=request.user, round=found)
    if refused_here(request, verdicts[AwardAction.APPLY]):
        return redirect(_awards_url(pk))
    awards.round_apply_results(actor=request.user, round_id=pk)
    messages.success(request, _("Results applied: winners are listed as Preferred."))
    return redirect(_awards_url(pk))


@login_required
@require_POST
def round_allocate(request, pk: int):
    found = selectors.round_award_get(actor=request.user, round_id=pk)
    verdicts = selectors.award_actions(actor=request.user, round=found)
    if refused_here(request, verdicts[AwardAction.ALLOCATE]):
        return redirect(_awards_url(pk))
    made = awards.round_allocate(actor=request.user, round_id=pk)
    messages.success(
        request,
        _("Volume allocated: %(count)s contracts await signatures.") % {"count": len(made)},
    )
    return redirect(reverse("procurement:contract_list") + f"?round={pk}")


@login_required
def round_choices(request, pk: int):
    """[R-VBP-VOLUME] a hospital chooses how much of its agreed volume goes to which winner;
    the rest goes to the best-ranked winner."""
    found = selectors.round_award_get(actor=request.user, round_id=pk)
    verdicts = selectors.award_actions(actor=request.user, round=found)
    if refused_here(request, verdicts[AwardAction.CHOOSE]):
        return redirect(_awards_url(pk))
    hospital = selectors.hospital_party_check(actor=request.user, round=found)
    groups = selectors.hospital_choice_groups(hospital=hospital, round=found)
    error = None
    typed: dict[int, str] = {}
    if request.method == "POST":
        lines = []
        for group in groups:
            for winner in group.winners:
                raw = request.POST.get(f"qty_{winner.result.pk}", "").strip()
                typed[winner.result.pk] = raw
                if raw == "":
                    continue
                number = parse_id(raw)
                lines.append(
                    {"result": winner.result.pk, "quantity": raw if number is None else number}
                )
        try:
            awards.allocation_choose(actor=request.user, round_id=pk, lines=lines)
        except DomainError as refusal:
            if refusal.http_status != FIELD_ERROR_STATUS:
                raise
            error = refusal.message
        else:
            messages.success(
                request, _("Choices saved. The rest of your agreed volume goes by rank.")
            )
            return redirect(_awards_url(pk))
    for group in groups:
        for winner in group.winners:
            value = typed.get(winner.result.pk)
            if value is None:
                chosen = group.chosen.get(winner.result.pk)
                value = "" if chosen is None else str(chosen)
            group.rows.append((winner, value))
    return render(
        request,
        T + "choices.html",
        {
            "round": found,
            "award": selectors.round_award(round=found),
            "groups": groups,
            "error": error,
        },
    )


@login_required
@require_POST
def group_decide(request, pk: int, group_id: int):
    """[R-VBP-CONTRACT] the bureau renews a group's contracts or tenders it anew."""
    require(request.user, "award.manage")
    selectors.round_award_get(actor=request.user, round_id=pk)
    form = RenewalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == RenewalDecision.RENEW:
                made = contracts.group_renew(
                    actor=request.user,
                    round_id=pk,
                    group_id=group_id,
                    price_cut=data["price_cut"],
                    reason=data["reason"],
                )
                messages.success(
                    request,
                    _("Renewed: %(count)s contracts for the next cycle await signatures.")
                    % {"count": len(made)},
                )
            else:
                contracts.group_retender(
                    actor=request.user, round_id=pk, group_id=group_id, reason=data["reason"]
                )
                messages.success(
                    request, _("Contracts closed; the group is marked for a new round.")
                )
        except DomainError as error:
            if error.http_status != FIELD_ERROR_STATUS:
                raise
            add_domain_error(form, error)
        else:
            return redirect(_awards_url(pk))
    return round_awards(request, pk, renewal_form=form, renewal_group=group_id)
