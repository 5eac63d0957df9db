"""Restrictions on trading: may this organisation (or this listing) take part now?

Procurement's services ask before they let a listing be ordered, a delivery be shipped or a
bid be placed; who answers lives in apps to its right (supervision's sanctions [R-CREDIT]),
which procurement may not import. So core keeps a registry, the way the home page's cards are
registered (core.home): an app registers a provider from its ``AppConfig.ready``::

    register_provider("credit_sanctions", sanction_refusals)

and procurement calls ``restriction_check(ORDER_LISTING, organization_id=..., listing_id=...)``
(one subject) or ``restriction_refusals(ORDER_LISTING, subjects)`` (a cart's lines in one go).
A provider answers, for the subjects it refuses, the :class:`core.errors.DomainError` to
raise; no provider registered (core's own tests) refuses nothing.

What is restricted is always decided at the time of asking (the provider reads "now"), so a
restriction that ends ends by itself: no task lifts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from core.errors import DomainError

# What may be restricted. The subject's organisation is, for each kind:
ORDER_LISTING = "order_listing"  # the listing's manufacturer (cart, quote, order create/submit)
DELIVERY = "delivery"  # the carrier shipping a delivery
TENDER_BID = "tender_bid"  # the supplier bidding in a tender round
KINDS = frozenset({ORDER_LISTING, DELIVERY, TENDER_BID})


@dataclass(frozen=True)
class Subject:
    """Who (and, for a listing, which listing) would act."""

    organization_id: int
    listing_id: int | None = None


Provider = Callable[[str, frozenset[Subject]], Mapping[Subject, DomainError]]

_PROVIDERS: dict[str, Provider] = {}


def register_provider(key: str, provider: Provider) -> Provider:
    """Register ``provider(kind, subjects) -> {subject: error}``; a key registered again is
    replaced (tests reload modules)."""
    _PROVIDERS[key] = provider
    return provider


def registered_providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def restriction_refusals(kind: str, subjects: Iterable[Subject]) -> dict[Subject, DomainError]:
    """The refusal of each restricted subject (the first provider's, by key), none for the
    others."""
    if kind not in KINDS:
        raise KeyError(f"unknown restriction {kind!r}")
    wanted = frozenset(subjects)
    refused: dict[Subject, DomainError] = {}
    if not wanted:
        return refused
    for key in sorted(_PROVIDERS):
        for subject, error in _PROVIDERS[key](kind, wanted).items():
            refused.setdefault(subject, error)
    return refused


def restriction_check(kind: str, *, organization_id: int, listing_id: int | None = None) -> None:
    """Raise the refusal if ``organization_id`` (its ``listing_id``) is restricted for
    ``kind`` now."""
    subject = Subject(organization_id=organization_id, listing_id=listing_id)
    error = restriction_refusals(kind, [subject]).get(subject)
    if error is not None:
        raise error
