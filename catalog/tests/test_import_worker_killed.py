"""A Celery worker killed mid-import, for real: a worker process on the real Redis and the test
database, SIGKILLed while its import is in its write transaction (#9).

The import is held mid-run deterministically, not by timing: the test locks the catalogue
table, so the worker's import streams the file, enters its write transaction and waits there
(its heartbeat thread still beating). Then the test kills the pool process (the broker
requeues the message and the job resumes) or the whole worker (the job is failed by its
stopped heartbeat, and a retry from the API imports the file). Heartbeats are one second and
the limit three, through the environment, so each case takes seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psutil
import psycopg
import pytest
import redis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from catalog.choices import ImportKind, ImportStatus
from catalog.import_tasks import import_job_run as import_job_run_task
from catalog.models import Consumable, ImportJob
from catalog.services.import_jobs import WORKER_LOST, import_job_create
from catalog.tests.factories import catalog_row, write_import_csv
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300
HEARTBEAT_S = 1
LIMIT_S = 3
# Generous bounds for waiting on other processes (a loaded 2-core machine): reached only when
# something is broken, never the measure of a pass.
DEADLINE_S = 90


@pytest.fixture
def queue(settings, tmp_path, monkeypatch):
    """A queue of this test's own on the real Redis: the test process queues for real (no
    eager tasks) and what the services queue goes there; the short heartbeat limit."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASK_HEARTBEAT_S = HEARTBEAT_S
    settings.TASK_HEARTBEAT_LIMIT_S = LIMIT_S
    name = f"test-killed-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(
        import_job_run_task,
        "delay",
        lambda job_id: import_job_run_task.apply_async(args=[job_id], queue=name),
    )
    yield name
    celery_app.conf.task_always_eager = True
    forget_queue(name)


def test_a_killed_pool_process_is_requeued_and_its_job_resumed(tmp_path, queue):
    """SIGKILL of the process running the task (what the kernel's OOM killer does): the
    worker puts the message back (task_reject_on_worker_lost), the next run finds the job
    "running" with its lock free (the dead session ended within seconds, mid-statement) and
    runs it again: attempt 2, succeeded."""
    with Worker(queue, tmp_path / "worker.log") as worker, CatalogueLocked() as lock:
        job = uploaded_job(tmp_path)
        first = lock.wait_for_blocked_import(job)
        assert_heartbeat_advances(job)

        worker.kill_pool_process()

        lock.wait_until(lambda: job_row(job.pk)["attempts"] == 2, "the job to be run again")
        second = lock.wait_for_blocked_import(job)
        assert second != first  # a new session: the killed one is gone
        lock.release()
        wait_until(lambda: job_row(job.pk)["status"] != ImportStatus.RUNNING, "the import")

    row = job_row(job.pk)
    assert (row["status"], row["attempts"], row["inserted"]) == ("succeeded", 2, ROWS)
    assert Consumable.objects.count() == ROWS


def test_a_killed_worker_fails_its_job_within_the_limit_and_a_retry_succeeds(tmp_path, queue):
    """SIGKILL of the whole worker (a machine gone): nobody requeues the message, the job's
    heartbeat stops, and reading the job (the API) fails it once the heartbeat is older than
    the limit, with a message that says to retry. A retry from the API imports the file."""
    api = APIClient()
    with Worker(queue, tmp_path / "worker-1.log") as worker, CatalogueLocked() as lock:
        job = uploaded_job(tmp_path)
        lock.wait_for_blocked_import(job)

        worker.kill_everything()

        lock.release()
        api.force_authenticate(job.created_by)
        wait_until(
            lambda: (
                api.get(f"/api/v1/catalog/imports/{job.pk}/").json()["status"]
                == ImportStatus.FAILED
            ),
            "the job to be failed",
        )
    row = job_row(job.pk)
    assert row["error"] == str(WORKER_LOST)
    # Failed once the last heartbeat was LIMIT_S old (database time), not earlier, and found
    # at the first read after that.
    waited = (row["finished_at"] - row["heartbeat_at"]).total_seconds()
    assert LIMIT_S <= waited < LIMIT_S + 30
    assert not Consumable.objects.exists()  # its transaction died with it

    with Worker(queue, tmp_path / "worker-2.log"):
        response = api.post(f"/api/v1/catalog/imports/{job.pk}/retry/", {}, format="json")
        assert response.status_code == 202, response.content
        retry_id = response.json()["id"]
        wait_until(lambda: job_row(retry_id)["status"] != ImportStatus.QUEUED, "the retry")
        wait_until(lambda: job_row(retry_id)["status"] != ImportStatus.RUNNING, "the retry")

    retry = job_row(retry_id)
    assert (retry["status"], retry["retry_of_id"], retry["inserted"]) == ("succeeded", job.pk, ROWS)
    # The killed worker's message stays parked in Redis (unacked, until the visibility
    # timeout): nothing ran the old job again.
    assert job_row(job.pk)["status"] == ImportStatus.FAILED
    assert Consumable.objects.count() == ROWS


# --- Helpers ---------------------------------------------------------------------------------


def uploaded_job(tmp_path):
    """Upload a ROWS-row release as an administrator: the job is created and queued."""
    path = write_import_csv(tmp_path / "release.csv", [catalog_row(n) for n in range(1, ROWS + 1)])
    upload = SimpleUploadedFile("release.csv", path.read_bytes(), content_type="text/csv")
    return import_job_create(
        actor=user_with_role(Role.PLATFORM_ADMIN),
        kind=ImportKind.CATALOG,
        uploaded_file=upload,
        partial=False,
    )


def job_row(job_id):
    return ImportJob.objects.filter(pk=job_id).values().get()


def wait_until(condition, what, *, deadline=DEADLINE_S):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def assert_heartbeat_advances(job):
    """While the worker waits inside its write transaction, its thread keeps beating."""
    before = job_row(job.pk)["heartbeat_at"]
    wait_until(lambda: job_row(job.pk)["heartbeat_at"] > before, "a heartbeat")


def connect():
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        autocommit=True,
    )


class CatalogueLocked:
    """Holds the catalogue table so an import's write transaction waits (reads still pass)."""

    def __enter__(self):
        self.conn = connect()
        self.conn.execute("BEGIN")
        self.conn.execute("LOCK TABLE catalog_consumable IN EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.release()

    def release(self):
        if not self.conn.closed:
            self.conn.execute("ROLLBACK")
            self.conn.close()

    def wait_until(self, condition, what):
        wait_until(condition, what)

    def wait_for_blocked_import(self, job):
        """The session of the worker's import, once it waits for the table: the file has been
        read and staged (rows_done = ROWS) and the write transaction is under way."""
        found = []

        def blocked():
            row = self.conn.execute(
                "SELECT pid FROM pg_locks WHERE NOT granted "
                "AND relation = 'catalog_consumable'::regclass"
            ).fetchone()
            if row:
                found.append(row[0])
            return bool(row)

        wait_until(blocked, "the import to wait for the catalogue table")
        state = job_row(job.pk)
        assert (state["status"], state["rows_done"]) == (ImportStatus.RUNNING, ROWS)
        return found[-1]


class Worker:
    """``celery worker`` on its own queue, prefork with one pool process, against the test
    database and this run's Redis; stopped (SIGKILL of its process group) on exit."""

    def __init__(self, queue: str, log: Path) -> None:
        self.queue = queue
        self.log = log

    def __enter__(self):
        # The worker runs as the runtime role alone, as in production; the owner's
        # MIGRATE_DATABASE_URL names the outer database, not the test database.
        env = {
            **{k: v for k, v in os.environ.items() if k != "MIGRATE_DATABASE_URL"},
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "TASK_HEARTBEAT_S": str(HEARTBEAT_S),
            "TASK_HEARTBEAT_LIMIT_S": str(LIMIT_S),
        }
        self.log_file = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def __exit__(self, *exc):
        self.kill_everything()
        self.log_file.close()
        if exc[0] is not None:
            sys.stderr.write(self.log.read_text(errors="replace")[-5000:])

    def kill_pool_process(self):
        children = psutil.Process(self.process.pid).children()
        assert len(children) == 1, children
        children[0].send_signal(signal.SIGKILL)

    def kill_everything(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def worker_database_url() -> str:
    """This test database as a DATABASE_URL (a socket directory as host is percent-encoded,
    as config.embedded_servers writes it)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    return f"postgresql://{auth}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def forget_queue(queue: str) -> None:
    """Drop what the workers left in Redis for this queue: the queue, its bindings, and the
    message the killed one never acked (kombu's ``unacked`` hash), which would otherwise be
    redelivered hours later."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for tag, payload in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(payload)
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    # The worker's remote-control binding (its name holds the queue's).
    for member in client.smembers("_kombu.binding.celery.pidbox"):
        if queue.encode() in member:
            client.srem("_kombu.binding.celery.pidbox", member)
