"""Writes for the region policy."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core import permissions
from core.errors import ValidationError
from core.policy import RULES, RegionPolicy
from core.tenancy import Actor


@transaction.atomic
def region_policy_update(*, actor: Actor, changes: dict[str, Any]) -> RegionPolicy:
    """Change figures of the actor's region policy (creating it from the defaults if needed).
    History (pghistory) keeps every earlier value with who changed it."""
    permissions.require(actor, "region_policy.edit")
    unknown = set(changes) - set(RULES)
    if unknown:
        raise ValidationError(fields={name: ["unknown figure"] for name in sorted(unknown)})
    # NOTE: an actor without an organisation (a platform administrator) fails here (500).
    region = actor.organization.region_code  # type: ignore[union-attr]
    policy, _ = RegionPolicy.objects.select_for_update().get_or_create(region_code=region)
    for name, value in changes.items():
        setattr(policy, name, value)
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        policy.full_clean()
    except DjangoValidationError as exc:
        raise ValidationError(fields=exc.message_dict) from None
    policy.save(update_fields=[*changes, "updated_at"])
    return policy
