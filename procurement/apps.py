from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Procurement")

    def ready(self) -> None:
        # The home page's work queues (core.home).
        from procurement import exports, home_cards, public_parts  # noqa: F401
