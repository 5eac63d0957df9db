"""The order page of a hospital purchaser: search or scan listed products, keep them in the
cart, create the draft orders (one per supplier).

The cart lives in the session as the lines the purchaser typed, quantities as typed; prices,
catalogue, label and the alternate-catalogue cap always come from ``order_quote``, so the page
never shows a price the server did not compute. Every action calls the same service or
selector as its API twin (procurement/api/cart.py, procurement/api/orders.py).
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
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from core.errors import DomainError, NotFoundError
from core.money import ZERO
from core.paging import CappedPaginator
from core.permissions import require
from core.web import paginate, parse_id, redirect_back
from procurement.choices import Catalogue, CatalogueEntryStatus, ListingStatus, PurchaseLabel
from procurement.errors import OrderDepartmentRequiredError, RestrictedReasonRequiredError
from procurement.selectors import cart as cart_selectors
from procurement.selectors import catalogue as catalogue_selectors
from procurement.selectors import listings as listing_selectors
from procurement.selectors import purchase_plans as plan_selectors
from procurement.services import orders
from procurement.views.common import FIELD_ERROR_STATUS

CART_KEY = "yg_cart"
T = "procurement/orders/"


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
        "department": cart.get("department", ""),
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
    """Quote the cart in one go: the prices of what can be ordered and, for every line that
    cannot (a missing reason, a bad quantity, a product no longer orderable), its refusal,
    keyed by listing id."""
    quote = cart_selectors.order_quote(actor=user, lines=_service_lines(lines))
    return quote, {lines[r.index - 1]["listing"]: r for r in quote.refusals}


def _cart_context(
    request,
    *,
    errors: dict[int, DomainError] | None = None,
    department_error: DomainError | None = None,
) -> dict:
    """The cart panel. ``errors``: refusals from creating the orders, by listing id."""
    user = request.user
    cart = _cart(request)
    lines = cart["lines"]
    quote, refusals = _cart_quote(user, lines) if lines else (None, {})
    prepared = {}
    if quote is not None:
        prepared = {p.listing.pk: p for group in quote.groups for p in group.lines}
    rows = []
    for line in lines:
        refusal = refusals.get(line["listing"])
        row = CartRow(
            listing_id=line["listing"],
            quantity=str(line["quantity"]),
            reason=line.get("restricted_reason", ""),
            error=refusal.error if refusal else (errors or {}).get(line["listing"]),
        )
        found = prepared.get(line["listing"])
        if found is not None:
            row.listing = found.listing
            if row.error is None:
                row.unit_price, row.amount = found.unit_price, found.amount
        elif refusal is not None:
            row.listing = refusal.listing
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
                total = sum((row.amount or ZERO for row in group_rows), ZERO)
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
        "department_error": department_error,
    }


def _cart_response(request, *, errors=None, department_error=None):
    """htmx: the cart panel alone; otherwise back to the order page."""
    if request.htmx:
        context = _cart_context(request, errors=errors, department_error=department_error)
        return render(request, T + "partials/cart.html", context)
    return redirect_back(request, reverse("procurement:order_place"))


def _cart_put(request, listing_id: int, quantity: str) -> bool:
    """Add a product to the cart (or add to its quantity). It is quoted alone first, so a
    product that cannot be ordered (forbidden, not listed, a bad quantity) is refused with
    its reason and never enters the cart; a Restricted one enters and asks for the reason."""
    user = request.user
    quote = cart_selectors.order_quote(
        actor=user, lines=[{"listing": listing_id, "quantity": quantity}]
    )
    error = quote.first_error
    if error is None:
        product = str(quote.groups[0].lines[0].listing.consumable)
    elif isinstance(error, RestrictedReasonRequiredError):
        product = str(error.extra.get("product", ""))
    else:
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


def _place_context(request, *, errors=None, department_error=None) -> dict:
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
    # [R-HOSP-CATALOGUE] whether each product is in use in the hospital's own catalogue.
    rows = catalogue_selectors.with_catalogue(rows, hospital=user.organization)
    page = paginate(request, rows, CappedPaginator)
    prices = listing_selectors.listing_unit_prices(actor=user, listings=list(page.object_list))
    for listing in page:
        listing.unit_price = prices.get(listing.pk, listing.price)
        listing.orderable = listing.label != PurchaseLabel.FORBIDDEN and (
            not listing.hc_required or listing.hc_status == CatalogueEntryStatus.ADMITTED
        )
    return {
        "page": page,
        "params": params,
        "catalogues": Catalogue.choices,
        "in_cart": {line["listing"] for line in _cart(request)["lines"]},
        **_cart_context(request, errors=errors, department_error=department_error),
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
    if result.expired:
        messages.warning(
            request,
            _("Lot %(lot)s expired on %(date)s: a delivery of this lot will be refused.")
            % {"lot": result.barcode.lot or "-", "date": result.barcode.expiry_date.isoformat()},
        )
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
        if "department" in post:
            cart["department"] = post.get("department", "").strip()[:100]
    _cart_save(request, cart)
    if post.get("action") != "create":
        return _cart_response(request)
    return _order_create(request, cart)


def _order_create(request, cart: dict):
    user = request.user
    if not cart["lines"]:
        messages.error(request, _("The cart is empty."))
        return redirect("procurement:order_place")
    _quote, refusals = _cart_quote(user, cart["lines"])
    errors = {listing_id: refusal.error for listing_id, refusal in refusals.items()}
    department_error = None
    if not errors:
        try:
            created = orders.order_create(
                actor=user,
                lines=_service_lines(cart["lines"]),
                department=cart["department"],
                note=cart["note"],
                is_urgent=cart["urgent"],
            )
        except OrderDepartmentRequiredError as error:
            department_error = error
        except DomainError as error:
            position = error.extra.get("line") if isinstance(error.extra, dict) else None
            if error.http_status != FIELD_ERROR_STATUS or not isinstance(position, int):
                raise
            errors = {cart["lines"][position - 1]["listing"]: error}
        else:
            _cart_save(request, {"lines": [], "note": "", "urgent": False, "department": ""})
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
    if department_error is not None:
        messages.error(request, department_error.message)
    else:
        messages.error(request, _("Some lines need attention before the order can be created."))
    if request.htmx:  # htmx swaps 2xx responses only
        return _cart_response(request, errors=errors, department_error=department_error)
    context = _place_context(request, errors=errors, department_error=department_error)
    return render(request, T + "place.html", context, status=FIELD_ERROR_STATUS)
