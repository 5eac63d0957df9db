from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("Settlement")

    def ready(self) -> None:
        # The home page's work queues (core.home) and the public section's parts (core.public).
        from settlement import home_cards, public_parts  # noqa: F401
