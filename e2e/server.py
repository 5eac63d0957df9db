"""The live system the browser journeys drive: a database of its own with the demo region in
it, and a real web server process on it.

The database is ``<app database>_e2e`` on the same PostgreSQL as the tests (the machine's, or
the embedded one). Migrating and seeding the demo takes a minute or more, so the result is
kept as a template database, ``<app database>_e2e_tpl``, stamped with a fingerprint of what
shapes it (the migrations, the demo modules and their data, and today's date, since the demo
is dated relative to today); each run clones a fresh copy from it in a second or two and
journeys start from the same data every time. ``E2E_FRESH_DB=1`` rebuilds the template.

The server is ``manage.py runserver`` in its own process with DEBUG on (it serves the vendored
static files) and Celery tasks run eagerly, as there is no worker. Its output goes to
``var/e2e/server.log``; migrate and seed output to ``var/e2e/prepare.log``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "e2e"
# What shapes the seeded database: a change to any of these rebuilds the template.
FINGERPRINT_GLOBS = (
    "*/migrations/*.py",
    "*/demo.py",
    "*/demo_*.py",
    "catalog/demo_feed.py",
    "catalog/data/*",
    "core/management/commands/seed_demo.py",
)
TEMPLATE_MARK = "yangguang-e2e-template"
SERVER_START_TIMEOUT = 90.0


class HarnessError(RuntimeError):
    """The live system could not be set up; the message says where to look."""


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def fingerprint(today: str) -> str:
    digest = hashlib.sha256(today.encode())
    for pattern in FINGERPRINT_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and ".venv" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def child_env(database_url: str, redis_url: str, migrate_url: str | None = None) -> dict[str, str]:
    """The environment of a child process on ``database_url``. Migrations need the owner's
    ``migrate_url`` (two roles, config/db_roles.py); without it the child runs as the runtime
    role alone, as the web server does in production."""
    env = {key: value for key, value in os.environ.items() if key != "MIGRATE_DATABASE_URL"}
    if migrate_url:
        env["MIGRATE_DATABASE_URL"] = migrate_url
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        CELERY_TASK_ALWAYS_EAGER="1",
        LC_ALL="C.UTF-8",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(args: list[str], env: dict[str, str], log: Path) -> None:
    with open(log, "a") as out:
        out.write(f"\n$ manage.py {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise HarnessError(f"manage.py {' '.join(args)} failed; {log}:\n{_tail(log)}")


@dataclass
class Database:
    url: str
    template_reused: bool
    seconds: float


def prepare_database(
    base_url: str, redis_url: str, today: str, owner_url: str | None = None
) -> Database:
    """A fresh ``<name>_e2e`` cloned from the seeded template (built first if stale).

    With two roles (``owner_url`` set), the owner creates, migrates and clones the databases,
    so the clone's tables belong to the owner and the runtime role keeps only its grants."""
    import psycopg
    from psycopg import sql

    started = time.monotonic()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "prepare.log"
    base_name = _database_name(base_url)
    run_name, template_name = f"{base_name}_e2e", f"{base_name}_e2e_tpl"
    mark = f"{TEMPLATE_MARK} {fingerprint(today)}"
    fresh = os.environ.get("E2E_FRESH_DB") == "1"
    admin_url = owner_url or base_url
    with psycopg.connect(_with_database(admin_url, "postgres"), autocommit=True) as conn:
        # Two runs against one server (two shells) take turns instead of racing on a build.
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (template_name,))
        found = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (template_name,),
        ).fetchone()
        reused = found is not None and found[0] == mark and not fresh
        if not reused:
            log.write_text(f"building {template_name} ({mark})\n")
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(template_name)
                )
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template_name)))
            env = child_env(
                _with_database(base_url, template_name),
                redis_url,
                _with_database(owner_url, template_name) if owner_url else None,
            )
            _manage(["migrate", "--noinput", "-v", "0"], env, log)
            _manage(["seed_demo"], env, log)
            # Stamped last: a build that died halfway is never taken for a good one.
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(template_name), sql.Literal(mark)
                )
            )
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(run_name))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(run_name), sql.Identifier(template_name)
            )
        )
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (template_name,))
    return Database(
        url=_with_database(base_url, run_name),
        template_reused=reused,
        seconds=time.monotonic() - started,
    )


def facts(env: dict[str, str]) -> dict:
    """What the journeys need to know of the demo data (e2e/facts.py, in its own process)."""
    result = subprocess.run(
        [sys.executable, "-m", "e2e.facts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise HarnessError(f"e2e.facts failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http URL)
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def live_server(env: dict[str, str]) -> Iterator[str]:
    """Run the web server until the block ends; yield its base URL."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "server.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--skip-checks",  # the suite and CI run the checks; start faster
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers(base_url + "/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise HarnessError(f"the web server did not start; {log}:\n{_tail(log)}")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
