"""The payment flow's pages [R-ESCROW] [R-PAY-30] [R-DIRECT]: suppliers request payment for
their confirmed invoices and see, per invoice, what was paid; hospital finance approves,
disputes a line or records its transfer into escrow; the agency pays from the fund where the
region settles directly, runs the settlement batches and downloads their bank files; all three
parties see the invoices overdue. The same services and selectors as settlement/api/payments.py
(a refusal is shown as a message by core.middleware)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import NotFoundError
from core.exports import xlsx_response
from core.money import format_cny
from core.permissions import can, require
from core.web import paginate
from settlement.choices import PaymentLineStatus, PaymentRequestStatus
from settlement.selectors import payments as selectors
from settlement.services import payments as services

T = "settlement/payments/"


def _render(request, template: str, context: dict):
    """A page of the flow, with its tabs (the batches tab for those who may read batches)."""
    context["show_batches"] = can(request.user, "settlement_batch.view")
    return render(request, T + template, context)


def _statuses(request, allowed) -> list[str] | None:
    value = request.GET.get("status", "")
    return [value] if value in allowed else None


@login_required
def payment_request_list(request):
    user = request.user
    require(user, "payment_request.view")
    status = _statuses(request, PaymentRequestStatus.values)
    rows = selectors.payment_request_list(actor=user, status=status)
    return _render(
        request,
        "list.html",
        {
            "page": paginate(request, rows),
            "statuses": PaymentRequestStatus.choices,
            "status": status[0] if status else "",
            "can_request": can(user, "payment_request.create"),
            "can_run_batch": can(user, "settlement_batch.run"),
        },
    )


@login_required
def payment_request_new(request):
    """The supplier picks confirmed invoices (to one hospital) and requests their payment."""
    user = request.user
    require(user, "payment_request.create")
    if request.method == "POST":
        created = services.payment_request_create(
            actor=user, invoice_ids=request.POST.getlist("invoice")
        )
        messages.success(
            request,
            _("Payment request %(number)s sent to %(hospital)s.")
            % {"number": created.number, "hospital": created.hospital.name},
        )
        return redirect("settlement:payment_request_detail", pk=created.pk)
    invoices = selectors.payable_invoice_list(actor=user)
    return _render(request, "new.html", {"invoices": invoices[:500]})


@login_required
def payment_request_detail(request, pk: int):
    user = request.user
    shown = selectors.payment_request_get(actor=user, request_id=pk)
    require(user, "payment_request.view")
    return _render(
        request,
        "detail.html",
        {
            "pr": shown,
            "lines": selectors.payment_request_lines(request=shown),
            "actions": selectors.payment_request_actions(actor=user, request=shown),
        },
    )


@login_required
@require_POST
def payment_request_act(request, pk: int, action: str):
    user = request.user
    post = request.POST
    if action == "approve":
        done = services.payment_request_approve(actor=user, request_id=pk)
    elif action == "dispute":
        line = post.get("line", "")
        done = services.payment_request_dispute(
            actor=user,
            request_id=pk,
            line_id=int(line) if line.isdigit() else -1,
            reason=post.get("reason", ""),
        )
    elif action == "pay":
        done = services.payment_request_pay(
            actor=user, request_id=pk, transfer_reference=post.get("transfer_reference", "")
        )
    elif action == "pay_direct":
        done = services.payment_request_pay_direct(actor=user, request_id=pk)
    else:
        raise NotFoundError()
    messages.success(
        request,
        _("Payment request %(number)s: %(status)s.")
        % {"number": done.number, "status": done.get_status_display()},
    )
    return redirect(reverse("settlement:payment_request_detail", kwargs={"pk": pk}))


@login_required
def payment_line_list(request):
    """Per invoice: requested, disputed or paid to the supplier (the receivables view)."""
    user = request.user
    require(user, "payment_request.view")
    status = _statuses(request, PaymentLineStatus.values)
    rows = selectors.payment_line_list(actor=user, status=status)
    return _render(
        request,
        "lines.html",
        {
            "page": paginate(request, rows),
            "statuses": PaymentLineStatus.choices,
            "status": status[0] if status else "",
        },
    )


@login_required
def payment_overdue_list(request):
    """[R-PAY-30] invoices whose supplier was not paid within the deadline after acceptance."""
    user = request.user
    require(user, "payment_request.view")
    rows = selectors.payment_overdue_list(actor=user)
    page = paginate(request, rows)
    for invoice in page:
        invoice.due_on = selectors.due_on(invoice)
    return _render(request, "overdue.html", {"page": page})


@login_required
def direct_settlement_list(request):
    """[R-DIRECT] what the fund paid suppliers on hospitals' behalf, and what is to deduct."""
    user = request.user
    require(user, "payment_request.view")
    undeducted = request.GET.get("undeducted") == "1"
    rows = selectors.direct_settlement_list(actor=user, undeducted=undeducted)
    return _render(
        request, "direct.html", {"page": paginate(request, rows), "undeducted": undeducted}
    )


@login_required
def settlement_batch_list(request):
    user = request.user
    require(user, "settlement_batch.view")
    return _render(
        request,
        "batches.html",
        {
            "page": paginate(request, selectors.settlement_batch_list(actor=user)),
            "can_run": can(user, "settlement_batch.run"),
            "waiting": selectors.settleable_request_list(actor=user)
            if can(user, "settlement_batch.run")
            else None,
        },
    )


@login_required
@require_POST
def settlement_batch_run(request):
    batch = services.settlement_batch_run(actor=request.user)
    messages.success(
        request,
        _("Settlement batch %(number)s paid %(total)s to %(count)s suppliers.")
        % {"number": batch.number, "total": format_cny(batch.total), "count": batch.supplier_count},
    )
    return redirect("settlement:settlement_batch_detail", pk=batch.pk)


@login_required
def settlement_batch_detail(request, pk: int):
    user = request.user
    require(user, "settlement_batch.view")
    batch = selectors.settlement_batch_get(actor=user, batch_id=pk)
    return _render(
        request,
        "batch.html",
        {
            "batch": batch,
            "payouts": selectors.settlement_batch_payouts(actor=user, batch=batch),
            "can_download": can(user, "settlement_batch.run"),
        },
    )


@login_required
def settlement_batch_bank_file(request, pk: int):
    """The bank payment file (XLSX; columns in docs/settlement-bank-file.md)."""
    user = request.user
    require(user, "settlement_batch.view")
    batch = selectors.settlement_batch_get(actor=user, batch_id=pk)
    require(user, "settlement_batch.run")
    return xlsx_response(
        selectors.bank_file_name(batch),
        selectors.bank_file_headers(),
        selectors.bank_file_rows(batch),
        sheet=batch.number,
    )
