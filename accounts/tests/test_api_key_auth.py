"""HIS clients: hashed keys, revocation, wrong keys and keys of another hospital."""

import hashlib

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import ApiClient, SecurityEvent
from accounts.services import api_client_create, api_client_revoke, user_deactivate
from accounts.tests.factories import HospitalFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    return api_client_create(actor=None, organization=HospitalFactory(), name="HIS")


def call(key: str | None, path: str = "/api/v1/accounts/me/"):
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get(path)


def test_key_is_stored_only_as_a_digest(issued):
    row = ApiClient.objects.get(pk=issued.client.pk)
    assert issued.key not in (row.key_hash, row.key_prefix)
    assert row.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    assert issued.key.startswith(f"yg_{row.key_prefix}_")


def test_valid_key_authenticates_as_the_hospital(issued):
    response = call(issued.key)
    assert response.status_code == 200
    assert response.json()["organization"]["id"] == issued.client.organization_id
    assert response.json()["roles"] == [Role.HOSPITAL_PURCHASER]


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"), "api_key_invalid"),
        (lambda k: "yg_00000000_" + k.split("_", 2)[2], "api_key_invalid"),
        (lambda k: "not-a-key", "api_key_malformed"),
        (lambda k: k + " extra", "api_key_malformed"),
        (lambda k: "", "api_key_malformed"),
    ],
    ids=["wrong-secret", "unknown-prefix", "garbage", "trailing-junk", "empty"],
)
def test_wrong_or_malformed_key_is_refused(issued, mangle, code):
    response = call(mangle(issued.key))
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == "Bearer"
    assert SecurityEvent.objects.filter(kind="api_key_rejected").count() == 1


def test_revoked_key_stops_working_at_once(issued):
    assert call(issued.key).status_code == 200
    api_client_revoke(actor=user_with_role(Role.PLATFORM_ADMIN), client_id=issued.client.pk)
    response = call(issued.key)
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_disabled_service_user_stops_the_key(issued):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    user_deactivate(actor=admin, user_id=issued.client.user_id)
    assert call(issued.key).status_code == 401


def test_disabled_hospital_stops_the_key(issued):
    org = issued.client.organization
    org.is_active = False
    org.save(update_fields=["is_active"])
    assert call(issued.key).status_code == 401


def test_key_of_another_hospital_sees_only_its_own_hospital(issued):
    other = api_client_create(actor=None, organization=HospitalFactory(), name="HIS B")
    mine = issued.client.organization_id
    response = call(other.key, f"/api/v1/accounts/organizations/{mine}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert call(issued.key, f"/api/v1/accounts/organizations/{mine}/").status_code == 200


def test_no_credentials_is_401():
    response = call(None)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "uscc",
    ["91320106MA1XXXXXX1", "12345", "9132010608869026AB", ""],
    ids=["bad-check-character", "too-short", "bad-characters", "empty"],
)
def test_invalid_uscc_is_refused_and_nothing_is_created(uscc):
    from accounts.choices import OrganizationKind
    from accounts.errors import UsccInvalidError
    from accounts.models import Organization
    from accounts.services import organization_create

    with pytest.raises(UsccInvalidError) as exc:
        organization_create(
            actor=None,
            kind=OrganizationKind.MANUFACTURER,
            name="某企业",
            uscc=uscc,
            region_code="320106",
        )
    assert exc.value.code == "uscc_invalid"
    assert Organization.objects.count() == 0


def test_unknown_region_and_role_are_refused():
    from accounts.choices import OrganizationKind
    from accounts.demo import demo_uscc
    from accounts.errors import RegionInvalidError, RoleInvalidError
    from accounts.services import organization_create, user_create

    with pytest.raises(RegionInvalidError):
        organization_create(
            actor=None,
            kind=OrganizationKind.MANUFACTURER,
            name="某企业",
            uscc=demo_uscc("x", "91", "320106"),
            region_code="329999",
        )
    hospital = HospitalFactory()
    with pytest.raises(RoleInvalidError):
        user_create(
            actor=None,
            organization=hospital,
            username="x",
            password="Ab-123456789",
            roles=["supplier_sales"],
        )
    with pytest.raises(RoleInvalidError):
        user_create(
            actor=None,
            organization=hospital,
            username="x",
            password="Ab-123456789",
            roles=["wizard"],
        )
