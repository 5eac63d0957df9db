"""E-mail notifications (issue #15 item 7): with NOTIFY_EMAIL_ENABLED, ``notify`` e-mails the
notification after the commit (Django's locmem backend here), one message to each active
person of the organisation told who has an address (or only the person it names); nobody of
another organisation; nothing when the transaction rolls back or e-mail is off; a mail server
that fails is retried by the task and never breaks the transaction."""

import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, UserFactory
from supervision.choices import NotificationKind
from supervision.models import Notification
from supervision.services import notifications as services

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def email_on(settings):
    settings.NOTIFY_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = LOCMEM
    settings.NOTIFY_EMAIL_BASE_URL = "https://yg.example.cn"
    return settings


@pytest.fixture
def two_hospitals():
    a, b = HospitalFactory(), HospitalFactory()
    people = {
        "a1": UserFactory(organization=a, roles=[Role.HOSPITAL_PURCHASER], email="a1@a.cn"),
        "a2": UserFactory(organization=a, roles=[Role.HOSPITAL_FINANCE], email="a2@a.cn"),
        "a_none": UserFactory(organization=a, roles=[Role.HOSPITAL_PURCHASER], email=""),
        "a_gone": UserFactory(
            organization=a, roles=[Role.HOSPITAL_PURCHASER], email="gone@a.cn", is_active=False
        ),
        "b1": UserFactory(organization=b, roles=[Role.HOSPITAL_PURCHASER], email="b1@b.cn"),
    }
    return a, b, people


def _notify(org, **kw):
    return services.notify(
        organization_id=org.pk,
        kind=NotificationKind.LOT_NOTICE,
        text="质量通告：批号 LOTA 被报告存在质量问题（严重）。",
        link="/supervision/quality/notices/1/",
        **kw,
    )


def _to(messages):
    return sorted(address for m in messages for address in m.to)


def test_each_person_of_the_organisation_with_an_address_gets_one_email(
    email_on, two_hospitals, django_capture_on_commit_callbacks
):
    a, _b, _people = two_hospitals
    with django_capture_on_commit_callbacks(execute=True):
        _notify(a)
    assert _to(mail.outbox) == ["a1@a.cn", "a2@a.cn"]  # not b1, not the one without an address
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees another's address
    message = mail.outbox[0]
    assert "批号 LOTA" in message.body
    assert "https://yg.example.cn/supervision/quality/notices/1/" in message.body
    assert message.subject.startswith("[阳光采购] ")


def test_the_other_organisation_gets_only_its_own(
    email_on, two_hospitals, django_capture_on_commit_callbacks
):
    _a, b, _people = two_hospitals
    with django_capture_on_commit_callbacks(execute=True):
        _notify(b)
    assert _to(mail.outbox) == ["b1@b.cn"]


def test_a_notification_to_one_person_emails_that_person_only(
    email_on, two_hospitals, django_capture_on_commit_callbacks
):
    a, _b, people = two_hospitals
    with django_capture_on_commit_callbacks(execute=True):
        _notify(a, person_id=people["a2"].pk)
    assert _to(mail.outbox) == ["a2@a.cn"]


def test_nothing_is_sent_before_the_commit_nor_after_a_rollback(
    email_on, two_hospitals, django_capture_on_commit_callbacks
):
    a, _b, _people = two_hospitals
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _notify(a)
                assert mail.outbox == []  # not inside the transaction
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(organization=a).exists()


def test_email_off_sends_nothing(settings, two_hospitals, django_capture_on_commit_callbacks):
    settings.NOTIFY_EMAIL_ENABLED = False
    settings.EMAIL_BACKEND = LOCMEM
    a, _b, _people = two_hospitals
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(a)
    assert callbacks == []
    assert mail.outbox == []


class _Failing:
    """A mail server that refuses the first ``fails`` connections."""

    calls = 0
    fails = 0

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        type(self).calls += 1
        if type(self).calls <= type(self).fails:
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        return len(messages)


def test_a_failing_mail_server_never_breaks_the_transaction(
    email_on, two_hospitals, django_capture_on_commit_callbacks, monkeypatch
):
    """The task fails after the commit: the notification stays, the failure is logged."""
    a, _b, _people = two_hospitals
    monkeypatch.setattr(_Failing, "calls", 0)
    monkeypatch.setattr(_Failing, "fails", 100)
    monkeypatch.setattr(services, "get_connection", _Failing)
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(a)
    assert Notification.objects.filter(pk=notification.pk).exists()
    assert _Failing.calls == 1
    assert mail.outbox == []


def test_the_task_retries_while_the_mail_server_fails_then_sends(
    email_on, two_hospitals, monkeypatch
):
    """A mail server error makes the task ask for a retry (with backoff, up to 8 times);
    the retry that finds the server back sends."""
    from supervision import tasks

    a, _b, _people = two_hospitals
    notification = _notify(a)  # no commit in this test: the task is run by hand
    assert smtplib.SMTPException in tasks.notification_email.autoretry_for
    assert OSError in tasks.notification_email.autoretry_for
    assert tasks.notification_email.max_retries == 8
    monkeypatch.setattr(_Failing, "calls", 0)
    monkeypatch.setattr(_Failing, "fails", 1)
    monkeypatch.setattr(services, "get_connection", _Failing)
    with pytest.raises(Retry):
        tasks.notification_email.apply(args=[notification.pk], throw=True)
    assert mail.outbox == []
    assert tasks.notification_email.apply(args=[notification.pk]).get() == 2
    assert _to(mail.outbox) == ["a1@a.cn", "a2@a.cn"]


def test_notifications_made_in_bulk_are_emailed_too(
    email_on, two_hospitals, django_capture_on_commit_callbacks
):
    """The five rates' monthly threshold notices are made by notify_many (one insert for
    hundreds of parties): each organisation's people get theirs by e-mail as with notify."""
    a, b, _people = two_hospitals
    with django_capture_on_commit_callbacks(execute=True):
        told = services.notify_many(
            [(a.pk, "上月货款支付率低于阈值。"), (b.pk, "上月企业配送率低于阈值。")],
            kind=NotificationKind.FIVE_RATES,
            link="/supervision/five-rates/",
        )
    assert told == 2
    assert _to(mail.outbox) == ["a1@a.cn", "a2@a.cn", "b1@b.cn"]
    assert {m.to[0]: "配送率" in m.body for m in mail.outbox}["b1@b.cn"]
