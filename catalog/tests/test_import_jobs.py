"""Web-uploaded imports: import_job_create queues, the Celery task runs (eagerly in tests)."""

import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.functions import Now
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from catalog.choices import ImportKind, ImportStatus
from catalog.models import Consumable, DeviceIdentifier, ImportJob
from catalog.services import import_jobs
from catalog.services.import_jobs import WORKER_LOST, import_job_create, import_job_run
from catalog.tests.factories import (
    CATALOG_HEADERS,
    RELEASE_HEADERS,
    UDI_HEADERS,
    ConsumableFactory,
    catalog_row,
    nhsa_code,
    release_row,
    udi_row,
    write_import_csv,
)
from core.errors import PermissionDeniedError, ValidationError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin():
    return user_with_role(Role.PLATFORM_ADMIN)


def upload(tmp_path, rows, *, name="catalog.csv", headers=CATALOG_HEADERS, **kwargs):
    path = write_import_csv(tmp_path / name, rows, headers=headers, **kwargs)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def create(admin, file, *, kind=ImportKind.CATALOG, partial=False, capture=None):
    with capture(execute=True):
        return import_job_create(actor=admin, kind=kind, uploaded_file=file, partial=partial)


def test_an_upload_is_stored_queued_and_imported_by_the_task(
    admin, tmp_path, media, django_capture_on_commit_callbacks
):
    file = upload(tmp_path, [catalog_row(1), catalog_row(2), catalog_row(3)])

    job = create(admin, file, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done) == (ImportStatus.SUCCEEDED, 3, 3)
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (3, 0, 0, 0)
    assert (job.error, job.report_path, job.created_by) == ("", "", admin)
    assert job.finished_at is not None
    stored = Path(job.stored_path)
    assert stored.parent.parent == Path(media) / "imports"
    assert stored.name == "catalog.csv"
    assert Consumable.objects.count() == 3


def test_an_uploaded_national_release_in_gb18030_is_imported(
    admin, tmp_path, django_capture_on_commit_callbacks
):
    """The release as the NHSA publishes it, saved by Chinese Excel: the job succeeds."""
    file = upload(
        tmp_path,
        [release_row(1), release_row(2)],
        name="C03_骨科材料_全量规格型号信息.csv",
        headers=RELEASE_HEADERS,
        encoding="gb18030",
    )

    job = create(admin, file, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, job.inserted, job.rejected, job.error) == (
        ImportStatus.SUCCEEDED,
        2,
        0,
        "",
    )
    assert set(Consumable.objects.values_list("feature", flat=True)) == {"肱骨/普通"}


def test_the_task_is_queued_only_when_the_job_is_committed(admin, tmp_path, monkeypatch):
    queued = []
    monkeypatch.setattr(
        "catalog.import_tasks.import_job_run.delay", lambda job_id: queued.append(job_id)
    )

    job = import_job_create(
        actor=admin, kind=ImportKind.CATALOG, uploaded_file=upload(tmp_path, []), partial=False
    )

    # The test transaction never commits: nothing was queued, the job waits.
    assert (queued, job.status) == ([], ImportStatus.QUEUED)


def test_a_refused_import_fails_the_job_with_counts_and_report(
    admin, tmp_path, django_capture_on_commit_callbacks
):
    file = upload(tmp_path, [catalog_row(1), catalog_row(2, code="C1")])

    job = create(admin, file, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, job.rejected, job.inserted) == (ImportStatus.FAILED, 1, 0)
    assert job.error
    assert Path(job.report_path) == Path(job.stored_path).with_name("catalog.rejected.csv")
    assert Path(job.report_path).exists()
    assert not Consumable.objects.exists()


def test_partial_keeps_the_valid_rows(admin, tmp_path, django_capture_on_commit_callbacks):
    file = upload(tmp_path, [catalog_row(1), catalog_row(2, code="C1")])

    job = create(admin, file, partial=True, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, job.inserted, job.rejected) == (ImportStatus.SUCCEEDED, 1, 1)


def test_a_wrong_header_fails_the_job_with_the_reason(
    admin, tmp_path, django_capture_on_commit_callbacks
):
    file = upload(tmp_path, [catalog_row(1)], drop=("code",))

    job = create(admin, file, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "医用耗材代码" in job.error


def csv_upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def release_bytes(rows):
    header = ",".join(CATALOG_HEADERS.values())
    lines = [header, *(",".join(row[key] for key in CATALOG_HEADERS) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def cut_before(data, marker):
    return data[: data.rindex(marker)]


@pytest.mark.parametrize(
    ("data", "reason_words"),
    [
        pytest.param(
            cut_before(release_bytes([catalog_row(1), catalog_row(2, model="PR-NEW")]), b",PR-NEW"),
            ["row 3 (line 3)", "8 of the 15 columns"],
            id="cut-mid-row",
        ),
        pytest.param(
            release_bytes([catalog_row(1)]) + b"C02\r\n",
            ["row 3", "fewer than the 15 columns"],
            id="short-row",
        ),
        pytest.param(bytes(range(256)) * 64, ["neither a CSV file"], id="binary-garbage"),
        pytest.param(
            ",".join(CATALOG_HEADERS.values()).encode("gbk") + b"\n\x80\n",
            ["at line 2"],
            id="bad-byte",
        ),
        pytest.param(b"\r\n", ["no header row"], id="blank"),
        pytest.param(release_bytes([]), ["no data rows"], id="header-only"),
        pytest.param(
            release_bytes([]) + b"x" * (3 << 20), ["longer than 1048576 bytes"], id="huge-line"
        ),
    ],
)
def test_a_malformed_upload_fails_its_job_clearly_and_changes_nothing(
    admin, django_capture_on_commit_callbacks, data, reason_words
):
    ConsumableFactory(code=nhsa_code(1))
    ConsumableFactory(code=nhsa_code(2))
    before = list(Consumable.objects.order_by("code").values())

    # The task returns (no exception for the worker to die of) and the job says why.
    with translation.override("en"):
        job = create(admin, csv_upload("c.csv", data), capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error
    for word in reason_words:
        assert word in job.error
    assert job.finished_at is not None
    assert list(Consumable.objects.order_by("code").values()) == before


def test_a_udi_upload_runs_the_udi_import(admin, tmp_path, django_capture_on_commit_callbacks):
    ConsumableFactory(code=nhsa_code(1))
    file = upload(tmp_path, [udi_row(1), udi_row(2)], name="udi.csv", headers=UDI_HEADERS)

    job = create(admin, file, kind=ImportKind.UDI, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, job.inserted) == (ImportStatus.SUCCEEDED, 2)
    assert DeviceIdentifier.objects.filter(consumable__isnull=False).count() == 1


@pytest.mark.parametrize(
    "role", [Role.HOSPITAL_PURCHASER, Role.SUPPLIER_SALES, Role.BUREAU_OFFICER]
)
def test_only_platform_admins_upload(role, tmp_path):
    with pytest.raises(PermissionDeniedError):
        import_job_create(
            actor=user_with_role(role),
            kind=ImportKind.CATALOG,
            uploaded_file=upload(tmp_path, [catalog_row(1)]),
            partial=False,
        )
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("kind", "name", "field"),
    [
        pytest.param("prices", "catalog.csv", "kind", id="unknown-kind"),
        pytest.param(ImportKind.CATALOG, "catalog.pdf", "uploaded_file", id="not-a-table"),
    ],
)
def test_bad_upload_input_is_refused(admin, tmp_path, kind, name, field):
    with pytest.raises(ValidationError) as excinfo:
        import_job_create(
            actor=admin,
            kind=kind,
            uploaded_file=SimpleUploadedFile(name, b"x"),
            partial=False,
        )
    assert list(excinfo.value.extra["fields"]) == [field]


def test_an_unsafe_file_name_is_stored_under_imports(admin, tmp_path, media, monkeypatch):
    monkeypatch.setattr("catalog.import_tasks.import_job_run.delay", lambda job_id: None)
    file = upload(tmp_path, [catalog_row(1)])
    file.name = "../../etc/目录 catalog.csv"

    job = import_job_create(actor=admin, kind=ImportKind.CATALOG, uploaded_file=file, partial=False)

    stored = Path(job.stored_path).resolve()
    assert stored.is_relative_to(Path(media).resolve() / "imports")
    assert stored.name == job.file_name


def test_a_redelivered_task_for_a_finished_job_does_nothing(
    admin, tmp_path, django_capture_on_commit_callbacks
):
    job = create(
        admin, upload(tmp_path, [catalog_row(1)]), capture=django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    finished_at = job.finished_at
    Consumable.objects.all().delete()

    again = import_job_run(job_id=job.pk)

    assert (again.status, again.finished_at) == (ImportStatus.SUCCEEDED, finished_at)
    assert not Consumable.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_while_the_import_runs(
    admin, tmp_path, monkeypatch
):
    """The progress page reads rows_done from another connection during the import."""
    monkeypatch.setattr("catalog.import_tasks.import_job_run.delay", lambda job_id: None)
    monkeypatch.setattr("catalog.services.imports.COPY_BATCH", 2)
    job = import_job_create(
        actor=admin,
        kind=ImportKind.CATALOG,
        uploaded_file=upload(tmp_path, [catalog_row(n) for n in range(1, 6)]),
        partial=False,
    )
    seen = []
    real = import_jobs.IMPORTERS[ImportKind.CATALOG]

    def importer(*, progress, **kwargs):
        def watching(rows_done):
            progress(rows_done)
            seen.append(rows_done_elsewhere(job.pk))

        return real(progress=watching, **kwargs)

    monkeypatch.setitem(import_jobs.IMPORTERS, ImportKind.CATALOG, importer)

    import_job_run(job_id=job.pk)

    assert seen == [2, 4, 5, 5]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.inserted) == (ImportStatus.SUCCEEDED, 5, 5)


def other_connection():
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        autocommit=True,
    )


def rows_done_elsewhere(job_id):
    with other_connection() as other:
        return other.execute(
            "SELECT rows_done FROM catalog_importjob WHERE id = %s", [job_id]
        ).fetchone()[0]


def test_a_user_who_lost_the_role_before_the_run_fails_the_job(admin, tmp_path, monkeypatch):
    monkeypatch.setattr("catalog.import_tasks.import_job_run.delay", lambda job_id: None)
    job = import_job_create(
        actor=admin,
        kind=ImportKind.CATALOG,
        uploaded_file=upload(tmp_path, [catalog_row(1)]),
        partial=False,
    )
    admin.roles = [Role.BUREAU_OFFICER]
    admin.save(update_fields=["roles"])

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert not Consumable.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_another_worker_is_running_is_left_alone(admin, tmp_path, monkeypatch):
    monkeypatch.setattr("catalog.import_tasks.import_job_run.delay", lambda job_id: None)
    job = import_job_create(
        actor=admin,
        kind=ImportKind.CATALOG,
        uploaded_file=upload(tmp_path, [catalog_row(1)]),
        partial=False,
    )
    monkeypatch.setattr(import_jobs, "LOCK_WAIT_S", 1)
    with other_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [import_jobs._LOCK_CLASS, job.pk])

        import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert not Consumable.objects.exists()
    # Once the other worker is gone, a redelivery runs it.
    assert import_job_run(job_id=job.pk).status == ImportStatus.SUCCEEDED


# --- When a worker dies (#9; the real worker killed: test_import_worker_killed.py) -----------


def queued(admin, tmp_path, monkeypatch, rows=(1,), **kwargs):
    """A committed-looking job for a file, its task not run."""
    monkeypatch.setattr("catalog.import_tasks.import_job_run.delay", lambda job_id: None)
    return import_job_create(
        actor=admin,
        kind=ImportKind.CATALOG,
        uploaded_file=upload(tmp_path, [catalog_row(n) for n in rows], **kwargs),
        partial=False,
    )


def left_running(job, *, heartbeat_age_s, attempts=1):
    """The job as a worker that died leaves it: running, its last heartbeat that old."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        attempts=attempts,
        heartbeat_at=Now() - timedelta(seconds=heartbeat_age_s),
    )


@pytest.fixture
def admin_api(admin):
    client = APIClient()
    client.force_authenticate(admin)
    return client


@pytest.mark.parametrize(
    ("heartbeat_age_s", "status"),
    [
        pytest.param(121, ImportStatus.FAILED, id="older-than-the-limit"),
        pytest.param(30, ImportStatus.RUNNING, id="within-the-limit"),
    ],
)
def test_reading_a_job_whose_heartbeat_stopped_fails_it(
    admin, admin_api, tmp_path, monkeypatch, heartbeat_age_s, status
):
    job = queued(admin, tmp_path, monkeypatch)
    left_running(job, heartbeat_age_s=heartbeat_age_s)

    body = admin_api.get(f"/api/v1/catalog/imports/{job.pk}/").json()

    assert body["status"] == status
    if status == ImportStatus.FAILED:
        assert body["error"] == str(WORKER_LOST)
        assert body["finished_at"]


def test_the_progress_page_fails_a_job_whose_worker_stopped(admin, tmp_path, monkeypatch):
    job = queued(admin, tmp_path, monkeypatch)
    left_running(job, heartbeat_age_s=600)
    client = Client()
    client.force_login(admin)

    page = client.get(f"/catalog/imports/{job.pk}/progress/").content.decode()

    assert 'data-status="failed"' in page
    assert "hx-trigger" not in page  # the page stops polling
    assert reverse("catalog:import_job_retry", args=[job.pk]) in page


def test_celery_beat_fails_stale_jobs_every_minute(admin, tmp_path, monkeypatch, settings):
    from catalog.import_tasks import import_jobs_fail_stale_task

    entry = settings.CELERY_BEAT_SCHEDULE["catalog-import-jobs-fail-stale"]
    assert (entry["task"], entry["schedule"]) == (
        "catalog.import_jobs_fail_stale",
        timedelta(minutes=1),
    )
    stale, fresh = queued(admin, tmp_path, monkeypatch), queued(admin, tmp_path, monkeypatch)
    left_running(stale, heartbeat_age_s=600)
    left_running(fresh, heartbeat_age_s=1)

    assert import_jobs_fail_stale_task.delay().get() == {"failed": 1}

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert (statuses[stale.pk], statuses[fresh.pk]) == (ImportStatus.FAILED, ImportStatus.RUNNING)


def test_a_job_left_running_with_its_lock_free_is_run_again(admin, tmp_path, monkeypatch):
    """The broker redelivered the message of a worker that died (task_reject_on_worker_lost):
    the next run finds the job running and nobody holding its lock, and resumes it."""
    job = queued(admin, tmp_path, monkeypatch, rows=(1, 2))
    left_running(job, heartbeat_age_s=5)

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.inserted) == (ImportStatus.SUCCEEDED, 2, 2)


def test_a_file_that_stopped_its_worker_three_times_fails_instead_of_looping(
    admin, tmp_path, monkeypatch
):
    job = queued(admin, tmp_path, monkeypatch)
    left_running(job, heartbeat_age_s=5, attempts=import_jobs.MAX_ATTEMPTS)

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportStatus.FAILED, 3)
    assert "3" in job.error
    assert job.finished_at is not None
    assert not Consumable.objects.exists()


def test_a_run_declared_dead_cannot_record_its_outcome_later(admin, tmp_path, monkeypatch):
    """A worker cut off long enough to be failed, that then comes back, must not turn the job
    back into "succeeded" behind the user's back: its writes are fenced by its attempt."""
    job = queued(admin, tmp_path, monkeypatch)
    real = import_jobs.IMPORTERS[ImportKind.CATALOG]

    def importer(**kwargs):
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=Now() - timedelta(hours=1))
        assert import_jobs.import_jobs_fail_stale() == 1
        return real(**kwargs)

    monkeypatch.setitem(import_jobs.IMPORTERS, ImportKind.CATALOG, importer)

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error, job.inserted) == (ImportStatus.FAILED, str(WORKER_LOST), 0)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_advances_while_the_import_runs(admin, tmp_path, monkeypatch, settings):
    """Written by a thread on its own connection: it advances while the import is busy (here
    between two COPY batches), and stops with the run."""
    settings.TASK_HEARTBEAT_S = 0.05
    monkeypatch.setattr("catalog.services.imports.COPY_BATCH", 2)
    job = queued(admin, tmp_path, monkeypatch, rows=range(1, 6))
    seen = []
    real = import_jobs.IMPORTERS[ImportKind.CATALOG]

    def importer(*, progress, **kwargs):
        def slow(rows_done):
            progress(rows_done)
            time.sleep(0.3)
            seen.append(heartbeat_elsewhere(job.pk))

        return real(progress=slow, **kwargs)

    monkeypatch.setitem(import_jobs.IMPORTERS, ImportKind.CATALOG, importer)

    import_job_run(job_id=job.pk)

    assert len(seen) == 4
    assert seen == sorted(set(seen))  # strictly later at every look
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert not [thread for thread in threading.enumerate() if thread.name == "heartbeat"]


def heartbeat_elsewhere(job_id):
    with other_connection() as other:
        return other.execute(
            "SELECT heartbeat_at FROM catalog_importjob WHERE id = %s", [job_id]
        ).fetchone()[0]


# --- Retrying a failed import ------------------------------------------------------------------


def test_a_failed_job_is_retried_as_a_new_job_from_the_api(
    admin, admin_api, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    job = queued(admin, tmp_path, monkeypatch, rows=(1, 2))
    left_running(job, heartbeat_age_s=600)
    monkeypatch.undo()  # the retry's task runs (eagerly)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"/api/v1/catalog/imports/{job.pk}/retry/", {}, format="json")

    assert response.status_code == 202
    retry = ImportJob.objects.get(pk=response.json()["id"])
    assert (retry.retry_of_id, retry.stored_path, retry.created_by) == (
        job.pk,
        job.stored_path,
        admin,
    )
    assert (retry.status, retry.inserted) == (ImportStatus.SUCCEEDED, 2)
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportStatus.FAILED, str(WORKER_LOST))


def test_a_retry_may_keep_the_valid_rows_and_writes_its_own_report(
    admin, admin_api, tmp_path, django_capture_on_commit_callbacks
):
    file = upload(tmp_path, [catalog_row(1), catalog_row(2, code="C1")])
    refused = create(admin, file, capture=django_capture_on_commit_callbacks)
    refused.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            f"/api/v1/catalog/imports/{refused.pk}/retry/", {"partial": True}, format="json"
        )

    retry = ImportJob.objects.get(pk=response.json()["id"])
    assert (retry.partial, retry.status, retry.inserted, retry.rejected) == (
        True,
        ImportStatus.SUCCEEDED,
        1,
        1,
    )
    assert retry.report_path != refused.report_path
    assert Path(retry.report_path).exists()
    assert Path(refused.report_path).exists()


@pytest.mark.parametrize(
    "status", [ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.SUCCEEDED]
)
def test_only_a_failed_job_can_be_retried(admin, admin_api, tmp_path, monkeypatch, status):
    job = queued(admin, tmp_path, monkeypatch)
    ImportJob.objects.filter(pk=job.pk).update(status=status, heartbeat_at=Now())

    response = admin_api.post(f"/api/v1/catalog/imports/{job.pk}/retry/", {}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "import_job_not_retryable")
    assert ImportJob.objects.count() == 1


def test_a_retry_whose_file_is_gone_is_refused(admin, admin_api, tmp_path, monkeypatch):
    job = queued(admin, tmp_path, monkeypatch)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    Path(job.stored_path).unlink()

    response = admin_api.post(f"/api/v1/catalog/imports/{job.pk}/retry/", {}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "import_file_invalid")
    assert ImportJob.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        pytest.param(Role.PLATFORM_ADMIN, 202, id="platform-admin"),
        pytest.param(Role.BUREAU_OFFICER, 403, id="bureau"),
        pytest.param(Role.SUPPLIER_SALES, 403, id="supplier"),
    ],
)
def test_retrying_needs_the_import_permission(admin, tmp_path, monkeypatch, role, status_code):
    job = queued(admin, tmp_path, monkeypatch)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    client = APIClient()
    client.force_authenticate(admin if role == Role.PLATFORM_ADMIN else user_with_role(role))

    response = client.post(f"/api/v1/catalog/imports/{job.pk}/retry/", {}, format="json")

    assert response.status_code == status_code
    assert ImportJob.objects.count() == (2 if status_code == 202 else 1)


def test_the_imports_page_retries_a_failed_job(admin, tmp_path, monkeypatch):
    job = queued(admin, tmp_path, monkeypatch)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    client = Client()
    client.force_login(admin)

    response = client.post(reverse("catalog:import_job_retry", args=[job.pk]))

    assert response.status_code == 302
    assert ImportJob.objects.get(retry_of=job).status == ImportStatus.QUEUED
