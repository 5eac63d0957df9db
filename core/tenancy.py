"""Tenancy: every tenant-owned queryset is filtered by the actor's organisation.

A model declares ``tenant_q(actor) -> Q`` and uses ``TenantQuerySet``; selectors call
``Model.objects.visible_to(actor)``. Anonymous or inactive actors see nothing, so a forgotten
check fails closed. Reads that deliberately cross organisations are named ``*_unscoped``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13


class ActorOrganization(Protocol):
    """What core reads of an actor's organisation (accounts.Organization has it)."""

    @property
    def pk(self) -> Any: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_hospital(self) -> bool: ...
    @property
    def is_regulator(self) -> bool: ...
    @property
    def jurisdiction(self) -> str: ...
    @property
    def region_code(self) -> str: ...


class Actor(Protocol):
    """Who acts: a signed-in user, or the service user behind an HIS API client. Core types
    actors by what it reads of them, so that it imports no app; the apps' services take the
    concrete ``accounts.models.User``, which is one."""

    @property
    def pk(self) -> Any: ...
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def roles(self) -> Sequence[str]: ...
    @property
    def organization(self) -> ActorOrganization | None: ...
    @property
    def organization_id(self) -> Any: ...


# What a check may be handed: an actor, an anonymous visitor, or no one (a system job).
AnyActor: TypeAlias = "Actor | AnonymousUser | None"

# Role names as plain strings (accounts.choices.Role holds their labels): core must not import
# accounts at module load, because accounts' models import core.
PLATFORM_ADMIN = "platform_admin"
REGULATOR_ROLES = ("bureau_officer", "agency_finance")
# Who oversees the whole trade: regulators and platform administrators.
OVERSEER_ROLES = frozenset({*REGULATOR_ROLES, PLATFORM_ADMIN})


def is_active_actor(actor: AnyActor) -> TypeIs[Actor]:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def scope_q(actor: AnyActor, *, org_field: str, region_field: str | None = None) -> models.Q:
    """The default scope: platform admins see everything; bureau and agency staff see their
    region (when the model has one); everyone else sees their own organisation's rows."""
    if not is_active_actor(actor):
        return models.Q(pk__in=[])
    if PLATFORM_ADMIN in actor.roles:
        return models.Q()
    org = actor.organization
    if org is None or not org.is_active:
        return models.Q(pk__in=[])
    own = models.Q(**{org_field: org.pk})
    region = _jurisdiction_q(actor, region_field) if region_field else None
    return own | region if region is not None else own


def _jurisdiction_q(actor: Actor, region_field: str) -> models.Q | None:
    """Rows in a bureau or agency officer's jurisdiction; None for anyone else."""
    org = actor.organization
    if set(REGULATOR_ROLES) & set(actor.roles) and org is not None and org.is_regulator:
        return models.Q(**{f"{region_field}__startswith": org.jurisdiction})
    return None


def overseer_q(actor: Actor, *, region_field: str) -> models.Q | None:
    """The scope of an overseer over trade rows (orders, invoices): platform admins see all,
    bureau and agency staff the rows whose ``region_field`` lies in their jurisdiction. None
    when the actor is no overseer, so the caller applies its own parties' scope."""
    if PLATFORM_ADMIN in actor.roles:
        return models.Q()
    region = _jurisdiction_q(actor, region_field)
    if region is None and set(REGULATOR_ROLES) & set(actor.roles):
        return models.Q(pk__in=[])  # a regulator's role outside a regulator: sees nothing
    return region


class TenantQuerySet(models.QuerySet):
    def visible_to(self, actor: AnyActor) -> Self:
        if not is_active_actor(actor):
            return self.none()
        return self.filter(self.model.tenant_q(actor))  # type: ignore[attr-defined]  # each model's
