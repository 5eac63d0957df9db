"""The security baseline: lockout, session limits, disabled users, the security log, CSRF."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from accounts.choices import Role
from accounts.models import Organization, SecurityEvent
from accounts.services import user_deactivate
from accounts.tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def user():
    return user_with_role(Role.HOSPITAL_PURCHASER)


def test_successful_login_reaches_home_and_is_logged(user):
    client = Client()
    response = login(client, user.username)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    event = SecurityEvent.objects.get(kind="login")
    assert (event.user, event.organization, event.ip) == (user, user.organization, "127.0.0.1")


def lock_out(username, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, username, "wrong").status_code == 200  # the form again
    return login(client, username, "wrong")


def test_five_failures_lock_the_account(user, settings):
    assert lock_out(user.username, settings).status_code == 429
    assert SecurityEvent.objects.filter(kind="login_failed").count() == 5
    assert SecurityEvent.objects.filter(kind="locked_out").exists()


@pytest.mark.parametrize(
    ("minutes", "status"), [(14, 429), (16, 302)], ids=["still-locked", "unlocked"]
)
def test_lockout_lasts_fifteen_minutes(user, settings, minutes, status):
    """Locked: even the right password is refused, from any client, until the cool-off ends.
    (Each attempt during the lockout counts as a failure and restarts it.)"""
    lock_out(user.username, settings)
    with time_machine.travel(timedelta(minutes=minutes)):
        assert login(Client(), user.username).status_code == status


def test_lockout_figures_are_settings(user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    login(client, user.username, "wrong")
    assert login(client, user.username, "wrong").status_code == 429


def test_session_ends_after_thirty_idle_minutes(user):
    client = Client()
    login(client, user.username)
    with time_machine.travel(timedelta(minutes=29)):
        assert client.get("/").status_code == 200
    with time_machine.travel(timedelta(minutes=29 + 31)):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert SecurityEvent.objects.filter(kind="session_expired", user=user).exists()
    assert client.get("/").status_code == 302  # really logged out


def test_session_ends_after_twelve_hours_even_when_active(user):
    client = Client()
    with time_machine.travel(0, tick=False) as clock:
        login(client, user.username)
        for _ in range(24):  # a request every 29 minutes for 11.6 hours
            clock.shift(timedelta(minutes=29))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 302


def test_disabled_user_session_stops_at_once(user):
    client = Client()
    login(client, user.username)
    assert client.get("/").status_code == 200
    user_deactivate(actor=user_with_role(Role.PLATFORM_ADMIN), user_id=user.pk)
    assert client.get("/").status_code == 302


def test_logout_is_logged(user):
    client = Client()
    login(client, user.username)
    client.post("/accounts/logout/")
    assert SecurityEvent.objects.filter(kind="logout", user=user).exists()


def test_expired_password_must_be_changed(user, settings):
    client = Client()
    login(client, user.username)
    assert client.get("/").status_code == 200
    age = timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
    user.password_changed_at = user.password_changed_at - age
    user.save(update_fields=["password_changed_at"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"


@pytest.mark.parametrize(
    ("password", "ok"),
    [("short1A!", False), ("alllowercaseletters", False), ("Lowercase-and-1", True)],
    ids=["too-short", "one-class", "three-classes"],
)
def test_password_rules(user, password, ok):
    client = Client()
    login(client, user.username)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert (response.status_code == 302) is ok


def test_missing_csrf_token_is_refused_and_changes_nothing():
    admin = user_with_role(Role.BUREAU_OFFICER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post("/region-policy/", {"alternate_catalogue_cap_ratio": "0.5"})
    assert response.status_code == 403
    from core.policy import RegionPolicy

    assert not RegionPolicy.objects.exists()


def test_security_log_is_append_only(user):
    from django.db import ProgrammingError, connection, transaction

    login(Client(), user.username)
    for sql in (
        "UPDATE accounts_securityevent SET kind = 'x'",
        "DELETE FROM accounts_securityevent",
    ):
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert SecurityEvent.objects.filter(kind="login").count() == 1


def test_other_organisation_page_is_404(user):
    other = (
        Organization.objects.exclude(pk=user.organization_id).first()
        or user_with_role(Role.HOSPITAL_PURCHASER).organization
    )
    client = Client()
    client.force_login(user)
    assert client.get(f"/accounts/organizations/{other.pk}/").status_code == 404
    assert client.get(f"/accounts/organizations/{user.organization_id}/").status_code == 200


def test_organisation_export_is_scoped_and_escaped():
    """A hospital's export holds only what it may see; formula-like names stay text."""
    from io import BytesIO

    from openpyxl import load_workbook

    from accounts.tests.factories import HospitalFactory

    mine = HospitalFactory(name="=cmd|' /C calc'!A0")
    HospitalFactory(name="别的医院")
    user = user_with_role(Role.HOSPITAL_PURCHASER, organization=mine)
    client = Client()
    client.force_login(user)
    response = client.get("/accounts/organizations/?export=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["'=cmd|' /C calc'!A0"]
