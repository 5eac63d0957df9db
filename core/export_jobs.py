"""Exports prepared in the background: a job per request, written by a Celery worker.

A list of 100,000 orders or 450,000 delivery lines takes minutes to write as XLSX, far longer
than a request may wait. ``export_job_start`` (in the request) checks the permission and the
filters (a bad filter is a 4xx, no job), records who asked and what, and queues the task once
the row is committed; ``export_job_run`` (in the worker, core/tasks.py) counts the rows, writes
them with openpyxl's write-only workbook to a temporary file (memory stays flat), then stores
the file under MEDIA_ROOT/exports/ (the default storage) and marks the job succeeded. The page
polls the job (htmx, every second) and shows the download link once it is ready.

What is exported is decided by the app's registered definition (core.exports.register): the
same selector and filters as the list page, scoped to the requester, re-read in the worker as
the requester. Only the requester sees or downloads a job (404 for anyone else, even of the
same organisation: the filters and rows are theirs).

A worker that dies mid-export (SIGKILL, out of memory) leaves its job "running". The running
job's heartbeat (core.heartbeat) stops, and ``export_jobs_fail_stale`` (Celery beat every
minute, and every read of the job) marks it **failed**, not retried: an export changes
nothing, so the user just starts it again, and a list that kills its worker every time does
not loop. A redelivered message (task_reject_on_worker_lost) finds the job no longer queued
and does nothing.

Finished files are kept EXPORT_RETENTION_H hours (``export_jobs_purge``, beat hourly): an
export is a snapshot to download now, not an archive.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, models
from django.db.models import Q
from django.db.models.functions import Now
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core import exports
from core.errors import DomainError, NotFoundError, ValidationError
from core.heartbeat import Heartbeat
from core.permissions import require
from core.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

EXPORT_TASK = "core.export_job_run"
# Rows between two progress writes: a write costs about what a few hundred rows do.
PROGRESS_EVERY = 2000
WORKER_LOST = _(
    "The worker preparing this export stopped before it finished (it was killed, ran out of "
    "memory or lost its connection). Nothing was kept: start the export again."
)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Preparing")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One export asked for from a list page or the API; its file once written."""

    kind = models.CharField(_("export"), max_length=40)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # The requester's language when asking: headers, sheet name and labels are written in it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written every TASK_HEARTBEAT_S seconds while RUNNING (database time), by a thread of the
    # worker.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="core_export_mine")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def definition(self) -> exports.ExportDefinition | None:
        return exports.EXPORTS.get(self.kind)

    @property
    def title(self) -> str:
        definition = self.definition
        return str(definition.title) if definition else self.kind

    @property
    def list_url(self) -> str:
        """The list this export was asked from, with its filters (to look, or export again)."""
        definition = self.definition
        if definition is None:
            return ""
        params = {k: "1" if v is True else v for k, v in self.filters.items()}
        query = urlencode(params)
        return reverse(definition.list_url) + (f"?{query}" if query else "")

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.SUCCEEDED, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.SUCCEEDED:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


def export_definition(kind: str) -> exports.ExportDefinition:
    definition = exports.EXPORTS.get(kind)
    if definition is None:
        raise ValidationError(
            fields={"kind": [_("Choose one of: %s.") % ", ".join(sorted(exports.EXPORTS))]}
        )
    return definition


def export_job_start(*, actor: Any, kind: str, params: Any, strict: bool = False) -> ExportJob:
    """Queue the export of a list with the list's filters (its query string, ``params``).
    ``strict`` (the API): a filter name the list does not know is refused; a list page's own
    query string may carry others (the page size), which are left out."""
    definition = export_definition(kind)
    require(actor, definition.permission)
    export_jobs_fail_stale()
    active = ExportJob.objects.filter(
        created_by=actor, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    ).count()
    if active >= settings.EXPORT_MAX_ACTIVE:
        raise ExportsBusyError(active=active)
    unknown = sorted(set(params) - set(definition.filter_names)) if strict else []
    if unknown:
        raise ValidationError(
            fields={
                name: [
                    _("Not a filter of this export (it has: %s).")
                    % ", ".join(definition.filter_names)
                ]
                for name in unknown
            }
        )
    filters = definition.filters(actor, params)  # a bad filter raises here: no job
    job = ExportJob.objects.create(
        kind=kind,
        filters=filters,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=definition.filename,
        created_by=actor,
    )
    enqueue_on_commit(EXPORT_TASK, job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write a queued export. Idempotent for the broker: only a queued job is claimed (one
    UPDATE), so a redelivered or duplicate message does nothing."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=Now(), heartbeat_at=Now()
    )
    job = ExportJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None or not claimed:
        return job
    heartbeat = Heartbeat(
        "UPDATE core_exportjob SET heartbeat_at = statement_timestamp() "
        "WHERE id = %s AND status = %s",
        [job_id, ExportStatus.RUNNING.value],
        interval=settings.TASK_HEARTBEAT_S,
    )
    try:
        with heartbeat, translation.override(job.language):
            _write(job)
    except DomainError as exc:
        _finish(job, status=ExportStatus.FAILED, error=exc.message)
    except Exception as exc:
        # Unexpected (database down, disk full): recorded if the database still answers, and
        # raised so that the worker logs it with its traceback.
        with suppress(DatabaseError):
            _finish(job, status=ExportStatus.FAILED, error=str(exc)[:2000])
        raise
    job.refresh_from_db()
    return job


def _write(job: ExportJob) -> None:
    definition = export_definition(job.kind)
    actor = job.created_by
    # The requester may have lost the right since asking: checked again, as them.
    require(actor, definition.permission)
    data = definition.rows(actor, job.filters)
    total = data.count()
    _progress(job, rows_total=total)
    if total > definition.limit:
        raise exports.ExportTooLargeError(
            limit=f"{definition.limit:,}", reason=str(definition.limit_reason)
        )

    def progress(rows_done: int) -> None:
        _progress(job, rows_done=rows_done)

    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        written = exports.write_xlsx(
            handle,
            [str(h) for h in data.headers],
            data.rows,
            str(definition.title),
            limit=definition.limit,
            limit_reason=definition.limit_reason,
            progress=progress,
            progress_every=PROGRESS_EVERY,
        )
        handle.seek(0)
        job.file.save(f"{uuid.uuid4().hex}.xlsx", File(handle), save=False)
    updated = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.SUCCEEDED,
        file=job.file.name,
        rows_done=written,
        rows_total=max(total, written),
        finished_at=Now(),
    )
    if not updated:
        # Declared dead meanwhile (its heartbeat was late): the file is not offered.
        job.file.delete(save=False)


def _progress(job: ExportJob, **fields: Any) -> None:
    # Outside any transaction (the worker runs in autocommit): the polling page sees it now.
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(**fields)


def _finish(job: ExportJob, **fields: Any) -> None:
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        finished_at=Now(), **fields
    )


def export_jobs_fail_stale(*, job_ids: list[int] | None = None) -> int:
    """Fail the running exports whose worker stopped (heartbeat older than
    TASK_HEARTBEAT_LIMIT_S, database time); return how many. Beat every minute, and every
    read of a job. Not retried: the user starts the export again (module docstring)."""
    stale = ExportJob.objects.filter(
        Q(heartbeat_at__lt=Now() - timedelta(seconds=settings.TASK_HEARTBEAT_LIMIT_S))
        | Q(heartbeat_at__isnull=True),
        status=ExportStatus.RUNNING,
    )
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    failed = stale.update(status=ExportStatus.FAILED, error=str(WORKER_LOST), finished_at=Now())
    if failed:
        logger.warning("%s export job(s): no heartbeat, marked failed", failed)
    return failed


def export_jobs_purge() -> int:
    """Delete the exports finished more than EXPORT_RETENTION_H hours ago, with their files."""
    cutoff = timezone.now() - timedelta(hours=settings.EXPORT_RETENTION_H)
    old = ExportJob.objects.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    purged = 0
    for job in old.iterator():
        if job.file:
            with suppress(OSError):
                job.file.delete(save=False)
        job.delete()
        purged += 1
    return purged


def export_job_get(*, actor: Any, job_id: int) -> ExportJob:
    """The requester's own job, else 404 (another person's job is not theirs to see). A job
    whose worker died reads as failed."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFoundError()
    export_jobs_fail_stale(job_ids=[job_id])
    job = ExportJob.objects.filter(pk=job_id, created_by=actor).first()
    if job is None:
        raise NotFoundError()
    return job


def export_job_list(*, actor: Any, kind: str = "", status: str = "") -> models.QuerySet[ExportJob]:
    """The requester's recent jobs, newest first; ``status`` narrows them to one state (the
    home page's "exports ready" card links to the succeeded ones)."""
    jobs = ExportJob.objects.filter(created_by=actor)
    if status:
        if status not in ExportStatus.values:
            raise ValidationError(
                _("Unknown export status %(value)s; use one of %(allowed)s."),
                field="status",
                value=status,
                allowed=", ".join(ExportStatus.values),
            )
        jobs = jobs.filter(status=status)
        if status == ExportStatus.SUCCEEDED:
            jobs = jobs.exclude(file="")
    return jobs.filter(kind=kind) if kind else jobs


def export_job_file(*, actor: Any, job_id: int) -> ExportJob:
    """The requester's finished job whose file can be downloaded; 404 otherwise (not ready,
    failed, or purged)."""
    job = export_job_get(actor=actor, job_id=job_id)
    if job.status != ExportStatus.SUCCEEDED or not job.file:
        raise ExportNotReadyError(status=job.get_status_display())
    return job


class ExportsBusyError(DomainError):
    """One person's exports wait in one queue with everyone's: a few at a time each."""

    code = "exports_busy"
    http_status = 409
    message_template = _(
        "%(active)s of your exports are still being prepared; start another once one is ready."
    )


class ExportNotReadyError(DomainError):
    code = "export_not_ready"
    http_status = 409
    message_template = _("This export is not ready to download (%(status)s).")


def export_file_response(job: ExportJob) -> FileResponse:
    """The finished file, streamed from storage (never read into memory); a file gone from
    storage is a 404."""
    try:
        handle = job.file.open("rb")
    except OSError:
        raise NotFoundError() from None
    return FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type=exports.XLSX_TYPE
    )
