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
