"""Order pages: the purchaser's cart and orders, the supplier's incoming orders, delivery notes
with acceptance at the door, returns, invoices and usage records.

Every page action calls the same service as its API twin (procurement/api/orders.py); the
services check role, organisation and state. A refusal on a plain action becomes a message on
the page it came from (core.middleware.DomainErrorMiddleware); on a form, it is shown next to
the field or line it is about and the form keeps what was typed (core.forms.attach_error).
Every list exports to XLSX with ``?export=xlsx`` (core.exports escapes formula-like cells).

The cart lives in the session as the lines the purchaser typed, quantities as typed; prices,
catalogue, label and the alternate-catalogue cap always come from ``order_quote``, so the page
never shows a price the server did not compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from core import clock
from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.exports import xlsx_response
from core.forms import ReasonForm, attach_error
from core.money import ZERO, format_cny, quantize
from core.permissions import can, require
from core.web import local_time, paginate, parse_id, redirect_back, wants_xlsx
from procurement.choices import (
    Catalogue,
    DeliveryStatus,
    InvoiceStatus,
    LineStatus,
    ListingStatus,
    OrderStatus,
    PurchaseLabel,
)
from procurement.errors import RestrictedReasonRequiredError
from procurement.forms.deliveries import AcceptForm, DeliveryForm, ReturnForm
from procurement.forms.invoices import InvoiceForm
from procurement.forms.orders import DistributorForm, OrderSearchForm, RespondForm
from procurement.forms.usage import UsageSearchForm
from procurement.selectors import cart as cart_selectors
from procurement.selectors import deliveries as delivery_selectors
from procurement.selectors import invoices as invoice_selectors
from procurement.selectors import listings as listing_selectors
from procurement.selectors import orders as selectors
from procurement.selectors import purchase_plans as plan_selectors
from procurement.selectors import usage as usage_selectors
from procurement.services import deliveries, invoices, orders

T = "procurement/orders/"
CART_KEY = "yg_cart"
# Refusals a form shows next to its fields; anything else (403, 404, a wrong state) is left
# to DomainErrorMiddleware.
FIELD_ERROR_STATUS = 400


# ---------------------------------------------------------------------------------------------
# Helpers


def _org_id(user) -> int | None:
    return getattr(user, "organization_id", None)


def _is_hospital(user) -> bool:
    org = getattr(user, "organization", None)
    return org is not None and org.is_hospital


def _statuses(request, choices, *, default: str = "") -> tuple[str, list[str]]:
    """The status tab chosen (``all`` or one status), and the filter for the selector."""
    chosen = request.GET.get("status", default) or "all"
    if chosen not in choices.values:
        return "all", []
    return chosen, [chosen]


@dataclass
class Party:
    """What the viewer is to an order: which actions the page offers (the services decide)."""

    hospital: bool
    supplier: bool
    distributor: bool

    @classmethod
    def of(cls, user, order) -> Party:
        org_id = _org_id(user)
        return cls(
            hospital=org_id == order.hospital_id,
            supplier=org_id == order.supplier_id,
            distributor=order.distributor_id is not None and org_id == order.distributor_id,
        )

    @property
    def carrier(self) -> bool:
        return self.supplier or self.distributor


def _annotate_lines(order) -> list:
    """The figures the order page shows per line (the services keep the counters)."""
    lines = list(order.lines.all())
    live = order.status == OrderStatus.CONFIRMED
    for line in lines:
        confirmed = line.status == LineStatus.CONFIRMED
        line.confirmed_quantity = line.quantity if confirmed else 0
        line.outstanding = line.quantity - line.delivered_quantity if confirmed and live else 0
        line.kept = line.accepted_quantity - line.returned_quantity
        line.invoicable = line.kept - line.invoiced_quantity if confirmed and live else 0
    return lines


def _distributor_choices(user, order, lines) -> list:
    """Distributors the manufacturer authorised for every live line in the hospital's region:
    the choices offered; the service checks the authorisation again."""
    live = [line for line in lines if line.status in (LineStatus.PENDING, LineStatus.CONFIRMED)]
    listing_ids = {line.listing_id for line in live}
    candidates: dict[int, Any] = {}
    for listing_id in sorted(listing_ids):
        try:
            rows = listing_selectors.listing_distributor_list(actor=user, listing_id=listing_id)
        except NotFoundError:
            return []  # a listing the viewer no longer sees: offer none, the service decides
        for row in rows:
            candidates.setdefault(row.distributor_id, row.distributor)
    region = order.hospital.region_code
    return [
        distributor
        for distributor_id, distributor in sorted(candidates.items(), key=lambda x: x[1].name)
        if listing_ids
        and listing_selectors.authorised_listing_ids(
            distributor_id=distributor_id, listing_ids=listing_ids, region_code=region
        )
        == listing_ids
    ]


# ---------------------------------------------------------------------------------------------
# The cart and placing an order


@dataclass
class CartRow:
    listing_id: int
    quantity: str
    reason: str
    listing: Any = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    error: DomainError | None = None

    @property
    def restricted(self) -> bool:
        return self.listing is not None and self.listing.label == PurchaseLabel.RESTRICTED


def _cart(request) -> dict:
    cart = request.session.get(CART_KEY) or {}
    return {
        "lines": list(cart.get("lines") or []),
        "note": cart.get("note", ""),
        "urgent": bool(cart.get("urgent")),
    }


def _cart_save(request, cart: dict) -> None:
    request.session[CART_KEY] = cart
    request.session.modified = True


def _service_lines(lines: list[dict]) -> list[dict]:
    return [
        {
            "listing": line["listing"],
            "quantity": line["quantity"],
            "restricted_reason": line.get("restricted_reason", ""),
        }
        for line in lines
    ]


def _cart_quote(user, lines: list[dict]):
    """Quote the cart; a line the quote refuses (a missing reason, a bad quantity, a product
    no longer orderable) is set aside with its reason and the rest quoted again, so the page
    shows both the prices and what needs fixing."""
    errors: dict[int, DomainError] = {}
    pending = list(lines)
    while pending:
        try:
            return cart_selectors.order_quote(actor=user, lines=_service_lines(pending)), errors
        except DomainError as error:
            position = error.extra.get("line") if isinstance(error.extra, dict) else None
            if error.http_status == 403 or not isinstance(position, int):
                raise
            if not 1 <= position <= len(pending):
                raise
            errors[pending.pop(position - 1)["listing"]] = error
    return None, errors


def _cart_context(request, *, errors: dict[int, DomainError] | None = None) -> dict:
    user = request.user
    cart = _cart(request)
    lines = cart["lines"]
    quote, quote_errors = _cart_quote(user, lines) if lines else (None, {})
    quote_errors.update(errors or {})
    prepared = {}
    if quote is not None:
        prepared = {p.listing.pk: p for group in quote.groups for p in group.lines}
    rows = []
    for line in lines:
        row = CartRow(
            listing_id=line["listing"],
            quantity=str(line["quantity"]),
            reason=line.get("restricted_reason", ""),
            error=quote_errors.get(line["listing"]),
        )
        found = prepared.get(line["listing"])
        if found is not None and row.error is None:
            row.listing, row.unit_price, row.amount = found.listing, found.unit_price, found.amount
        else:
            try:
                row.listing = listing_selectors.listing_get(actor=user, listing_id=row.listing_id)
            except NotFoundError:
                row.listing = None
        rows.append(row)
    groups = []
    if quote is not None:
        by_listing = {row.listing_id: row for row in rows}
        for group in quote.groups:
            group_rows = [
                by_listing[p.listing.pk]
                for p in group.lines
                if by_listing[p.listing.pk].error is None
            ]
            if group_rows:
                total = sum((row.amount for row in group_rows), ZERO)
                groups.append({"name": group.supplier_name, "rows": group_rows, "total": total})
    if quote is not None:
        cap = quote.cap
    else:
        _hospital, cap = plan_selectors.alternate_cap_status_get(actor=user)
    alternate = quote.alternate_amount if quote is not None else ZERO
    return {
        "cart": cart,
        "cart_rows": rows,
        "cart_groups": groups,
        "cart_problems": [row for row in rows if row.error is not None],
        "cart_total": sum((g["total"] for g in groups), ZERO),
        "cap": cap,
        "cart_alternate": alternate,
        "cap_after": cap.used + alternate,
        "over_cap": quote.over_cap if quote is not None else False,
    }


def _cart_response(request, *, errors=None):
    """htmx: the cart panel alone; otherwise back to the order page."""
    if request.htmx:
        return render(request, T + "partials/cart.html", _cart_context(request, errors=errors))
    return redirect_back(request, reverse("procurement:order_place"))


def _cart_put(request, listing_id: int, quantity: str) -> bool:
    """Add a product to the cart (or add to its quantity). It is quoted alone first, so a
    product that cannot be ordered (forbidden, not listed, a bad quantity) is refused with
    its reason and never enters the cart; a Restricted one enters and asks for the reason."""
    user = request.user
    try:
        quote = cart_selectors.order_quote(
            actor=user, lines=[{"listing": listing_id, "quantity": quantity}]
        )
        product = str(quote.groups[0].lines[0].listing.consumable)
    except RestrictedReasonRequiredError as error:
        product = str(error.extra.get("product", ""))
    except DomainError as error:
        if error.http_status == 403:
            raise
        messages.error(request, error.message)
        return False
    cart = _cart(request)
    for line in cart["lines"]:
        if line["listing"] == listing_id:
            old, new = parse_id(line["quantity"]), parse_id(quantity)
            line["quantity"] = str(old + new) if old is not None and new is not None else quantity
            break
    else:
        cart["lines"].append({"listing": listing_id, "quantity": quantity, "restricted_reason": ""})
    _cart_save(request, cart)
    messages.success(request, _("Added to the cart: %(product)s.") % {"product": product})
    return True


def _place_context(request, *, errors=None) -> dict:
    user = request.user
    params = request.GET
    # Forbidden products are shown (with their label) but offer no "add" button.
    rows = listing_selectors.listing_list(
        actor=user,
        status=ListingStatus.LISTED,
        q=params.get("q", ""),
        code=params.get("code", ""),
        catalogue=params.get("catalogue", ""),
    )
    page = paginate(request, rows)
    prices = listing_selectors.listing_unit_prices(actor=user, listings=list(page.object_list))
    for listing in page:
        listing.unit_price = prices.get(listing.pk, listing.price)
        listing.orderable = listing.label != PurchaseLabel.FORBIDDEN
    return {
        "page": page,
        "params": params,
        "catalogues": Catalogue.choices,
        "in_cart": {line["listing"] for line in _cart(request)["lines"]},
        **_cart_context(request, errors=errors),
    }


@login_required
def order_place(request):
    """Pick listed products (search or scan), keep them in the cart, create the orders."""
    require(request.user, "order.place")
    return render(request, T + "place.html", _place_context(request))


@login_required
@require_POST
def cart_add(request):
    require(request.user, "order.place")
    listing_id = parse_id(request.POST.get("listing"))
    if listing_id is None:
        raise NotFoundError()
    quantity = (request.POST.get("quantity") or "1").strip()
    _cart_put(request, listing_id, quantity)
    return _cart_response(request)


@login_required
@require_POST
def cart_scan(request):
    """The scan box of the order page: the UDI finds the product (catalog's scanner), and its
    listing goes into the cart with quantity 1 (another scan adds one more)."""
    user = request.user
    require(user, "order.place")
    barcode = request.POST.get("barcode", "")
    try:
        result = catalog_selectors.scan(actor=user, barcode=barcode)
    except DomainError as error:
        if error.http_status in (403, 404):
            raise
        messages.error(request, error.message)
        return _cart_response(request)
    if result.consumable is None:
        messages.warning(
            request,
            _("UDI-DI %(di)s is not linked to any product in the catalogue.")
            % {"di": result.barcode.di},
        )
        return _cart_response(request)
    listing = listing_selectors.listing_list(
        actor=user, status=ListingStatus.LISTED, code=result.consumable.code
    ).first()
    if listing is None:
        messages.error(
            request,
            _("%(product)s is not listed on the platform, so it cannot be ordered.")
            % {"product": result.consumable},
        )
        return _cart_response(request)
    _cart_put(request, listing.pk, "1")
    return _cart_response(request)


@login_required
@require_POST
def cart_update(request):
    """Quantities, reasons, note and urgency as typed; ``remove``, ``clear`` or ``create``."""
    user = request.user
    require(user, "order.place")
    post = request.POST
    cart = _cart(request)
    remove = parse_id(post.get("remove"))
    if post.get("action") == "clear":
        cart["lines"] = []
    elif remove is not None:
        cart["lines"] = [line for line in cart["lines"] if line["listing"] != remove]
    else:
        for line in cart["lines"]:
            key = line["listing"]
            if f"quantity_{key}" in post:
                line["quantity"] = post.get(f"quantity_{key}", "").strip()[:12]
            if f"reason_{key}" in post:
                line["restricted_reason"] = post.get(f"reason_{key}", "").strip()[:500]
        if "note" in post:
            cart["note"] = post.get("note", "").strip()[:500]
            cart["urgent"] = post.get("urgent") == "1"
    _cart_save(request, cart)
    if post.get("action") != "create":
        return _cart_response(request)
    return _order_create(request, cart)


def _order_create(request, cart: dict):
    user = request.user
    if not cart["lines"]:
        messages.error(request, _("The cart is empty."))
        return redirect("procurement:order_place")
    _quote, errors = _cart_quote(user, cart["lines"])
    if not errors:
        try:
            created = orders.order_create(
                actor=user,
                lines=_service_lines(cart["lines"]),
                note=cart["note"],
                is_urgent=cart["urgent"],
            )
        except DomainError as error:
            position = error.extra.get("line") if isinstance(error.extra, dict) else None
            if error.http_status != FIELD_ERROR_STATUS or not isinstance(position, int):
                raise
            errors = {cart["lines"][position - 1]["listing"]: error}
        else:
            _cart_save(request, {"lines": [], "note": "", "urgent": False})
            numbers = ", ".join(order.number for order in created)
            messages.success(
                request,
                _("Draft orders created: %(numbers)s. Check each one, then submit it.")
                % {"numbers": numbers},
            )
            target = (
                reverse("procurement:order_detail", args=[created[0].pk])
                if len(created) == 1
                else reverse("procurement:order_list") + "?status=draft"
            )
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    messages.error(request, _("Some lines need attention before the order can be created."))
    if request.htmx:
        return _cart_response(request, errors=errors)  # htmx swaps 2xx responses only
    context = _place_context(request, errors=errors)
    return render(request, T + "place.html", context, status=FIELD_ERROR_STATUS)


# ---------------------------------------------------------------------------------------------
# Order list and order page


ORDER_EXPORT_HEADERS = (
    gettext_lazy("Order number"),
    gettext_lazy("Created at"),
    gettext_lazy("Submitted at"),
    gettext_lazy("Hospital"),
    gettext_lazy("Supplier"),
    gettext_lazy("Distributor"),
    gettext_lazy("Status"),
    gettext_lazy("Urgent"),
    gettext_lazy("Lines"),
    gettext_lazy("Products"),
    gettext_lazy("Order total"),
)


@login_required
def order_list(request):
    """A hospital's orders, a supplier's incoming orders, the regulators' region."""
    user = request.user
    require(user, "order.view")
    hospital_side = _is_hospital(user)
    side = "supplier" if hospital_side else "hospital"
    counterparts = sorted(
        selectors.order_list(actor=user, with_lines=False)
        .order_by()
        .values_list(f"{side}_id", f"{side}__name")
        .distinct(),
        key=lambda pair: pair[1],
    )
    form = OrderSearchForm(
        request.GET if request.GET else None,
        counterparts=counterparts,
        label=_("Supplier") if hospital_side else _("Hospital"),
    )
    filters = form.filters()
    tab, status = _statuses(request, OrderStatus)
    rows = selectors.order_list(
        actor=user,
        status=status,
        number=filters.get("number", ""),
        created_from=filters.get("date_from"),
        created_to=filters.get("date_to"),
        **{f"{side}_id": filters.get("counterpart")},
    )
    if wants_xlsx(request):
        return xlsx_response(
            "orders.xlsx",
            ORDER_EXPORT_HEADERS,
            (
                [
                    o.number,
                    local_time(o.created_at),
                    local_time(o.submitted_at),
                    o.hospital.name,
                    o.supplier.name,
                    o.distributor.name if o.distributor else "",
                    o.get_status_display(),
                    o.is_urgent,
                    len(o.lines.all()),
                    "；".join(line.consumable.product_name for line in o.lines.all()),
                    o.total,
                ]
                for o in rows.iterator(chunk_size=500)
            ),
        )
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
            "page": paginate(request, rows),
            "form": form,
            "params": request.GET,
            "tab": tab,
            "tabs": tabs,
            "total_count": sum(counts.values()),
            "hospital_side": hospital_side,
            "regulator": not hospital_side and not getattr(user.organization, "is_supplier", False),
            "can_place": can(user, "order.place") and hospital_side,
        },
    )


def _render_order(request, order, *, respond_form=None, status: int = 200):
    user = request.user
    party = Party.of(user, order)
    lines = _annotate_lines(order)
    pending = [line for line in lines if line.status == LineStatus.PENDING]
    can_place = can(user, "order.place") and party.hospital
    can_respond = can(user, "order.respond") and party.supplier
    context = {
        "order": order,
        "lines": lines,
        "party": party,
        "can_submit": can_place and order.status == OrderStatus.DRAFT,
        "can_cancel": can_place
        and order.status in (OrderStatus.DRAFT, OrderStatus.SUBMITTED)
        and len(pending) == len(lines),
        "can_deliver": can(user, "delivery.create")
        and party.carrier
        and any(line.outstanding for line in lines),
        "can_invoice": can(user, "invoice.register")
        and party.carrier
        and any(line.invoicable for line in lines),
        "can_accept": can(user, "delivery.accept") and party.hospital,
        "deliveries": list(delivery_selectors.delivery_list(actor=user, order_id=order.pk)),
        "invoices": list(invoice_selectors.invoice_list(actor=user, order_id=order.pk)),
        "cancel_form": ReasonForm(),
    }
    if can_respond and order.status == OrderStatus.SUBMITTED and pending:
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
    if can_respond and order.status in (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED):
        context["distributor_form"] = DistributorForm(
            initial={"distributor": order.distributor_id},
            distributors=_distributor_choices(user, order, lines),
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
    if order.distributor_id:
        text = _("%(name)s will deliver order %(number)s.") % {
            "name": order.distributor.name,
            "number": order.number,
        }
    else:
        text = _("You deliver order %(number)s yourself.") % {"number": order.number}
    messages.success(request, text)
    return redirect("procurement:order_detail", pk)


# ---------------------------------------------------------------------------------------------
# Delivery notes


def _require_carrier(user, order) -> None:
    """The delivery and invoice forms are the manufacturer's or its named distributor's (the
    services check again on save)."""
    if not (can(user, "delivery.create") and Party.of(user, order).carrier):
        raise PermissionDeniedError(action="delivery.create")


@login_required
def delivery_create(request, pk: int):
    """A delivery note for (part of) a confirmed order: a quantity and a UDI scan per line."""
    user = request.user
    order = selectors.order_get(actor=user, order_id=pk)
    _require_carrier(user, order)
    lines = [line for line in _annotate_lines(order) if line.outstanding]
    if not lines:
        messages.info(request, _("Nothing is left to deliver on this order."))
        return redirect("procurement:order_detail", pk)
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
    order = delivery.order
    hospital = _org_id(user) == order.hospital_id
    can_accept = can(user, "delivery.accept") and hospital
    lines = list(delivery.lines.all())
    for line in lines:
        line.returnable = line.accepted_quantity - line.returned_quantity
    context = {
        "delivery": delivery,
        "order": order,
        "lines": lines,
        "can_accept": can_accept and delivery.status == DeliveryStatus.SHIPPED,
        "can_return": can_accept
        and order.status == OrderStatus.CONFIRMED
        and delivery.status in (DeliveryStatus.ACCEPTED, DeliveryStatus.PARTIALLY_ACCEPTED)
        and any(line.returnable for line in lines),
    }
    if context["can_accept"]:
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
                messages.error(request, message)
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
            "total_quantity": sum(line.quantity for line in lines),
            "printed_at": clock.now(),
        },
    )


DELIVERY_EXPORT_HEADERS = (
    gettext_lazy("Delivery note number"),
    gettext_lazy("Order number"),
    gettext_lazy("Hospital"),
    gettext_lazy("Supplier"),
    gettext_lazy("Delivered by"),
    gettext_lazy("Shipped at"),
    gettext_lazy("Status"),
    gettext_lazy("National code"),
    gettext_lazy("Product"),
    gettext_lazy("Quantity"),
    gettext_lazy("UDI-DI"),
    gettext_lazy("Lot"),
    gettext_lazy("Serial"),
    gettext_lazy("Expiry"),
    gettext_lazy("Accepted"),
    gettext_lazy("Refused"),
    gettext_lazy("Returned"),
)


@login_required
def delivery_list(request):
    user = request.user
    require(user, "order.view")
    tab, status = _statuses(request, DeliveryStatus)
    rows = delivery_selectors.delivery_list(
        actor=user, status=status, order_id=parse_id(request.GET.get("order"))
    )
    if wants_xlsx(request):
        return xlsx_response(
            "delivery-notes.xlsx",
            DELIVERY_EXPORT_HEADERS,
            (
                [
                    d.number,
                    d.order.number,
                    d.order.hospital.name,
                    d.order.supplier.name,
                    d.carrier.name,
                    local_time(d.shipped_at),
                    d.get_status_display(),
                    line.order_line.consumable.code,
                    line.order_line.consumable.product_name,
                    line.quantity,
                    line.udi_di,
                    line.lot,
                    line.serial,
                    line.expiry_date,
                    line.accepted_quantity,
                    line.refused_quantity,
                    line.returned_quantity,
                ]
                for d in rows.iterator(chunk_size=500)
                for line in d.lines.all()
            ),
        )
    return render(
        request,
        T + "delivery_list.html",
        {
            "page": paginate(request, rows),
            "params": request.GET,
            "tab": tab,
            "tabs": DeliveryStatus.choices,
        },
    )


# ---------------------------------------------------------------------------------------------
# Invoices


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
                "amount": quantize(line.unit_price * quantity),
                "field": form[f"quantity_{line.pk}"],
            }
        )
    return {"preview_rows": rows, "preview_total": sum((r["amount"] for r in rows), ZERO)}


@login_required
def invoice_register(request, pk: int):
    user = request.user
    order = selectors.order_get(actor=user, order_id=pk)
    if not (can(user, "invoice.register") and Party.of(user, order).carrier):
        raise PermissionDeniedError(action="invoice.register")
    lines = [line for line in _annotate_lines(order) if line.invoicable]
    if not lines:
        messages.info(request, _("Nothing accepted on this order is waiting to be invoiced."))
        return redirect("procurement:order_detail", pk)
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
                "amount": str(quantize(by_id[row["order_line"]].unit_price * row["quantity"])),
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


INVOICE_EXPORT_HEADERS = (
    gettext_lazy("Invoice number"),
    gettext_lazy("Issue date"),
    gettext_lazy("Order number"),
    gettext_lazy("Hospital"),
    gettext_lazy("Issuer"),
    gettext_lazy("Amount"),
    gettext_lazy("Status"),
    gettext_lazy("Registered at"),
    gettext_lazy("Confirmed at"),
    gettext_lazy("Rejection reason"),
)


@login_required
def invoice_list(request):
    """Hospital finance opens on the invoices to confirm; everyone else on all of theirs."""
    user = request.user
    require(user, "order.view")
    default = InvoiceStatus.REGISTERED if can(user, "invoice.confirm") else ""
    tab, status = _statuses(request, InvoiceStatus, default=default)
    rows = invoice_selectors.invoice_list(
        actor=user, status=status, order_id=parse_id(request.GET.get("order"))
    )
    if wants_xlsx(request):
        return xlsx_response(
            "invoices.xlsx",
            INVOICE_EXPORT_HEADERS,
            (
                [
                    i.number,
                    i.issued_on,
                    i.order.number,
                    i.hospital.name,
                    i.issuer.name,
                    i.amount,
                    i.get_status_display(),
                    local_time(i.registered_at),
                    local_time(i.confirmed_at),
                    i.rejection_reason,
                ]
                for i in rows.iterator(chunk_size=500)
            ),
        )
    return render(
        request,
        T + "invoice_list.html",
        {
            "page": paginate(request, rows),
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
    can_decide = (
        can(user, "invoice.confirm")
        and _org_id(user) == invoice.hospital_id
        and invoice.status == InvoiceStatus.REGISTERED
    )
    return render(
        request,
        T + "invoice_detail.html",
        {"invoice": invoice, "can_decide": can_decide, "reject_form": ReasonForm()},
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


# ---------------------------------------------------------------------------------------------
# Usage records


USAGE_EXPORT_HEADERS = (
    gettext_lazy("Used at"),
    gettext_lazy("Hospital"),
    gettext_lazy("National code"),
    gettext_lazy("Product"),
    gettext_lazy("Brand (manufacturer)"),
    gettext_lazy("UDI-DI"),
    gettext_lazy("Lot"),
    gettext_lazy("Serial"),
    gettext_lazy("Quantity"),
    gettext_lazy("Operation id"),
    gettext_lazy("Doctor's staff code"),
    gettext_lazy("Department"),
    gettext_lazy("Price charged to the patient"),
)


@login_required
def usage_list(request):
    """Consumables used in operations, as the hospitals' HIS reported them."""
    user = request.user
    require(user, "usage.view")
    form = UsageSearchForm(request.GET if request.GET else None)
    filters = form.filters()
    rows = usage_selectors.usage_list(
        actor=user,
        doctor_code=filters.get("doctor_code", ""),
        department=filters.get("department", ""),
        operation_id=filters.get("operation_id", ""),
        used_from=filters.get("date_from"),
        used_to=filters.get("date_to"),
    )
    if wants_xlsx(request):
        return xlsx_response(
            "usage-records.xlsx",
            USAGE_EXPORT_HEADERS,
            (
                [
                    local_time(u.used_at),
                    u.hospital.name,
                    u.consumable.code,
                    u.consumable.product_name,
                    u.manufacturer.name if u.manufacturer else "",
                    u.udi_di,
                    u.lot,
                    u.serial,
                    u.quantity,
                    u.operation_id,
                    u.doctor_code,
                    u.department,
                    u.charged_price,
                ]
                for u in rows.iterator(chunk_size=1000)
            ),
        )
    return render(
        request,
        T + "usage_list.html",
        {
            "page": paginate(request, rows),
            "form": form,
            "params": request.GET,
            "many_hospitals": not _is_hospital(user),
        },
    )
