"""The platform's working-day calendar: kept by platform administrators only, on the page and
over the API, each change in its history; refusals carry their codes."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from core import clock, services
from core.errors import (
    CalendarDayExistsError,
    CalendarWorkdayNotWeekendError,
    CalendarYearOutOfRangeError,
    PermissionDeniedError,
)
from core.workcalendar import CalendarDay, DayKind

pytestmark = pytest.mark.django_db

D = dt.date
OTHERS = [
    Role.HOSPITAL_PURCHASER,
    Role.HOSPITAL_FINANCE,
    Role.SUPPLIER_SALES,
    Role.BUREAU_OFFICER,
    Role.AGENCY_FINANCE,
]


@pytest.fixture
def admin():
    return user_with_role(Role.PLATFORM_ADMIN)


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Service ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", OTHERS)
def test_only_platform_administrators_may_enter_or_remove_a_day(role, admin):
    day = services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY)
    other = user_with_role(role)
    with pytest.raises(PermissionDeniedError):
        services.calendar_day_create(actor=other, date=D(2027, 1, 2), kind=DayKind.HOLIDAY)
    with pytest.raises(PermissionDeniedError):
        services.calendar_day_delete(actor=other, day_id=day.pk)
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]


def test_a_make_up_working_day_must_be_a_weekend_day(admin):
    with pytest.raises(CalendarWorkdayNotWeekendError) as error:
        services.calendar_day_create(actor=admin, date=D(2027, 2, 3), kind=DayKind.WORKDAY)
    assert error.value.code == "calendar_workday_not_weekend"
    # Sunday 7 February 2027 is accepted.
    services.calendar_day_create(actor=admin, date=D(2027, 2, 7), kind=DayKind.WORKDAY)


def test_a_day_is_entered_once(admin):
    services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY)
    with pytest.raises(CalendarDayExistsError) as error:
        services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY)
    assert (error.value.code, error.value.http_status) == ("calendar_day_exists", 409)


def test_a_year_far_out_is_refused_as_a_typo(admin):
    with pytest.raises(CalendarYearOutOfRangeError):
        services.calendar_day_create(actor=admin, date=D(2207, 1, 1), kind=DayKind.HOLIDAY)


def test_entering_and_removing_a_day_is_in_its_history(admin):
    """Who entered the day and who removed it stay in the history after the day is gone."""
    from core.selectors import calendar_day_history

    day = services.calendar_day_create(
        actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦"
    )
    services.calendar_day_delete(actor=admin, day_id=day.pk)
    assert not CalendarDay.objects.exists()
    events = calendar_day_history(actor=admin, year=2027)
    assert [(e.pgh_label, e.date, e.name) for e in events] == [
        ("delete", D(2027, 1, 1), "元旦"),
        ("insert", D(2027, 1, 1), "元旦"),
    ]


# --- Page ------------------------------------------------------------------------------------


def test_the_page_enters_a_day_shows_the_years_source_and_its_history(admin, monkeypatch):
    monkeypatch.setattr(clock, "package_years", lambda: range(2004, 2027))
    client = page(admin)
    before = client.get(reverse("core:calendar") + "?year=2027").content.decode()
    assert "无数据：按周一至周五推算" in before
    response = client.post(
        reverse("core:calendar"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "平台日历" in html
    assert "2027-01-01" in html
    assert "元旦" in html
    # The history table names the administrator who entered it.
    assert "录入" in html
    assert str(admin) in html


def test_the_page_shows_a_refusal_next_to_the_date_and_keeps_the_input(admin):
    response = page(admin).post(
        reverse("core:calendar"), {"date": "2027-02-03", "kind": "workday", "name": "春节"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert "调休上班日只能是" in html
    assert 'value="春节"' in html
    assert not CalendarDay.objects.exists()


def test_the_page_removes_a_day(admin):
    day = services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY)
    response = page(admin).post(reverse("core:calendar_day_delete", args=[day.pk]))
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("role", OTHERS)
def test_others_cannot_open_the_page_nor_change_the_calendar(role, admin):
    day = services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY)
    client = page(user_with_role(role))
    assert client.get(reverse("core:calendar")).status_code == 403
    posted = client.post(reverse("core:calendar"), {"date": "2027-01-02", "kind": "holiday"})
    assert posted.status_code == 403
    removed = client.post(reverse("core:calendar_day_delete", args=[day.pk]))
    assert removed.status_code == 403
    assert CalendarDay.objects.count() == 1


# --- API -------------------------------------------------------------------------------------


def test_the_api_creates_lists_and_deletes_days(admin, monkeypatch):
    monkeypatch.setattr(clock, "package_years", lambda: range(2004, 2027))
    client = api(admin)
    created = client.post(
        "/api/v1/calendar/days/",
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["date"] == "2027-01-01"
    listed = client.get("/api/v1/calendar/days/?year=2027").json()
    assert [(d["date"], d["kind"], d["name"]) for d in listed] == [
        ("2027-01-01", "holiday", "元旦")
    ]
    assert client.get("/api/v1/calendar/days/?year=2028").json() == []
    years = {y["year"]: y for y in client.get("/api/v1/calendar/years/").json()}
    assert (years[2027]["source"], years[2027]["holidays"], years[2027]["degraded"]) == (
        "platform",
        1,
        False,
    )
    deleted = client.delete(f"/api/v1/calendar/days/{created.json()['id']}/")
    assert deleted.status_code == 204
    assert client.delete(f"/api/v1/calendar/days/{created.json()['id']}/").status_code == 404
    assert not CalendarDay.objects.exists()


def test_the_api_refuses_a_bad_year_and_a_weekday_worked(admin):
    client = api(admin)
    bad_year = client.get("/api/v1/calendar/days/?year=99999999999")
    assert (bad_year.status_code, bad_year.json()["code"]) == (400, "invalid")
    weekday = client.post(
        "/api/v1/calendar/days/", {"date": "2027-02-03", "kind": "workday"}, format="json"
    )
    assert (weekday.status_code, weekday.json()["code"]) == (400, "calendar_workday_not_weekend")
    unknown_kind = client.post(
        "/api/v1/calendar/days/", {"date": "2027-02-06", "kind": "rest"}, format="json"
    )
    assert (unknown_kind.status_code, unknown_kind.json()["code"]) == (400, "invalid")


@pytest.mark.parametrize("role", OTHERS)
def test_the_api_is_for_platform_administrators_only(role, admin):
    day = services.calendar_day_create(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY)
    client = api(user_with_role(role))
    assert client.get("/api/v1/calendar/days/").status_code == 403
    assert client.get("/api/v1/calendar/years/").status_code == 403
    posted = client.post(
        "/api/v1/calendar/days/", {"date": "2027-01-02", "kind": "holiday"}, format="json"
    )
    assert posted.status_code == 403
    assert client.delete(f"/api/v1/calendar/days/{day.pk}/").status_code == 403
    assert CalendarDay.objects.count() == 1
