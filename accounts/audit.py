"""The security log's hash chain: its key and its hash [R-AUDIT-CHAIN] (docs/security.md).

Pure functions over plain values, shared by the append (accounts.services), the verification
(accounts.selectors) and the archive files, so that the three hash a row the same way.

- The key is AUDIT_HMAC_KEY, else the content of the file AUDIT_HMAC_KEY_FILE, never the
  database: whoever can write the table cannot forge a hash. With neither, production refuses
  (``check --deploy``, see accounts.checks; and every append raises ``KeyMissingError``);
  settings give AUDIT_HMAC_KEY a development default only when DJANGO_DEBUG is on.
- Each row names its key by ``key_id`` (an HMAC of a constant under the key: it identifies the
  key without revealing it). After a rotation the old keys go in AUDIT_HMAC_OLD_KEYS, so the
  rows they signed still verify.
- ``chain_hash`` = HMAC-SHA-256(key, previous row's chain_hash || canonical row), the
  canonical row being the JSON of ``CHAINED_FIELDS`` (sorted keys, no spaces, UTF-8, time as
  UTC ISO 8601 with microseconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS_HASH = "0" * 64
MIN_KEY_BYTES = 32

# The row's fields that the hash covers, in the order an archive line lists them.
CHAINED_FIELDS = (
    "seq",
    "at",
    "kind",
    "user_id",
    "username",
    "organization_id",
    "roles",
    "ip",
    "path",
    "request_id",
    "object_type",
    "object_id",
    "result",
    "reason",
    "detail",
    "key_id",
)


class KeyMissingError(ImproperlyConfigured):
    pass


def _configured_key() -> bytes | None:
    if settings.AUDIT_HMAC_KEY:
        return settings.AUDIT_HMAC_KEY.encode()
    if settings.AUDIT_HMAC_KEY_FILE:
        try:
            key = Path(settings.AUDIT_HMAC_KEY_FILE).read_bytes().strip()
        except OSError as exc:
            raise KeyMissingError(f"AUDIT_HMAC_KEY_FILE cannot be read: {exc}") from exc
        if not key:
            raise KeyMissingError("AUDIT_HMAC_KEY_FILE is empty.")
        return key
    return None


def key_problem() -> str | None:
    """Why the chain has no usable key, or None (what ``check --deploy`` reports)."""
    try:
        key = _configured_key()
    except KeyMissingError as exc:
        return str(exc)
    if key is None:
        return "Set AUDIT_HMAC_KEY or AUDIT_HMAC_KEY_FILE."
    if len(key) < MIN_KEY_BYTES:
        return f"The audit HMAC key must be at least {MIN_KEY_BYTES} bytes."
    return None


def current_key() -> bytes:
    """The key new rows are signed with."""
    key = _configured_key()
    if key is None:
        raise KeyMissingError("Set AUDIT_HMAC_KEY or AUDIT_HMAC_KEY_FILE.")
    return key


def key_id(key: bytes) -> str:
    return hmac.new(key, b"yangguang-audit-key-id", hashlib.sha256).hexdigest()[:16]


def known_keys() -> dict[str, bytes]:
    """Every key a stored row may name: the current one and the old ones, by key id."""
    keys = [current_key(), *(old.encode() for old in settings.AUDIT_HMAC_OLD_KEYS)]
    return {key_id(key): key for key in keys}


def timestamp_text(value: dt.datetime) -> str:
    """A time as hashed: UTC, microseconds, ISO 8601."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(row: Mapping[str, object]) -> bytes:
    """The canonical serialisation of a row's chained fields (``at`` a datetime or its text)."""
    body = {name: row[name] for name in CHAINED_FIELDS}
    at = body["at"]
    if isinstance(at, dt.datetime):
        body["at"] = timestamp_text(at)
    roles = body["roles"]
    body["roles"] = list(roles) if isinstance(roles, list | tuple) else []
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(*, key: bytes, prev_hash: str, row: Mapping[str, object]) -> str:
    """HMAC-SHA-256(key, prev_hash || canonical(row)), hex."""
    return hmac.new(key, prev_hash.encode() + canonical(row), hashlib.sha256).hexdigest()
