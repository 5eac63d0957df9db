"""Reads for organisations, users, API clients and the security log; always actor-scoped."""

from __future__ import annotations

from accounts.models import ApiClient, Organization, SecurityEvent, User
from core import permissions


def organization_list(*, actor, kind: str | None = None, q: str | None = None):
    permissions.require(actor, "organization.view")
    qs = Organization.objects.visible_to(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(uscc__iexact=q)
    return qs.order_by("kind", "name")


def organization_get(*, actor, organization_id: int) -> Organization:
    return permissions.access(
        actor, Organization.objects, action="organization.view", pk=organization_id
    )


def user_list(*, actor):
    permissions.require(actor, "user.view")
    return User.objects.visible_to(actor).select_related("organization")


def api_client_list(*, actor):
    permissions.require(actor, "api_client.view")
    return ApiClient.objects.visible_to(actor).select_related("organization", "created_by")


def security_event_list_unscoped(*, actor, kind: str | None = None):
    permissions.require(actor, "security_event.view")
    qs = SecurityEvent.objects.select_related("organization").order_by("-at")
    if kind:
        qs = qs.filter(kind=kind)
    return qs
