from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        # Celery's autodiscovery imports only catalog.tasks; the upload import task lives in
        # its own module, registered here.
        from catalog import import_tasks  # noqa: F401
