"""History: who changed what, when, before and after, written by database triggers.

django-pghistory records every tracked change in the same transaction as the change itself and
attaches the request's context (user, organisation, address, API client). Tables that must never
change get a django-pgtrigger trigger that refuses UPDATE and DELETE, so not even a superuser
with a SQL console can rewrite them without dropping the trigger first (which is itself logged
by PostgreSQL).
"""

from __future__ import annotations

from typing import Any

import pghistory
import pgtrigger
from pghistory.middleware import HistoryMiddleware


def append_only(name: str = "append_only") -> pgtrigger.Protect:
    """A trigger for ``Meta.triggers`` that makes a table insert-only."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update | pgtrigger.Delete)


def append_only_except(*fields: str) -> list[pgtrigger.Protect]:
    """Insert-only, except that ``fields`` (processing markers such as ``processed_at``) may be
    set later; every other column is frozen and rows cannot be deleted."""
    return [
        pgtrigger.Protect(name="no_delete", operation=pgtrigger.Delete),
        pgtrigger.Protect(
            name="frozen_columns",
            operation=pgtrigger.Update,
            condition=pgtrigger.AnyChange(exclude=list(fields)),
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
