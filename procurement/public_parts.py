"""The parts procurement publishes in the public section (core.public) [R-DISCLOSE]."""

from django.utils.translation import gettext_lazy as _

from core.public import register_part

register_part(
    key="reference_prices",
    title=_("Reference prices"),
    description=_("National lowest prices in publicity and confirmed: the caps of listed prices."),
    url_name="public:reference_prices",
    order=10,
    icon="tags",
)
register_part(
    key="listings",
    title=_("Listings"),
    description=_("Products on sale, with their listed prices and purchase labels."),
    url_name="public:listings",
    order=20,
    icon="shop",
)
register_part(
    key="negotiations",
    title=_("Negotiation results"),
    description=_(
        "Prices the bureau negotiated with suppliers, in force from their effective date."
    ),
    url_name="public:negotiation_results",
    order=30,
    icon="chat-square-dots",
)
register_part(
    key="tender_results",
    title=_("Tender results"),
    description=_("Volume-based procurement: winners, winning prices and payment standards."),
    url_name="public:tender_results",
    order=40,
    icon="trophy",
)
