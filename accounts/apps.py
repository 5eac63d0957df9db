from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import checks, signals  # noqa: F401  (registers the checks, the receivers)
        from accounts.api import schema  # noqa: F401  (registers the OpenAPI extension)
