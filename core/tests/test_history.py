"""History: who, when, before and after, written by triggers; history itself is append-only."""

import datetime as dt

import pghistory.models
import pytest
from django.db import ProgrammingError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import HospitalTier, Role
from accounts.services import api_client_create, security_event_record
from accounts.tests.factories import HospitalFactory, UserFactory, user_with_role
from core import clock
from core.policy import RATIO_FIELDS, RegionPolicy, policy_for

pytestmark = pytest.mark.django_db


def _policy_form(region: str = "320100") -> dict:
    """The region policy page's form as shown: ratios in percent."""
    policy = policy_for(region)
    form = {}
    for field in RegionPolicy.figures():
        value = getattr(policy, field.name)
        form[field.name] = value * 100 if field.name in RATIO_FIELDS else value
    return form


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
    form = {**_policy_form(), "alternate_catalogue_cap_ratio": "20", "confirm": "1"}
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


def _rows(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_history_names_records_and_fields_as_people_do():
    """Verbose names, choice labels and Beijing times, not ``accounts.OrganizationEvent``,
    ``tier`` / ``tier2`` or a UTC ISO stamp."""
    org = HospitalFactory(name="某医院")
    org.tier = HospitalTier.TIER_2
    org.save(update_fields=["tier"])
    person = UserFactory(organization=org, username="zhang")
    admin = _browser(user_with_role(Role.PLATFORM_ADMIN))
    html = _rows(admin.get("/history/", {"model": "accounts.Organization", "object_id": org.pk}))
    assert "accounts.OrganizationEvent" not in html
    assert "机构 #" in html or "组织 #" in html  # the model's verbose name
    assert "医院等级" in html  # the field's verbose name, not "tier"
    assert "三级 → 二级" in html  # choice labels, not "tier3 → tier2"
    assert "tier3" not in html
    html = _rows(admin.get("/history/", {"model": "accounts.User", "object_id": person.pk}))
    joined = clock.to_local(person.date_joined).strftime("%Y-%m-%d %H:%M")
    assert joined in html  # date_joined in Beijing time
    assert "+00:00" not in html
    assert org.name in html  # the organisation by name, not organization: 12


def test_history_is_paged_and_filtered_by_object_person_and_day():
    admin_user = user_with_role(Role.PLATFORM_ADMIN)
    org = HospitalFactory(name="改名医院")
    for n in range(25):
        org.name = f"改名医院{n}"
        org.save(update_fields=["name"])
    admin = _browser(admin_user)
    filters = {"model": "accounts.Organization", "object_id": org.pk}
    page = admin.get("/history/", filters)
    assert len(page.context["page"].object_list) == 20
    assert page.context["page"].paginator.count == 26  # the insert and 25 updates
    assert len(admin.get("/history/", {**filters, "page": 2}).context["page"].object_list) == 6
    # Person: the officer's change through the region policy page is theirs alone.
    officer = user_with_role(Role.BUREAU_OFFICER)
    officer.username = "officer_li"
    officer.save(update_fields=["username"])
    RegionPolicy.objects.create(region_code=officer.organization.region_code)
    client = _browser(officer)
    client.post("/region-policy/", {**_policy_form(), "advance_ratio": "40", "confirm": "1"})
    mine = admin.get("/history/", {"username": "officer_li"}).context["page"].object_list
    assert [e.pgh_obj_model for e in mine] == ["core.RegionPolicy"]
    # Day range, in Beijing days.
    today = clock.local_today()
    in_range = admin.get("/history/", {**filters, "date_from": today, "date_to": today})
    assert in_range.context["page"].paginator.count == 26
    yesterday = today - dt.timedelta(days=1)
    before = admin.get("/history/", {**filters, "date_to": yesterday})
    assert before.context["page"].paginator.count == 0
    assert "变更记录" in before.content.decode() or "Change history" in before.content.decode()


def test_bureau_reads_the_history_of_its_jurisdiction_only():
    officer = user_with_role(Role.BUREAU_OFFICER)  # Nanjing, 320100
    ours = HospitalFactory(name="南京某医院", region_code="320106")
    theirs = HospitalFactory(name="北京某医院", region_code="110105")
    html = _rows(_browser(officer).get("/history/", {"model": "accounts.Organization"}))
    assert "南京某医院" in html
    assert "北京某医院" not in html
    one = _browser(officer).get(
        "/history/", {"model": "accounts.Organization", "object_id": theirs.pk}
    )
    assert one.context["page"].paginator.count == 0
    hospital_staff = _browser(user_with_role(Role.HOSPITAL_PURCHASER, organization=ours))
    assert hospital_staff.get("/history/").status_code == 403


def test_an_objects_page_links_to_its_own_history():
    officer = user_with_role(Role.BUREAU_OFFICER)
    org = HospitalFactory(region_code="320106")
    html = _rows(_browser(officer).get(f"/accounts/organizations/{org.pk}/"))
    assert f"/history/?model=accounts.Organization&amp;object_id={org.pk}" in html
    purchaser = user_with_role(Role.HOSPITAL_PURCHASER, organization=org)
    html = _rows(_browser(purchaser).get(f"/accounts/organizations/{org.pk}/"))
    assert "data-history-link" not in html  # not offered to those who may not read it


def test_history_api_returns_the_same_changes_in_the_same_scope():
    org = HospitalFactory(name="旧")
    org.name = "新"
    org.save(update_fields=["name"])
    admin = APIClient()
    admin.force_authenticate(user_with_role(Role.PLATFORM_ADMIN))
    rows = admin.get("/api/v1/history/?model=accounts.OrganizationEvent").json()
    update = next(r for r in rows if r["label"] == "update" and r["object_id"] == str(org.pk))
    assert update["changes"] == {"name": ["旧", "新"]}
    assert update["object_type"] in ("机构", "组织", "organisation", "organization")
    # The bureau reads its jurisdiction's changes, as on the page; a hospital may not.
    officer = APIClient()
    officer.force_authenticate(user_with_role(Role.BUREAU_OFFICER))
    ours = HospitalFactory(name="南京某医院", region_code="320106")
    theirs = HospitalFactory(name="北京某医院", region_code="110105")
    rows = officer.get("/api/v1/history/", {"model": "accounts.Organization"}).json()
    ids = {r["object_id"] for r in rows}
    assert str(ours.pk) in ids
    assert str(theirs.pk) not in ids
    hospital = APIClient()
    hospital.force_authenticate(user_with_role(Role.HOSPITAL_PURCHASER))
    assert hospital.get("/api/v1/history/").status_code == 403
