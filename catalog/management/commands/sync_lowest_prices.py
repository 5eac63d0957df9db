"""python manage.py sync_lowest_prices [--feed URL]: run the national-lowest-price sync now."""

from django.core.management.base import BaseCommand, CommandError

from catalog.choices import SyncRunStatus
from catalog.services.sync import lowest_price_sync


class Command(BaseCommand):
    help = "Run the national-lowest-price sync once (the feed format: docs/lowest-price-feed.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--feed",
            metavar="URL",
            help="file://, http:// or https:// feed; default: settings.LOWEST_PRICE_FEED_URL",
        )

    def handle(self, *args, feed=None, **options):
        run = lowest_price_sync(feed_url=feed)
        duration = (
            f"{(run.finished_at - run.started_at).total_seconds():.1f}s" if run.finished_at else "-"
        )
        self.stdout.write(
            f"sync run {run.pk}: {run.status} in {duration}; feed {run.feed_url} "
            f"(sha256 {run.feed_sha256[:12] or '-'}); rows read {run.rows_read}, "
            f"rejected {run.rows_rejected}; proposals {run.proposals}, "
            f"increases flagged {run.increases_flagged}, confirmations {run.confirmations}"
        )
        if run.error:
            self.stdout.write(run.error)
        if run.status == SyncRunStatus.FAILED:
            raise CommandError(f"sync run {run.pk} failed: {run.error}")
