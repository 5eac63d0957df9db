"""`migrate`, connected as the owner role (MIGRATE_DATABASE_URL); core.privileges then grants
the runtime role its privileges (post_migrate)."""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from core.privileges import OwnerCommandMixin


class Command(OwnerCommandMixin, DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " Connects as the owner role (MIGRATE_DATABASE_URL)."
