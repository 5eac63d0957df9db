"""What the app's database role may do, granted by the owner after every migrate.

The app runs as a role that owns nothing (DATABASE_URL); migrations run as the owner
(MIGRATE_DATABASE_URL, see config/db_roles.py). After each migrate the owner grants the runtime
role, idempotently and in one transaction:

- on append-only tables (`append_only_tables()`: every pghistory event table, their context,
  and every model that carries a ``core.history.append_only()`` trigger: the security log,
  the change feed, usage records, price observations, ledgers): SELECT and INSERT only, plus
  UPDATE of the columns a marker names (``append_only_except("processed_at")``);
- on `django_migrations`: SELECT;
- on every other table: SELECT, INSERT, UPDATE, DELETE;
- on sequences: USAGE and SELECT (no setval);
- nowhere TRUNCATE, REFERENCES or TRIGGER, and no CREATE in the schema.

Privileges are checked before any trigger runs, and a session cannot switch them off, unlike
``SET pgtrigger.ignore`` (skips one trigger) or ``SET session_replication_role = replica``
(skips them all; a superuser-only setting, which the runtime role is not).

pghistory's ``_pgh_attach_context()`` upserts its context row (INSERT ... ON CONFLICT DO
UPDATE), which needs UPDATE on ``pghistory_context``. It is replaced (CONTEXT_FUNCTION_SQL) by
one that never rewrites a row: when a request's metadata changes after its context row was
written (DRF authenticates the user inside the view; a service names its action), the new
metadata gets a row of its own, so events already written keep the context they had.

``migrate`` and ``flush`` connect as the owner on their own (core/management/commands), as does
the test database setup (conftest.py); every other command, web, worker and beat run as the
runtime role.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# Models of other packages that are append-only for us: they carry no marker of ours.
THIRD_PARTY_APPEND_ONLY = {
    "pghistory.Context": "the who/where of every history event",
    "admin.LogEntry": "the audit trail of the Django admin",
}

# Models whose names sound like logs or ledgers but whose rows legitimately change, each with
# the reason. core/tests/test_privileges.py fails for any other such name that is not append-only.
APPEND_ONLY_NAME = re.compile(r"(Event|Log|Entry|Ledger|Journal|Record|Audit|History)$")
NOT_APPEND_ONLY = {
    "core.IdempotencyRecord": "a replay cache: stored responses are purged after their TTL",
    "procurement.ReturnRecord": "a return moves through statuses; ReturnRecordEvent is its history",
    "procurement.CatalogueEntry": (
        "a hospital's catalogue entry is stopped and resumed; CatalogueEvent (and "
        "CatalogueEntryEvent) is its history"
    ),
    "supervision.CreditEvent": (
        "a credit event is repaired (its status changes); CreditEventEvent is its history"
    ),
    "axes.AccessLog": "django-axes sets the logout time on logout",
    "axes.AccessFailureLog": "django-axes prunes old failures per user",
}

READ_ONLY_TABLES = ("django_migrations",)


@dataclass(frozen=True)
class AppendOnlyTable:
    model: type[models.Model]
    # Columns the runtime role may still UPDATE (processing markers); empty for most.
    updatable: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return self.model._meta.db_table


def _is_pghistory_event(model: type[models.Model]) -> bool:
    import pghistory.models

    return issubclass(model, pghistory.models.Event)


def append_only_tables() -> list[AppendOnlyTable]:
    """The registry: every table the runtime role may only read and insert."""
    from core.history import AppendOnly

    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        markers = [t for t in getattr(meta, "triggers", []) if isinstance(t, AppendOnly)]
        if markers or _is_pghistory_event(model) or meta.label in THIRD_PARTY_APPEND_ONLY:
            fields = dict.fromkeys(name for marker in markers for name in marker.updatable)
            concrete = [cast(models.Field, meta.get_field(name)) for name in fields]
            columns = tuple(cast(str, field.column) for field in concrete)
            found.append(AppendOnlyTable(model=model, updatable=columns))
    return found


# --- roles -------------------------------------------------------------------------------------


def runtime_role(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The role the app connects as: DATABASE_URL's user."""
    role = connections.settings[alias].get("USER") or ""
    if not role and owner_settings() is not None:
        raise ImproperlyConfigured(
            "DATABASE_URL must name its role when MIGRATE_DATABASE_URL does."
        )
    return role


def owner_settings() -> dict | None:
    """The owner's connection settings (MIGRATE_DATABASE_URL), or None: one role does both."""
    return getattr(settings, "MIGRATE_DATABASE", None)


_OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


@contextlib.contextmanager
def owner_connection(alias: str = DEFAULT_DB_ALIAS) -> Iterator[BaseDatabaseWrapper]:
    """Within the block, this thread's ``connections[alias]`` is a connection as the owner.

    A second connection object (the default's settings with the owner's credentials; the
    database NAME stays, so the test database is the one used in tests); other threads keep
    theirs. Nested use reuses the outer owner connection.
    """
    current = connections[alias]
    owner = owner_settings()
    if owner is None or getattr(current, "is_owner_connection", False):
        yield current
        return
    wrapper = type(current)(
        {**current.settings_dict, **{key: owner[key] for key in _OWNER_KEYS if key in owner}},
        alias,
    )
    wrapper.is_owner_connection = True  # type: ignore[attr-defined]  # our own marker
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections[alias] = current


class OwnerCommandMixin:
    """For management commands that need the owner (DDL, TRUNCATE): run as it."""

    def execute(self, *args, **options):
        with owner_connection(options.get("database") or DEFAULT_DB_ALIAS):
            return super().execute(*args, **options)


# --- grants ------------------------------------------------------------------------------------

# See the module docstring. Returns the context id for the event row; never updates a row.
# The table is named with its schema: a temporary table of the same name cannot stand in.
CONTEXT_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION {schema}._pgh_attach_context() RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    _id uuid := NULLIF(current_setting('pghistory.context_id', true), '')::uuid;
    _metadata jsonb := NULLIF(current_setting('pghistory.context_metadata', true), '')::jsonb;
    _stored jsonb;
BEGIN
    IF _id IS NULL OR _metadata IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO {schema}.pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_id, _metadata, now(), now())
        ON CONFLICT (id) DO NOTHING;
    SELECT metadata INTO _stored FROM {schema}.pghistory_context WHERE id = _id;
    IF _stored = _metadata THEN
        RETURN _id;
    END IF;
    -- The metadata changed since the row was written: this version gets its own row, with an
    -- id derived from both, so the same version again finds the same row.
    _id := md5(_id::text || _metadata::text)::uuid;
    INSERT INTO {schema}.pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_id, _metadata, now(), now())
        ON CONFLICT (id) DO NOTHING;
    RETURN _id;
END;
$$
"""


def privileges_apply(*, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """As the owner, install the context function and grant the runtime role what this module
    describes. Idempotent; one transaction. Returns the role granted to, or None when the
    runtime role is the connection's own (one role: nothing to restrict)."""
    connection = connections[using]
    role = runtime_role(using)
    q = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema(), current_database()")
        me, schema, database = cursor.fetchone()
        cursor.execute(CONTEXT_FUNCTION_SQL.replace("{schema}", q(schema)))
        if not role or role == me:
            return None
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
            " AND c.relkind IN ('r', 'p')"
        )
        existing = {name for (name,) in cursor.fetchall()}
        grantee = q(role)
        in_schema = f"IN SCHEMA {q(schema)}"
        statements = [
            f"REVOKE ALL ON ALL TABLES {in_schema} FROM PUBLIC, {grantee}",
            f"REVOKE ALL ON ALL SEQUENCES {in_schema} FROM PUBLIC, {grantee}",
            f"REVOKE CREATE ON SCHEMA {q(schema)} FROM PUBLIC, {grantee}",
            f"GRANT USAGE ON SCHEMA {q(schema)} TO {grantee}",
            # Imports and the price sync stage rows in temporary tables.
            f"GRANT CONNECT, TEMPORARY ON DATABASE {q(database)} TO {grantee}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES {in_schema} TO {grantee}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES {in_schema} TO {grantee}",
        ]
        append_only = [t for t in append_only_tables() if t.table in existing]
        frozen = [q(t.table) for t in append_only]
        read_only = [q(name) for name in READ_ONLY_TABLES if name in existing]
        if frozen or read_only:
            statements.append(
                f"REVOKE UPDATE, DELETE ON {', '.join(frozen + read_only)} FROM {grantee}"
            )
        if read_only:
            statements.append(f"REVOKE INSERT ON {', '.join(read_only)} FROM {grantee}")
        for entry in append_only:
            if entry.updatable:
                columns = ", ".join(q(column) for column in entry.updatable)
                statements.append(f"GRANT UPDATE ({columns}) ON {q(entry.table)} TO {grantee}")
        for statement in statements:
            cursor.execute(statement)
    return role


def privileges_apply_on_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (core.apps). A flush (no `plan`) changes no privileges."""
    if "plan" not in kwargs or connections[using].vendor != "postgresql":
        return
    role = privileges_apply(using=using)
    stdout = kwargs.get("stdout")
    if stdout is not None and kwargs.get("verbosity", 1) >= 1:
        if role is None:
            stdout.write(
                "  Privileges: DATABASE_URL and MIGRATE_DATABASE_URL are one role; the app's "
                "role is not restricted."
            )
        else:
            stdout.write(f"  Privileges granted to {role}.")
