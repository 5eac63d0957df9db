"""Delivery note pages: the carrier ships (quantity and UDI scan per line), the hospital
accepts at the door with its scanner, returns goods; the printable delivery note; the list.

Every page action calls the same service as its API twin (procurement/api/deliveries.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError
from core.exports import export_response
from core.forms import attach_error
from core.permissions import require
from core.web import paginate_keyset, parse_id, status_filter, wants_xlsx
from procurement import exports
from procurement.choices import DeliveryAction, DeliveryStatus, OrderAction
from procurement.forms.deliveries import AcceptForm, DeliveryForm, ReturnForm
from procurement.selectors import deliveries as delivery_selectors
from procurement.selectors import orders as selectors
from procurement.services import deliveries
from procurement.views.common import FIELD_ERROR_STATUS, refused_here

T = "procurement/orders/"


@login_required
def delivery_create(request, pk: int):
    """A delivery note for (part of) a confirmed order: a quantity and a UDI scan per line."""
    user = request.user
    order = selectors.order_get(actor=user, order_id=pk)
    allowed = selectors.order_actions(actor=user, order=order)[OrderAction.DELIVER]
    if refused_here(request, allowed):
        return redirect("procurement:order_detail", pk)
    lines = [line for line in order.lines.all() if line.deliverable_quantity]
    form = DeliveryForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            delivery = deliveries.delivery_create(
                actor=user, order_id=pk, lines=form.cleaned_data["lines"]
            )
        except DomainError as error:
            if error.http_status != FIELD_ERROR_STATUS:
                raise
            attach_error(form, error, scanned=form.scanned())
        else:
            messages.success(
                request, _("Delivery note %(number)s created.") % {"number": delivery.number}
            )
            return redirect("procurement:delivery_detail", delivery.pk)
    status = FIELD_ERROR_STATUS if form.is_bound and form.errors else 200
    rows = [
        {
            "line": line,
            "quantity": form[f"quantity_{line.pk}"],
            "barcode": form[f"barcode_{line.pk}"],
        }
        for line in lines
    ]
    return render(
        request,
        T + "delivery_form.html",
        {"order": order, "rows": rows, "form": form},
        status=status,
    )


def _render_delivery(request, delivery, *, accept_form=None, status: int = 200):
    user = request.user
    actions = delivery_selectors.delivery_actions(actor=user, delivery=delivery)
    lines = list(delivery.lines.all())
    context = {
        "delivery": delivery,
        "order": delivery.order,
        "lines": lines,
        "actions": actions,
    }
    if actions[DeliveryAction.ACCEPT]:
        context["accept_form"] = accept_form or AcceptForm(lines=lines)
        context["accept_rows"] = [
            {
                "line": line,
                "accepted": context["accept_form"][f"accepted_{line.pk}"],
                "refused": context["accept_form"][f"refused_{line.pk}"],
                "reason": context["accept_form"][f"reason_{line.pk}"],
                "barcodes": context["accept_form"].barcodes(line.pk),
            }
            for line in lines
        ]
    return render(request, T + "delivery_detail.html", context, status=status)


@login_required
def delivery_detail(request, pk: int):
    delivery = delivery_selectors.delivery_get(actor=request.user, delivery_id=pk)
    return _render_delivery(request, delivery)


@login_required
@require_POST
def delivery_scan(request, pk: int):
    """The acceptance scan box (htmx): the scanned barcode ticks the line it matches, or says
    why it is refused (another product, an expired lot, another lot than declared)."""
    barcode = request.POST.get("barcode", "").strip()
    try:
        match = delivery_selectors.delivery_scan_match(
            actor=request.user, delivery_id=pk, barcode=barcode
        )
    except DomainError as error:
        if error.http_status in (403, 404):
            raise
        if not request.htmx:
            messages.error(request, error.message)
            return redirect("procurement:delivery_detail", pk)
        return render(request, T + "partials/scan_result.html", {"error": error})
    product = match.line.order_line.consumable
    if not request.htmx:
        messages.success(
            request,
            _("The barcode matches %(product)s, lot %(lot)s.")
            % {"product": product, "lot": match.line.lot or "-"},
        )
        return redirect("procurement:delivery_detail", pk)
    return render(request, T + "partials/scan_result.html", {"match": match, "barcode": barcode})


@login_required
@require_POST
def delivery_accept(request, pk: int):
    delivery = delivery_selectors.delivery_get(actor=request.user, delivery_id=pk)
    form = AcceptForm(request.POST, lines=list(delivery.lines.all()))
    if form.is_valid():
        try:
            accepted = deliveries.delivery_accept(
                actor=request.user, delivery_id=pk, lines=form.cleaned_data["lines"]
            )
        except DomainError as error:
            if error.http_status != FIELD_ERROR_STATUS:
                raise
            attach_error(form, error)
        else:
            messages.success(
                request,
                _("Delivery note %(number)s: %(status)s.")
                % {"number": accepted.number, "status": accepted.get_status_display()},
            )
            return redirect("procurement:delivery_detail", pk)
    return _render_delivery(request, delivery, accept_form=form, status=FIELD_ERROR_STATUS)


@login_required
@require_POST
def delivery_return(request, pk: int, line_id: int):
    """Return accepted goods not yet invoiced, with a reason."""
    form = ReturnForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("procurement:delivery_detail", pk)
    deliveries.return_register(
        actor=request.user,
        delivery_line_id=line_id,
        quantity=form.cleaned_data["quantity"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(
        request, _("Return of %(n)s registered.") % {"n": form.cleaned_data["quantity"]}
    )
    return redirect("procurement:delivery_detail", pk)


@login_required
def delivery_print(request, pk: int):
    """The printable delivery note (配送单), with the acceptance record once answered."""
    delivery = delivery_selectors.delivery_get(actor=request.user, delivery_id=pk)
    lines = list(delivery.lines.all())
    return render(
        request,
        T + "delivery_print.html",
        {
            "delivery": delivery,
            "order": delivery.order,
            "lines": lines,
            "answered": delivery.status != DeliveryStatus.SHIPPED,
            "totals": delivery_selectors.delivery_totals(lines),
            "printed_at": clock.now(),
        },
    )


@login_required
def delivery_list(request):
    user = request.user
    require(user, "order.view")
    if wants_xlsx(request):
        return export_response(user, exports.DELIVERY_LINES, request.GET)
    tab, status = status_filter(request, DeliveryStatus)
    rows = delivery_selectors.delivery_list(
        actor=user,
        status=status,
        order_id=parse_id(request.GET.get("order")),
        returned=request.GET.get("returned") == "1",
    )
    return render(
        request,
        T + "delivery_list.html",
        {
            "page": paginate_keyset(request, rows, key="shipped_at"),
            "params": request.GET,
            "tab": tab,
            "tabs": DeliveryStatus.choices,
        },
    )
