"""The security log as an audit trail (GB/T 22239-2019 8.1.4.3) [R-AUDIT-CHAIN]: every row says
who, in which role, when, from where, what, on what and with what result; a keyed hash chain
shows an edited, deleted or inserted row; rows past the retention go to a verifiable archive.

Edits and deletes are made as the owner role (core.privileges.owner_connection), the only one
that may, with the append-only trigger skipped: what someone holding the owner's password
could do. Such tests commit (``transaction=True``); pytest-django flushes after each."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from accounts import audit
from accounts.checks import audit_key_check
from accounts.choices import AuditResult, Role, SecurityEventKind
from accounts.models import SecurityEvent
from accounts.selectors import audit_archive_file_verify, audit_chain_verify
from accounts.services import audit_archive, audit_chain_check_run, security_event_record
from accounts.tests.factories import PASSWORD, user_with_role
from core.clock import SHANGHAI
from core.privileges import owner_connection

LOGIN = "/accounts/login/"
SKIP_TRIGGERS = (
    "SELECT set_config('pgtrigger.ignore', array_agg(tgname)::text, true) FROM pg_trigger"
    " WHERE tgrelid = 'accounts_securityevent'::regclass AND NOT tgisinternal"
)


def as_owner(sql: str, params: list) -> int:
    """Run ``sql`` as the owner with the append-only trigger skipped; the rows it touched."""
    with owner_connection(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SKIP_TRIGGERS)
        cursor.execute(sql, params)
        return cursor.rowcount


def append(count: int, **fields) -> list[SecurityEvent]:
    return [
        security_event_record(kind=SecurityEventKind.LOGIN, username=f"u{i}", **fields)
        for i in range(count)
    ]


# --- every row carries every field --------------------------------------------------------------


@pytest.mark.django_db
def test_a_login_row_carries_every_field_r_audit_chain():
    """[R-AUDIT-CHAIN] who (user, organisation, roles), when, from where (address, path,
    request id), what and the result, chained."""
    user = user_with_role(Role.HOSPITAL_PURCHASER)
    client = Client(HTTP_X_REQUEST_ID="req-login-0001")
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["X-Request-ID"] == "req-login-0001"
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN)
    assert (event.user, event.username, event.organization) == (
        user,
        user.username,
        user.organization,
    )
    assert event.roles == [Role.HOSPITAL_PURCHASER]
    assert (event.ip, event.path, event.request_id) == ("127.0.0.1", LOGIN, "req-login-0001")
    assert (event.result, event.reason) == (AuditResult.SUCCESS, "")
    assert event.seq is not None
    assert len(event.chain_hash) == 64
    assert event.key_id == audit.key_id(audit.current_key())
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_a_failed_login_row_is_refused_with_its_reason_r_audit_chain():
    """[R-AUDIT-CHAIN] a failed login: the name typed, no user, refused, why; a request id
    made here when the client sent none."""
    user = user_with_role(Role.HOSPITAL_PURCHASER)
    response = Client().post(LOGIN, {"username": user.username, "password": "wrong-password"})
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED)
    assert (event.user, event.username, event.roles) == (None, user.username, [])
    assert (event.result, event.reason) == (AuditResult.REFUSED, "bad_credentials")
    assert (event.ip, event.path) == ("127.0.0.1", LOGIN)
    assert event.request_id == response["X-Request-ID"]
    assert len(event.request_id) == 32
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_a_refused_permission_row_names_the_roles_and_the_action_r_audit_chain():
    """[R-AUDIT-CHAIN] a purchaser opening the security log: refused, in the roles held then."""
    user = user_with_role(Role.HOSPITAL_PURCHASER)
    client = Client(HTTP_X_REQUEST_ID="req-denied-0002")
    client.force_login(user)
    response = client.get("/accounts/security-events/")
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERMISSION_DENIED)
    assert (event.user, event.organization, event.roles) == (
        user,
        user.organization,
        [Role.HOSPITAL_PURCHASER],
    )
    assert (event.result, event.reason) == (AuditResult.REFUSED, "role_not_allowed")
    assert event.detail == {"action": "security_event.view"}
    assert (event.path, event.request_id) == ("/accounts/security-events/", "req-denied-0002")
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_a_row_names_the_object_it_is_about_r_audit_chain():
    """[R-AUDIT-CHAIN] the object (type and id) is kept and covered by the hash."""
    admin = user_with_role(Role.PLATFORM_ADMIN)
    event = security_event_record(
        kind=SecurityEventKind.API_KEY_REVOKED,
        user=admin,
        object_type="accounts.ApiClient",
        object_id=42,
    )
    event.refresh_from_db()
    assert (event.object_type, event.object_id) == ("accounts.ApiClient", "42")
    assert event.roles == [Role.PLATFORM_ADMIN]
    assert audit_chain_verify().ok


# --- the chain ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_chain_detects_an_edited_row_r_audit_chain():
    """[R-AUDIT-CHAIN] one field of one row changed: that row is the first (and only) break;
    `audit_verify` exits non-zero."""
    rows = append(4)
    assert audit_chain_verify().ok
    call_command("audit_verify")
    assert as_owner(
        "UPDATE accounts_securityevent SET username = 'someone-else' WHERE id = %s", [rows[1].pk]
    )
    report = audit_chain_verify()
    assert [(f.check, f.seq) for f in report.findings] == [("chain_broken", rows[1].seq)]
    with pytest.raises(CommandError, match="chain_broken"):
        call_command("audit_verify")


@pytest.mark.django_db(transaction=True)
def test_the_chain_detects_a_rewritten_hash_r_audit_chain():
    """[R-AUDIT-CHAIN] a row edited and given a new plain hash: without the key the hash cannot
    be forged, and the next row's link shows it too."""
    rows = append(3)
    forged = hashlib.sha256(b"forged").hexdigest()
    as_owner(
        "UPDATE accounts_securityevent SET reason = 'x', chain_hash = %s WHERE id = %s",
        [forged, rows[1].pk],
    )
    report = audit_chain_verify()
    assert [(f.check, f.seq) for f in report.findings] == [
        ("chain_broken", rows[1].seq),
        ("chain_broken", rows[2].seq),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_chain_detects_a_deleted_row_r_audit_chain():
    """[R-AUDIT-CHAIN] a row deleted from the middle is a gap at the row after it; the first
    row deleted is a gap at the start (no archive recorded that boundary)."""
    rows = append(4)
    assert as_owner("DELETE FROM accounts_securityevent WHERE id = %s", [rows[2].pk]) == 1
    report = audit_chain_verify()
    assert [(f.check, f.seq) for f in report.findings] == [("chain_gap", rows[3].seq)]
    assert report.findings[0].detail["expected_seq"] == rows[2].seq
    as_owner("DELETE FROM accounts_securityevent WHERE id = %s", [rows[0].pk])
    assert [f.check for f in audit_chain_verify().findings] == ["chain_gap", "chain_gap"]
    with pytest.raises(CommandError):
        call_command("audit_verify")


@pytest.mark.django_db(transaction=True)
def test_a_row_inserted_past_the_service_is_found_r_audit_chain():
    """[R-AUDIT-CHAIN] the runtime role may insert: a row without a sequence number after the
    chain began is reported."""
    append(2)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_securityevent (at, kind, username, path, detail)"
            " VALUES (now(), 'login', 'intruder', '', '{}')"
        )
    assert [f.check for f in audit_chain_verify().findings] == ["unchained"]


@pytest.mark.django_db
def test_a_row_signed_by_a_rotated_key_still_verifies_r_audit_chain(settings):
    """[R-AUDIT-CHAIN] after a rotation the old key, in AUDIT_HMAC_OLD_KEYS, verifies the rows
    it signed; without it they are reported."""
    old = settings.AUDIT_HMAC_KEY
    append(2)
    settings.AUDIT_HMAC_KEY = "a-rotated-audit-hmac-key-of-enough-length-000111222333"
    append(1)
    settings.AUDIT_HMAC_OLD_KEYS = [old]
    assert audit_chain_verify().ok
    settings.AUDIT_HMAC_OLD_KEYS = []
    assert {f.check for f in audit_chain_verify().findings} == {"key_unknown"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_a_valid_chain_r_audit_chain():
    """[R-AUDIT-CHAIN] four threads, each on its own connection, append 15 rows at once: one
    unbroken chain, sequence numbers 1..60, time following the sequence."""
    threads, each = 4, 15
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(60)
            for i in range(each):
                security_event_record(kind=SecurityEventKind.LOGIN, username=f"t{index}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not errors, errors
    seqs = list(SecurityEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads * each + 1))
    times = list(SecurityEvent.objects.order_by("seq").values_list("at", flat=True))
    assert times == sorted(times)
    report = audit_chain_verify()
    assert report.ok, report.findings
    assert report.rows == threads * each


# --- the daily check ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_daily_check_records_its_result_and_logs_a_break_r_audit_chain(caplog):
    """[R-AUDIT-CHAIN] the beat task's service records an ``audit_verified`` event (success,
    then failed with the first break) and logs the break as an error."""
    assert "accounts.audit_chain_check" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    rows = append(3)
    assert audit_chain_check_run().ok
    ok = SecurityEvent.objects.get(kind=SecurityEventKind.AUDIT_VERIFIED)
    assert (ok.result, ok.detail["rows"]) == (AuditResult.SUCCESS, 3)
    as_owner("UPDATE accounts_securityevent SET ip = '10.0.0.9' WHERE id = %s", [rows[0].pk])
    with caplog.at_level(logging.ERROR, logger="accounts.services"):
        assert not audit_chain_check_run().ok
    failed = SecurityEvent.objects.filter(kind=SecurityEventKind.AUDIT_VERIFIED).latest("seq")
    assert (failed.result, failed.reason) == (AuditResult.FAILED, "chain_broken")
    assert failed.detail["findings"][0]["seq"] == rows[0].seq
    assert "security log chain broken" in caplog.text


# --- retention ----------------------------------------------------------------------------------


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)


@pytest.mark.django_db(transaction=True)
def test_the_archive_drops_only_archived_rows_and_audits_the_drop_r_audit_chain(tmp_path):
    """[R-AUDIT-CHAIN] with 184 days' retention, the three rows from 200 days ago go to a JSON
    lines file (hashes included, a chain that verifies on its own), are deleted, and the drop
    is an ``audit_archived`` event naming the count, the range, the file and its SHA-256; the
    kept chain still verifies from the boundary the event recorded."""
    today = dt.date(2026, 12, 4)
    with time_machine.travel(_at(today - dt.timedelta(days=200)), tick=True):
        old = append(3)
    with time_machine.travel(_at(today - dt.timedelta(days=10)), tick=True):
        kept = append(2)
    with time_machine.travel(_at(today), tick=True):
        done = audit_archive(directory=tmp_path, today=today)
    assert done is not None
    assert (done.count, done.from_seq, done.to_seq) == (3, old[0].seq, old[-1].seq)
    remaining = set(SecurityEvent.objects.values_list("pk", flat=True))
    assert remaining == {*(row.pk for row in kept), done.event.pk}

    lines = [json.loads(line) for line in done.path.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [row.pk for row in old]
    assert all(len(line["chain_hash"]) == 64 for line in lines)
    assert hashlib.sha256(done.path.read_bytes()).hexdigest() == done.sha256
    assert audit_archive_file_verify(done.path).ok

    event = SecurityEvent.objects.get(kind=SecurityEventKind.AUDIT_ARCHIVED)
    assert event.detail["count"] == 3
    assert (event.detail["from_seq"], event.detail["to_seq"]) == (old[0].seq, old[-1].seq)
    assert event.detail["sha256"] == done.sha256
    assert event.detail["file"] == str(done.path)
    assert event.detail["next_seq"] == kept[0].seq
    assert event.detail["boundary_hash"] == old[-1].chain_hash
    report = audit_chain_verify()
    assert report.ok, report.findings
    call_command("audit_verify")
    call_command("audit_verify", "--archive", str(done.path))

    # Nothing older is left: a second run archives nothing.
    with time_machine.travel(_at(today), tick=True):
        assert audit_archive(directory=tmp_path, today=today) is None


@pytest.mark.django_db(transaction=True)
def test_an_archived_file_that_was_edited_fails_verification_r_audit_chain(tmp_path):
    """[R-AUDIT-CHAIN] the archive keeps the hashes, so an edited line shows later."""
    today = dt.date(2026, 12, 4)
    with time_machine.travel(_at(today - dt.timedelta(days=300)), tick=True):
        append(2)
    done = audit_archive(directory=tmp_path, today=today)
    assert done is not None
    text = done.path.read_text(encoding="utf-8").replace('"u1"', '"u9"')
    done.path.write_text(text, encoding="utf-8")
    assert [f.check for f in audit_archive_file_verify(done.path).findings] == ["chain_broken"]
    with pytest.raises(CommandError):
        call_command("audit_verify", "--archive", str(done.path))


@pytest.mark.django_db(transaction=True)
def test_rows_before_the_archive_boundary_deleted_without_an_archive_show_r_audit_chain():
    """[R-AUDIT-CHAIN] the chain accepts a first row after seq 1 only where an archive event
    recorded that boundary."""
    rows = append(3)
    as_owner("DELETE FROM accounts_securityevent WHERE id = %s", [rows[0].pk])
    report = audit_chain_verify()
    assert [(f.check, f.seq) for f in report.findings] == [("chain_gap", rows[1].seq)]


# --- the key ------------------------------------------------------------------------------------


def test_the_deploy_check_refuses_a_missing_key_with_debug_off_r_audit_chain(settings, tmp_path):
    """[R-AUDIT-CHAIN] no key, a short key or an unreadable key file: accounts.E001; a key in
    the environment or a key file: clean."""
    settings.DEBUG = False
    settings.AUDIT_HMAC_KEY = ""
    settings.AUDIT_HMAC_KEY_FILE = ""
    assert [m.id for m in audit_key_check()] == ["accounts.E001"]
    with pytest.raises(audit.KeyMissingError):
        audit.current_key()
    settings.AUDIT_HMAC_KEY = "short"
    assert [m.id for m in audit_key_check()] == ["accounts.E001"]
    settings.AUDIT_HMAC_KEY = ""
    settings.AUDIT_HMAC_KEY_FILE = str(tmp_path / "missing.key")
    assert [m.id for m in audit_key_check()] == ["accounts.E001"]
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 64 + "\n")
    settings.AUDIT_HMAC_KEY_FILE = str(key_file)
    assert audit_key_check() == []
    assert audit.current_key() == b"k" * 64
    settings.AUDIT_HMAC_KEY = "e" * 40
    assert audit_key_check() == []


@pytest.mark.django_db
def test_the_security_log_page_and_export_show_the_audit_fields_r_audit_chain():
    """[R-AUDIT-CHAIN] the page shows the result, roles and request id; the export has them."""
    from io import BytesIO

    from openpyxl import load_workbook

    admin = user_with_role(Role.PLATFORM_ADMIN)
    Client(HTTP_X_REQUEST_ID="req-shown-0003").post(
        LOGIN, {"username": admin.username, "password": "wrong-password"}
    )
    client = Client()
    client.force_login(admin)
    page = client.get("/accounts/security-events/").content.decode()
    assert "req-shown-0003" in page
    assert "bad_credentials" in page
    export = client.get("/accounts/security-events/?export=xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 12
    failed = next(row for row in rows[1:] if "req-shown-0003" in row)
    assert "bad_credentials" in failed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote", "stored"),
    [
        ("10.1.2.3", "10.1.2.3"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:10.1.2.3", "10.1.2.3"),
        ("not-an-address", None),
    ],
    ids=["ipv4", "ipv6-uppercase", "ipv4-mapped", "garbage"],
)
def test_what_is_hashed_is_what_the_database_gives_back_r_audit_chain(rf, remote, stored):
    """[R-AUDIT-CHAIN] addresses and details are normalised before hashing, so a row read back
    from PostgreSQL (inet, jsonb) hashes the same."""
    request = rf.get("/probe/", REMOTE_ADDR=remote)
    event = security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED,
        username="名字",
        request=request,
        detail={"b": [1, 2.5, "三"], "a": {"z": None, "y": True}},
    )
    event.refresh_from_db()
    assert event.ip == stored
    assert audit_chain_verify().ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    "offered", ["short", "has spaces in it", "x" * 65, "<script>alert(1)</script>"]
)
def test_a_malformed_request_id_is_replaced_r_audit_chain(offered):
    """[R-AUDIT-CHAIN] only 8 to 64 safe characters are taken from X-Request-ID."""
    response = Client(HTTP_X_REQUEST_ID=offered).get("/accounts/login/")
    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db(transaction=True)
def test_the_commands_and_the_task_run_the_services_r_audit_chain(tmp_path, settings, capsys):
    """[R-AUDIT-CHAIN] `audit_archive --dir`, then the beat task: the archive is written, the
    kept chain verifies and the task says so."""
    from accounts.tasks import audit_chain_check

    settings.AUDIT_RETENTION_DAYS = 30
    with time_machine.travel(dt.datetime(2026, 1, 1, 10, tzinfo=SHANGHAI), tick=True):
        append(2)
    call_command("audit_archive", "--dir", str(tmp_path))
    assert "archived 2 rows" in capsys.readouterr().out
    assert len(list(tmp_path.glob("security-events-1-2-*.jsonl"))) == 1
    call_command("audit_archive", "--dir", str(tmp_path))
    assert "nothing older" in capsys.readouterr().out
    assert audit_chain_check.apply().get() is True
