"""Project-wide test setup: real PostgreSQL (the embedded one when DATABASE_URL is unset)."""

import pytest

from config.celery import app as celery_app


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
