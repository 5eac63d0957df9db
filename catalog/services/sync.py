"""The nightly national-lowest-price sync [R-LIST-CATALOGUES] (format: docs/lowest-price-feed.md).

One run, in order:

1. Take a PostgreSQL advisory lock on a dedicated connection; if another run holds it, record
   a SKIPPED run and stop. The lock belongs to that connection, so a crashed worker releases it.
2. Record the run (status RUNNING) in its own transaction, so that it survives any failure.
3. Fetch the feed (http(s):// into a temporary file; a plain local file is read in place;
   gzip, recognised by its magic bytes, is decompressed into a temporary file) and check its
   framing before touching the database: header, final line break, trailer row count, gzip
   CRC and end of stream. An unreachable, truncated or wrongly-headed feed fails here.
4. In ONE transaction: COPY the rows into a temporary staging table (prices parsed as numbers;
   if one is not a number at all, again as text), classify every row in SQL (unknown product,
   bad price/date/province...), compute each product's lowest price with one sort (DISTINCT
   ON), abort if more than 5% of the rows are rejected, confirm the prices whose publicity
   ended without open objections, propose (in publicity at once) new lower prices, flag
   increases, and store the observation behind each. A crash anywhere rolls all of it back.
5. Mark the run SUCCEEDED in that same transaction, or FAILED (with the reason) afterwards.

The decisions follow ``catalog.services.prices.proposal_action``; the SQL below mirrors it, and
tests run both on the same cases. What is stored: only the observation behind each new proposal
or flag, not all two million rows, so storage grows with price changes, not with feed size.
The statements are shaped for two million rows: see the benchmark, bench/lowest_price_sync.py.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import http.client
import logging
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pghistory
import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext

from accounts.models import User
from catalog.choices import (
    OPEN_REFERENCE_STATUSES,
    REFERENCE_PRICE_TRANSITIONS,
    ObjectionStatus,
    ReferencePriceStatus,
    SyncRunStatus,
)
from catalog.errors import LowestPriceFeedError
from catalog.models import SyncRun
from catalog.services.prices import publicity_window
from core import clock
from core.errors import DomainError
from core.heartbeat import Heartbeat
from core.permissions import require
from core.policy import system_region_policy
from core.regions import is_valid_region

logger = logging.getLogger(__name__)

FEED_COLUMNS = ("nhsa_code", "udi_di", "province_code", "source_platform", "price", "observed_on")
TRAILER = re.compile(rb"^#EOF rows=(\d+)$")
MAX_REJECTED_PERCENT = 5
FETCH_TIMEOUT_S = 60
CHUNK = 1 << 20
TAIL_BYTES = 1 << 16
# pg_try_advisory_lock key: an arbitrary constant shared by every run of this sync.
LOCK_KEY = 0x59_47_4C_50_53_59_4E_43  # "YGLPSYNC"
REJECT_EXAMPLES = 5
# Observations older than this are rejected (bad_date): the national lowest-price tracking
# began long after, so such a date is a mistake.
FIRST_OBSERVATION = dt.date(2000, 1, 1)
MAX_UDI_LENGTH = 60
WORK_MEM = "512MB"
MAX_PLATFORM_LENGTH = 100

S = ReferencePriceStatus


@dataclass
class FeedFile:
    """A fetched feed in a local file, uncompressed (the downloaded or decompressed copy, or a
    plain local feed itself): bytes ``[0, data_end)`` are the header and the data rows (a
    trailer, if any, lies after ``data_end``)."""

    url: str
    path: Path
    sha256: str
    data_rows: int
    data_end: int
    # (size, mtime) of a local file read in place: it must not change while it is loaded.
    stat: tuple[int, int] | None = None


@dataclass
class Outcome:
    """The night's outcome per feed row: rejected rows by reason, and the decisions."""

    rejected: int
    by_reason: dict[str, tuple[int, list[int]]]  # reason -> (count, first file line numbers)
    proposals: int = 0
    flags: int = 0

    def summary(self) -> str:
        parts = []
        for reason, (count, lines) in sorted(self.by_reason.items()):
            shown = ", ".join(str(n) for n in lines)
            parts.append(f"{reason}: {count} (lines {shown})")
        return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# Entry point


def lowest_price_sync(
    *, feed_url: str | None = None, actor: User | None = None, task_id: str = ""
) -> SyncRun:
    """Run the sync once; return its SyncRun (SUCCEEDED, FAILED with the reason, or SKIPPED).

    ``actor`` is None for the nightly task; a person starting it needs ``sync_run.start``.
    Feed problems (unreachable, truncated, bad header, too many rejected rows) are recorded and
    returned as FAILED; unexpected errors are recorded, then re-raised for the task's logs.

    ``task_id`` is the Celery message's: a message redelivered because its worker died (the
    broker requeues it, ``task_reject_on_worker_lost``) starts at most SYNC_MAX_ATTEMPTS runs,
    so a feed that kills its worker every time does not loop. While the run goes on, a thread
    writes its heartbeat; a run whose heartbeat stopped is failed by ``sync_runs_fail_stale``.
    """
    if actor is not None:
        require(actor, "sync_run.start")
    url = feed_url or settings.LOWEST_PRICE_FEED_URL
    lock = _try_lock()
    if lock is None:
        return SyncRun.objects.create(
            feed_url=_shown(url),
            triggered_by=actor,
            status=SyncRunStatus.SKIPPED,
            finished_at=clock.now(),
            error="another run holds the lock",
            task_id=task_id,
        )
    try:
        # We hold the lock, so no other run is alive: one still "running" lost its worker.
        _fail_runs(SyncRun.objects.filter(status=SyncRunStatus.RUNNING))
        if task_id and SyncRun.objects.filter(task_id=task_id).count() >= SYNC_MAX_ATTEMPTS:
            return SyncRun.objects.create(
                feed_url=_shown(url),
                triggered_by=actor,
                status=SyncRunStatus.FAILED,
                finished_at=clock.now(),
                error="worker_lost: "
                + gettext(
                    "The worker stopped %(attempts)s times while running this sync, so it is "
                    "not tried again by itself: run it by hand, or wait for the next night."
                )
                % {"attempts": SYNC_MAX_ATTEMPTS},
                task_id=task_id,
            )
        run = SyncRun.objects.create(
            feed_url=_shown(url), triggered_by=actor, task_id=task_id, heartbeat_at=Now()
        )
        run.refresh_from_db(fields=["heartbeat_at"])  # the database's clock, as every beat
        # Named in pg_stat_activity, so that a run declared dead can have its sessions ended.
        lock.execute(f"SET application_name = '{_session_name(run.pk)}'")
        heartbeat = Heartbeat(
            "UPDATE catalog_syncrun SET heartbeat_at = statement_timestamp() "
            "WHERE id = %s AND status = %s",
            [run.pk, SyncRunStatus.RUNNING.value],
            interval=settings.TASK_HEARTBEAT_S,
        )
        try:
            with heartbeat, tempfile.TemporaryDirectory(prefix="lowest-price-") as workdir:
                feed = fetch_feed(url, Path(workdir))
                run.feed_sha256 = feed.sha256
                run.rows_read = feed.data_rows
                _apply(run, feed, actor)
        except DomainError as exc:
            # The stable reason first, so that pages and tests can branch on it.
            error = f"{exc.extra.get('reason', exc.code)}: {exc.message}"
            _record_failure(run, error)
            logger.warning("lowest-price sync %s failed: %s", run.pk, error)
        except Exception as exc:
            _record_failure(run, f"{type(exc).__name__}: {exc}")
            raise
        else:
            logger.info(
                "lowest-price sync %s: %s rows, %s rejected, %s proposals, %s increases flagged, "
                "%s confirmations",
                run.pk,
                run.rows_read,
                run.rows_rejected,
                run.proposals,
                run.increases_flagged,
                run.confirmations,
            )
        return run
    finally:
        lock.close()


SYNC_MAX_ATTEMPTS = 3


def _worker_lost_error() -> str:
    # The stable reason first, as every failed run's error (see lowest_price_sync).
    return "worker_lost: " + gettext(
        "The worker running this sync stopped before it finished (it was killed, ran out of "
        "memory or lost its connection); nothing of it was written. Run it again."
    )


def _session_name(run_id: int) -> str:
    return f"yangguang sync run {int(run_id)}"


def sync_runs_fail_stale() -> int:
    """Fail the running sync runs whose heartbeat is older than TASK_HEARTBEAT_LIMIT_S;
    return how many. Their database sessions, if any survive (a worker cut off from the
    network keeps them until TCP gives up), are ended, so the abandoned run cannot commit
    later. Beat runs it every minute (``catalog.sync_runs_fail_stale``), the sync-run page and
    API on every read."""
    stale = SyncRun.objects.filter(
        Q(heartbeat_at__lt=Now() - dt.timedelta(seconds=settings.TASK_HEARTBEAT_LIMIT_S))
        | Q(heartbeat_at__isnull=True),
        status=SyncRunStatus.RUNNING,
    )
    return _fail_runs(stale)


def _fail_runs(runs) -> int:
    failed = 0
    for run_id in list(runs.values_list("pk", flat=True)):
        if runs.filter(pk=run_id).update(
            status=SyncRunStatus.FAILED, error=_worker_lost_error(), finished_at=Now()
        ):
            failed += 1
            logger.warning("lowest-price sync %s: its worker stopped, marked failed", run_id)
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = %s AND pid <> pg_backend_pid()",
                        [_session_name(run_id)],
                    )
            except DatabaseError as exc:
                logger.warning("lowest-price sync %s: could not end its sessions: %s", run_id, exc)
    return failed


def _shown(url: str) -> str:
    """The feed's address as recorded and shown to bureau staff: without a password that an
    http(s) address may carry, and within the column's length."""
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url[:500]


def _try_lock() -> psycopg.Connection | None:
    """Hold the advisory lock on a connection of its own: it is released when that connection
    closes, whatever happens to the transaction doing the work (or to the process)."""
    params = connection.get_connection_params()
    conn = psycopg.connect(**params, autocommit=True)
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()
    if row and row[0]:
        return conn
    conn.close()
    return None


def _record_failure(run: SyncRun, error: str) -> None:
    # Outside the rolled-back transaction: the failed run must stay visible to the bureau.
    run.status = SyncRunStatus.FAILED
    run.error = error
    run.finished_at = clock.now()
    run.proposals = run.increases_flagged = run.confirmations = 0
    run.save(
        update_fields=[
            "status",
            "error",
            "finished_at",
            "feed_sha256",
            "rows_read",
            "rows_rejected",
            "proposals",
            "increases_flagged",
            "confirmations",
        ]
    )


# ---------------------------------------------------------------------------------------------
# Fetching the feed (no database access)


def _open(url: str):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https", "file"):
        raise LowestPriceFeedError(
            "unreachable",
            value=_shown(url),
            detail="only http://, https:// and file:// feeds are read",
        )
    headers = {}
    if parts.username is not None:
        # user:password@host in the address is HTTP basic authentication; urllib would take
        # it for part of the host name.
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (scheme checked)
    return urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S)  # noqa: S310


class _Gunzip:
    """Streaming gunzip that checks each member's CRC and length and follows concatenated
    members (what ``cat a.gz b.gz`` produces)."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj(wbits=31)

    def feed(self, data: bytes) -> bytes:
        out = []
        while data:
            if self._d.eof:
                self._d = zlib.decompressobj(wbits=31)
            out.append(self._d.decompress(data))
            data = self._d.unused_data if self._d.eof else b""
        return b"".join(out)

    def finish(self) -> bytes:
        rest = self._d.flush()
        if not self._d.eof:
            raise EOFError("the gzip stream ends before its end-of-stream marker")
        return rest


def _local_path(url: str) -> Path | None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(urllib.request.url2pathname(parts.path))


@dataclass
class _Scan:
    """What one pass over the (decompressed) feed learns, without keeping it in memory."""

    size: int = 0
    newlines: int = 0
    head: bytes = b""
    tail: bytes = b""

    def add(self, data: bytes) -> None:
        self.size += len(data)
        self.newlines += data.count(b"\n")
        if len(self.head) < TAIL_BYTES:
            self.head += data[: TAIL_BYTES - len(self.head)]
        self.tail = (data if len(data) >= TAIL_BYTES else self.tail + data)[-TAIL_BYTES:]


def fetch_feed(url: str, workdir: Path) -> FeedFile:
    """Bring the feed into a local file, hash it and check its framing.

    A plain local file (file://) is read where it lies, once here and once by COPY, and must
    not change in between (checked after loading); anything else is copied, decompressed,
    into ``workdir`` first.
    """
    shown = _shown(url)  # errors and records never carry a password
    local = _local_path(url)
    if local is not None:
        try:
            with open(local, "rb") as probe:
                magic = probe.read(2)
        except OSError as exc:
            raise LowestPriceFeedError("unreachable", value=shown, detail=str(exc)) from exc
        if magic != b"\x1f\x8b":
            return _scan_in_place(shown, local)
    path = workdir / "feed.csv"
    digest = hashlib.sha256()
    scan = _Scan()
    received = 0
    try:
        response = _open(url)
    except LowestPriceFeedError:
        raise
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise LowestPriceFeedError("unreachable", value=shown, detail=str(exc)) from exc
    try:
        with response, open(path, "wb") as out:
            declared = response.headers.get("Content-Length") if response.headers else None
            gunzip: _Gunzip | None = None
            first = True
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                received += len(chunk)
                digest.update(chunk)
                if first:
                    # Gzip is recognised by its magic bytes: feeds are often served as
                    # application/octet-stream or named .csv whatever their encoding.
                    gunzip = _Gunzip() if chunk[:2] == b"\x1f\x8b" else None
                    first = False
                data = gunzip.feed(chunk) if gunzip else chunk
                out.write(data)
                scan.add(data)
            if gunzip is not None:
                data = gunzip.finish()
                out.write(data)
                scan.add(data)
    except (EOFError, zlib.error) as exc:
        raise LowestPriceFeedError("truncated", value=shown, detail=f"gzip: {exc}") from exc
    except http.client.IncompleteRead as exc:
        raise LowestPriceFeedError("truncated", value=shown, detail=str(exc)) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise LowestPriceFeedError("unreachable", value=shown, detail=str(exc)) from exc
    if declared is not None and declared.isdigit() and int(declared) != received:
        raise LowestPriceFeedError(
            "truncated", value=shown, detail=f"received {received} of {declared} bytes"
        )
    data_rows, data_end = _check_framing(shown, scan)
    return FeedFile(
        url=shown, path=path, sha256=digest.hexdigest(), data_rows=data_rows, data_end=data_end
    )


def _scan_in_place(url: str, path: Path) -> FeedFile:
    """Framing checks on a plain local file, read where it lies. Its digest is computed while
    COPY reads it (see _copy), so the file is hashed without a read of its own; the file must
    not change in between (checked after loading)."""
    scan = _Scan()
    try:
        before = path.stat()
        with open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                scan.add(chunk)
    except OSError as exc:
        raise LowestPriceFeedError("unreachable", value=url, detail=str(exc)) from exc
    data_rows, data_end = _check_framing(url, scan)
    return FeedFile(
        url=url,
        path=path,
        sha256="",
        data_rows=data_rows,
        data_end=data_end,
        stat=(before.st_size, before.st_mtime_ns),
    )


def _check_framing(url: str, scan: _Scan) -> tuple[int, int]:
    """Header, final line break and the optional ``#EOF rows=N`` trailer; returns the number
    of data rows and where they end."""
    head, tail, size, newlines = scan.head, scan.tail, scan.size, scan.newlines
    if size == 0:
        raise LowestPriceFeedError("empty", value=url)
    header_line = head.split(b"\n", 1)[0]
    header = header_line.decode("utf-8-sig", errors="replace").strip()
    columns = tuple(c.strip().lower() for c in header.split(","))
    if columns != FEED_COLUMNS:
        raise LowestPriceFeedError(
            "bad_header", value=url, header=header[:200], expected=",".join(FEED_COLUMNS)
        )
    if not tail.endswith(b"\n"):
        # Every line, the last included, ends with a line break: a feed cut mid-row does not.
        raise LowestPriceFeedError(
            "truncated", value=url, detail="the last line has no line break (cut mid-row)"
        )
    # Trailing blank lines are tolerated and ignored.
    stripped = tail.rstrip(b"\r\n\t ")
    blank_suffix = len(tail) - len(stripped)
    lines = newlines - tail[len(stripped) :].count(b"\n") + 1  # the last non-blank line too
    last_line = stripped.rsplit(b"\n", 1)[-1]
    if last_line.startswith(b"#"):
        match = TRAILER.match(last_line.strip())
        if not match:
            raise LowestPriceFeedError(
                "bad_trailer", value=url, detail=last_line[:100].decode("utf-8", "replace")
            )
        data_rows = lines - 2
        data_end = size - blank_suffix - len(last_line)
        if int(match.group(1)) != data_rows:
            raise LowestPriceFeedError(
                "truncated",
                value=url,
                detail=f"the trailer announces {int(match.group(1))} rows, the feed has {data_rows}",
            )
    else:
        data_rows = lines - 1
        data_end = size - blank_suffix
        if data_rows > 0:
            fields = next(csv.reader([last_line.decode("utf-8", errors="replace")]), [])
            if len(fields) != len(FEED_COLUMNS):
                raise LowestPriceFeedError(
                    "truncated",
                    value=url,
                    detail=f"the last row has {len(fields)} fields, not {len(FEED_COLUMNS)}",
                )
    if data_rows <= 0:
        raise LowestPriceFeedError("empty", value=url)
    return data_rows, data_end


# ---------------------------------------------------------------------------------------------
# Applying the feed: one transaction


def _allowed(source: str, target: str) -> str:
    """The set-based statements move rows between statuses; check each move against the
    transition table once, here, so that SQL and table cannot drift apart silently."""
    if target not in REFERENCE_PRICE_TRANSITIONS[source]:
        raise AssertionError(f"transition {source} -> {target} is not in the table")
    return source


def _apply(run: SyncRun, feed: FeedFile, actor: User | None) -> None:
    today = clock.local_today()
    now = clock.now()
    context = {"sync_run": run.pk, "feed": _shown(feed.url)}
    if actor is not None:
        context.update(user=actor.pk, organization=getattr(actor, "organization_id", None))
    else:
        context["actor"] = "system"
    with (
        transaction.atomic(durable=True),
        pghistory.context(**context),
        connection.cursor() as cursor,
    ):
        step = _StepTimer(run)
        # Sort the night's two million rows and hash the catalogue in memory (about 300 MB at
        # that size; more rows spill to disk, slower but fine). JIT compilation costs more than
        # it saves on these one-off statements.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")
        # Named for sync_runs_fail_stale; a killed client is noticed within seconds even
        # mid-statement (PostgreSQL 14+), and the abandoned transaction rolls back.
        cursor.execute(f"SET LOCAL application_name = '{_session_name(run.pk)}'")
        cursor.execute("SET LOCAL client_connection_check_interval = '2s'")
        # Check foreign keys per statement: queued as deferred, every history trigger (a
        # PL/pgSQL block with an exception handler, i.e. a subtransaction) makes PostgreSQL walk
        # the growing queue, and 50,000 inserts take minutes instead of seconds.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        stage = _load(cursor, feed)
        run.feed_sha256 = feed.sha256
        step("load")
        # Confirm first: tonight's prices are compared with the prices confirmed as of today.
        run.confirmations = _confirm_due(cursor, today, now)
        step("confirm")
        params = {"dates": _valid_dates(today), "provinces": _province_codes()}
        _classify_and_decide(cursor, stage, params)
        step("classify and decide")
        outcome = _outcome(cursor)
        run.rows_rejected = outcome.rejected
        if outcome.rejected * 100 > feed.data_rows * MAX_REJECTED_PERCENT:
            raise LowestPriceFeedError(
                "too_many_rejected",
                value=feed.url,
                rejected=outcome.rejected,
                rows=feed.data_rows,
                limit=f"{MAX_REJECTED_PERCENT}%",
                summary=outcome.summary(),
            )
        run.proposals, run.increases_flagged = outcome.proposals, outcome.flags
        _supersede_replaced(cursor, run, now)
        _insert_proposals(cursor, run, today, now)
        step("proposals")
        _insert_observations(cursor, run, now)
        step("observations")
        _drop_work_tables(cursor)
        run.status = SyncRunStatus.SUCCEEDED
        run.finished_at = clock.now()
        run.error = f"rejected rows: {outcome.summary()}" if outcome.rejected else ""
        run.save(
            update_fields=[
                "status",
                "finished_at",
                "error",
                "feed_sha256",
                "rows_read",
                "rows_rejected",
                "proposals",
                "increases_flagged",
                "confirmations",
            ]
        )


class _StepTimer:
    """Seconds per step, logged at DEBUG: where a slow night went."""

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        logger.debug("lowest-price sync %s: %s %.2fs", self.run.pk, name, now - self.last)
        self.last = now


WORK_TABLES = ("lp_stage", "lp_confirm", "lp_decided")


def _drop_work_tables(cursor) -> None:
    # ON COMMIT DROP is not enough: inside an outer transaction (tests) there is no commit
    # between two runs.
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(WORK_TABLES)}")


@dataclass(frozen=True)
class _Stage:
    """How the staging table holds the price: ``numeric`` when every price parsed during
    COPY (the usual night), ``text`` otherwise (then checked row by row, see _classified)."""

    typed: bool

    def price(self, alias: str = "s") -> str:
        """SQL for the price as a number (only evaluated once the row's price is valid)."""
        return f"{alias}.price" if self.typed else f"{alias}.price::numeric"

    @property
    def bad_price(self) -> str:
        """SQL that is true when the price is not a valid amount. NaN compares greater than
        any number in PostgreSQL, so the upper bound rejects it; a third decimal must be 0."""
        p = self.price()
        checks = f"{p} <= 0 OR {p} >= 1e16 OR (scale({p}) > 2 AND {p} <> trunc({p}, 2))"
        if self.typed:
            return f"s.price IS NULL OR {checks}"
        # The text must be what PostgreSQL's numeric input accepts before it is cast, so that
        # both stagings accept exactly the same prices; lengths bound the digits and exponent.
        # CASE, not OR, guarantees that the cast only sees text that passed.
        return (
            "CASE WHEN s.price IS NULL OR length(s.price) > 40 "
            r"OR s.price !~ '^\s*[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?\s*$' "
            f"THEN true ELSE {checks} END"
        )


_STAGE_COLUMNS = (
    "nhsa_code text, udi_di text, province_code text, source_platform text, "
    "price {price_type}, observed_on text"
)


def _load(cursor, feed: FeedFile) -> _Stage:
    """COPY the data rows into the staging table; the server parses the CSV. The price is
    parsed as a number during COPY; if some price is not a number at all, the COPY is undone
    and repeated with the price as text, to reject that row rather than the whole feed."""
    _drop_work_tables(cursor)
    cursor.execute("SAVEPOINT lp_typed_copy")
    try:
        _copy(cursor, feed, "numeric")
        stage = _Stage(typed=True)
    except psycopg.errors.DataError:
        cursor.execute("ROLLBACK TO SAVEPOINT lp_typed_copy")
        try:
            _copy(cursor, feed, "text")
        except psycopg.errors.DataError as exc:
            # A row with the wrong number of fields, broken quoting or invalid UTF-8.
            raise LowestPriceFeedError("bad_row", value=feed.url, detail=str(exc).strip()) from exc
        stage = _Stage(typed=False)
    cursor.execute("RELEASE SAVEPOINT lp_typed_copy")
    if feed.stat is not None:
        current = feed.path.stat()
        if (current.st_size, current.st_mtime_ns) != feed.stat:
            raise LowestPriceFeedError(
                "bad_row", value=feed.url, detail="the file changed while it was being loaded"
            )
    return stage


def _copy(cursor, feed: FeedFile, price_type: str) -> None:
    cursor.execute(
        f"CREATE TEMP TABLE lp_stage ({_STAGE_COLUMNS.format(price_type=price_type)}) "
        "ON COMMIT DROP"
    )
    columns = ", ".join(FEED_COLUMNS)
    # A feed read in place has no digest yet: hash the bytes as they go to the server, which
    # parses them more slowly than they are hashed, then the trailer after them.
    digest = hashlib.sha256() if not feed.sha256 else None
    with (
        cursor.copy(f"COPY lp_stage ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        open(feed.path, "rb") as source,
    ):
        remaining = feed.data_end
        while remaining > 0:
            block = source.read(min(CHUNK, remaining))
            if not block:
                break
            copy.write(block)
            if digest is not None:
                digest.update(block)
            remaining -= len(block)
        if digest is not None:
            digest.update(source.read())
    loaded = cursor.rowcount
    if digest is not None:
        feed.sha256 = digest.hexdigest()
    if loaded != feed.data_rows:
        raise LowestPriceFeedError(
            "bad_row",
            value=feed.url,
            detail=f"{loaded} rows loaded, {feed.data_rows} lines in the feed",
        )


def _valid_dates(today: dt.date) -> list[str]:
    """Every acceptable observed_on, as text: the real calendar days from FIRST_OBSERVATION to
    today, written YYYY-MM-DD. As a constant array PostgreSQL looks them up by hash, which is
    cheaper per row than any parsing, and exact about calendars."""
    days = (today - FIRST_OBSERVATION).days
    return [(FIRST_OBSERVATION + dt.timedelta(days=n)).isoformat() for n in range(days + 1)]


def _province_codes() -> list[str]:
    """Province-level GB/T 2260 codes (110000 Beijing ... 820000 Macao)."""
    return [f"{n:02d}0000" for n in range(10, 100) if is_valid_region(f"{n:02d}0000")]


def _classified(source: str, stage: _Stage) -> str:
    """Rows of ``source`` (alias s, the staging table's columns) with their consumable and a
    rejection reason (NULL: the row is valid). The product is found by its national code, or
    by its UDI-DI when the code is empty. The order of the WHEN clauses decides which reason a
    row with several problems gets; the checks are cheap (hashed constant arrays, numeric
    comparisons) because they run on millions of rows."""
    return f"""
    SELECT s.ctid AS row_id, s.nhsa_code, s.udi_di, s.province_code, s.source_platform,
           s.price, s.observed_on, coalesce(c.id, dev.consumable_id) AS consumable_id,
           CASE
             WHEN s.nhsa_code IS NULL AND s.udi_di IS NULL THEN 'missing_product'
             WHEN s.nhsa_code IS NOT NULL AND c.id IS NULL THEN
               CASE WHEN s.nhsa_code ~ '^C[0-9]{{26}}$' THEN 'unknown_product' ELSE 'bad_code' END
             WHEN s.nhsa_code IS NULL AND dev.consumable_id IS NULL THEN 'unknown_product'
             WHEN {stage.bad_price} THEN 'bad_price'
             WHEN s.observed_on IS NULL
                  OR NOT s.observed_on = ANY(%(dates)s::text[]) THEN 'bad_date'
             WHEN s.province_code IS NULL
                  OR NOT s.province_code = ANY(%(provinces)s::text[]) THEN 'bad_province'
             WHEN s.source_platform IS NULL
                  OR (octet_length(s.source_platform) > {MAX_PLATFORM_LENGTH}
                      AND length(s.source_platform) > {MAX_PLATFORM_LENGTH}) THEN 'bad_platform'
             WHEN s.udi_di IS NOT NULL AND (
                    length(s.udi_di) > {MAX_UDI_LENGTH}
                    OR (c.id IS NOT NULL AND dev.consumable_id IS NOT NULL
                        AND dev.consumable_id <> c.id)) THEN 'bad_udi'
           END AS reason
    FROM {source} s
    LEFT JOIN catalog_consumable c ON c.code = s.nhsa_code
    LEFT JOIN catalog_deviceidentifier dev ON dev.di = s.udi_di
    """  # noqa: S608  (table names and SQL are this module's constants; values are parameters)


def _classify_and_decide(cursor, stage: _Stage, params: dict[str, Any]) -> None:
    """One statement over the whole feed: classify every row, find each product's national
    lowest price of the night, and apply ``proposal_action`` to it. Kept in ``lp_decided``:
    the products whose reference price changes (with where and when the lowest price was seen)
    and the rejected rows (with their reason), nothing else.

    The valid rows are sorted by product and price, so each product's first row is its lowest
    (ties: the earliest row of the feed); rejected rows are sorted in too, each as its own
    group, so that they are counted and reported without a second pass over the feed.
    """
    # OFFSET 0 keeps the classifying subquery whole, so that each row's reason is computed once
    # rather than inlined into every expression that uses it. The prices the bureau withdrew
    # (w, with the confirmed price they were compared with, -1 for none) are one hash of a
    # small set rather than a probe per product.
    cursor.execute(
        f"""
        CREATE TEMP TABLE lp_decided ON COMMIT DROP AS
        WITH lowest AS (
            SELECT DISTINCT ON (consumable_id, rejected_row)
                   consumable_id, rejected_row, p::numeric(18, 2) AS price, row_id, reason,
                   province_code, source_platform, observed_on, udi_di
            FROM (
                SELECT CASE WHEN x.reason IS NULL THEN x.consumable_id END AS consumable_id,
                       CASE WHEN x.reason IS NOT NULL THEN x.row_id END AS rejected_row,
                       CASE WHEN x.reason IS NULL THEN {stage.price("x")} END AS p,
                       x.row_id, x.reason,
                       x.province_code, x.source_platform, x.observed_on, x.udi_di
                FROM ({_classified("lp_stage", stage)} OFFSET 0) x
            ) y
            ORDER BY consumable_id, rejected_row, p, row_id
        )
        SELECT * FROM (
            SELECT l.consumable_id, l.price, l.row_id, l.reason,
                   l.province_code, l.source_platform,
                   CASE WHEN l.reason IS NULL THEN l.observed_on::date END AS observed_on,
                   coalesce(l.udi_di, '') AS udi_di,
                   conf.price AS confirmed_price, op.id AS open_id,
                   CASE
                     WHEN l.reason IS NOT NULL THEN 'rejected'
                     WHEN conf.price IS NOT NULL AND l.price = conf.price THEN 'unchanged'
                     WHEN conf.price IS NULL OR l.price < conf.price THEN
                       CASE
                         WHEN op.id IS NOT NULL AND NOT op.is_increase AND op.price <= l.price
                           THEN 'unchanged'
                         WHEN w.consumable_id IS NOT NULL THEN 'unchanged'
                         ELSE 'propose'
                       END
                     WHEN op.id IS NOT NULL OR w.consumable_id IS NOT NULL THEN 'unchanged'
                     ELSE 'flag'
                   END AS action
            FROM lowest l
            LEFT JOIN catalog_referenceprice conf
                   ON conf.consumable_id = l.consumable_id AND conf.status = %(confirmed)s
            LEFT JOIN catalog_referenceprice op
                   ON op.consumable_id = l.consumable_id AND op.status = ANY(%(open)s)
            LEFT JOIN (
                SELECT DISTINCT consumable_id, price, coalesce(previous_price, -1) AS base
                FROM catalog_referenceprice WHERE status = %(withdrawn)s
            ) w ON w.consumable_id = l.consumable_id AND w.price = l.price
               AND w.base = coalesce(conf.price, -1)
        ) decided
        WHERE action <> 'unchanged'
        """,  # noqa: S608  (module constants only)
        {
            **params,
            "withdrawn": S.WITHDRAWN,
            "confirmed": S.CONFIRMED,
            "open": [str(s) for s in OPEN_REFERENCE_STATUSES],
        },
    )


def _outcome(cursor) -> Outcome:
    """The night's counts, and the rejected rows by reason with the first file lines of each.
    A heap filled by one COPY into a new table holds the rows in file order, so a row's
    position gives its line; positions are numbered only on nights with rejections."""
    cursor.execute("SELECT action, count(*) FROM lp_decided GROUP BY action")
    counts = dict(cursor.fetchall())
    result = Outcome(
        rejected=counts.get("rejected", 0),
        by_reason={},
        proposals=counts.get("propose", 0),
        flags=counts.get("flag", 0),
    )
    if not result.rejected:
        return result
    cursor.execute(
        f"""
        SELECT r.reason, count(*),
               (array_agg(lines.line_no ORDER BY lines.line_no))[1:{REJECT_EXAMPLES}]
        FROM lp_decided r
        JOIN (SELECT ctid AS row_id, row_number() OVER (ORDER BY ctid) + 1 AS line_no
              FROM lp_stage) lines USING (row_id)
        WHERE r.action = 'rejected'
        GROUP BY r.reason
        """  # noqa: S608  (module constants only)
    )
    result.by_reason = {reason: (count, list(lines)) for reason, count, lines in cursor}
    return result


def _confirm_due(cursor, today: dt.date, now: dt.datetime) -> int:
    """Confirm every price whose publicity ended before today with no open objection: it
    supersedes the confirmed price, and a fall (or a first price) is recorded as a cut.
    Done before tonight's proposals, so that those compare with the newly confirmed prices."""
    publicity = _allowed(S.PUBLICITY, S.CONFIRMED)
    confirmed = _allowed(S.CONFIRMED, S.SUPERSEDED)
    # Lock the candidates first; the objection check then runs in a later statement, whose
    # snapshot includes any objection committed while we waited for a lock.
    cursor.execute(
        """
        SELECT id FROM catalog_referenceprice
        WHERE status = %s AND publicity_ends_on < %s
        ORDER BY id FOR UPDATE
        """,
        [publicity, today],
    )
    cursor.execute(
        """
        CREATE TEMP TABLE lp_confirm ON COMMIT DROP AS
        SELECT r.id, r.consumable_id, r.price, prev.id AS previous_id, prev.price AS previous_price
        FROM catalog_referenceprice r
        LEFT JOIN catalog_referenceprice prev
               ON prev.consumable_id = r.consumable_id AND prev.status = %s
        WHERE r.status = %s AND r.publicity_ends_on < %s
          AND NOT EXISTS (
              SELECT 1 FROM catalog_priceobjection o
              WHERE o.reference_price_id = r.id AND o.status = %s)
        """,
        [confirmed, publicity, today, ObjectionStatus.OPEN],
    )
    cursor.execute(
        """
        UPDATE catalog_referenceprice r SET status = %s, closed_at = %s
        FROM lp_confirm c WHERE r.id = c.previous_id AND r.status = %s
        """,
        [S.SUPERSEDED, now, confirmed],
    )
    cursor.execute(
        """
        UPDATE catalog_referenceprice r SET status = %s, confirmed_at = %s
        FROM lp_confirm c WHERE r.id = c.id AND r.status = %s
        """,
        [S.CONFIRMED, now, publicity],
    )
    confirmations = cursor.rowcount
    cursor.execute(
        """
        INSERT INTO catalog_referencepricecut
               (consumable_id, reference_price_id, old_price, new_price, effective_at)
        SELECT consumable_id, id, previous_price, price, %s FROM lp_confirm
        WHERE previous_price IS NULL OR price < previous_price
        """,
        [now],
    )
    return confirmations


def _supersede_replaced(cursor, run: SyncRun, now: dt.datetime) -> None:
    sources = [_allowed(s, S.SUPERSEDED) for s in OPEN_REFERENCE_STATUSES]
    cursor.execute(
        """
        UPDATE catalog_referenceprice r
        SET status = %s, closed_at = %s,
            note = 'Replaced by the lower price ' || d.price || ' (sync run ' || %s || ').'
        FROM lp_decided d
        WHERE r.id = d.open_id AND d.action = 'propose' AND r.status = ANY(%s)
        """,
        [S.SUPERSEDED, now, run.pk, [str(s) for s in sources]],
    )


def _insert_proposals(cursor, run: SyncRun, today: dt.date, now: dt.datetime) -> None:
    """Decreases are proposed and put into publicity at once: one row, inserted in the
    publicity state (the proposed state would live only inside this transaction; one history
    event per proposal instead of two halves the trigger work at 50,000 proposals). Increases
    are flagged and wait for the bureau (reference_price_publicity_start)."""
    _allowed(S.PROPOSED, S.PUBLICITY)
    window = publicity_window(today, system_region_policy())
    cursor.execute(
        """
        INSERT INTO catalog_referenceprice
               (consumable_id, price, status, source_province, source_platform, observed_on,
                sync_run_id, previous_price, is_increase, proposed_at,
                publicity_starts_on, publicity_ends_on, publicity_ends_estimated, note)
        SELECT consumable_id, price,
               CASE action WHEN 'flag' THEN %(flagged)s ELSE %(publicity)s END,
               province_code, source_platform, observed_on, %(run)s, confirmed_price,
               action = 'flag', %(now)s,
               CASE action WHEN 'flag' THEN NULL ELSE %(starts)s::date END,
               CASE action WHEN 'flag' THEN NULL ELSE %(ends)s::date END,
               action <> 'flag' AND %(estimated)s,
               ''
        FROM lp_decided
        WHERE action IN ('propose', 'flag')
        ORDER BY consumable_id
        """,
        {
            "flagged": S.FLAGGED,
            "publicity": S.PUBLICITY,
            "run": run.pk,
            "now": now,
            "starts": window.starts,
            "ends": window.ends,
            "estimated": window.estimated,
        },
    )


def _insert_observations(cursor, run: SyncRun, now: dt.datetime) -> None:
    """The observation behind each proposal or flag. Append-only; a re-run of the same feed
    finds the same keys and adds nothing. After the proposals, whose foreign-key checks have
    already locked the same products."""
    cursor.execute(
        """
        INSERT INTO catalog_priceobservation
               (consumable_id, udi_di, province_code, source_platform, price, observed_on,
                sync_run_id, created_at)
        SELECT consumable_id, udi_di, province_code, source_platform, price, observed_on, %s, %s
        FROM lp_decided
        WHERE action IN ('propose', 'flag')
        ORDER BY consumable_id
        ON CONFLICT (consumable_id, province_code, source_platform, observed_on) DO NOTHING
        """,
        [run.pk, now],
    )
