"""History: who, when, before and after, written by triggers; history itself is append-only."""

import pghistory.models
import pytest
from django.db import ProgrammingError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Organization
from accounts.services import api_client_create, security_event_record
from accounts.tests.factories import HospitalFactory, user_with_role
from core.policy import RegionPolicy, policy_for

pytestmark = pytest.mark.django_db


def events_for(obj):
    return pghistory.models.Events.objects.filter(
        pgh_model=f"{obj._meta.app_label}.{obj.__class__.__name__}Event",
        pgh_obj_id=str(obj.pk),
    ).order_by("pgh_created_at", "pgh_id")


def test_every_change_is_recorded_with_before_and_after():
    org = HospitalFactory(name="旧名称")
    org.name = "新名称"
    org.save(update_fields=["name"])
    labels = [e.pgh_label for e in events_for(org)]
    assert labels == ["insert", "update"]
    update = events_for(org).last()
    assert update.pgh_diff == {"name": ["旧名称", "新名称"]}


def test_deletion_is_recorded_too():
    org = HospitalFactory()
    pk = org.pk
    org.delete()
    assert pghistory.models.Events.objects.filter(
        pgh_model="accounts.OrganizationEvent", pgh_obj_id=str(pk), pgh_label="delete"
    ).exists()


def test_request_user_and_organisation_are_attached():
    """A change made through a page carries who made it and from which organisation."""
    officer = user_with_role(Role.BUREAU_OFFICER)
    client = Client()
    client.force_login(officer)
    form = {f.name: getattr(policy_for("320100"), f.name) for f in RegionPolicy.figures()}
    form["alternate_catalogue_cap_ratio"] = "0.2000"
    response = client.post("/region-policy/", form)
    assert response.status_code == 302
    event = pghistory.models.Events.objects.filter(pgh_model="core.RegionPolicyEvent").last()
    metadata = event.pgh_context
    assert metadata["user"] == officer.pk
    assert metadata["organization"] == officer.organization_id
    assert metadata["url"] == "/region-policy/"


def test_api_client_changes_carry_the_client():
    officer = user_with_role(Role.BUREAU_OFFICER)
    client = APIClient()
    client.force_authenticate(officer)
    response = client.patch("/api/v1/region-policy/", {"advance_ratio": "0.5000"}, format="json")
    assert response.status_code == 200, response.json()
    event = pghistory.models.Events.objects.filter(pgh_model="core.RegionPolicyEvent").last()
    assert event.pgh_context["user"] == officer.pk


@pytest.mark.parametrize(
    "table",
    [
        "accounts_organizationevent",
        "accounts_userevent",
        "core_regionpolicyevent",
        "accounts_apiclientevent",
        "accounts_securityevent",
    ],
)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET pgh_label = 'x'", "DELETE FROM {table}"])
def test_history_tables_refuse_update_and_delete_at_the_database(table, statement):
    """The app's database role may not (core.privileges; core/tests/test_privileges.py goes
    through every append-only table)."""
    officer = user_with_role(Role.BUREAU_OFFICER)
    api_client_create(actor=None, organization=HospitalFactory(), name="HIS")
    RegionPolicy.objects.create(region_code="320100")
    security_event_record(kind="login", user=officer)
    if table == "accounts_securityevent":
        statement = statement.replace("pgh_label", "kind")
    with (
        pytest.raises(ProgrammingError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))


def test_history_page_is_for_platform_admins_only():
    HospitalFactory(name="某医院")
    admin, officer = user_with_role(Role.PLATFORM_ADMIN), user_with_role(Role.BUREAU_OFFICER)
    client = Client()
    client.force_login(admin)
    page = client.get("/history/?model=accounts.OrganizationEvent")
    assert page.status_code == 200
    assert "某医院" in page.content.decode()
    client.force_login(officer)
    assert client.get("/history/").status_code == 403
    assert Organization.objects.count() >= 1


def test_history_api_returns_the_same_changes_for_admins_only():
    org = HospitalFactory(name="旧")
    org.name = "新"
    org.save(update_fields=["name"])
    admin = APIClient()
    admin.force_authenticate(user_with_role(Role.PLATFORM_ADMIN))
    rows = admin.get("/api/v1/history/?model=accounts.OrganizationEvent").json()
    update = next(r for r in rows if r["label"] == "update" and r["object_id"] == str(org.pk))
    assert update["changes"] == {"name": ["旧", "新"]}
    officer = APIClient()
    officer.force_authenticate(user_with_role(Role.BUREAU_OFFICER))
    assert officer.get("/api/v1/history/").status_code == 403
