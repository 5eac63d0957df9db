"""What import_catalog and import_udi share: arguments, the progress bar and the summary.

The leading underscore keeps Django from listing this module as a command.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from catalog.services.imports import ImportResult, default_report_path, import_row_estimate
from core.errors import DomainError

# Rejections printed under the summary; the report file has all of them.
SHOWN_REJECTIONS = 10


class ProgressBar:
    """A one-line bar redrawn with a carriage return; only drawn on a terminal."""

    width = 30

    def __init__(self, out: Any, total: int | None) -> None:
        self.out = out
        self.total = total or None
        self.started = time.monotonic()
        self.drawn = False

    def update(self, done: int) -> None:
        elapsed = time.monotonic() - self.started
        rate = f"{done / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        if self.total:
            fraction = min(done / self.total, 1.0)
            filled = int(fraction * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"[{bar}] {fraction:4.0%} {done:,}/{self.total:,} rows {rate}"
        else:
            text = f"{done:,} rows {rate}"
        self.out.write(f"\r{text}\x1b[K", ending="")
        self.out.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.out.write("")  # end the bar's line
            self.drawn = False


class ImportCommand(BaseCommand):
    importer: Callable[..., ImportResult]
    what: str

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8 or GBK/GB18030) or XLSX file")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="import the valid rows even if some are rejected (default: all or nothing)",
        )
        parser.add_argument(
            "--report",
            metavar="PATH",
            help="where to write the rejected rows (default: <file>.rejected.csv next to FILE)",
        )

    def handle(self, *args, file: str, partial: bool, report: str | None, **options):
        path = Path(file)
        bar = None
        if options["verbosity"] > 0 and self.stdout.isatty():
            bar = ProgressBar(self.stdout, import_row_estimate(path))
        try:
            result = self.importer(
                actor=None,
                path=path,
                partial=partial,
                report_path=report or default_report_path(path),
                progress=bar.update if bar else None,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            if bar:
                bar.finish()
        self.summary(path, result)
        if result.refused:
            raise CommandError(
                f"{result.rejected} of {result.rows} rows rejected: nothing was imported "
                "(fix them, or run again with --partial to keep the valid rows)",
                returncode=1,
            )

    def summary(self, path: Path, result: ImportResult) -> None:
        write = self.stdout.write
        layout = f", {result.layout} layout" if result.layout else ""
        write(f"{path.name}: {result.file_format}, {result.encoding}{layout}, {result.rows} rows")
        write(f"inserted:  {result.inserted}")
        write(f"updated:   {result.updated}")
        write(f"unchanged: {result.unchanged}")
        write(f"rejected:  {result.rejected}")
        if result.layout == "release":
            write(f"previous codes recorded: {result.aliases}")
            write(f"previous codes retired:  {result.retired}")
        if self.what == "udi":
            write(f"conflicts: {result.conflicts}")
            write(f"unlinked:  {result.unlinked}")
        if result.report_path:
            write(f"rejected rows: {result.report_path}")
            for rejection in result.rejections[:SHOWN_REJECTIONS]:
                column = f" {rejection.column}" if rejection.column else ""
                write(f"  row {rejection.row}{column}: {rejection.message}")
            if result.rejected > SHOWN_REJECTIONS:
                write(f"  ... and {result.rejected - SHOWN_REJECTIONS} more")
