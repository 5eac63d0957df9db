"""Writes for organisations, users, API clients and the security log."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumValidationError

from accounts import audit
from accounts.choices import (
    REFUSED_KINDS,
    ROLES_BY_KIND,
    AuditResult,
    OrganizationKind,
    SecurityEventKind,
)
from accounts.errors import (
    AuditArchiveError,
    RegionInvalidError,
    RoleInvalidError,
    UsccInvalidError,
)
from accounts.locks import lock_audit_chain
from accounts.models import ApiClient, Organization, SecurityEvent, User
from accounts.selectors import (
    AUDIT_ROW_FIELDS,
    AuditChainReport,
    audit_archive_file_verify,
    audit_chain_head,
    audit_chain_verify,
)
from core import clock, permissions
from core.history import client_address
from core.privileges import owner_connection
from core.regions import is_valid_region
from core.request_id import current_request

logger = logging.getLogger(__name__)

API_KEY_PREFIX = "yg"


def validate_uscc(value: str) -> str:
    """Normalise and check a 统一社会信用代码 (python-stdnum's cn.uscc, check character included)."""
    try:
        return uscc_std.validate(value)
    except StdnumValidationError as exc:
        raise UsccInvalidError(value=value, reason=str(exc)) from None


def validate_roles(roles: list[str], kind: str) -> list[str]:
    allowed = ROLES_BY_KIND.get(kind, frozenset())
    for role in roles:
        if role not in allowed:
            raise RoleInvalidError(role=role, kind=OrganizationKind(kind).label)
    return sorted(set(roles))


@transaction.atomic
def organization_create(*, actor: User | None, **fields: Any) -> Organization:
    if actor is not None:
        permissions.require(actor, "organization.manage")
    fields["uscc"] = validate_uscc(fields["uscc"])
    if not is_valid_region(fields["region_code"]):
        raise RegionInvalidError(value=fields["region_code"])
    org = Organization(**fields)
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    organization: Organization,
    username: str,
    password: str,
    roles: list[str],
    **fields: Any,
) -> User:
    if actor is not None:
        permissions.require(actor, "user.manage")
    roles = validate_roles(roles, organization.kind)
    user = User(username=username, organization=organization, roles=roles, **fields)
    user.set_password(password)
    user.password_changed_at = clock.now()
    user.save()
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user_id: int) -> User:
    """Disable a user: their sessions and API keys stop working on the next request, because
    authentication rejects inactive users every time rather than trusting a cached session."""
    user = permissions.access(
        actor, User.objects.select_for_update(), action="user.manage", pk=user_id
    )
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@dataclass(frozen=True)
class IssuedApiKey:
    client: ApiClient
    key: str  # shown once, never stored


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_client_create(
    *, actor: User | None, organization: Organization, name: str, roles: list[str] | None = None
) -> IssuedApiKey:
    if actor is not None:
        permissions.require(actor, "api_client.manage")
    if organization.kind != OrganizationKind.HOSPITAL:
        raise RoleInvalidError(role="his_client", kind=OrganizationKind(organization.kind).label)
    roles = validate_roles(roles or ["hospital_purchaser"], organization.kind)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    service_user = User(
        username=f"his-{prefix}", organization=organization, roles=roles, is_service_account=True
    )
    service_user.set_unusable_password()
    service_user.save()
    client = ApiClient.objects.create(
        name=name,
        organization=organization,
        user=service_user,
        key_prefix=prefix,
        key_hash=hash_api_key(key),
        created_by=actor,
    )
    security_event_record(
        kind=SecurityEventKind.API_KEY_CREATED,
        user=actor,
        detail={"client": prefix},
        object_type="accounts.ApiClient",
        object_id=client.pk,
    )
    return IssuedApiKey(client=client, key=key)


@transaction.atomic
def api_client_revoke(*, actor: User, client_id: int) -> ApiClient:
    client = permissions.access(
        actor, ApiClient.objects.select_for_update(), action="api_client.manage", pk=client_id
    )
    if client.revoked_at is None:
        client.revoked_at = clock.now()
        client.save(update_fields=["revoked_at"])
        security_event_record(
            kind=SecurityEventKind.API_KEY_REVOKED,
            user=actor,
            detail={"client": client.key_prefix},
            object_type="accounts.ApiClient",
            object_id=client.pk,
        )
    return client


def _address(raw: str | None) -> str | None:
    """The client's address as PostgreSQL's inet gives it back (so the hash reads the same)."""
    try:
        address = ipaddress.ip_address(raw) if raw else None
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address) if address is not None else None


@transaction.atomic
def security_event_record(
    *,
    kind: str,
    user: Any = None,
    username: str = "",
    request: Any = None,
    detail: dict | None = None,
    object_type: str = "",
    object_id: object = "",
    result: str | None = None,
    reason: str = "",
) -> SecurityEvent:
    """[R-AUDIT-CHAIN] Append one row to the security log: the one writer of SecurityEvent.

    Records who (user, user name, organisation and the roles held at that moment), when, from
    where (address, path, request id), what (``kind``, ``detail``), on what (``object_type``,
    ``object_id``, optional) and the outcome (``result``: refused for the kinds in
    REFUSED_KINDS unless given, with ``reason``). The row takes the next sequence number and
    its keyed hash under the chain's advisory lock, held until the caller's transaction ends,
    so concurrent appends chain one after another. Never raises on a missing request or an
    anonymous user; raises KeyMissingError in production without a key (fail closed).
    """
    key = audit.current_key()
    # The request handed over, else the one this thread is serving (core.request_id).
    serving = current_request()
    real_user = user if getattr(user, "pk", None) else None
    outcome = result or (AuditResult.REFUSED if kind in REFUSED_KINDS else AuditResult.SUCCESS)
    event = SecurityEvent(
        kind=kind,
        user=real_user,
        username=(username or (real_user.username if real_user else ""))[:150],
        organization_id=getattr(real_user, "organization_id", None),
        roles=sorted(getattr(real_user, "roles", None) or []),
        ip=_address(client_address(request) if request is not None else serving.ip),
        path=(request.path if request is not None else serving.path)[:300],
        request_id=(getattr(request, "request_id", "") or serving.request_id)[:64],
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        result=outcome,
        reason=reason[:200],
        # As jsonb gives it back: what the hash covers is what is stored.
        detail=json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder)),
        key_id=audit.key_id(key),
    )
    lock_audit_chain()
    seq, prev_hash = audit_chain_head()
    event.seq = seq + 1
    event.at = clock.now()  # under the lock: time follows the sequence
    event.prev_hash = prev_hash
    event.chain_hash = audit.chain_hash(key=key, prev_hash=prev_hash, row=_chained(event))
    event.save(force_insert=True)
    return event


def _chained(event: SecurityEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in audit.CHAINED_FIELDS}


def audit_chain_check_run() -> AuditChainReport:
    """[R-AUDIT-CHAIN] The daily check (task ``accounts.audit_chain_check``, beat): verify the
    chain, record the result as a security event of its own, and log a break as an error for
    the operators' alerting (with the head, so a truncated tail shows against the logs)."""
    report = audit_chain_verify()
    first = report.first_break
    security_event_record(
        kind=SecurityEventKind.AUDIT_VERIFIED,
        result=AuditResult.SUCCESS if report.ok else AuditResult.FAILED,
        reason=first.check if first else "",
        detail=report.as_detail(),
    )
    if first is not None:
        logger.error(
            "security log chain broken: %d findings, first %s at seq %s (%s)",
            len(report.findings),
            first.check,
            first.seq,
            first.detail,
        )
    else:
        logger.info(
            "security log chain verified: %d rows, head seq %s hash %s",
            report.rows,
            report.last_seq,
            report.last_hash,
        )
    return report


@dataclass(frozen=True)
class AuditArchive:
    """What ``audit_archive`` moved out: the rows, their range, the file and its SHA-256."""

    count: int
    from_seq: int | None
    to_seq: int | None
    path: Path
    sha256: str
    event: SecurityEvent


def _archive_line(row: dict[str, Any]) -> str:
    row = {**row, "at": audit.timestamp_text(row["at"])}
    return json.dumps(row, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder) + "\n"


def audit_archive(
    *, directory: Path | None = None, today: dt.date | None = None
) -> AuditArchive | None:
    """[R-AUDIT-CHAIN] Move the security log's rows older than AUDIT_RETENTION_DAYS to a file.

    1. The rows to go: every chained row up to the last one older than the retention (a prefix
       of the chain: time follows the sequence), and the unchained rows from before the chain
       that are as old. None when there are none.
    2. They are written as JSON lines, with their hashes, to ``security-events-<from>-<to>-
       <time>.jsonl`` under AUDIT_ARCHIVE_DIR (a temporary name first, fsynced, then renamed),
       and the file is read back: the same rows, a chain that verifies, its SHA-256.
    3. As the owner role (the runtime role may not delete; the append-only trigger is skipped
       for this transaction only), the drop is recorded as an ``audit_archived`` event (count,
       range, file, SHA-256, and the boundary: the hash the first kept row follows), then
       exactly the archived rows are deleted; any other count rolls the whole back.
    """
    directory = Path(directory or settings.AUDIT_ARCHIVE_DIR)
    today = today or clock.local_today()
    cutoff = dt.datetime.combine(
        today - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS), dt.time.min, tzinfo=clock.SHANGHAI
    )
    old = SecurityEvent.objects.filter(at__lt=cutoff)
    to_seq = old.filter(seq__isnull=False).order_by("-seq").values_list("seq", flat=True).first()
    from_seq = old.filter(seq__isnull=False).order_by("seq").values_list("seq", flat=True).first()
    unchained_ids = list(old.filter(seq__isnull=True).order_by("pk").values_list("pk", flat=True))
    chained = SecurityEvent.objects.filter(seq__isnull=False, seq__lte=to_seq or 0)
    count = len(unchained_ids) + chained.count()
    if count == 0:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"security-events-{from_seq or 0}-{to_seq or 0}-{stamp}.jsonl"
    partial = path.with_suffix(".jsonl.partial")
    digest = hashlib.sha256()
    with partial.open("w", encoding="utf-8") as handle:
        rows = SecurityEvent.objects.filter(pk__in=unchained_ids).order_by("pk")
        for row in rows.values(*AUDIT_ROW_FIELDS).iterator(chunk_size=2000):
            line = _archive_line(row)
            digest.update(line.encode())
            handle.write(line)
        for row in chained.order_by("seq").values(*AUDIT_ROW_FIELDS).iterator(chunk_size=2000):
            line = _archive_line(row)
            digest.update(line.encode())
            handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    partial.rename(path)
    sha256 = digest.hexdigest()
    _archive_check(path, count=count, sha256=sha256, from_seq=from_seq, to_seq=to_seq)
    boundary = (
        chained.filter(seq=to_seq).values_list("chain_hash", flat=True).first() if to_seq else None
    )
    with owner_connection(), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pgtrigger.ignore', array_agg(tgname)::text, true)"
                " FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [SecurityEvent._meta.db_table],
            )
        detail: dict[str, Any] = {
            "count": count,
            "from_seq": from_seq,
            "to_seq": to_seq,
            "unchained": len(unchained_ids),
            "before": audit.timestamp_text(cutoff),
            "file": str(path),
            "sha256": sha256,
        }
        if to_seq is not None:
            detail.update(next_seq=to_seq + 1, boundary_hash=boundary)
        event = security_event_record(
            kind=SecurityEventKind.AUDIT_ARCHIVED,
            detail=detail,
            object_type="file",
            object_id=path.name,
        )
        deleted, _by_model = SecurityEvent.objects.filter(
            Q(pk__in=unchained_ids) | Q(seq__isnull=False, seq__lte=to_seq or 0)
        ).delete()
        if deleted != count:
            raise AuditArchiveError(reason=f"{deleted} rows to delete, {count} archived")
    return AuditArchive(count, from_seq, to_seq, path, sha256, event)


def _archive_check(
    path: Path, *, count: int, sha256: str, from_seq: int | None, to_seq: int | None
) -> None:
    """The file as read back: its SHA-256, its row count and a chain that verifies."""
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise AuditArchiveError(reason="the file read back differs from what was written")
    report = audit_archive_file_verify(path)
    if report.rows != count or report.first_seq != from_seq or report.last_seq != to_seq:
        raise AuditArchiveError(reason=f"the file holds {report.rows} rows, not {count}")
    if not report.ok:
        raise AuditArchiveError(reason=f"the archived chain does not verify: {report.first_break}")
