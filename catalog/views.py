"""Catalogue pages: search with a scan box, product page, publicity, sync runs, imports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.errors import BarcodeInvalidError


def _page(request, queryset):
    size = request.GET.get("page_size", "20")
    size = int(size) if size in {"20", "50", "100"} else 20
    return Paginator(queryset, size).get_page(request.GET.get("page"))


@login_required
def consumable_list(request):
    params = request.GET
    high_value = {"1": True, "0": False}.get(params.get("high_value", ""))
    consumables = selectors.consumable_list(
        actor=request.user,
        q=params.get("q", ""),
        code_prefix=params.get("code", ""),
        category=params.get("category", ""),
        high_value=high_value,
    )
    return render(
        request,
        "catalog/consumable_list.html",
        {
            "page": _page(request, consumables),
            "categories": selectors.category_list(actor=request.user, level=1),
            "params": params,
        },
    )


@login_required
@require_POST
def scan(request):
    """htmx: the scan box posts the barcode; the product (or the reason) replaces the panel."""
    barcode = request.POST.get("barcode", "")
    try:
        result = selectors.scan(actor=request.user, barcode=barcode)
    except BarcodeInvalidError as error:
        return render(
            request, "catalog/partials/scan_result.html", {"error": error, "barcode": barcode}
        )
    return render(request, "catalog/partials/scan_result.html", {"result": result})


@login_required
def consumable_detail(request, code: str):
    consumable = selectors.consumable_get(actor=request.user, code=code)
    return render(
        request,
        "catalog/consumable_detail.html",
        {
            "consumable": consumable,
            "history": selectors.consumable_price_history(consumable=consumable),
        },
    )
