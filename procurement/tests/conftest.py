"""The parties procurement tests ask for by name: a manufacturer (``maker``) and its sales
user, a hospital in Nanjing (320106) with its purchaser and finance user, and an officer of
the city's bureau (320100). A module that needs another party overrides the fixture by name
(``test_agreed_prices.py``: the sales user of its listing's manufacturer).

Helpers that are functions, not fixtures: ``procurement.tests.order_world`` (the order world
and ``refused``) and ``core.tests.helpers`` (``code_of``, logged-in clients)."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import (
    BureauFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)


@pytest.fixture
def maker():
    return OrganizationFactory()


@pytest.fixture
def sales(maker):
    return UserFactory(organization=maker, roles=[Role.SUPPLIER_SALES])


@pytest.fixture
def hospital():
    return HospitalFactory(region_code="320106")


@pytest.fixture
def purchaser(hospital):
    return UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])


@pytest.fixture
def finance(hospital):
    return UserFactory(organization=hospital, roles=[Role.HOSPITAL_FINANCE])


@pytest.fixture
def officer():
    return UserFactory(
        organization=BureauFactory(region_code="320100"), roles=[Role.BUREAU_OFFICER]
    )
