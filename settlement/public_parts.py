"""The part settlement publishes in the public section (core.public) [R-ESCROW] [R-DISCLOSE]:
each day's last ledger hash, so that anyone can see the books were not rewritten after."""

from django.utils.translation import gettext_lazy as _

from core.public import register_part

register_part(
    key="ledger_hashes",
    title=_("Ledger daily hashes"),
    description=_(
        "Each day's last ledger entry and its hash: kept by anyone, they show that the books "
        "were not rewritten after."
    ),
    url_name="public_ledger_hashes",
    order=60,
    icon="shield-check",
)
