"""A heartbeat on a job's row, written by a thread of its own while the job runs.

Long jobs (a catalogue import, the nightly sync) run in a Celery worker. When that worker dies
(SIGKILL, out of memory, its machine gone) nothing records it: the job's row still says
"running". So a running job writes the time on its row every few seconds, and a job whose
heartbeat is older than a limit lost its worker (the services mark it failed, see
``catalog.services.import_jobs.import_jobs_fail_stale``).

The beat comes from a daemon thread on its own database connection (autocommit), not from
the job's code: the job's connection may be inside one long statement or transaction for
minutes (the final upsert of an import), and the job's hot loop pays nothing. The thread dies
with the process, which is the point. Python switches threads every few milliseconds even in
a busy loop, and psycopg releases the GIL while it waits on the server, so the beat keeps its
pace whatever the job does.

The SQL is the caller's (an UPDATE of its row, guarded by its status) and runs with the
database's clock, ``statement_timestamp()``: the check compares with the same clock, so clocks
of web and worker machines never matter.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

import psycopg
from django.db import connection

logger = logging.getLogger(__name__)

# Seconds a beat may wait for a connection or its statement: a database that does not answer
# for this long makes the job fail anyway.
_TIMEOUT_S = 10


class Heartbeat:
    """``with Heartbeat(sql, params, interval=5):`` runs ``sql`` every ``interval`` seconds
    until the block ends (the first beat is the caller's, with the row's status change)."""

    def __init__(self, sql: str, params: list[Any], *, interval: float) -> None:
        self.sql = sql
        self.params = params
        self.interval = interval
        # The settings of this thread's connection, read here: Django's connection object is
        # per thread.
        self._connect_params = {"connect_timeout": _TIMEOUT_S, **connection.get_connection_params()}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.beats = 0  # statements that ran (for tests and logs)

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        conn: psycopg.Connection | None = None
        try:
            while not self._stop.wait(self.interval):
                try:
                    if conn is None or conn.closed:
                        conn = psycopg.connect(**self._connect_params, autocommit=True)
                        conn.execute(f"SET statement_timeout = '{_TIMEOUT_S}s'")
                    conn.execute(self.sql, self.params)
                    self.beats += 1
                except psycopg.Error as exc:
                    # A beat lost now and then is harmless (the limit is several beats); try a
                    # fresh connection next time.
                    logger.warning("heartbeat failed: %s", exc)
                    if conn is not None:
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()
