from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        # Register the tasks in every process, web included: services queue them by name
        # (core.queue). Celery's autodiscovery would import only catalog.tasks, and only in
        # the worker; the upload import task lives in its own module.
        from catalog import home_cards, import_tasks, tasks  # noqa: F401
