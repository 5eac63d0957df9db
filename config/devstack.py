"""`make run`: the whole stack on one machine, in the foreground.

Starts the embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are unset, migrates
(as the owner role, MIGRATE_DATABASE_URL), loads the demo data, then runs the web server, a
Celery worker and Celery beat as child processes (as the runtime role, DATABASE_URL, without
the owner's URL) and prints the demo logins. Ctrl-C (or SIGTERM) stops the children and the
embedded servers this run started; servers that were already running are left as they were.
"""

from __future__ import annotations

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

    children: list[subprocess.Popen] = []

    def shutdown(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if started_here:
            stopped = embedded_servers.stop_all(only=tuple(started_here))
            print(f"Stopped embedded servers: {', '.join(stopped) or 'none'}")  # noqa: T201

    # Only migrate gets the owner's URL (it connects as the owner by itself); the demo data,
    # web, worker and beat run as the runtime role and never see the owner's credentials.
    runtime_env = {key: value for key, value in env.items() if key != "MIGRATE_DATABASE_URL"}
    try:
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
        for command in commands:
            children.append(subprocess.Popen(command, cwd=ROOT, env=runtime_env))  # noqa: S603
        os.environ.update(runtime_env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        _print_roles(env)
        _print_logins()
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process exited; stopping the rest.")  # noqa: T201
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        shutdown()


if __name__ == "__main__":
    sys.exit(main())
