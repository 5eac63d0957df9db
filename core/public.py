"""The public section (阳光公开, no login) [R-DISCLOSE]: a registry of its parts.

Each app registers the parts it publishes (reference prices, listings, tender results; later
negotiation results and serious credit cases) from its ``AppConfig.ready``, the way the home
page's cards are registered (core.home); the index page (/public/) lists them in ``order``::

    register_part(key="listings", title=_("Listings"), url_name="public:listings", order=20,
                  description=_("Products on sale, with their purchase labels and prices."))

core imports no app: a part is its title, its page's URL name and a line saying what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class PublicPart:
    key: str
    title: Any  # lazy translations
    description: Any
    url_name: str
    order: int
    icon: str = "megaphone"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_PARTS: dict[str, PublicPart] = {}


def register_part(
    *, key: str, title: Any, description: Any, url_name: str, order: int, icon: str = "megaphone"
) -> PublicPart:
    part = PublicPart(
        key=key, title=title, description=description, url_name=url_name, order=order, icon=icon
    )
    _PARTS[key] = part
    return part


def public_parts() -> list[PublicPart]:
    """The parts of the public section, in the order the index shows them."""
    return sorted(_PARTS.values(), key=lambda part: (part.order, part.key))
