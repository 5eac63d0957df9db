"""Writes for organisations, users, API clients and the security log."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumValidationError

from accounts.choices import ROLES_BY_KIND, OrganizationKind, SecurityEventKind
from accounts.errors import RegionInvalidError, RoleInvalidError, UsccInvalidError
from accounts.models import ApiClient, Organization, SecurityEvent, User
from core import clock, permissions
from core.history import client_address
from core.regions import is_valid_region

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
        kind=SecurityEventKind.API_KEY_CREATED, user=actor, detail={"client": prefix}
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
            kind=SecurityEventKind.API_KEY_REVOKED, user=actor, detail={"client": client.key_prefix}
        )
    return client


def security_event_record(
    *,
    kind: str,
    user: Any = None,
    username: str = "",
    request: Any = None,
    detail: dict | None = None,
) -> SecurityEvent:
    """Append one row to the security log. Never raises on a missing request or anonymous user."""
    real_user = user if getattr(user, "pk", None) else None
    return SecurityEvent.objects.create(
        kind=kind,
        user=real_user,
        username=username or (real_user.username if real_user else ""),
        organization_id=getattr(real_user, "organization_id", None),
        ip=client_address(request) if request is not None else None,
        path=(request.path[:300] if request is not None else ""),
        detail=detail or {},
    )
