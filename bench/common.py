"""Shared plumbing for `make bench`: a separate database, timing, peak memory, the result line.

Targets are ratios against a baseline measured in the same run on the same database, because
these machines are noisy; absolute seconds are printed for orientation only.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = ROOT / "var" / "bench"


def setup_django(database_suffix: str = "_bench") -> None:
    """Point Django at a dedicated database (created and migrated if needed), then set up."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        from config import embedded_servers

        # The superuser, as before the app got its own role: a benchmark truncates its tables
        # and checkpoints between runs, which the runtime role may not.
        os.environ.setdefault("DATABASE_URL", embedded_servers.postgres_urls()["superuser"])
        os.environ.setdefault("REDIS_URL", embedded_servers.ensure_redis())
    import dj_database_url
    import psycopg

    parsed = dj_database_url.parse(os.environ["DATABASE_URL"])
    bench_name = parsed["NAME"] + database_suffix
    conninfo: dict[str, Any] = {
        "host": parsed["HOST"] or None,
        "port": parsed["PORT"] or None,
        "user": parsed["USER"] or None,
        "password": parsed["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{bench_name}"')
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + bench_name
    if "?" in parsed.get("NAME", ""):
        raise SystemExit("DATABASE_URL with query parameters is not supported by bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    WORK_DIR.mkdir(parents=True, exist_ok=True)


@contextmanager
def timed(into: dict, key: str):
    start = time.perf_counter()
    yield
    into[key] = time.perf_counter() - start


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Result:
    name: str
    rows: int
    project_s: float
    baseline_s: float
    peak_rss_mb: float
    extra: str = ""

    @property
    def ratio(self) -> float:
        return self.project_s / self.baseline_s if self.baseline_s else float("inf")

    def line(self) -> str:
        text = (
            f"{self.name} rows={self.rows} project_s={self.project_s:.2f} "
            f"baseline_s={self.baseline_s:.2f} ratio={self.ratio:.2f} "
            f"peak_rss_mb={self.peak_rss_mb:.0f}"
        )
        return f"{text} {self.extra}".rstrip()


def report(result: Result) -> None:
    print(result.line(), flush=True)


BenchFn = Callable[[], list[Result]]
