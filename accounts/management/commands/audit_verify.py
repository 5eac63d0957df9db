"""`manage.py audit_verify [--archive FILE]`: verify the security log's hash chain (or an archive
file of it) and exit non-zero on a break [R-AUDIT-CHAIN]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import audit_archive_file_verify, audit_chain_verify


class Command(BaseCommand):
    help = "Verify the security log's hash chain; exit 1 on an edited, deleted or inserted row."

    def add_arguments(self, parser):
        parser.add_argument("--archive", type=Path, help="verify this archive file instead")

    def handle(self, *args, **options):
        archive = options.get("archive")
        report = audit_archive_file_verify(archive) if archive else audit_chain_verify()
        for finding in report.findings:
            self.stderr.write(f"{finding.check} at seq {finding.seq}: {finding.detail}")
        if not report.ok:
            first = report.first_break
            raise CommandError(
                f"chain broken: {len(report.findings)} findings, first {first.check} "
                f"at seq {first.seq}"
                if first
                else "chain broken"
            )
        self.stdout.write(
            f"ok: {report.rows} rows, seq {report.first_seq}..{report.last_seq}, "
            f"head {report.last_hash}"
        )
