"""Fixtures catalogue tests share: a hospital purchaser's API client, and the clock stopped on
Tuesday 30 September 2025, the day before the National Day holiday (a module that counts
working days asks for it with ``pytestmark = pytest.mark.usefixtures("frozen_today")``).

Functions, not fixtures: ``catalog.tests.factories`` (rows, files, products) and
``core.tests.helpers`` (``code_of``, logged-in clients)."""

import datetime as dt

import pytest
import time_machine

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from core.tests.helpers import client_for


@pytest.fixture
def api():
    return client_for(user_with_role(Role.HOSPITAL_PURCHASER))


@pytest.fixture
def frozen_today():
    with time_machine.travel(dt.datetime(2025, 9, 30, 10, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t
