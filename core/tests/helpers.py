"""Helpers every app's tests use: what a refused call answers, and clients logged in as a user.

Fixtures live in each app's ``tests/conftest.py``; plain functions that tests import live
here, so a test module reads ``from core.tests.helpers import code_of`` instead of defining
its own copy.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.errors import DomainError


def code_of(call: Callable[[], object]) -> str:
    """Run ``call``, which must be refused with a DomainError, and return the error's code."""
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def browser(user) -> Client:
    """A browser session logged in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def client_for(user=None) -> APIClient:
    """An API client authenticated as ``user`` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
