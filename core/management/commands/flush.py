"""`flush`, connected as the owner role: it TRUNCATEs every table, which the runtime role may
not (transactional tests flush through it too)."""

from django.core.management.commands.flush import Command as DjangoFlushCommand

from core.privileges import OwnerCommandMixin


class Command(OwnerCommandMixin, DjangoFlushCommand):
    help = DjangoFlushCommand.help + " Connects as the owner role (MIGRATE_DATABASE_URL)."
