"""python manage.py import_udi FILE [--partial] [--report PATH]

Imports the NMPA UDI database export: UDI-DIs and their crosswalk to national codes
(layout: docs/catalog-import.md).
"""

from catalog.management.commands._import import ImportCommand
from catalog.services.imports import device_identifier_import


class Command(ImportCommand):
    help = (
        "Import the NMPA UDI database (CSV or XLSX): UDI-DIs linked to national codes by "
        "their ybbm. All or nothing unless --partial. Layout: docs/catalog-import.md."
    )
    importer = staticmethod(device_identifier_import)
    what = "udi"
