"""The permission layer: may this user see or do this to this object?

One table maps each action to the roles that may do it; ``visible_to`` scoping (core.tenancy)
decides which objects they may do it to. Views and API classes ask here and nowhere else.
An object outside the actor's scope is reported as missing (404), never as forbidden, so its
existence does not leak; a visible object with the wrong role is forbidden (403).
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from core.errors import NotFoundError, PermissionDeniedError
from core.tenancy import is_active_actor

HOSPITAL_PURCHASER = "hospital_purchaser"
HOSPITAL_FINANCE = "hospital_finance"
SUPPLIER_SALES = "supplier_sales"
BUREAU_OFFICER = "bureau_officer"
AGENCY_FINANCE = "agency_finance"
PLATFORM_ADMIN = "platform_admin"

EVERYONE = frozenset(
    {
        HOSPITAL_PURCHASER,
        HOSPITAL_FINANCE,
        SUPPLIER_SALES,
        BUREAU_OFFICER,
        AGENCY_FINANCE,
        PLATFORM_ADMIN,
    }
)
HOSPITAL = frozenset({HOSPITAL_PURCHASER, HOSPITAL_FINANCE})
REGULATORS = frozenset({BUREAU_OFFICER, AGENCY_FINANCE})

# action -> roles allowed. Later issues add their actions here, so that the table-driven test
# in core/tests/test_permissions.py covers every action the platform has.
ACTIONS: dict[str, frozenset[str]] = {
    "organization.view": EVERYONE,
    "organization.manage": frozenset({PLATFORM_ADMIN}),
    "user.view": EVERYONE,
    "user.manage": frozenset({PLATFORM_ADMIN}),
    "api_client.view": frozenset({HOSPITAL_PURCHASER, HOSPITAL_FINANCE, PLATFORM_ADMIN}),
    "api_client.manage": frozenset({PLATFORM_ADMIN}),
    "history.view": frozenset({PLATFORM_ADMIN}),
    "security_event.view": frozenset({PLATFORM_ADMIN}),
    "region_policy.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "region_policy.edit": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    # catalog
    "catalog.view": EVERYONE,
    "catalog.import": frozenset({PLATFORM_ADMIN}),
    "reference_price.view": EVERYONE,
    "reference_price.manage": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "price_objection.raise": frozenset({SUPPLIER_SALES}),
    "price_objection.view": frozenset({SUPPLIER_SALES, BUREAU_OFFICER, PLATFORM_ADMIN}),
    "price_objection.resolve": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "sync_run.view": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "sync_run.start": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    # procurement: listing
    "listing.view": EVERYONE,
    "listing.apply": frozenset({SUPPLIER_SALES}),
    "listing.review": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "agreed_price.view": frozenset(
        {
            HOSPITAL_PURCHASER,
            HOSPITAL_FINANCE,
            SUPPLIER_SALES,
            BUREAU_OFFICER,
            AGENCY_FINANCE,
            PLATFORM_ADMIN,
        }
    ),
    "agreed_price.negotiate": frozenset({HOSPITAL_PURCHASER, SUPPLIER_SALES}),
    "purchase_plan.set": frozenset({HOSPITAL_FINANCE, BUREAU_OFFICER}),
    # procurement: orders to invoices
    "order.view": EVERYONE,
    "order.place": frozenset({HOSPITAL_PURCHASER}),
    "order.respond": frozenset({SUPPLIER_SALES}),
    "delivery.create": frozenset({SUPPLIER_SALES}),
    "delivery.accept": frozenset({HOSPITAL_PURCHASER}),
    "invoice.register": frozenset({SUPPLIER_SALES}),
    "invoice.confirm": frozenset({HOSPITAL_FINANCE}),
    "usage.record": frozenset({HOSPITAL_PURCHASER}),
    "usage.view": frozenset(
        {HOSPITAL_PURCHASER, HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "event.view": frozenset({HOSPITAL_PURCHASER, HOSPITAL_FINANCE, SUPPLIER_SALES}),
    # procurement: volume-based procurement rounds and demand (the bureau and the agency run
    # rounds; hospitals report demand; suppliers read published rounds)
    "round.view": EVERYONE,
    "round.manage": REGULATORS,
    "demand.view": frozenset(
        {HOSPITAL_PURCHASER, HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "demand.report": frozenset({HOSPITAL_PURCHASER}),
    "demand.review": REGULATORS,
}


def can(actor: Any, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}: add it to core.permissions.ACTIONS")
    return is_active_actor(actor) and bool(ACTIONS[action] & set(actor.roles))


def require(actor: Any, action: str, *, request: Any = None) -> None:
    """Raise PermissionDeniedError (and record the refusal) unless ``actor`` may do ``action``."""
    if not can(actor, action):
        from accounts.services import security_event_record

        security_event_record(
            kind="permission_denied", user=actor, request=request, detail={"action": action}
        )
        raise PermissionDeniedError(action=action)


def access(actor: Any, queryset: Any, *, action: str, request: Any = None, **lookup: Any):
    """Fetch one object the actor may see, then check the role for ``action``.

    The scope is applied first: a row outside it is NotFoundError even when the role would be
    refused, so probing for ids reveals nothing.
    """
    obj = queryset.visible_to(actor).filter(**lookup).first()
    if obj is None:
        raise NotFoundError()
    require(actor, action, request=request)
    return obj


class ActionPermission(BasePermission):
    """DRF permission: the view names ``required_action`` (or ``required_actions`` per method)."""

    def has_permission(self, request, view) -> bool:
        actions = getattr(view, "required_actions", None)
        action = actions.get(request.method) if actions else getattr(view, "required_action", None)
        if action is None:
            return True
        require(request.user, action, request=request)
        return True
