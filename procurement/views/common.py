"""What the procurement pages share: who the viewer is, and how a page stops on an action the
viewer may not take now (core.actions). Page helpers every app shares are in core.web."""

from __future__ import annotations

from django.contrib import messages

from accounts.choices import OrganizationKind
from core.actions import Allowed

# Refusals a form shows next to its fields; anything else (403, 404, a wrong state) is left
# to DomainErrorMiddleware.
FIELD_ERROR_STATUS = 400


def org_id(user) -> int | None:
    return getattr(user, "organization_id", None)


def is_hospital(user) -> bool:
    org = getattr(user, "organization", None)
    return org is not None and org.is_hospital


def refused_here(request, allowed: Allowed) -> bool:
    """Whether the page must stop because the action is not allowed (core.actions). A
    refusal about who the viewer is (403, 404) is raised, as the service would raise it; any
    other (the state, nothing left to do) is said as a message on the page, and True tells the
    view to go back."""
    if allowed:
        return False
    if allowed.error is not None and allowed.error.http_status in (403, 404):
        raise allowed.error
    messages.info(request, allowed.reason)
    return True


def is_manufacturer(user) -> bool:
    org = getattr(user, "organization", None)
    return org is not None and org.kind == OrganizationKind.MANUFACTURER
