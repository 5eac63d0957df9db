"""Imports started from the web UI: store the upload, queue it, run it in a Celery worker.

``import_job_create`` runs in the request: it checks the permission, stores the file under
MEDIA_ROOT/imports/ and creates the ImportJob; the task is queued only once that row is
committed. ``import_job_run`` runs in the worker (catalog/import_tasks.py): it calls the same
import service as the management commands and writes progress and the outcome to the job.

The import service commits each COPY batch of its staging phase on its own (outside a
transaction), so the ``rows_done`` the progress callback writes between batches is visible to
the progress page while the import runs; the writes themselves are one transaction.

A worker that dies mid-import (SIGKILL, out of memory, its machine gone) leaves its job
"running". Two things notice it (docs/catalog-import.md, "When a worker dies"):

- the job's heartbeat: a thread of the running import writes ``heartbeat_at`` every
  TASK_HEARTBEAT_S seconds; ``import_jobs_fail_stale`` (Celery beat every minute, and every
  page or API read of a job) fails a running job whose heartbeat is older than
  TASK_HEARTBEAT_LIMIT_S, ends the database session it may have left behind, and the user
  retries it (``import_job_retry``);
- the broker: with ``task_reject_on_worker_lost`` a message whose worker process died is
  queued again, and the next run finds the job "running" with its lock free, so it runs it
  again (resumes), up to MAX_ATTEMPTS runs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from catalog.choices import ImportKind, ImportStatus
from catalog.errors import ImportFileInvalidError, ImportJobNotRetryableError
from catalog.locks import lock_import_job
from catalog.models import ImportJob
from catalog.services.imports import (
    IMPORTERS,
    ImportResult,
    default_report_path,
    import_row_estimate,
)
from core.errors import DomainError, NotFoundError, ValidationError
from core.heartbeat import Heartbeat
from core.permissions import require
from core.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

# The Celery task that runs a job (catalog/import_tasks.py), queued by name: tasks import
# services, never the other way round.
IMPORT_TASK = "catalog.import_job_run"
# Status a redelivered task must not run again.
FINISHED = frozenset({ImportStatus.SUCCEEDED, ImportStatus.FAILED})
# Runs of one job (the first and those after a worker died) before it fails for good.
MAX_ATTEMPTS = 3
# Seconds a redelivered task waits for the job's lock: the session of a killed worker ends
# within client_connection_check_interval (set by the import, catalog/services/imports.py).
LOCK_WAIT_S = 15
WORKER_LOST = gettext_lazy(
    "The worker running this import stopped before it finished (it was killed, ran out of "
    "memory or lost its connection). An import is written all at once or not at all: retry it."
)
_UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx")


def imports_directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def import_job_create(*, actor: User, kind: str, uploaded_file: Any, partial: bool) -> ImportJob:
    """Store an uploaded national-code or UDI database file and queue its import."""
    require(actor, "catalog.import")
    if kind not in ImportKind.values:
        raise ValidationError(fields={"kind": [_("Choose what the file contains.")]})
    name = get_valid_filename(Path(uploaded_file.name or "").name) or "upload.csv"
    if not name.lower().endswith(_UPLOAD_SUFFIXES):
        raise ValidationError(
            fields={"uploaded_file": [_("Upload a CSV file or an Excel workbook (.xlsx).")]}
        )
    # A directory per upload: two uploads of "catalog.csv" never overwrite each other, and the
    # rejection report is written next to its file.
    directory = imports_directory() / uuid.uuid4().hex
    directory.mkdir(parents=True)
    stored = directory / name
    # Written before the transaction: no file I/O while the row is being created.
    with stored.open("wb") as handle:
        for chunk in uploaded_file.chunks():
            handle.write(chunk)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            file_name=name,
            stored_path=str(stored),
            partial=partial,
            rows_total=import_row_estimate(stored) or 0,
            created_by=actor,
        )
        enqueue_on_commit(IMPORT_TASK, job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import and record its progress and outcome on the job.

    Idempotent for the broker: a finished job is left alone, and so is a job another worker is
    running (it holds the job's advisory lock; a redelivered message waits LOCK_WAIT_S for it,
    because the session of a worker killed a moment ago takes a few seconds to end). A job
    found "running" once the lock is ours was left by a worker that died half-way: it is run
    again, which is safe because an import either commits as a whole or not at all and a
    re-import of the same file changes nothing; after MAX_ATTEMPTS runs it fails instead, so
    that a file that kills its worker every time does not loop.
    """
    job = ImportJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None:
        raise NotFoundError()
    with _job_lock(job_id) as acquired:
        # A message redelivered while the first worker is still importing: leave it be.
        if not acquired:
            return job
        job.refresh_from_db()
        if job.status in FINISHED:
            return job
        if job.attempts >= MAX_ATTEMPTS:
            _update(
                job,
                status=ImportStatus.FAILED,
                error=_(
                    "The worker stopped %(attempts)s times while importing this file, so it is "
                    "not tried again by itself. Check the file (its size, its rows) and retry."
                )
                % {"attempts": job.attempts},
                finished_at=Now(),
            )
            return job
        return _run(job)


def _run(job: ImportJob) -> ImportJob:
    job_id = job.pk
    attempt = job.attempts + 1
    _update(
        job,
        status=ImportStatus.RUNNING,
        attempts=attempt,
        heartbeat_at=Now(),
        rows_done=0,
        error="",
        finished_at=None,
    )

    def progress(rows_done: int) -> None:
        # Between two COPY batches, outside any transaction: visible to the progress page now.
        ImportJob.objects.filter(pk=job_id).update(rows_done=rows_done)

    importer = IMPORTERS[job.kind]
    report_path = _report_path(job)
    # Only this attempt's own writes land: a run declared dead in the meantime (its heartbeat
    # stopped) changes nothing any more.
    mine = {"status": ImportStatus.RUNNING, "attempts": attempt}
    heartbeat = Heartbeat(
        "UPDATE catalog_importjob SET heartbeat_at = statement_timestamp() "
        "WHERE id = %s AND status = %s AND attempts = %s",
        [job_id, ImportStatus.RUNNING.value, attempt],
        interval=settings.TASK_HEARTBEAT_S,
    )
    try:
        with heartbeat:
            result = importer(
                actor=job.created_by,
                path=job.stored_path,
                partial=job.partial,
                report_path=report_path,
                progress=progress,
            )
    except DomainError as exc:
        _update(job, mine, status=ImportStatus.FAILED, error=exc.message, finished_at=Now())
        return job
    except Exception as exc:
        # Unexpected (database down, disk full): recorded for the admin if the database still
        # answers, then raised so that the worker logs it with its traceback. Not retried: the
        # admin starts it again.
        with suppress(DatabaseError):
            _update(job, mine, status=ImportStatus.FAILED, error=str(exc)[:2000], finished_at=Now())
        raise
    _update(job, mine, finished_at=Now(), **_outcome(result))
    return job


def _report_path(job: ImportJob) -> Path:
    """Next to the stored file; a retry of a job keeps the first run's report and writes its
    own, named after it."""
    stored = Path(job.stored_path)
    if job.retry_of_id is None:
        return default_report_path(stored)
    return stored.with_name(f"{stored.stem}.{job.pk}.rejected.csv")


def import_jobs_fail_stale(*, job_ids: list[int] | None = None) -> int:
    """Fail the running jobs whose worker stopped; return how many.

    A job is stale when its heartbeat is older than TASK_HEARTBEAT_LIMIT_S (database time). It
    is marked failed with a message that says to retry; then the database session still
    holding the job's lock, if any (a worker cut off from the network, or frozen, keeps its
    session until TCP gives up), is terminated, so that the abandoned import cannot commit
    later. Called by Celery beat every minute (``catalog.import_jobs_fail_stale``) and with the
    job's id whenever a page or the API shows a job. No actor: it only records what happened.
    """
    stale = ImportJob.objects.filter(
        Q(heartbeat_at__lt=Now() - timedelta(seconds=settings.TASK_HEARTBEAT_LIMIT_S))
        | Q(heartbeat_at__isnull=True),
        status=ImportStatus.RUNNING,
    )
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    failed = 0
    for job_id in list(stale.values_list("pk", flat=True)):
        # The same conditions again, in the UPDATE: a job that finished or beat meanwhile is
        # left as it is.
        if stale.filter(pk=job_id).update(
            status=ImportStatus.FAILED, error=str(WORKER_LOST), finished_at=Now()
        ):
            failed += 1
            logger.warning("import job %s: no heartbeat, marked failed", job_id)
            _end_sessions_holding(job_id)
    return failed


def _end_sessions_holding(job_id: int) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 2 "
                "AND granted AND pid <> pg_backend_pid()",
                [_LOCK_CLASS, job_id],
            )
    except DatabaseError as exc:
        # E.g. the session belongs to another database role: the job is failed all the same.
        logger.warning("import job %s: could not end its session: %s", job_id, exc)


def import_job_retry(*, actor: User, job_id: int, partial: bool | None = None) -> ImportJob:
    """Import a failed job's stored file again, as a new job; ``partial`` None keeps the
    failed job's choice (True: keep the valid rows this time)."""
    require(actor, "catalog.import")
    import_jobs_fail_stale(job_ids=[job_id])
    with transaction.atomic():
        job = lock_import_job(job_id=job_id)
        if job.status != ImportStatus.FAILED:
            raise ImportJobNotRetryableError(job=job.pk, status=job.get_status_display())
        if not Path(job.stored_path).is_file():
            raise ImportFileInvalidError("not_found", value=job.file_name)
        retry = ImportJob.objects.create(
            kind=job.kind,
            file_name=job.file_name,
            stored_path=job.stored_path,
            partial=job.partial if partial is None else partial,
            rows_total=job.rows_total,
            created_by=actor,
            retry_of=job,
        )
        enqueue_on_commit(IMPORT_TASK, retry.pk)
    return retry


# pg_try_advisory_lock(class, job id): the two-integer key space, apart from the sync's lock.
_LOCK_CLASS = 0x494A  # "IJ", import job


@contextmanager
def _job_lock(job_id: int) -> Iterator[bool]:
    """A session-level advisory lock per job, held while the job runs; waits up to
    LOCK_WAIT_S for a holder to go away."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{LOCK_WAIT_S}s"])
            # Session level: held after this transaction ends, until unlocked or the session
            # ends.
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_CLASS, job_id])
        acquired = True
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        acquired = False
    try:
        yield acquired
    finally:
        # A broken connection has lost the lock already: closing the session released it.
        if acquired:
            with suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, job_id])


def _outcome(result: ImportResult) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "rows_done": result.rows,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "report_path": str(result.report_path or ""),
    }
    if result.refused:
        fields["status"] = ImportStatus.FAILED
        first = result.rejections[0]
        fields["error"] = _(
            "%(rejected)s of %(rows)s rows were rejected, so nothing was imported (the first: "
            "row %(row)s, %(message)s); see the rejection report, or import again keeping the "
            "valid rows."
        ) % {
            "rejected": result.rejected,
            "rows": result.rows,
            "row": first.row,
            "message": first.message,
        }
    else:
        fields["status"] = ImportStatus.SUCCEEDED
    return fields


def _update(job: ImportJob, only_if: dict[str, Any] | None = None, **fields: Any) -> bool:
    """Write ``fields`` (database expressions allowed) if the row still matches ``only_if``;
    reload them into ``job``. False when the row no longer matched."""
    updated = ImportJob.objects.filter(pk=job.pk, **(only_if or {})).update(**fields)
    job.refresh_from_db(fields=list({*fields, "status", "error"}))
    if not updated:
        logger.warning("import job %s changed meanwhile; not recorded: %s", job.pk, fields)
    return bool(updated)
