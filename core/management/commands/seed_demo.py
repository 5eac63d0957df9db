"""python manage.py seed_demo: load the demo region. Safe to run again (changes nothing)."""

from importlib import import_module

from django.core.management.base import BaseCommand

# In dependency order; each app's demo.seed() is idempotent.
DEMO_MODULES = [
    "accounts.demo",
    "catalog.demo",
    "procurement.demo",
    "settlement.demo",
    "supervision.demo",
    "supervision.demo_five_rates",
    "supervision.demo_quality",
    "supervision.demo_usage_alerts",
    "supervision.demo_alerts",
]


class Command(BaseCommand):
    help = "Create the demo region (organisations, users, and each app's demo data)."

    def handle(self, *args, **options):
        logins = []
        for module in DEMO_MODULES:
            result = import_module(module).seed()
            if module == "accounts.demo":
                logins = result
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(logins)} users."))
