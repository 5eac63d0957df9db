"""`make bench`: run every benchmark (or those named) each in its own process, so that each
one's peak RSS is its own. Usage: python -m bench [name ...] [--rows N]."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module -> the result names it prints
BENCHMARKS: dict[str, list[str]] = {}


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")]
    options = [a for a in argv if a.startswith("-")]
    failures = 0
    for module, names in BENCHMARKS.items():
        if wanted and not (set(wanted) & {module, *names}):
            continue
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", f"bench.{module}", *options], cwd=ROOT, check=False
        )
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
