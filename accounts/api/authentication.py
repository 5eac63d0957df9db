"""HIS clients authenticate with ``Authorization: Bearer yg_<prefix>_<secret>``."""

from __future__ import annotations

import hmac
import re

import pghistory
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.choices import SecurityEventKind
from accounts.errors import ApiKeyError, ApiKeyMalformedError
from accounts.models import ApiClient
from accounts.services import hash_api_key, security_event_record
from core import clock

_KEY = re.compile(r"^yg_([0-9a-f]{8})_([A-Za-z0-9_-]{20,64})$")


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        match = _KEY.match(key.strip())
        if not match:
            self._reject(request, "malformed")
            raise ApiKeyMalformedError()
        client = (
            ApiClient.objects.select_related("user", "organization")
            .filter(key_prefix=match.group(1))
            .first()
        )
        if client is None or not hmac.compare_digest(client.key_hash, hash_api_key(key.strip())):
            self._reject(request, "unknown")
            raise ApiKeyError()
        if client.is_revoked or not client.user.is_active or not client.organization.is_active:
            self._reject(request, "disabled", client=client)
            raise ApiKeyError()
        # Last-use stamp at minute precision: one write a minute, not one per request.
        now = clock.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        # The service user belongs to the client's hospital: reuse the row already loaded
        # instead of a query per request for request.user.organization.
        client.user.organization = client.organization
        pghistory.context(
            user=client.user_id, organization=client.organization_id, api_client=client.key_prefix
        )
        request.api_client = client
        return client.user, client

    def authenticate_header(self, request) -> str:
        return self.keyword

    def _reject(self, request, reason: str, client: ApiClient | None = None) -> None:
        security_event_record(
            kind=SecurityEventKind.API_KEY_REJECTED,
            user=client.user if client else None,
            request=request,
            detail={"reason": reason},
            reason=reason,
        )
