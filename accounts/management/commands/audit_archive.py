"""`manage.py audit_archive [--dir DIR]`: move the security log's rows older than
AUDIT_RETENTION_DAYS to a JSON-lines file and delete them [R-AUDIT-CHAIN]. The delete runs as
the owner role (accounts.services.audit_archive opens core.privileges.owner_connection)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services import audit_archive
from core.errors import DomainError


class Command(BaseCommand):
    help = "Archive the security log's rows older than AUDIT_RETENTION_DAYS, then delete them."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="archive directory (AUDIT_ARCHIVE_DIR)")

    def handle(self, *args, **options):
        try:
            done = audit_archive(directory=options.get("dir"))
        except DomainError as error:
            raise CommandError(error.message) from error
        if done is None:
            self.stdout.write("nothing older than the retention")
            return
        self.stdout.write(
            f"archived {done.count} rows (seq {done.from_seq}..{done.to_seq}) to {done.path}, "
            f"sha256 {done.sha256}"
        )
