"""Pages of purchase contracts (采购协议) [R-VBP-CONTRACT]: the list (filters in the URL:
status, lagging, renewal due, round), one contract with its progress by month, and signing;
the same services as procurement/api/contracts.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import require
from core.slices import parse_district
from core.web import paginate, parse_id
from procurement.choices import ContractAction, ContractStatus
from procurement.selectors import contracts as selectors
from procurement.services import contracts
from procurement.views.common import refused_here

T = "procurement/contracts/"


def list_filters(params) -> dict:
    """The list's filters from a query string (the page and the API read the same)."""
    status = params.get("status", "")
    lagging = params.get("lagging", "")
    return {
        "status": [status] if status in ContractStatus.values else None,
        "lagging": True if lagging == "1" else (False if lagging == "0" else None),
        "renewal_due": params.get("renewal_due") == "1",
        "to_sign": params.get("to_sign") == "1",
        "round_id": parse_id(params.get("round")),
        "district": parse_district(params.get("district")),
    }


@login_required
def contract_list(request):
    require(request.user, "contract.view")
    rows = selectors.contract_list(actor=request.user, **list_filters(request.GET))
    return render(
        request,
        T + "list.html",
        {
            "page": paginate(request, rows),
            "statuses": ContractStatus.choices,
            "params": {
                key: request.GET.get(key, "")
                for key in ("status", "lagging", "renewal_due", "to_sign", "round", "district")
            },
        },
    )


@login_required
def contract_detail(request, pk: int):
    require(request.user, "contract.view")
    found = selectors.contract_get(actor=request.user, contract_id=pk)
    return render(
        request,
        T + "detail.html",
        {
            "contract": found,
            "progress": selectors.contract_progress(contract=found),
            "signatures": selectors.signatures(found),
            "actions": selectors.contract_actions(actor=request.user, contract=found),
        },
    )


@login_required
@require_POST
def contract_sign(request, pk: int):
    found = selectors.contract_get(actor=request.user, contract_id=pk)
    verdicts = selectors.contract_actions(actor=request.user, contract=found)
    url = reverse("procurement:contract_detail", args=[pk])
    if refused_here(request, verdicts[ContractAction.SIGN]):
        return redirect(url)
    signed = contracts.contract_sign(actor=request.user, contract_id=pk)
    if signed.status == ContractStatus.ACTIVE:
        messages.success(request, _("Contract signed by all three parties: it is in force."))
    else:
        messages.success(request, _("Signed. The contract awaits the other parties."))
    return redirect(url)
