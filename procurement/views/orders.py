"""Order pages: a hospital's orders, a supplier's incoming orders, the order page with the
supplier's answer and the distributor it names.

Every page action calls the same service as its API twin (procurement/api/orders.py); the
services check role, organisation and state. A refusal on a plain action becomes a message on
the page it came from (core.middleware.DomainErrorMiddleware); on a form, it is shown next to
the field or line it is about and the form keeps what was typed (core.forms.attach_error).
Every list exports to XLSX with ``?export=xlsx`` (core.exports escapes formula-like cells).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.exports import export_response
from core.forms import ReasonForm, attach_error
from core.permissions import can, require
from core.web import paginate_keyset, parse_id, status_filter, wants_xlsx
from procurement import exports
from procurement.choices import LineStatus, OrderAction, OrderStatus
from procurement.forms.orders import DistributorForm, OrderSearchForm, RespondForm
from procurement.selectors import deliveries as delivery_selectors
from procurement.selectors import invoices as invoice_selectors
from procurement.selectors import orders as selectors
from procurement.services import orders
from procurement.views.common import FIELD_ERROR_STATUS, is_hospital, org_id

T = "procurement/orders/"


# The work queues of ``?todo=`` (selectors.order_todo_filter), named above the list.
ORDER_TODO_LABELS = {
    selectors.TODO_ANSWER: gettext_lazy("Orders to answer"),
    selectors.TODO_DELIVER: gettext_lazy("Orders with lines to deliver"),
    selectors.TODO_INVOICE: gettext_lazy("Orders with goods to invoice"),
}


@login_required
def order_list(request):
    """A hospital's orders, a supplier's incoming orders, the regulators' region."""
    user = request.user
    require(user, "order.view")
    if wants_xlsx(request):
        return export_response(user, exports.ORDERS, request.GET)
    hospital_side = is_hospital(user)
    side = "supplier" if hospital_side else "hospital"
    counterparts = selectors.order_counterparts(actor=user)
    form = OrderSearchForm(
        request.GET if request.GET else None,
        counterparts=counterparts,
        label=_("Supplier") if hospital_side else _("Hospital"),
    )
    filters = form.filters()
    tab, status = status_filter(request, OrderStatus)
    todo = request.GET.get("todo", "")
    todo = todo if todo in selectors.ORDER_TODOS else ""
    drill = selectors.order_slice(request.GET)
    rows = selectors.order_list(
        actor=user,
        status=status,
        todo=todo,
        number=filters.get("number", ""),
        created_from=filters.get("date_from"),
        created_to=filters.get("date_to"),
        **{f"{side}_id": filters.get("counterpart")},
        **drill,
    )
    regulator = not hospital_side and not getattr(user.organization, "is_supplier", False)
    counts = selectors.order_status_counts(actor=user)
    tabs = [
        (value, label, counts.get(value, 0))
        for value, label in OrderStatus.choices
        if hospital_side or value != OrderStatus.DRAFT
    ]
    return render(
        request,
        T + "list.html",
        {
            "page": paginate_keyset(request, rows, key="created_at"),
            "form": form,
            "params": request.GET,
            "tab": tab,
            "tabs": tabs,
            "todo": todo,
            # The dashboard's drill-down (month, district, purchases): the rows it counted.
            "drill": drill if any(drill.values()) else None,
            "drill_count": rows.count() if any(drill.values()) else None,
            "todo_label": ORDER_TODO_LABELS.get(todo, ""),
            "total_count": sum(counts.values()),
            "hospital_side": hospital_side,
            "regulator": regulator,
            "title": _order_list_title(hospital_side=hospital_side, regulator=regulator, tab=tab),
            "can_place": can(user, "order.place") and hospital_side,
        },
    )


def _order_list_title(*, hospital_side: bool, regulator: bool, tab: str) -> str:
    """The order list's title says what it shows: whose orders, and the status tab chosen (a
    supplier's submitted orders are the ones waiting for its answer)."""
    if not hospital_side and not regulator and tab == OrderStatus.SUBMITTED:
        return _("Incoming orders")
    if hospital_side:
        base = _("Orders")
    elif regulator:
        base = _("Orders in the region")
    else:
        base = _("Orders received")
    if tab in OrderStatus.values:
        return _("%(orders)s: %(status)s") % {"orders": base, "status": OrderStatus(tab).label}
    return base


def _render_order(request, order, *, respond_form=None, status: int = 200):
    """The order page: what it offers is ``order_actions`` (the services' own checks), and
    each delivery note and invoice row its own actions."""
    user = request.user
    lines = list(order.lines.all())
    actions = selectors.order_actions(actor=user, order=order)
    deliveries = list(delivery_selectors.delivery_list(actor=user, order_id=order.pk))
    for delivery in deliveries:
        delivery.actions = delivery_selectors.delivery_actions(actor=user, delivery=delivery)
    context = {
        "order": order,
        "lines": lines,
        "hospital_side": org_id(user) == order.hospital_id,
        "actions": actions,
        "deliveries": deliveries,
        "invoices": list(invoice_selectors.invoice_list(actor=user, order_id=order.pk)),
        "cancel_form": ReasonForm(),
    }
    if actions[OrderAction.RESPOND]:
        pending = [line for line in lines if line.status == LineStatus.PENDING]
        form = respond_form or RespondForm(lines=pending)
        context["respond_form"] = form
        context["respond_rows"] = [
            {
                "line": line,
                "decision": form[f"decision_{line.pk}"],
                "promised_on": form[f"promised_on_{line.pk}"],
                "reason": form[f"reason_{line.pk}"],
            }
            for line in pending
        ]
    if actions[OrderAction.CHOOSE_DISTRIBUTOR]:
        context["distributor_form"] = DistributorForm(
            initial={"distributor": order.distributor_id},
            distributors=selectors.order_distributor_choices(order=order),
            supplier_name=order.supplier.name,
        )
    return render(request, T + "detail.html", context, status=status)


@login_required
def order_detail(request, pk: int):
    order = selectors.order_get(actor=request.user, order_id=pk)
    return _render_order(request, order)


@login_required
@require_POST
def order_submit(request, pk: int):
    order = orders.order_submit(actor=request.user, order_id=pk)
    messages.success(
        request,
        _("Order %(number)s was sent to %(supplier)s.")
        % {"number": order.number, "supplier": order.supplier.name},
    )
    return redirect("procurement:order_detail", pk)


@login_required
@require_POST
def order_cancel(request, pk: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling."))
        return redirect("procurement:order_detail", pk)
    order = orders.order_cancel(actor=request.user, order_id=pk, reason=form.cleaned_data["reason"])
    messages.success(request, _("Order %(number)s was cancelled.") % {"number": order.number})
    return redirect("procurement:order_detail", pk)


@login_required
@require_POST
def order_respond(request, pk: int):
    """The supplier's answer: confirm (promised date) or reject (reason) each pending line."""
    order = selectors.order_get(actor=request.user, order_id=pk)
    pending = [line for line in order.lines.all() if line.status == LineStatus.PENDING]
    form = RespondForm(request.POST, lines=pending)
    if form.is_valid():
        try:
            order = orders.order_respond(
                actor=request.user, order_id=pk, answers=form.cleaned_data["answers"]
            )
        except DomainError as error:
            if error.http_status != FIELD_ERROR_STATUS:
                raise
            attach_error(form, error)
        else:
            messages.success(
                request,
                _("Answer sent. Order %(number)s is %(status)s.")
                % {"number": order.number, "status": order.get_status_display()},
            )
            return redirect("procurement:order_detail", pk)
    return _render_order(request, order, respond_form=form, status=FIELD_ERROR_STATUS)


@login_required
@require_POST
def order_distributor(request, pk: int):
    """[R-ORDER-DELIVERY] the supplier names the distributor that delivers (or itself)."""
    distributor_id = parse_id(request.POST.get("distributor"))
    order = orders.order_distributor_set(
        actor=request.user, order_id=pk, distributor_id=distributor_id
    )
    if order.distributor is not None:
        text = _("%(name)s will deliver order %(number)s.") % {
            "name": order.distributor.name,
            "number": order.number,
        }
    else:
        text = _("You deliver order %(number)s yourself.") % {"number": order.number}
    messages.success(request, text)
    return redirect("procurement:order_detail", pk)
