"""`make run`: the whole stack on one machine, in the foreground.

Starts the embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are unset, migrates
(as the owner role, MIGRATE_DATABASE_URL), loads the demo data, then runs the web server, a
Celery worker and Celery beat as child processes (as the runtime role, DATABASE_URL, without
the owner's URL) and prints the demo logins. Ctrl-C (or SIGTERM) stops the children and the
embedded servers this run started; servers that were already running are left as they were.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config import embedded_servers

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = os.environ.get("YANGGUANG_HOST", "127.0.0.1")
PORT = os.environ.get("YANGGUANG_PORT", "8000")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_TIMEOUT_S = 10


class StopRequested(Exception):
    """Ctrl-C (SIGINT) or SIGTERM: a clean stop, which ends with status 0."""


def _request_stop(signum, _frame) -> None:
    # From the first stop signal on, more Ctrl-Cs are ignored: an impatient second one must not
    # cut the clean-up short (and end in a traceback); the children are stopped first.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise StopRequested(signal.Signals(signum).name)


@contextlib.contextmanager
def _stop_signals():
    """Turn the first SIGINT or SIGTERM into StopRequested while the block runs."""
    previous = {sig: signal.signal(sig, _request_stop) for sig in STOP_SIGNALS}
    try:
        yield
    except StopRequested:
        previous = None  # stopping: keep ignoring further signals until the clean-up is done
        raise
    finally:
        for sig, handler in (previous or {}).items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _ignored_signals():
    """No stop signal interrupts the clean-up; the previous handlers are back afterwards."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_children(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def supervise(
    commands: list[list[str]],
    *,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    on_started=None,
    poll_s: float = 0.5,
) -> int:
    """Run ``commands`` as children until Ctrl-C or SIGTERM (status 0: a clean stop) or until
    one of them exits by itself (status 1). Either way every child is stopped (SIGTERM, then
    SIGKILL after STOP_TIMEOUT_S) before this returns.

    The children run in their own session, so the terminal's Ctrl-C reaches only this process,
    which stops them in order; they do not each die of SIGINT at once with their own
    tracebacks and exit codes."""
    children: list[subprocess.Popen] = []
    try:
        with _stop_signals():
            for command in commands:
                children.append(
                    subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)  # noqa: S603
                )
            if on_started is not None:
                on_started()
            while all(child.poll() is None for child in children):
                time.sleep(poll_s)
        print("A process exited; stopping the rest.")  # noqa: T201
        return 1
    except StopRequested:
        print("\nStopping...")  # noqa: T201
        return 0
    finally:
        with _ignored_signals():
            _stop_children(children)


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _print_roles(env: dict[str, str]) -> None:
    import dj_database_url

    line = f"\nWeb, worker and beat connect as {dj_database_url.parse(env['DATABASE_URL'])['USER']}"
    if env.get("MIGRATE_DATABASE_URL"):
        line += f"; migrations ran as {dj_database_url.parse(env['MIGRATE_DATABASE_URL'])['USER']}"
    print(line + ".")  # noqa: T201


def _print_logins() -> None:
    from accounts.demo import DEMO_PASSWORD

    print("\nDemo logins (password for all: " + DEMO_PASSWORD + "):")  # noqa: T201
    rows = [
        ("admin", "platform_admin"),
        ("bureau", "bureau_officer"),
        ("agency", "agency_finance"),
        ("h01_purchaser", "hospital_purchaser (tier 3)"),
        ("h01_finance", "hospital_finance"),
        ("h06_purchaser", "hospital_purchaser (tier 2)"),
        ("m01_sales", "supplier_sales (manufacturer)"),
        ("d01_sales", "supplier_sales (distributor)"),
    ]
    for username, role in rows:
        print(f"  {username:<16} {role}")  # noqa: T201
    print("  ... h01-h12 _purchaser/_finance, m01-m15_sales, d01-d05_sales (see README)")  # noqa: T201
    print(f"\nOpen http://{HOST}:{PORT}/  ·  API docs http://{HOST}:{PORT}/api/docs/")  # noqa: T201
    print("Ctrl-C stops everything.\n")  # noqa: T201


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("LC_ALL", "C.UTF-8")
    before = embedded_servers.status()
    started_here: list[str] = []
    if not env.get("DATABASE_URL"):
        urls = embedded_servers.postgres_urls()
        env["DATABASE_URL"] = urls["app"]
        env["MIGRATE_DATABASE_URL"] = urls["owner"]
        if not before["postgresql"]["running"]:
            started_here.append("postgresql")
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = embedded_servers.ensure_redis()
        if not before["redis"]["running"]:
            started_here.append("redis")

    # Only migrate gets the owner's URL (it connects as the owner by itself); the demo data,
    # web, worker and beat run as the runtime role and never see the owner's credentials.
    runtime_env = {key: value for key, value in env.items() if key != "MIGRATE_DATABASE_URL"}

    def started() -> None:
        os.environ.update(runtime_env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        _print_roles(env)
        _print_logins()

    try:
        with _stop_signals():
            _manage("migrate", "--no-input", env=env)
            _manage("seed_demo", env=runtime_env)
        beat_schedule = str(embedded_servers.VAR_DIR / "celerybeat-schedule")
        embedded_servers.VAR_DIR.mkdir(parents=True, exist_ok=True)
        commands = [
            [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
            ],
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                f"--schedule={beat_schedule}",
            ],
        ]
        return supervise(commands, cwd=ROOT, env=runtime_env, on_started=started)
    except StopRequested:
        return 0
    finally:
        with _ignored_signals():
            if started_here:
                stopped = embedded_servers.stop_all(only=tuple(started_here))
                print(f"Stopped embedded servers: {', '.join(stopped) or 'none'}")  # noqa: T201


if __name__ == "__main__":
    sys.exit(main())
