"""The app's database role cannot rewrite history, audit or ledgers (core.privileges).

These tests run as the runtime role, as every test does (conftest.py): whatever a session sets,
UPDATE, DELETE and TRUNCATE on an append-only table are refused by privileges, before any
trigger runs. The tables come from the registry, `append_only_tables()`.
"""

from __future__ import annotations

import pghistory
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction
from django.db.models.signals import post_migrate

from accounts.models import OrganizationEvent
from accounts.services import api_client_create, security_event_record
from accounts.tests.factories import HospitalFactory, user_with_role
from core.policy import RegionPolicy
from core.privileges import (
    APPEND_ONLY_NAME,
    NOT_APPEND_ONLY,
    append_only_tables,
    owner_connection,
    owner_settings,
    privileges_apply,
    runtime_role,
)

pytestmark = pytest.mark.django_db

INSUFFICIENT_PRIVILEGE = "42501"
REGISTRY = append_only_tables()


def refused(sql: str, params=()) -> str:
    """Run `sql` in a savepoint; return the SQLSTATE it failed with ("" if it succeeded)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except ProgrammingError as error:
        return getattr(error.__cause__, "sqlstate", "") or "?"
    return ""


def on(entry, template: str) -> str:
    """`template` with the entry's quoted {table} and primary key column {pk}."""
    quote = connection.ops.quote_name
    return template.format(table=quote(entry.table), pk=quote(entry.model._meta.pk.column))


UPDATE = "UPDATE {table} SET {pk} = {pk}"
DELETE = "DELETE FROM {table}"
TRUNCATE = "TRUNCATE {table} CASCADE"


@pytest.fixture
def rows():
    """A row in several append-only tables, so that a statement that got through would
    change something (history of an organisation, a user, an API client and a region policy;
    the security log; their context)."""
    with pghistory.context(source="test"):
        officer = user_with_role("bureau_officer")
        api_client_create(actor=None, organization=HospitalFactory(), name="HIS")
        RegionPolicy.objects.create(region_code="320100")
        security_event_record(kind="login", user=officer)


def test_registry_holds_every_known_append_only_table():
    tables = {entry.table: entry.updatable for entry in REGISTRY}
    pghistory_events = {
        m._meta.db_table for m in apps.get_models() if issubclass(m, pghistory.models.Event)
    }
    assert len(pghistory_events) >= 18
    assert pghistory_events <= set(tables)
    known = {
        "pghistory_context": (),
        "accounts_securityevent": (),
        "procurement_event": (),
        "procurement_feedentry": (),
        "procurement_usagerecord": (),
        "catalog_priceobservation": (),
        "catalog_referencepricecut": ("processed_at",),
        "django_admin_log": (),
        "settlement_journalentry": (),
        "settlement_posting": (),
    }
    assert {name: tables.get(name) for name in known} == known


def test_every_model_named_like_a_log_or_ledger_is_append_only():
    """A new ledger, journal or event table cannot be forgotten: a model so named is in the
    registry (a ``history.append_only()`` trigger) or says in NOT_APPEND_ONLY why not."""
    registered = {entry.model._meta.label for entry in REGISTRY}
    concrete = {
        m._meta.label: m for m in apps.get_models() if m._meta.managed and not m._meta.proxy
    }
    unregistered = sorted(
        label
        for label, model in concrete.items()
        if APPEND_ONLY_NAME.search(model.__name__)
        and label not in registered
        and label not in NOT_APPEND_ONLY
    )
    assert unregistered == []
    assert set(NOT_APPEND_ONLY) <= set(concrete), "an exemption names no model"
    assert not set(NOT_APPEND_ONLY) & registered


def test_runtime_role_is_no_superuser_member_of_nothing_and_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, rolreplication,"
            " rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        me, *powers = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_auth_members WHERE member = current_user::regrole")
        memberships = cursor.fetchone()[0]
        # Every object in this database (and every database) the role owns, temporary tables
        # of this session (imports stage rows in them) aside.
        cursor.execute(
            "SELECT d.classid::regclass::text, d.objid FROM pg_shdepend d"
            " WHERE d.refclassid = 'pg_authid'::regclass AND d.deptype = 'o'"
            " AND d.refobjid = current_user::regrole"
            " AND d.dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))"
            " AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE d.classid = 'pg_class'::regclass"
            "   AND c.oid = d.objid AND c.relpersistence = 't')"
        )
        owned = cursor.fetchall()
    owner = (owner_settings() or {}).get("USER")
    assert me == runtime_role()
    assert owner
    assert me != owner, "set MIGRATE_DATABASE_URL (the owner) apart from DATABASE_URL"
    assert powers == [False] * 5
    assert memberships == 0
    assert owned == []
    assert refused("CREATE TABLE yg_probe (id int)") == INSUFFICIENT_PRIVILEGE


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda entry: entry.table)
@pytest.mark.parametrize("statement", [UPDATE, DELETE, TRUNCATE], ids=lambda sql: sql.split()[0])
def test_append_only_table_refuses_the_runtime_role(rows, entry, statement):
    assert refused(on(entry, statement)) == INSUFFICIENT_PRIVILEGE


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda entry: entry.table)
def test_skipping_the_triggers_gives_no_way_around(rows, entry):
    """``SET LOCAL pgtrigger.ignore`` switches a table's append-only trigger off for the
    session (the third-party tables have none); the privilege still refuses."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(tgname) FROM pg_trigger WHERE tgrelid = %s::regclass"
            " AND NOT tgisinternal",
            [entry.table],
        )
        triggers = cursor.fetchone()[0] or []
    for statement in (UPDATE, DELETE):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(triggers) + "}"]
            )
            assert refused(on(entry, statement)) == INSUFFICIENT_PRIVILEGE


def test_replica_mode_is_refused_so_every_trigger_stays_and_delete_still_fails(rows):
    """``session_replication_role = replica`` would skip every trigger; only a superuser may
    set it."""
    assert refused("SET session_replication_role = replica") == INSUFFICIENT_PRIVILEGE
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    still = {entry.table: refused(on(entry, DELETE)) for entry in REGISTRY}
    assert set(still.values()) == {INSUFFICIENT_PRIVILEGE}


def test_history_context_can_be_neither_rewritten_nor_deleted(rows):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pghistory_context")
        assert cursor.fetchone()[0] > 0
    assert refused("UPDATE pghistory_context SET metadata = '{}'") == INSUFFICIENT_PRIVILEGE
    assert refused("DELETE FROM pghistory_context") == INSUFFICIENT_PRIVILEGE


def test_processing_marker_is_the_one_column_that_may_change():
    """``append_only_except("processed_at")``: the runtime role may set the marker of a
    reference price cut, and nothing else of it."""
    (cut,) = [entry for entry in REGISTRY if entry.table == "catalog_referencepricecut"]
    assert refused(on(cut, "UPDATE {table} SET processed_at = processed_at")) == ""
    assert refused(on(cut, "UPDATE {table} SET new_price = new_price")) == INSUFFICIENT_PRIVILEGE


def test_no_table_may_be_truncated_and_no_sequence_reset():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.oid::regclass::text, c.relkind FROM pg_class c"
            " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'S')"
        )
        relations = cursor.fetchall()
    tables = [name for name, kind in relations if kind == "r"]
    sequences = [name for name, kind in relations if kind == "S"]
    assert len(tables) > 50
    assert sequences
    truncated = [name for name in tables if refused(f"TRUNCATE {name} CASCADE") != "42501"]
    reset = [name for name in sequences if refused("SELECT setval(%s, 1)", [name]) != "42501"]
    assert (truncated, reset) == ([], [])


def test_history_context_rows_keep_what_they_said():
    """pghistory would rewrite a context row when the request's metadata changes (an upsert,
    which needs UPDATE); here the new metadata gets a row of its own, so the event written
    first keeps the context it was written with."""
    with pghistory.context(step="create") as context:
        org = HospitalFactory(name="甲医院")
        pghistory.context(step="rename")
        org.name = "乙医院"
        org.save(update_fields=["name"])
        org.name = "丙医院"
        org.save(update_fields=["name"])
    events = list(OrganizationEvent.objects.filter(pgh_obj=org).order_by("pgh_id"))
    assert [(e.pgh_label, e.pgh_context.metadata["step"]) for e in events] == [
        ("insert", "create"),
        ("update", "rename"),
        ("update", "rename"),
    ]
    assert events[0].pgh_context_id == context.id
    assert events[1].pgh_context_id == events[2].pgh_context_id != context.id


def test_owner_is_still_stopped_by_the_trigger_which_a_session_can_skip():
    """The trigger stays as a second guard against the owner, but a session can switch it
    off, which is why privileges are the guard for the app."""
    with owner_connection() as owner, transaction.atomic(), owner.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == owner_settings()["USER"]
        cursor.execute(
            "INSERT INTO accounts_securityevent (at, kind, username, path, detail)"
            " VALUES (now(), 'login', 'probe', '', '{}') RETURNING id"
        )
        (row,) = cursor.fetchone()
        with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
            cursor.execute("UPDATE accounts_securityevent SET kind = 'x' WHERE id = %s", [row])
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', array_agg(tgname)::text, true)"
            " FROM pg_trigger WHERE tgrelid = 'accounts_securityevent'::regclass"
            " AND NOT tgisinternal"
        )
        cursor.execute("UPDATE accounts_securityevent SET kind = 'x' WHERE id = %s", [row])
        assert cursor.rowcount == 1
        transaction.set_rollback(True)


def test_migrate_connects_as_the_owner_and_grants_again():
    """`manage.py migrate` uses MIGRATE_DATABASE_URL by itself, and its post_migrate step
    takes back a privilege that was granted by hand since."""
    seen = []

    def who(sender, using, **kwargs):
        from django.db import connections

        with connections[using].cursor() as cursor:
            cursor.execute("SELECT current_user")
            seen.append(cursor.fetchone()[0])

    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE ON accounts_securityevent TO {runtime_role()}")
    assert refused("UPDATE accounts_securityevent SET kind = kind") == ""
    post_migrate.connect(who, sender=apps.get_app_config("core"))
    try:
        call_command("migrate", verbosity=0, interactive=False)
    finally:
        post_migrate.disconnect(who, sender=apps.get_app_config("core"))
    assert seen == [owner_settings()["USER"]]
    assert refused("UPDATE accounts_securityevent SET kind = kind") == INSUFFICIENT_PRIVILEGE
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == runtime_role()


def test_granting_twice_changes_nothing():
    def acl() -> list:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, c.relacl::text, array_agg(a.attname || ':' || a.attacl::text)"
                " FROM pg_class c LEFT JOIN pg_attribute a"
                "   ON a.attrelid = c.oid AND a.attacl IS NOT NULL"
                " WHERE c.relnamespace = current_schema()::regnamespace"
                " GROUP BY 1, 2 ORDER BY 1"
            )
            return cursor.fetchall()

    before = acl()
    with owner_connection():
        assert privileges_apply() == runtime_role()
    assert acl() == before
