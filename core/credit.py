"""Supplier credit as procurement's purchase labels read it [R-LABELS] [R-CREDIT].

The label suggestion (procurement.selectors.labels) weighs the supplier's credit, which
supervision keeps (sanctions, score, confirmed quality reports) and procurement may not import.
So core keeps a registry, like core.restrictions: supervision registers a provider from its
``AppConfig.ready``::

    register_provider("supervision_credit", credit_label_verdict)

and procurement calls ``credit_verdict(organization_id=..., listing_id=..., consumable_id=...)``.
A provider answers a :class:`CreditVerdict`; the strictest answer wins; no provider registered
(core's own tests) means no effect. Decided at the time of asking: a sanction that expires
stops counting by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

NONE = "none"  # no rating, or a good one: no effect on the label
POOR = "poor"  # at most Restricted
BLACKLISTED = "blacklisted"  # Forbidden
_ORDER = (NONE, POOR, BLACKLISTED)


@dataclass(frozen=True)
class CreditVerdict:
    standing: str = NONE
    reasons: tuple[str, ...] = field(default_factory=tuple)


Provider = Callable[[int, int | None, int | None], CreditVerdict]

_PROVIDERS: dict[str, Provider] = {}


def register_provider(key: str, provider: Provider) -> Provider:
    """Register ``provider(organization_id, listing_id, consumable_id) -> CreditVerdict``; a
    key registered again is replaced."""
    _PROVIDERS[key] = provider
    return provider


def credit_verdict(
    *, organization_id: int, listing_id: int | None = None, consumable_id: int | None = None
) -> CreditVerdict:
    """The strictest standing the providers give the organisation (for the listing and its
    product, when given), with the reasons of every provider that found something."""
    standing = NONE
    reasons: list[str] = []
    for key in sorted(_PROVIDERS):
        verdict = _PROVIDERS[key](organization_id, listing_id, consumable_id)
        if verdict.standing not in _ORDER:
            raise ValueError(f"unknown credit standing {verdict.standing!r}")
        if _ORDER.index(verdict.standing) > _ORDER.index(standing):
            standing = verdict.standing
        reasons.extend(verdict.reasons)
    return CreditVerdict(standing=standing, reasons=tuple(reasons))
