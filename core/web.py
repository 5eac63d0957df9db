"""Helpers every page view shares: paging, ids in query strings, where a page action returns
to, and the ``?export=xlsx`` switch.

They only read the request; what a page may show or do is decided by selectors and services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from core import clock
from core.paging import CappedPaginator, KeysetPage, decode_key, encode_key

# The page sizes a list offers (the RuoYi habit: 20 / 50 / 100); anything else is 20.
PAGE_SIZES = frozenset({"20", "50", "100"})
DEFAULT_PAGE_SIZE = 20


def paginate(request: HttpRequest, rows: Any, paginator: type[Paginator] = Paginator) -> Page:
    """The page of ``rows`` that ``?page=`` and ``?page_size=`` ask for (out-of-range pages
    give the last one, as Django's ``get_page`` does)."""
    return paginator(rows, _page_size(request)).get_page(request.GET.get("page"))


def paginate_keyset(request: HttpRequest, rows: Any, *, key: str) -> Page | KeysetPage:
    """A list that grows without bound, newest first by (``key``, id): numbered pages with a
    count capped at core.paging.COUNT_CAP, then, from the last numbered page of a capped
    list, ``?after=`` / ``?before=`` keyset pages (core.paging.KeysetPage). A cursor that is
    not one of ours gives the first page."""
    size = _page_size(request)
    after = decode_key(request.GET.get("after", ""))
    before = None if after else decode_key(request.GET.get("before", ""))
    if after or before:
        return KeysetPage(rows, key=key, size=size, after=after, before=before)
    page = CappedPaginator(rows, size).get_page(request.GET.get("page"))
    if page.paginator.capped and not page.has_next() and len(page):  # type: ignore[attr-defined]
        last = page[len(page) - 1]
        page.after = encode_key(getattr(last, key), last.pk)  # type: ignore[attr-defined]
    return page


def _page_size(request: HttpRequest) -> int:
    size = request.GET.get("page_size", str(DEFAULT_PAGE_SIZE))
    return int(size) if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def wants_xlsx(request: HttpRequest) -> bool:
    """Every list page exports what it shows with ``?export=xlsx`` (core.exports)."""
    return request.GET.get("export") == "xlsx"


def parse_id(value: Any) -> int | None:
    """A whole number (an id, a year) typed in a form or query string, else None: "x", "-1"
    or "²" give None, never a 500."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def status_filter(
    request: HttpRequest, choices: Any, *, default: str = ""
) -> tuple[str, list[str]]:
    """The status tab chosen (``all`` or one status), and the filter for the selector."""
    chosen = request.GET.get("status", default) or "all"
    if chosen not in choices.values:
        return "all", []
    return chosen, [chosen]


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """A stored (UTC) time in Asia/Shanghai, for exports; None stays None."""
    return clock.to_local(value) if value else None


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Where a page action returns to: the page that posted it (``next``), if it is ours."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def attachment_response(content: bytes, *, content_type: str, name: str) -> HttpResponse:
    """A stored file sent back as a download of the type its bytes were judged to be: never
    shown inline, never re-sniffed by the browser, and sandboxed if it is opened anyway."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
