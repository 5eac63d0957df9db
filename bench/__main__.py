"""`make bench`: run every benchmark (or those named) each in its own process, so that each
one's peak RSS is its own. Usage: python -m bench [name ...] [--rows N]."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module -> the result names it prints
BENCHMARKS: dict[str, list[str]] = {
    "catalog_import": ["catalog_import", "catalog_reimport"],
    "api_orders": ["api_order_create", "api_order_list"],
    "lowest_price_sync": ["lowest_price_sync"],
    "sealed_open": ["sealed_open"],
    "tender_opening": ["tender_opening"],
}


def main(argv: list[str]) -> int:
    known = {name for module, names in BENCHMARKS.items() for name in (module, *names)}
    wanted = [a for a in argv if a in known]
    options = [a for a in argv if a not in known]  # passed on, values included (--rows N)
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
