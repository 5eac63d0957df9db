"""python manage.py import_catalog FILE [--partial] [--report PATH]

Imports the national code database export (layout: docs/catalog-import.md).
"""

from catalog.management.commands._import import ImportCommand
from catalog.services.imports import consumable_import


class Command(ImportCommand):
    help = (
        "Import the national medical consumables code database (CSV or XLSX) into the "
        "catalogue. All or nothing unless --partial. Layout: docs/catalog-import.md."
    )
    importer = staticmethod(consumable_import)
    what = "catalog"
