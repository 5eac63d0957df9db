"""`make bench`: run every benchmark (or those named) each in its own process, so that each
one's peak RSS is its own. Usage: python -m bench [name ...] [--rows N] [--scale S] (ui_pages)
[--invoices N --suppliers N --hospitals N] (settlement_batch, five_rates_month, dashboard)
[--lines N --small] (five_rates_month, dashboard) [--page PATH] (dashboard)."""

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
    "ui_pages": [
        "ui_pages_cart",
        "ui_pages_orders",
        "ui_pages_deliveries",
        "ui_pages_invoices",
        "ui_pages_feed",
    ],
    "tender_opening": ["tender_opening"],
    "settlement_batch": ["settlement_batch"],
    "five_rates_month": ["five_rates_month"],
    "dashboard": ["dashboard"],
}


# Options only some benchmarks take (with their value); the others never see them.
OWN_OPTIONS: dict[str, set[str]] = {
    "--scale": {"ui_pages"},
    "--invoices": {"settlement_batch", "five_rates_month", "dashboard"},
    "--suppliers": {"settlement_batch", "five_rates_month", "dashboard"},
    "--hospitals": {"settlement_batch", "five_rates_month", "dashboard"},
    "--lines": {"five_rates_month", "dashboard"},
    "--small": {"five_rates_month", "dashboard"},
    "--page": {"dashboard"},
}

FLAGS = {"--small"}  # own options without a value


def _options_for(module: str, options: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for i, option in enumerate(options):
        if skip:
            skip = False
            continue
        name = option.split("=", 1)[0]
        if name in OWN_OPTIONS and module not in OWN_OPTIONS[name]:
            skip = "=" not in option and name not in FLAGS and i + 1 < len(options)
            continue
        kept.append(option)
    return kept


def main(argv: list[str]) -> int:
    known = {name for module, names in BENCHMARKS.items() for name in (module, *names)}
    wanted = [a for a in argv if a in known]
    options = [a for a in argv if a not in known]  # passed on, values included (--rows N)
    failures = 0
    for module, names in BENCHMARKS.items():
        if wanted and not (set(wanted) & {module, *names}):
            continue
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", f"bench.{module}", *_options_for(module, options)],
            cwd=ROOT,
            check=False,
        )
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
