from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Registered in every process (the web queues the export task by name, core.queue),
        # not only where Celery's autodiscovery runs (the worker).
        from core import tasks  # noqa: F401
        from core.privileges import privileges_apply_on_migrate

        # Once per migrate (sender: this app), after every app's migrations have run.
        post_migrate.connect(privileges_apply_on_migrate, sender=self)
