"""Invoice pages: the carrier registers an invoice for accepted goods (amounts from the order's
prices, previewed before saving), hospital finance confirms or rejects it.

Every page action calls the same service as its API twin (procurement/api/invoices.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.exports import export_response
from core.forms import ReasonForm, attach_error
from core.money import ZERO, format_cny
from core.permissions import can, require
from core.web import paginate_keyset, parse_id, redirect_back, status_filter, wants_xlsx
from procurement import exports
from procurement.choices import InvoiceStatus, OrderAction
from procurement.forms.invoices import InvoiceForm
from procurement.selectors import invoices as invoice_selectors
from procurement.selectors import orders as selectors
from procurement.services import invoices
from procurement.views.common import FIELD_ERROR_STATUS, refused_here

T = "procurement/orders/"


def _issuers(user, order) -> list:
    """[R-TWO-INVOICE] who issued the invoice: the actor's organisation first, then the
    order's manufacturer and its named distributor (the service checks the rule)."""
    issuers = [user.organization]
    for org in (order.supplier, order.distributor):
        if org is not None and org.pk not in {known.pk for known in issuers}:
            issuers.append(org)
    return issuers


def _invoice_preview(form: InvoiceForm, lines) -> dict:
    """Amounts from the order's prices for the quantities typed, shown before registering."""
    quantities = form.quantities()
    rows = []
    for line in lines:
        quantity = quantities.get(line.pk, 0)
        rows.append(
            {
                "line": line,
                "quantity": quantity,
                "amount": line.amount_of(quantity),
                "field": form[f"quantity_{line.pk}"],
            }
        )
    return {"preview_rows": rows, "preview_total": sum((r["amount"] for r in rows), ZERO)}


@login_required
def invoice_register(request, pk: int):
    user = request.user
    order = selectors.order_get(actor=user, order_id=pk)
    allowed = selectors.order_actions(actor=user, order=order)[OrderAction.INVOICE]
    if refused_here(request, allowed):
        return redirect("procurement:order_detail", pk)
    lines = [line for line in order.lines.all() if line.invoicable_quantity]
    issuers = _issuers(user, order)
    preview_only = request.POST.get("preview") == "1"
    if preview_only:
        # Recalculating is not submitting: show what was typed, without "required" errors.
        form = InvoiceForm(initial=request.POST.dict(), lines=lines, issuers=issuers)
    else:
        form = InvoiceForm(request.POST or None, lines=lines, issuers=issuers)
    if request.method == "POST" and not preview_only and form.is_valid():
        data = form.cleaned_data
        by_id = {line.pk: line for line in lines}
        sent = [
            {
                "order_line": row["order_line"],
                "quantity": row["quantity"],
                "amount": str(by_id[row["order_line"]].amount_of(row["quantity"])),
            }
            for row in data["lines"]
        ]
        total = sum((Decimal(row["amount"]) for row in sent), ZERO)
        try:
            invoice = invoices.invoice_register(
                actor=user,
                order_id=pk,
                number=data["number"],
                issued_on=data["issued_on"],
                amount=str(total),
                lines=sent,
                issuer_id=data["issuer"],
            )
        except DomainError as error:
            if error.http_status != FIELD_ERROR_STATUS:
                raise
            if error.code == "two_invoice_rule":
                form.add_error("issuer", error.message)
                form.mark_invalid()
            elif error.code == "invoice_number_taken":
                form.add_error("number", error.message)
                form.mark_invalid()
            elif error.code == "invoice_date_invalid":
                form.add_error("issued_on", error.message)
                form.mark_invalid()
            else:
                attach_error(form, error)
        else:
            messages.success(
                request,
                _("Invoice %(number)s for %(amount)s registered; the hospital confirms it.")
                % {"number": invoice.number, "amount": format_cny(invoice.amount)},
            )
            return redirect("procurement:invoice_detail", invoice.pk)
    status = FIELD_ERROR_STATUS if form.is_bound and form.errors else 200
    context = {"order": order, "form": form, **_invoice_preview(form, lines)}
    return render(request, T + "invoice_form.html", context, status=status)


@login_required
def invoice_list(request):
    """Hospital finance opens on the invoices to confirm; everyone else on all of theirs."""
    user = request.user
    require(user, "order.view")
    if wants_xlsx(request):
        return export_response(user, exports.INVOICES, request.GET)
    default = InvoiceStatus.REGISTERED if can(user, "invoice.confirm") else ""
    tab, status = status_filter(request, InvoiceStatus, default=default)
    rows = invoice_selectors.invoice_list(
        actor=user,
        status=status,
        order_id=parse_id(request.GET.get("order")),
        unpaid=request.GET.get("unpaid") == "1",
        **invoice_selectors.invoice_slice(request.GET),
    )
    page = paginate_keyset(request, rows, key="registered_at")
    for invoice in page:
        invoice.actions = invoice_selectors.invoice_actions(actor=user, invoice=invoice)
    return render(
        request,
        T + "invoice_list.html",
        {
            "page": page,
            "params": request.GET,
            "tab": tab,
            "tabs": InvoiceStatus.choices,
            "can_confirm": can(user, "invoice.confirm"),
        },
    )


@login_required
def invoice_detail(request, pk: int):
    user = request.user
    invoice = invoice_selectors.invoice_get(actor=user, invoice_id=pk)
    actions = invoice_selectors.invoice_actions(actor=user, invoice=invoice)
    return render(
        request,
        T + "invoice_detail.html",
        {"invoice": invoice, "actions": actions, "reject_form": ReasonForm()},
    )


@login_required
@require_POST
def invoice_confirm(request, pk: int):
    invoice = invoices.invoice_confirm(actor=request.user, invoice_id=pk)
    messages.success(
        request,
        _("Invoice %(number)s confirmed: it is ready for settlement.") % {"number": invoice.number},
    )
    return redirect_back(request, reverse("procurement:invoice_detail", args=[pk]))


@login_required
@require_POST
def invoice_reject(request, pk: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for rejecting the invoice."))
        return redirect("procurement:invoice_detail", pk)
    invoice = invoices.invoice_reject(
        actor=request.user, invoice_id=pk, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Invoice %(number)s rejected.") % {"number": invoice.number})
    return redirect("procurement:invoice_detail", pk)
