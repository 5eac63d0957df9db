"""The fund's pages: ledger accounts and statements, the advance fund [R-ADVANCE]
[R-ADVANCE-OFFSET] and the monthly fund settlement [R-FUND-MONTHLY]. The same services and
selectors as settlement/api/fund.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization
from core import permissions
from core.errors import DomainError
from core.forms import add_domain_error
from core.permissions import require
from core.web import paginate
from settlement.choices import FundSettlementStatus
from settlement.forms.fund import (
    AdvanceSearchForm,
    FundClaimForm,
    FundClaimsImportForm,
    FundSettlementOpenForm,
    FundSettlementSearchForm,
)
from settlement.selectors import advances as advance_selectors
from settlement.selectors import fund as fund_selectors
from settlement.selectors import ledger as ledger_selectors
from settlement.services import advances as advance_services
from settlement.services import fund as fund_services

T = "settlement/"
FIELD_ERROR_STATUS = 400


@login_required
def fund_settlement_list(request):
    user = request.user
    require(user, "fund_settlement.view")
    form = FundSettlementSearchForm(request.GET or None)
    filters = form.filters()
    rows = fund_selectors.fund_settlement_list(
        actor=user,
        status=filters.get("status", ""),
        month=filters["month"].replace(day=1) if filters.get("month") else None,
    )
    manage = permissions.can(user, "fund_settlement.manage")
    hospitals = Organization.objects.visible_to(user).hospitals() if manage else None
    return render(
        request,
        T + "fund/list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "manage": manage,
            "open_form": FundSettlementOpenForm(hospitals=hospitals) if manage else None,
            "import_form": FundClaimsImportForm() if manage else None,
        },
    )


@login_required
@require_POST
def fund_settlement_open(request):
    user = request.user
    require(user, "fund_settlement.manage")
    form = FundSettlementOpenForm(
        request.POST, hospitals=Organization.objects.visible_to(user).hospitals()
    )
    if not form.is_valid():
        messages.error(request, _("Choose a hospital and a month."))
        return redirect("settlement:fund_settlement_list")
    settlement = fund_services.fund_settlement_open(
        actor=user,
        hospital_id=form.cleaned_data["hospital"].pk,
        month=form.cleaned_data["month"],
    )
    return redirect("settlement:fund_settlement_detail", pk=settlement.pk)


@login_required
@require_POST
def fund_claims_import(request):
    user = request.user
    require(user, "fund_settlement.manage")
    form = FundClaimsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the month and an XLSX file."))
        return redirect("settlement:fund_settlement_list")
    upload = form.cleaned_data["file"]
    if upload.size > fund_services.MAX_IMPORT_BYTES:
        messages.error(request, _("The file is larger than 10 MB."))
        return redirect("settlement:fund_settlement_list")
    claims = fund_services.fund_claims_import(
        actor=user, month=form.cleaned_data["month"], file=upload
    )
    messages.success(request, _("%(count)s claims imported.") % {"count": len(claims)})
    return redirect(reverse("settlement:fund_settlement_list") + "?status=draft")


@login_required
def fund_settlement_detail(request, pk: int):
    user = request.user
    settlement = fund_selectors.fund_settlement_get(actor=user, settlement_id=pk)
    actions = fund_selectors.fund_settlement_actions(actor=user, settlement=settlement)
    form = FundClaimForm(request.POST or None) if actions["add_claim"] else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            fund_services.fund_claim_add(
                actor=user,
                settlement_id=pk,
                reference=form.cleaned_data["reference"],
                amount=form.cleaned_data["amount"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            if error.http_status not in (FIELD_ERROR_STATUS, 409):
                raise
            add_domain_error(form, error)
        else:
            messages.success(request, _("Claim added."))
            return redirect("settlement:fund_settlement_detail", pk=pk)
    plan = (
        fund_selectors.fund_plan(settlement=settlement)
        if settlement.status == FundSettlementStatus.DRAFT
        else None
    )
    return render(
        request,
        T + "fund/detail.html",
        {"settlement": settlement, "actions": actions, "form": form, "plan": plan},
    )


@login_required
@require_POST
def fund_settlement_settle(request, pk: int):
    settlement = fund_services.fund_settlement_settle(actor=request.user, settlement_id=pk)
    messages.success(
        request,
        _("Fund settlement of %(hospital)s for %(month)s settled.")
        % {"hospital": settlement.hospital.name, "month": f"{settlement.month:%Y-%m}"},
    )
    return redirect("settlement:fund_settlement_detail", pk=pk)


@login_required
def advance_list(request):
    user = request.user
    form = AdvanceSearchForm(request.GET or None)
    filters = form.filters()
    rows = advance_selectors.advance_list(actor=user)
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    return render(
        request,
        T + "advances/list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "pay": permissions.can(user, "advance.pay"),
        },
    )


@login_required
@require_POST
def advance_pay_due(request):
    paid = advance_services.advances_pay_due(actor=request.user)
    messages.success(request, _("%(count)s advances paid.") % {"count": len(paid)})
    return redirect("settlement:advance_list")


@login_required
def advance_detail(request, pk: int):
    advance = advance_selectors.advance_get(actor=request.user, advance_id=pk)
    offsets = advance.offsets.select_related("settlement").order_by("pk")
    return render(request, T + "advances/detail.html", {"advance": advance, "offsets": offsets})


@login_required
def account_list(request):
    rows = ledger_selectors.account_list(actor=request.user)
    return render(request, T + "accounts/list.html", {"page": paginate(request, rows)})


@login_required
def account_detail(request, pk: int):
    account = ledger_selectors.account_get(actor=request.user, account_id=pk)
    postings = ledger_selectors.account_statement(account_id=account.pk)
    return render(
        request,
        T + "accounts/detail.html",
        {"account": account, "page": paginate(request, postings)},
    )


@login_required
def ledger_check_list(request):
    drift = request.GET.get("ok") == "0"
    rows = ledger_selectors.ledger_check_list(actor=request.user, ok=False if drift else None)
    return render(
        request, T + "accounts/checks.html", {"page": paginate(request, rows), "drift": drift}
    )
