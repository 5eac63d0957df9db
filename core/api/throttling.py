"""DRF throttling of the public API (/api/v1/public/, no login) [R-DISCLOSE].

One allowance per client address for every public endpoint (scope ``public_api``), counted
by DRF's AnonRateThrottle on the default cache; the rate is ``settings.PUBLIC_API_RATE``,
read on each request so that a test or an operator may change it. The address is
REMOTE_ADDR only (the reverse proxy sets it, as for django-axes): an X-Forwarded-For header
sent by the client would otherwise let it pick a fresh allowance per request. Past the rate
the answer is 429 ``throttled`` with ``Retry-After`` (core.api.exception_handler).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class PublicRateThrottle(AnonRateThrottle):
    scope = "public_api"

    def get_rate(self) -> str:
        return settings.PUBLIC_API_RATE

    def get_ident(self, request) -> str:
        return request.META.get("REMOTE_ADDR", "")

    def allow_request(self, request, view) -> bool:
        # The rate as it is now (settings may change between requests; DRF reads it once).
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
