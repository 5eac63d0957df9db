"""Fixtures shared by the whole-API tests (permission matrix, fuzzer)."""

import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    """tests/api_world.py, built once per module inside a transaction that is rolled back at
    the end; each test runs in a savepoint inside it (pytest-django's ``db``), so what one
    test changes, the next never sees."""
    from procurement.tests.catalogue_world import admit_everything
    from tests import api_world

    with django_db_blocker.unblock(), transaction.atomic():
        with admit_everything():  # [R-HOSP-CATALOGUE] as the function-scoped fixture does
            world = api_world.build()
        yield world
        transaction.set_rollback(True)
