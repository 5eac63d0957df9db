"""python manage.py purchase_totals_rebuild [--hospital ID ...]: recompute the hospitals'
running purchase totals (the alternate-catalogue cap's figures) from their order lines."""

from django.core.management.base import BaseCommand

from procurement.services.purchase_totals import purchase_totals_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the running purchase totals (procurement.PurchaseTotal) from the order "
        "lines, for repair; idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hospital",
            type=int,
            action="append",
            metavar="ID",
            help="only this hospital (organisation id); repeat for several; default: all",
        )

    def handle(self, *args, hospital=None, **options):
        result = purchase_totals_rebuild(hospital_ids=hospital)
        self.stdout.write(
            f"purchase totals of {result.hospitals} hospitals: {result.created} created, "
            f"{result.updated} corrected, {result.deleted} removed"
        )
