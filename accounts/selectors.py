"""Reads for organisations, users, API clients and the security log; always actor-scoped."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from accounts.models import ApiClient, Organization, SecurityEvent, User
from core import permissions

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest
    from rest_framework.request import Request


def request_actor(request: HttpRequest | Request) -> User:
    """The user a request is signed in as, typed for the services. Every page and API view
    that calls one requires a signed-in user (login_required, the API's authentication and
    core.permissions.ActionPermission), so an anonymous visitor never gets this far."""
    return cast(User, request.user)


def organization_list(
    *, actor: User, kind: str | None = None, q: str | None = None
) -> QuerySet[Organization]:
    permissions.require(actor, "organization.view")
    qs = Organization.objects.visible_to(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(uscc__iexact=q)
    return qs.order_by("kind", "name")


def organization_get(*, actor: User, organization_id: int) -> Organization:
    return permissions.access(
        actor, Organization.objects, action="organization.view", pk=organization_id
    )


def user_list(*, actor: User) -> QuerySet[User]:
    permissions.require(actor, "user.view")
    return User.objects.visible_to(actor).select_related("organization")


def api_client_list(*, actor: User) -> QuerySet[ApiClient]:
    permissions.require(actor, "api_client.view")
    return ApiClient.objects.visible_to(actor).select_related("organization", "created_by")


def security_event_list_unscoped(
    *, actor: User, kind: str | None = None
) -> QuerySet[SecurityEvent]:
    permissions.require(actor, "security_event.view")
    qs = SecurityEvent.objects.select_related("organization").order_by("-at")
    if kind:
        qs = qs.filter(kind=kind)
    return qs
