"""Idempotency-Key for every API POST, implemented once.

The first request with a key claims it (a committed ``in_flight`` row, so concurrent duplicates
see it at once). core.api.views.ApiView then runs the handler inside one
``transaction.atomic()`` block together with the storing of its response, so the effect and
the stored response commit or vanish together. A request that ends without a stored answer
(an exception, a renderer failure, a lost database connection) releases its claim at once;
only a worker killed outright leaves one, which goes stale and is taken over by a retry.
Afterwards:

- same key, same body   -> the stored response, with no second effect;
- same key, other body  -> 422 ``idempotency_key_reused``;
- same key while the first is still running -> 409 ``idempotency_in_flight``;
- same key, same body, first response held a secret -> 409 ``idempotency_secret_withheld``.

No stored response holds a secret: a view lists the keys of its response that are secrets
(``ApiView.secret_fields``), and what is stored for that response is the 409 answer, with
the rest of the response in ``extra.response``. The secret exists in the one response only.

The body of a request is fingerprinted as canonical JSON; an uploaded file by the SHA-256 of
its content, so multipart uploads are keyed like any other POST.

Keys are scoped to the caller (the user, or the HIS client) and kept IDEMPOTENCY_KEY_TTL.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.core.files.base import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import DomainError

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyRecord(models.Model):
    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", _("In flight")
        DONE = "done", _("Done")

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    claimed_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.state}"


class IdempotencyKeyInvalidError(DomainError):
    code = "idempotency_key_invalid"
    message_template = _("The Idempotency-Key header must be 1 to 255 printable characters.")


class IdempotencyKeyRequiredError(DomainError):
    code = "idempotency_key_required"
    message_template = _("API clients must send an Idempotency-Key header with every POST.")


class IdempotencyKeyReusedError(DomainError):
    code = "idempotency_key_reused"
    http_status = 422
    message_template = _(
        "Idempotency-Key %(key)s was already used for a different request; use a new key."
    )


class IdempotencyInFlightError(DomainError):
    code = "idempotency_in_flight"
    http_status = 409
    message_template = _(
        "A request with Idempotency-Key %(key)s is still being processed; retry shortly."
    )


class IdempotencySecretWithheldError(DomainError):
    """What a replay answers when the first response held a secret (ApiView.secret_fields).
    ``extra``: ``status`` (of the first response), ``response`` (it, without the secrets)
    and ``withheld`` (the keys left out)."""

    code = "idempotency_secret_withheld"
    http_status = 409
    message_template = _(
        "This request was already carried out. Its response held a secret (%(names)s) that "
        "is shown only once, so it is not shown again; if it was lost, revoke what was "
        "created and create a new one."
    )


class IdempotentReplay(Exception):
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        super().__init__(status)


@dataclass
class Claim:
    record_id: int


def _scope(request) -> str:
    client = getattr(request, "api_client", None)
    if client is not None:
        return f"client:{client.pk}"
    return f"user:{request.user.pk}"


class _FingerprintEncoder(DjangoJSONEncoder):
    """Uploaded files by the SHA-256 of their content (read in chunks, then rewound for the
    handler): the same file again is the same request, another file under the key is 422."""

    def default(self, o):
        if isinstance(o, File):
            digest = hashlib.sha256()
            for chunk in o.chunks():
                digest.update(chunk)
            o.seek(0)
            return {"file": o.name, "size": o.size, "sha256": digest.hexdigest()}
        return super().default(o)


def _fingerprint(request) -> str:
    data = request.data
    if isinstance(data, MultiValueDict):  # form and multipart bodies, files included
        data = {key: data.getlist(key) for key in data}
    body = json.dumps(data, sort_keys=True, cls=_FingerprintEncoder)
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _insert(scope: str, key: str, request, fingerprint: str) -> int | None:
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO core_idempotencyrecord
                (scope, key, method, path, fingerprint, state, claimed_at, expires_at)
            VALUES (%s, %s, %s, %s, %s, 'in_flight', %s, %s)
            ON CONFLICT (scope, key) DO NOTHING
            RETURNING id
            """,
            [
                scope,
                key,
                request.method,
                request.path[:500],
                fingerprint,
                now,
                now + settings.IDEMPOTENCY_KEY_TTL,
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def claim(request) -> Claim | None:
    """Claim the request's key, or raise what the caller should get instead."""
    key = request.headers.get(HEADER)
    if key is None:
        if getattr(request, "api_client", None) is not None:
            raise IdempotencyKeyRequiredError()
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise IdempotencyKeyInvalidError()
    scope, fingerprint = _scope(request), _fingerprint(request)
    for _attempt in range(2):
        record_id = _insert(scope, key, request, fingerprint)
        if record_id is not None:
            return Claim(record_id=record_id)
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            continue  # released between our insert and read: try once more
        now = clock.now()
        if existing.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError(key=key)
        if existing.state == IdempotencyRecord.State.DONE:
            # A done record always has its status (idempotency_store writes both at once).
            raise IdempotentReplay(cast(int, existing.response_status), existing.response_body)
        stale_before = now - settings.IDEMPOTENCY_STALE_AFTER
        if existing.claimed_at < stale_before:
            # The first attempt's worker died; its transaction rolled back, so take over.
            taken = IdempotencyRecord.objects.filter(
                pk=existing.pk,
                state=IdempotencyRecord.State.IN_FLIGHT,
                claimed_at=existing.claimed_at,
            ).update(claimed_at=now)
            if taken:
                return Claim(record_id=existing.pk)
        raise IdempotencyInFlightError(key=key)
    raise IdempotencyInFlightError(key=key)


def store(claim_: Claim, status: int, body: str | None) -> None:
    """Record the answer (``body`` is its JSON text) that a replay of the claim gets."""
    # Plain SQL, like the claim: it runs on every POST, and the ORM's update compiler cost
    # more than the statement itself.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_idempotencyrecord SET state = %s, response_status = %s, "
            "response_body = %s::jsonb, completed_at = %s WHERE id = %s",
            [IdempotencyRecord.State.DONE.value, status, body, clock.now(), claim_.record_id],
        )


def release(claim_: Claim) -> None:
    """Free the key of a request that ends without a stored answer, so that a retry runs.
    If the database cannot be reached the claim stays, goes stale and is taken over."""
    try:
        IdempotencyRecord.objects.filter(
            pk=claim_.record_id, state=IdempotencyRecord.State.IN_FLIGHT
        ).delete()
    except DatabaseError:
        logger.warning("could not release idempotency claim %s", claim_.record_id, exc_info=True)


def withhold_secrets(status: int, body: str, fields: tuple[str, ...]) -> tuple[int, str]:
    """The answer stored for a response that holds secrets: 409 ``idempotency_secret_withheld``
    with the response minus ``fields`` (dotted for nested keys)."""
    response = json.loads(body)
    withheld = []
    for name in fields:
        *parents, leaf = name.split(".")
        node = response
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and leaf in node:
            del node[leaf]
            withheld.append(name)
    if not withheld:
        return status, body
    error = IdempotencySecretWithheldError(
        str(IdempotencySecretWithheldError.message_template) % {"names": ", ".join(withheld)},
        status=status,
        response=response,
        withheld=withheld,
    )
    return error.http_status, json.dumps(error.as_dict(), cls=DjangoJSONEncoder)


def purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted


def ttl() -> timedelta:
    return settings.IDEMPOTENCY_KEY_TTL
