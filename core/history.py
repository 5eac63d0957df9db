"""History: who changed what, when, before and after, written by database triggers.

django-pghistory records every tracked change in the same transaction as the change itself and
attaches the request's context (user, organisation, address, API client). Tables that must never
change are append-only: the app's database role may only read and insert them
(core.privileges), and a django-pgtrigger trigger refuses UPDATE and DELETE as a second guard.
"""

from __future__ import annotations

from typing import Any

import pghistory
import pgtrigger
from pghistory.middleware import HistoryMiddleware


class AppendOnly(pgtrigger.Protect):
    """A trigger that refuses UPDATE and DELETE, and the marker of an append-only table.

    Privileges are the guard (core.privileges): after every migrate the runtime database role
    gets only SELECT and INSERT on every model that carries one of these (plus UPDATE of the
    `updatable` columns), whatever a session sets. The trigger is the second guard, against
    the owner role and superusers, who could still skip it with ``SET pgtrigger.ignore``.
    """

    def __init__(self, *, updatable: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.updatable = tuple(updatable)
        super().__init__(**kwargs)


def append_only(name: str = "append_only") -> AppendOnly:
    """A trigger for ``Meta.triggers`` that makes a table insert-only (and registers it as
    append-only for the runtime role's privileges)."""
    return AppendOnly(name=name, operation=pgtrigger.Update | pgtrigger.Delete)


def append_only_except(*fields: str) -> list[AppendOnly]:
    """Insert-only, except that ``fields`` (processing markers such as ``processed_at``) may be
    set later; every other column is frozen and rows cannot be deleted."""
    return [
        AppendOnly(name="no_delete", operation=pgtrigger.Delete, updatable=fields),
        AppendOnly(
            name="frozen_columns",
            operation=pgtrigger.Update,
            condition=pgtrigger.AnyChange(exclude=list(fields)),
            updatable=fields,
        ),
    ]


def track(**kwargs: Any):
    """``pghistory.track`` with our defaults: inserts, updates and deletes are all recorded, and
    the event table itself is append-only."""
    kwargs.setdefault("append_only", True)
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )


def client_address(request) -> str | None:
    # Behind the reverse proxy (docker-compose, production) REMOTE_ADDR is set by gunicorn
    # from the proxy's socket; trusting X-Forwarded-For is the proxy's job, configured there.
    return request.META.get("REMOTE_ADDR")


class HistoryContextMiddleware(HistoryMiddleware):
    """Attach user, organisation and address to every history row a request writes."""

    def get_context(self, request) -> dict[str, Any]:
        context = super().get_context(request)
        user = getattr(request, "user", None)
        org_id = getattr(user, "organization_id", None) if user is not None else None
        context.update({"organization": org_id, "ip": client_address(request)})
        return context
