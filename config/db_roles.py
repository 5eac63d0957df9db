"""The two PostgreSQL roles of Yangguang, and the database they share.

- The **owner** (default: the database's name) owns the database and every table in it. Only
  migrations and other DDL connect as it (`MIGRATE_DATABASE_URL`).
- The **runtime role** (default: `<database>_app`) is what web, worker and beat connect as
  (`DATABASE_URL`). It is no superuser, owns nothing and holds only the privileges that
  `core.privileges` grants after every migrate: no UPDATE or DELETE on history, audit and ledger
  tables, no TRUNCATE anywhere. A session cannot switch privileges off the way it can skip a
  trigger (`SET pgtrigger.ignore`) or every trigger (`SET session_replication_role`, which a
  non-superuser may not set).

`ensure_database_roles()` creates both roles and the database (idempotent), as a superuser
(or a role with CREATEROLE and CREATEDB). The embedded default (config.embedded_servers),
`.ci/run` and docker-compose call it; on the command line:

    PG_ADMIN_URL=postgres://postgres@host:5432/postgres python -m config.db_roles --database yangguang

with the passwords, if the server asks for them, in YANGGUANG_DB_OWNER_PASSWORD and
YANGGUANG_DB_APP_PASSWORD (environment, so that they stay out of the process list).

This module must stay importable without Django: it runs before any settings exist.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from dataclasses import dataclass

OWNER_ROLE_ENV = "YANGGUANG_DB_OWNER_ROLE"
APP_ROLE_ENV = "YANGGUANG_DB_APP_ROLE"
OWNER_PASSWORD_ENV = "YANGGUANG_DB_OWNER_PASSWORD"  # noqa: S105 (a variable name)
APP_PASSWORD_ENV = "YANGGUANG_DB_APP_PASSWORD"  # noqa: S105 (a variable name)


@dataclass(frozen=True)
class RoleNames:
    owner: str
    app: str


def role_names(database: str) -> RoleNames:
    """The owner and runtime role names for `database`: YANGGUANG_DB_OWNER_ROLE and
    YANGGUANG_DB_APP_ROLE when set, else `<database>` and `<database>_app`.

    Roles are cluster-wide, so two projects (or two checkouts) on one PostgreSQL server keep
    apart by database name, or by setting the two variables."""
    owner = os.environ.get(OWNER_ROLE_ENV) or database
    app = os.environ.get(APP_ROLE_ENV) or f"{database}_app"
    if owner == app:
        raise ValueError(f"The owner and the runtime role must differ (both are {owner!r}).")
    return RoleNames(owner=owner, app=app)


def ensure_database_roles(
    conn,
    *,
    database: str,
    roles: RoleNames,
    owner_password: str | None = None,
    app_password: str | None = None,
    owner_createdb: bool = False,
    adopt: tuple[str, ...] = (),
) -> None:
    """Create (or correct) both roles and `database`, owned by the owner.

    `conn` is an autocommit psycopg connection of a superuser (or a role with CREATEROLE and
    CREATEDB). The runtime role is made a plain login role every time, whatever it was before
    (ensure_runtime_role). A new owner is a plain login role too; it gets CREATEDB when
    `owner_createdb` (the test suite creates its database as the owner). Databases in `adopt` that exist but belong to someone else (created before the two
    roles existed) are handed to the owner with everything in them; `database` always is.
    """
    from psycopg import sql

    _create_role(conn, roles.owner)
    # An existing owner keeps its other attributes (it may be an installation's superuser).
    if owner_createdb:
        conn.execute(sql.SQL("ALTER ROLE {} CREATEDB").format(sql.Identifier(roles.owner)))
    if owner_password:
        _set_password(conn, roles.owner, owner_password)
    ensure_runtime_role(conn, roles.app, password=app_password)
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
    if exists is None:
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(roles.owner)
            )
        )
    for name in dict.fromkeys((database, *adopt)):
        _adopt_database(conn, name, roles.owner)


def ensure_runtime_role(conn, role: str, *, password: str | None = None) -> None:
    """Create `role` if missing and make it a plain login role whatever it was before: no
    superuser, no CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS, member of no role (membership
    would let it SET ROLE to one that owns tables)."""
    from psycopg import sql

    if conn.info.user == role:
        raise ValueError(f"Connect as another role than the runtime role {role!r}.")
    _create_role(conn, role)
    conn.execute(
        sql.SQL(
            "ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        ).format(sql.Identifier(role))
    )
    if password:
        _set_password(conn, role, password)
    granted = conn.execute(
        "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
        " WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = %s)",
        (role,),
    ).fetchall()
    for (member_of,) in granted:
        conn.execute(
            sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(member_of), sql.Identifier(role))
        )


def _set_password(conn, role: str, password: str) -> None:
    from psycopg import sql

    conn.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
    )


def _create_role(conn, role: str) -> None:
    import psycopg
    from psycopg import sql

    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
        return
    # Another checkout may create it a moment before us: roles are cluster-wide.
    with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))


def _adopt_database(conn, database: str, owner: str) -> None:
    """Give `database` and every object in its public schema to `owner` (a database created
    while the app still ran as a superuser holds tables that superuser owns)."""
    import psycopg
    from psycopg import sql

    row = conn.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (database,)
    ).fetchone()
    if row is None:
        return
    if row[0] != owner:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(database), sql.Identifier(owner)
            )
        )
    info = conn.info
    params = {
        "host": info.host,
        "port": info.port,
        "user": info.user,
        "password": info.password or None,
        "dbname": database,
    }
    with psycopg.connect(autocommit=True, **params) as db:
        # Tables first: ALTER TABLE also moves their indexes and the sequences they own.
        for kind, keyword in (
            ("r", "TABLE"),
            ("p", "TABLE"),
            ("v", "VIEW"),
            ("m", "MATERIALIZED VIEW"),
            ("S", "SEQUENCE"),
        ):
            names = db.execute(
                "SELECT c.oid::regclass::text FROM pg_class c"
                " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = %s"
                " AND pg_get_userbyid(c.relowner) <> %s",
                (kind, owner),
            ).fetchall()
            for (name,) in names:
                db.execute(
                    sql.SQL("ALTER {} {} OWNER TO {}").format(
                        sql.SQL(keyword), sql.SQL(name), sql.Identifier(owner)
                    )
                )
        functions = db.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> %s",
            (owner,),
        ).fetchall()
        for (name,) in functions:
            db.execute(
                sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(
                    sql.SQL(name), sql.Identifier(owner)
                )
            )


def main(argv: list[str] | None = None) -> int:
    import psycopg

    parser = argparse.ArgumentParser(
        prog="python -m config.db_roles",
        description="Create Yangguang's owner and runtime roles and its database (idempotent).",
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a superuser connection (default: $PG_ADMIN_URL or postgres@127.0.0.1:5432)",
    )
    parser.add_argument("--database", default="yangguang")
    parser.add_argument("--owner", help=f"owner role (default: ${OWNER_ROLE_ENV} or DATABASE)")
    parser.add_argument("--app", help=f"runtime role (default: ${APP_ROLE_ENV} or DATABASE_app)")
    parser.add_argument(
        "--owner-createdb",
        action="store_true",
        help="let the owner create databases (the test suite creates test_DATABASE as it)",
    )
    parser.add_argument(
        "--adopt-test-database",
        action="store_true",
        help="also hand an existing test_DATABASE to the owner",
    )
    args = parser.parse_args(argv)
    defaults = role_names(args.database)
    roles = RoleNames(owner=args.owner or defaults.owner, app=args.app or defaults.app)
    with psycopg.connect(args.admin_url, autocommit=True) as conn:
        ensure_database_roles(
            conn,
            database=args.database,
            roles=roles,
            owner_password=os.environ.get(OWNER_PASSWORD_ENV) or None,
            app_password=os.environ.get(APP_PASSWORD_ENV) or None,
            owner_createdb=args.owner_createdb,
            adopt=(f"test_{args.database}",) if args.adopt_test_database else (),
        )
    print(f"database {args.database}: owner {roles.owner}, runtime role {roles.app}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
