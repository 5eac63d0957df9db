from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from core.credit import register_provider as register_credit_provider
        from core.public import register_part
        from core.restrictions import register_provider

        # The home page's work queues (core.home); the tasks, registered in every process
        # (notify queues the e-mail task by name after the commit).
        from supervision import home_cards, tasks  # noqa: F401
        from supervision.selectors.credit import credit_label_verdict, sanction_refusals

        # [R-CREDIT] sanctions bite in procurement through core.restrictions.
        register_provider("credit_sanctions", sanction_refusals)
        # [R-LABELS] credit weighs on the purchase label suggestion through core.credit.
        register_credit_provider("supervision_credit", credit_label_verdict)
        # [R-CREDIT] [R-DISCLOSE] serious cases on the public pages.
        register_part(
            key="credit_cases",
            title=_("Serious credit cases"),
            description=_(
                "Organisations disclosed for serious misconduct, while the disclosure is in force."
            ),
            url_name="supervision:public_credit_cases",
            order=60,
            icon="exclamation-octagon",
        )
