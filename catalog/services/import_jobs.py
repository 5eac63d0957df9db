"""Imports started from the web UI: store the upload, queue it, run it in a Celery worker.

``import_job_create`` runs in the request: it checks the permission, stores the file under
MEDIA_ROOT/imports/ and creates the ImportJob; the task is queued only once that row is
committed. ``import_job_run`` runs in the worker (catalog/import_tasks.py): it calls the same
import service as the management commands and writes progress and the outcome to the job.

The import service commits each COPY batch of its staging phase on its own (outside a
transaction), so the ``rows_done`` the progress callback writes between batches is visible to
the progress page while the import runs; the writes themselves are one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from catalog.choices import ImportKind, ImportStatus
from catalog.models import ImportJob
from catalog.services.imports import IMPORTERS, ImportResult, import_row_estimate
from core import clock
from core.errors import DomainError, NotFoundError, ValidationError
from core.permissions import require
from core.queue import enqueue_on_commit

# The Celery task that runs a job (catalog/import_tasks.py), queued by name: tasks import
# services, never the other way round.
IMPORT_TASK = "catalog.import_job_run"
# Status a redelivered task must not run again.
FINISHED = frozenset({ImportStatus.SUCCEEDED, ImportStatus.FAILED})
_UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx")


def imports_directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def import_job_create(*, actor: Any, kind: str, uploaded_file: Any, partial: bool) -> ImportJob:
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

    Idempotent for the broker: a finished job is left alone, so is a job another worker is
    running (it holds the job's advisory lock), and a job found "running" with no worker left
    (it died half-way) is run again, which is safe because an import either commits as a whole
    or not at all and a re-import of the same file changes nothing.
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
        return _run(job)


def _run(job: ImportJob) -> ImportJob:
    job_id = job.pk
    _save(job, status=ImportStatus.RUNNING, rows_done=0, error="")

    def progress(rows_done: int) -> None:
        # Between two COPY batches, outside any transaction: visible to the progress page now.
        ImportJob.objects.filter(pk=job_id).update(rows_done=rows_done)

    importer = IMPORTERS[job.kind]
    try:
        result = importer(
            actor=job.created_by,
            path=job.stored_path,
            partial=job.partial,
            progress=progress,
        )
    except DomainError as exc:
        _save(job, status=ImportStatus.FAILED, error=exc.message, finished_at=clock.now())
        return job
    except Exception as exc:
        # Unexpected (database down, disk full): recorded for the admin if the database still
        # answers, then raised so that the worker logs it with its traceback. Not retried: the
        # admin starts it again.
        with suppress(DatabaseError):
            _save(job, status=ImportStatus.FAILED, error=str(exc)[:2000], finished_at=clock.now())
        raise
    _save(job, finished_at=clock.now(), **_outcome(result))
    return job


# pg_try_advisory_lock(class, job id): the two-integer key space, apart from the sync's lock.
_LOCK_CLASS = 0x494A  # "IJ", import job


@contextmanager
def _job_lock(job_id: int) -> Iterator[bool]:
    """A session-level advisory lock per job, held while the job runs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, job_id])
        acquired = cursor.fetchone()[0]
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


def _save(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))
