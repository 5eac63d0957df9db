"""A Celery worker killed mid-export, for real: a worker process on the real Redis and the test
database, SIGKILLed while it writes an order export (issue #11, item 6).

The export is held mid-run deterministically, not by timing: the test locks the orders table,
so the worker claims the job (running, heartbeat beating) and waits in its first read. Then
the test kills the pool process (the broker requeues the message: the new run finds the job
claimed and leaves it) or the whole worker. Either way the job is **failed**, not retried, once
its heartbeat is older than the limit: the user starts the export again. Heartbeats are one
second and the limit three, through the environment, so each case takes seconds.
"""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from catalog.tests.test_import_worker_killed import (
    Worker,
    connect,
    forget_queue,
    wait_until,
)
from config.celery import app as celery_app
from core import tasks
from core.export_jobs import WORKER_LOST, ExportJob, ExportStatus, export_job_start
from procurement.tests.order_world import make_world, submitted

pytestmark = pytest.mark.django_db(transaction=True)

HEARTBEAT_S = 1
LIMIT_S = 3


@pytest.fixture
def queue(settings, monkeypatch):
    """A queue of this test's own on the real Redis: the export task goes there for real."""
    settings.TASK_HEARTBEAT_S = HEARTBEAT_S
    settings.TASK_HEARTBEAT_LIMIT_S = LIMIT_S
    name = f"test-export-killed-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(
        tasks.export_job_run,
        "delay",
        lambda job_id: tasks.export_job_run.apply_async(args=[job_id], queue=name),
    )
    yield name
    celery_app.conf.task_always_eager = True
    forget_queue(name)


class OrdersLocked:
    """Holds the orders table so the export's first read waits (its job already running)."""

    def __enter__(self):
        self.conn = connect()
        self.conn.execute("BEGIN")
        self.conn.execute("LOCK TABLE procurement_order IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.release()

    def release(self):
        if not self.conn.closed:
            self.conn.execute("ROLLBACK")
            self.conn.close()

    def wait_for_blocked_export(self):
        def blocked():
            return bool(
                self.conn.execute(
                    "SELECT pid FROM pg_locks WHERE NOT granted "
                    "AND relation = 'procurement_order'::regclass"
                ).fetchone()
            )

        wait_until(blocked, "the export to wait for the orders table")


def job_row(job_id):
    return ExportJob.objects.filter(pk=job_id).values().get()


def started_export(w) -> ExportJob:
    return export_job_start(actor=w.purchaser, kind="orders", params={})


def wait_failed(api: APIClient, job: ExportJob) -> dict:
    def failed():
        return api.get(f"/api/v1/exports/{job.pk}/").json()["status"] == ExportStatus.FAILED

    wait_until(failed, "the export to be failed")
    return job_row(job.pk)


@pytest.mark.parametrize("kill", ["pool_process", "whole_worker"])
def test_a_killed_worker_fails_its_export_and_it_is_not_run_again(tmp_path, queue, kill):
    """SIGKILL of the pool process (the OOM killer) or of the whole worker: the job's heartbeat
    stops and the next read fails it (WORKER_LOST), no sooner than the limit. A requeued
    message (pool process) finds the job claimed and does not write it."""
    w = make_world()
    submitted(w)
    api = APIClient()
    api.force_authenticate(w.purchaser)
    with Worker(queue, tmp_path / "worker.log") as worker, OrdersLocked() as lock:
        job = started_export(w)
        lock.wait_for_blocked_export()
        assert job_row(job.pk)["status"] == ExportStatus.RUNNING
        before = job_row(job.pk)["heartbeat_at"]
        wait_until(lambda: job_row(job.pk)["heartbeat_at"] > before, "a heartbeat")

        if kill == "pool_process":
            worker.kill_pool_process()
        else:
            worker.kill_everything()
        lock.release()
        row = wait_failed(api, job)

    assert row["error"] == str(WORKER_LOST)
    assert (row["finished_at"] - row["heartbeat_at"]).total_seconds() >= LIMIT_S
    assert row["file"] == ""
    assert job_row(job.pk)["status"] == ExportStatus.FAILED  # nothing ran it again
