"""Rate limits of the pages anyone may open without logging in (the public section).

Counted per client address with django-ratelimit on the default cache (Redis), in fixed
windows of the rate's period; the rate is ``settings.PUBLIC_PAGE_RATE`` ("120/m"). Past it a
request is answered 429 with ``Retry-After`` (the seconds left in the window): the error page
for a browser, the API's ``{code, message, extra}`` otherwise (a script fetching an export).
The public API counts with DRF's throttling instead (core.api.throttling), on the same cache.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from core.errors import DomainError

PAGE_GROUP = "public-pages"


class RateLimitedError(DomainError):
    code = "rate_limited"
    http_status = 429
    message_template = _("Too many requests from your address. Try again in %(retry_after)s s.")


def _page_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_PAGE_RATE


def rate_limited_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    error = RateLimitedError(retry_after=retry_after)
    response: HttpResponse
    if "text/html" in request.headers.get("Accept", ""):
        response = render(request, "core/error.html", {"error": error}, status=429)
    else:
        response = JsonResponse(error.as_dict(), status=429)
    response["Retry-After"] = str(retry_after)
    return response


def public_rate_limit(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Count the request against the client address's allowance for the public pages (one
    allowance for all of them); past it, 429 without calling the view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        usage = get_usage(request, group=PAGE_GROUP, key="ip", rate=_page_rate, increment=True)
        if usage is not None and usage["should_limit"]:
            return rate_limited_response(request, max(1, math.ceil(usage["time_left"])))
        return view(request, *args, **kwargs)

    return wrapped
