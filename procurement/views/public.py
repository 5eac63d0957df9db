"""The public section (阳光公开): pages anyone may open without logging in [R-DISCLOSE].

Reference prices in publicity and confirmed, the listings on sale with their purchase labels
and prices, tender results (winners, winning prices, payment standards) once a round's
publicity has begun; the index (/public/) lists the parts the apps register (core.public).

Each list is searched with a bounded GET form (a value that does not parse answers 400 with
the reason next to its field), paged (core.web.paginate with core.paging.CappedPaginator),
and downloads what it shows with ``?export=csv`` (streamed) or ``?export=xlsx``, at most
``settings.PUBLIC_EXPORT_MAX_ROWS`` rows (more is 400 export_too_large: narrow the search).
Every page counts against the client address's allowance (core.ratelimit, 429 past it).

Nothing here names a person (user names, phones, e-mails) or shows what a hospital keeps to
itself (its volumes, orders, plans); a hospital's agreed prices appear only where its region
policy publishes them (``disclose_hospital_agreed_prices``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog import selectors as catalog_selectors
from core import clock
from core.errors import NotFoundError
from core.exports import ExportTooLargeError, csv_streaming_response, xlsx_response
from core.forms import SearchForm
from core.paging import CappedPaginator, capped_count
from core.public import public_parts
from core.ratelimit import public_rate_limit
from core.web import paginate
from procurement.forms.public import (
    ListingSearchForm,
    NegotiationResultSearchForm,
    ReferencePriceSearchForm,
    TenderResultSearchForm,
)
from procurement.selectors import bids as bid_selectors
from procurement.selectors.agreed_prices import agreed_prices_disclosed
from procurement.selectors.awards import payment_standard_public_list
from procurement.selectors.listings import listing_public_list
from procurement.selectors.negotiations import negotiation_results_published

T = "public/"
# The widest id a bigint column holds: <int:pk> matches any run of digits.
MAX_ID = 2**63 - 1


def _invalid(request: HttpRequest, template: str, form: SearchForm, **context: Any) -> HttpResponse:
    return render(request, T + template, {"form": form, "page": None, **context}, status=400)


def _export(
    kind: str,
    *,
    name: str,
    title: str,
    headers: Sequence[str],
    rows: QuerySet,
    row: Callable[[Any], Sequence],
) -> HttpResponseBase:
    """The filtered rows as a download, at most PUBLIC_EXPORT_MAX_ROWS (counted first: a
    stream cannot turn into an error once it has begun)."""
    cap = settings.PUBLIC_EXPORT_MAX_ROWS
    if capped_count(rows, cap) > cap:
        raise ExportTooLargeError(limit=f"{cap:,}", reason=_("a public download"))
    lines: Iterable[Sequence] = (row(r) for r in rows[:cap].iterator(chunk_size=500))
    stem = f"{name}-{clock.local_today():%Y%m%d}"
    if kind == "csv":
        return csv_streaming_response(f"{stem}.csv", headers, lines)
    return xlsx_response(f"{stem}.xlsx", headers, lines, sheet=title, limit=cap)


@require_GET
@public_rate_limit
def index(request: HttpRequest) -> HttpResponse:
    return render(request, T + "index.html", {"parts": public_parts()})


# --- Reference prices -------------------------------------------------------------------------


def _reference_row(price: Any) -> list:
    consumable = price.consumable
    return [
        consumable.code,
        consumable.generic_name,
        consumable.product_name,
        consumable.specification,
        consumable.model,
        consumable.company_name or getattr(consumable.manufacturer, "name", ""),
        price.price,
        price.get_status_display(),
        price.publicity_starts_on,
        price.publicity_ends_on,
        clock.to_local(price.confirmed_at) if price.confirmed_at else None,
    ]


@require_GET
@public_rate_limit
def reference_prices(request: HttpRequest) -> HttpResponseBase:
    form = ReferencePriceSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _invalid(request, "reference_prices.html", form)
    filters = form.filters()
    rows = catalog_selectors.reference_price_public_list(
        q=filters.get("q", ""), status=filters.get("status", "")
    )
    if filters.get("export"):
        return _export(
            filters["export"],
            name="reference-prices",
            title=_("Reference prices"),
            headers=[
                _("National code"),
                _("Generic name"),
                _("Product name"),
                _("Specification"),
                _("Model"),
                _("Manufacturer"),
                _("Reference price"),
                _("Status"),
                _("Publicity starts"),
                _("Publicity ends"),
                _("Confirmed at"),
            ],
            rows=rows,
            row=_reference_row,
        )
    return render(
        request,
        T + "reference_prices.html",
        {
            "form": form,
            "export_cap": f"{settings.PUBLIC_EXPORT_MAX_ROWS:,}",
            "page": paginate(request, rows, CappedPaginator),
            "today": clock.local_today(),
        },
    )


# --- Listings ---------------------------------------------------------------------------------


def _agreed_text(prices: list) -> str:
    return "; ".join(f"{p.hospital.name}: {p.price:.2f}" for p in prices)


@require_GET
@public_rate_limit
def listings(request: HttpRequest) -> HttpResponseBase:
    form = ListingSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _invalid(request, "listings.html", form)
    filters = form.filters()
    rows = listing_public_list(
        q=filters.get("q", ""),
        code=filters.get("code", ""),
        catalogue=filters.get("catalogue", ""),
        label=filters.get("label", ""),
    )
    if filters.get("export"):
        cap = settings.PUBLIC_EXPORT_MAX_ROWS
        disclosed = agreed_prices_disclosed(
            listing_ids=rows.values_list("pk", flat=True)[: cap + 1]
        )
        return _export(
            filters["export"],
            name="listings",
            title=_("Listings"),
            headers=[
                _("National code"),
                _("Generic name"),
                _("Product name"),
                _("Specification"),
                _("Model"),
                _("Manufacturer"),
                _("Catalogue"),
                _("Purchase label"),
                _("Listed price"),
                _("Companion service included"),
                _("Reference price"),
                _("Hospitals' agreed prices"),
            ],
            rows=rows,
            row=lambda listing: [
                listing.consumable.code,
                listing.consumable.generic_name,
                listing.consumable.product_name,
                listing.consumable.specification,
                listing.consumable.model,
                listing.manufacturer.name,
                listing.get_catalogue_display(),
                listing.get_label_display(),
                listing.price,
                listing.companion_service,
                listing.reference_price,
                _agreed_text(disclosed.get(listing.pk, [])),
            ],
        )
    page = paginate(request, rows, CappedPaginator)
    disclosed = agreed_prices_disclosed(listing_ids=[listing.pk for listing in page])
    return render(
        request,
        T + "listings.html",
        {
            "form": form,
            "export_cap": f"{settings.PUBLIC_EXPORT_MAX_ROWS:,}",
            "page": page,
            "rows": [(listing, disclosed.get(listing.pk, [])) for listing in page],
            "disclosing": bool(disclosed),
        },
    )


# --- Tender results ---------------------------------------------------------------------------


def _result_row(result: Any) -> list:
    return [
        result.round.number,
        result.round.name,
        result.group.code,
        result.group.name,
        result.consumable.code,
        result.consumable.generic_name,
        result.supplier.name,
        result.price,
        result.companion_price,
        result.rank,
        _("Won") if result.won else (_("Invalid") if not result.valid else _("Not won")),
    ]


@require_GET
@public_rate_limit
def tender_results(request: HttpRequest) -> HttpResponseBase:
    rounds = list(bid_selectors.rounds_public_results())
    form = TenderResultSearchForm(request.GET or None, rounds=rounds)
    if form.is_bound and not form.is_valid():
        return _invalid(request, "tender_results.html", form, rounds=rounds, standards=[])
    filters = form.filters()
    won = {"1": True, "0": False}.get(filters.get("won", ""))
    rows = bid_selectors.tender_result_public_list(
        q=filters.get("q", ""), round_id=filters.get("round"), won=won
    )
    if filters.get("export"):
        return _export(
            filters["export"],
            name="tender-results",
            title=_("Tender results"),
            headers=[
                _("Round number"),
                _("Round"),
                _("Group code"),
                _("Group"),
                _("National code"),
                _("Product"),
                _("Supplier"),
                _("Bid price"),
                _("With companion service"),
                _("Rank"),
                _("Result"),
            ],
            rows=rows,
            row=_result_row,
        )
    return render(
        request,
        T + "tender_results.html",
        {
            "form": form,
            "export_cap": f"{settings.PUBLIC_EXPORT_MAX_ROWS:,}",
            "rounds": rounds,
            "page": paginate(request, rows, CappedPaginator),
            "standards": payment_standard_public_list(round_id=filters.get("round")),
            "now": clock.now(),
        },
    )


@require_GET
@public_rate_limit
def tender_round(request: HttpRequest, pk: int) -> HttpResponse:
    """One round's results (公示), with the publicity deadline and its payment standards."""
    if pk > MAX_ID:
        raise NotFoundError()
    found = bid_selectors.round_public_get(round_id=pk)
    return render(
        request,
        T + "tender_round.html",
        {
            "round": found,
            "results": bid_selectors.round_public_results(round=found),
            "standards": payment_standard_public_list(round_id=found.pk),
            "now": clock.now(),
        },
    )


# --- Negotiation results [R-NEGOTIATION] ------------------------------------------------------


def _negotiation_row(r: Any) -> list:
    return [
        r.title,
        r.code,
        r.product,
        r.specification,
        r.manufacturer,
        r.agreed_price if r.agreed_price is not None else _("agreed for its hospitals, not public"),
        r.effective_on,
        r.valid_until,
        "、".join(r.hospitals),
    ]


@require_GET
@public_rate_limit
def negotiation_results(request: HttpRequest) -> HttpResponseBase:
    form = NegotiationResultSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _invalid(request, "negotiation_results.html", form)
    filters = form.filters()
    rows = negotiation_results_published(q=filters.get("q", ""))
    if filters.get("export"):
        cap = settings.PUBLIC_EXPORT_MAX_ROWS
        if len(rows) > cap:
            raise ExportTooLargeError(limit=f"{cap:,}", reason=_("a public download"))
        headers = [
            _("Negotiation"),
            _("National code"),
            _("Product name"),
            _("Specification"),
            _("Manufacturer"),
            _("Agreed price"),
            _("Effective from"),
            _("Valid until"),
            _("Hospitals"),
        ]
        stem = f"negotiation-results-{clock.local_today():%Y%m%d}"
        lines = (_negotiation_row(r) for r in rows)
        if filters["export"] == "csv":
            return csv_streaming_response(f"{stem}.csv", headers, lines)
        return xlsx_response(
            f"{stem}.xlsx", headers, lines, sheet=_("Negotiation results"), limit=cap
        )
    return render(
        request,
        T + "negotiation_results.html",
        {
            "form": form,
            "export_cap": f"{settings.PUBLIC_EXPORT_MAX_ROWS:,}",
            "page": paginate(request, rows),
        },
    )
