"""Project-wide test setup: real PostgreSQL (the embedded one when DATABASE_URL is unset), with
the two roles of production: the test database is created and migrated as the owner, and every
test runs as the runtime role, so code that writes what the app may not fails here too."""

import contextlib
import secrets

import pytest

from config.celery import app as celery_app

_as_owner = contextlib.ExitStack()


def _provide_runtime_role() -> None:
    """With one configured role (DATABASE_URL alone, e.g. postgres://postgres@.../yg_x), that
    role becomes the owner and, if it may create roles, a runtime role named after the test
    database is made for the session (config.db_roles.ensure_runtime_role). With
    MIGRATE_DATABASE_URL set (make test, .ci/run) the configured roles are used as they are."""
    import psycopg
    from django.conf import settings
    from django.db import connections

    from config.db_roles import ensure_runtime_role

    if settings.MIGRATE_DATABASE is not None:
        return
    connection = connections["default"]
    database = settings.DATABASES["default"]
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as conn:
        may_create = conn.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        if not may_create:
            return  # one role for everything: core/tests/test_privileges.py says what is missing
        role = f"{connection.creation._get_test_db_name()}_app"[:63]
        password = secrets.token_urlsafe(24)
        ensure_runtime_role(conn, role, password=password)
    settings.MIGRATE_DATABASE = {
        key: database[key] for key in ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    }
    settings.MIGRATE_DATABASE["OPTIONS"] = dict(database["OPTIONS"])
    database.update(USER=role, PASSWORD=password)


# Tables that a freshly migrated database leaves empty (the migrations seed only the
# misconduct catalogue): a row in one of them was committed by a run that was killed before
# its transactional test flushed, and would leak into the tests of this run.
_EMPTY_WHEN_MIGRATED = (
    "accounts_organization",
    "accounts_user",
    "catalog_consumable",
    "procurement_order",
    "axes_accessattempt",
)


def _reused_database_is_dirty() -> bool:
    import psycopg
    from django.db import connections
    from psycopg import sql

    connection = connections["default"]
    params = {
        **connection.get_connection_params(),
        "dbname": connection.creation._get_test_db_name(),
    }
    probe = sql.SQL("SELECT {}").format(
        sql.SQL(" OR ").join(
            sql.SQL("EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
            for table in _EMPTY_WHEN_MIGRATED
        )
    )
    try:
        with psycopg.connect(**params, autocommit=True, connect_timeout=10) as conn:
            return bool(conn.execute(probe).fetchone()[0])
    except psycopg.Error:
        return False  # no test database yet, or not migrated: pytest-django builds it anyway


@pytest.fixture(scope="session")
def django_db_createdb(request, django_db_blocker) -> bool:
    """``--reuse-db`` keeps the migrated test database between runs, but not one that a killed
    run left holding committed rows: that one is created afresh."""
    if request.config.getvalue("create_db"):
        return True
    if not request.config.getvalue("reuse_db"):
        return False
    with django_db_blocker.unblock():
        dirty = _reused_database_is_dirty()
    if dirty:
        print("\ntest database: rows left by an interrupted run; creating it afresh")  # noqa: T201
    return dirty


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """pytest-django creates and migrates the test database as the owner role."""
    from core.privileges import owner_connection

    with django_db_blocker.unblock():
        _provide_runtime_role()
    _as_owner.enter_context(owner_connection())
    yield
    _as_owner.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Once the test database is ready (privileges granted on post_migrate), the tests connect
    as the runtime role; pytest-django drops the database as the owner again."""
    from django.db import connections

    _as_owner.close()
    yield
    with django_db_blocker.unblock():
        connections.close_all()
    from core.privileges import owner_connection

    _as_owner.enter_context(owner_connection())


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _clear_cache():
    # Axes and the permission layer keep nothing in the cache between tests.
    from django.core.cache import cache

    cache.clear()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "catalogue_strict: the hospitals' own catalogues as the test builds them; without it "
        "every listed product is admitted everywhere (procurement/tests/catalogue_world.py)",
    )


@pytest.fixture(autouse=True)
def _hospital_catalogues(request):
    """[R-HOSP-CATALOGUE] the committee's admissions as a fixture for the tests that order for
    other reasons (procurement/tests/catalogue_world.py says why and how)."""
    if request.node.get_closest_marker("catalogue_strict"):
        yield
        return
    from procurement.tests.catalogue_world import admit_everything

    with admit_everything():
        yield
