"""The home page's work queues: a registry of cards that each app fills with its own.

A card is a title, a count (and a money total where money is involved) and the link to the
list page, filtered so that it shows exactly the rows counted. Each app registers its cards in
a ``home_cards`` module imported from its ``AppConfig.ready`` (procurement/home_cards.py,
catalog/home_cards.py), so a new app (tenders, settlement, supervision) adds its own without
touching the home view::

    @register_card(key="order_drafts", title=_("Draft orders"), roles={Role...}, order=10)
    def order_drafts(actor) -> CardQuery:
        return CardQuery(rows=order_list(actor=actor, status=["draft"]), url=...)

The card's function returns the rows the linked list would show (a queryset, from the app's
selector) and the link; the registry counts them (and sums ``amount`` where the card names a
money field) in a single query. ``applies`` narrows a card beyond the role (a manufacturer's
card not shown to a distributor's staff).

``keep_for`` marks a watch figure over a whole jurisdiction's trade (the bureau's invoices
awaiting settlement, its overdue payments): at a city's size one count is seconds of
aggregates over millions of invoices, so for the actors it names the figures are kept in the
cache for ``HOME_CARD_KEPT_SECONDS`` (the card says since when), stale ones are shown while
the worker refreshes them (``core.home_card_refresh``), and the list behind the card is live.
A person's own work queue is never kept: it is counted on every look. Kept figures are keyed
by the organisation, the roles and the day, which decide a card's rows.

core imports no app: the roles are plain strings here, the apps pass their own constants.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils.http import urlencode

from core import clock
from core.kept import kept_read, kept_refresh
from core.money import ZERO, quantize
from core.queue import enqueue_on_commit

REFRESH_TASK = "core.home_card_refresh"
# A refresh at full size takes seconds to a minute: one at a time per card and actor's rows.
REFRESH_CLAIM_SECONDS = 10 * 60


@dataclass(frozen=True)
class CardQuery:
    """What a card counts (the linked list's own rows) and where it links."""

    rows: QuerySet
    path: str
    params: dict[str, Any]

    @property
    def url(self) -> str:
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path


@dataclass(frozen=True)
class Card:
    key: str
    title: Any  # a lazy translation
    roles: frozenset[str]
    order: int
    query: Callable[[Any], CardQuery]
    amount_field: str | None = None
    applies: Callable[[Any], bool] | None = None
    keep_for: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class CardValue:
    """One card as the home page and GET /api/v1/home/ show it; ``as_of`` when the figures
    are kept ones (None: counted for this request)."""

    key: str
    title: str
    count: int
    amount: Decimal | None
    url: str
    as_of: dt.datetime | None = None


_CARDS: dict[str, Card] = {}


def register_card(
    *,
    key: str,
    title: Any,
    roles: Iterable[str],
    order: int,
    amount_field: str | None = None,
    applies: Callable[[Any], bool] | None = None,
    keep_for: Callable[[Any], bool] | None = None,
) -> Callable[[Callable[[Any], CardQuery]], Callable[[Any], CardQuery]]:
    """Register the decorated ``query(actor) -> CardQuery`` as a home card for ``roles``.
    ``order`` places it on the page (lower first); registering a key again replaces it (the
    modules are imported once per process, tests may reload them)."""

    def decorator(query: Callable[[Any], CardQuery]) -> Callable[[Any], CardQuery]:
        _CARDS[key] = Card(
            key=key,
            title=title,
            roles=frozenset(roles),
            order=order,
            query=query,
            amount_field=amount_field,
            applies=applies,
            keep_for=keep_for,
        )
        return query

    return decorator


def cards_for(actor) -> list[Card]:
    """The cards the actor's roles (and organisation) get, in page order."""
    roles = set(getattr(actor, "roles", ()) or ())
    return sorted(
        (
            card
            for card in _CARDS.values()
            if card.roles & roles and (card.applies is None or card.applies(actor))
        ),
        key=lambda card: (card.order, card.key),
    )


def _count(card: Card, rows: QuerySet) -> tuple[int, Decimal | None]:
    if card.amount_field:
        figures = rows.aggregate(count=Count("pk"), amount=Sum(card.amount_field))
        return figures["count"], quantize(figures["amount"] or ZERO)
    return rows.count(), None


def _kept_key(card: Card, actor) -> str:
    """The kept figures of ``card`` for what ``actor`` sees: a card's rows are decided by the
    organisation and the roles (selectors scope by them), and by the day (cards that count
    "this month" or "overdue as of today")."""
    org = getattr(actor, "organization_id", None) or 0
    roles = ",".join(sorted(getattr(actor, "roles", ()) or ()))
    text = f"{card.key}|{org}|{roles}|{clock.local_today().isoformat()}"
    return f"home:card:v2:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def watches_jurisdiction(actor) -> bool:
    """``keep_for`` of the regulators' watch cards: a bureau's or agency's staff, whose card
    counts a whole jurisdiction's trade (a hospital's or supplier's count of its own rows is
    never kept)."""
    return bool(getattr(getattr(actor, "organization", None), "is_regulator", False))


def card_value(card: Card, actor) -> CardValue:
    """Count the card's rows (and sum its amounts) in one query, or read the kept figures of
    a watch card (``keep_for``)."""
    query = card.query(actor)
    rows = query.rows.order_by()
    title = str(card.title)
    if card.keep_for is None or not card.keep_for(actor):
        count, amount = _count(card, rows)
        return CardValue(key=card.key, title=title, count=count, amount=amount, url=query.url)
    (count, amount), at = kept_read(
        _kept_key(card, actor),
        compute=lambda: _count(card, rows),
        max_age=dt.timedelta(seconds=settings.HOME_CARD_KEPT_SECONDS),
        refresh=lambda: enqueue_on_commit(REFRESH_TASK, card_key=card.key, user_id=actor.pk),
        claim_seconds=REFRESH_CLAIM_SECONDS,
    )
    return CardValue(key=card.key, title=title, count=count, amount=amount, url=query.url, as_of=at)


def card_refresh(card_key: str, actor) -> bool:
    """Count a kept card again for this actor and keep the figures (the worker's half of
    ``card_value``); ``False`` if the actor no longer gets the card."""
    card = _CARDS.get(card_key)
    if card is None or card not in cards_for(actor) or card.keep_for is None:
        return False
    rows = card.query(actor).rows.order_by()
    kept_refresh(_kept_key(card, actor), lambda: _count(card, rows))
    return True


def home_cards(*, actor) -> list[CardValue]:
    """Every card of the actor's home with its figures: one query per card."""
    return [card_value(card, actor) for card in cards_for(actor)]


def registered_cards() -> dict[str, Card]:
    """The registry, for tests and the documentation."""
    return dict(_CARDS)


# ---------------------------------------------------------------------------------------------
# Panels: a larger block above the cards (the bureau's dashboard, a hospital's own five rates),
# loaded by htmx from the app's own URL so that home stays fast and core imports no app.


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any  # a lazy translation
    roles: frozenset[str]
    url_name: str  # the URL (name) the panel's HTML fragment is loaded from
    order: int = 0
    applies: Callable[[Any], bool] | None = None


_PANELS: dict[str, Panel] = {}


def register_panel(
    *,
    key: str,
    title: Any,
    roles: Iterable[str],
    url_name: str,
    order: int = 0,
    applies: Callable[[Any], bool] | None = None,
) -> Panel:
    """Show the fragment at ``url_name`` (reversed, GET, htmx) on the home of ``roles``."""
    panel = Panel(
        key=key,
        title=title,
        roles=frozenset(roles),
        url_name=url_name,
        order=order,
        applies=applies,
    )
    _PANELS[key] = panel
    return panel


def panels_for(actor) -> list[dict[str, str]]:
    """The panels of the actor's home, in page order, each as key, title and URL."""
    from django.urls import reverse

    roles = set(getattr(actor, "roles", ()) or ())
    chosen = sorted(
        (
            panel
            for panel in _PANELS.values()
            if panel.roles & roles and (panel.applies is None or panel.applies(actor))
        ),
        key=lambda panel: (panel.order, panel.key),
    )
    return [
        {"key": panel.key, "title": str(panel.title), "url": reverse(panel.url_name)}
        for panel in chosen
    ]


def registered_panels() -> dict[str, Panel]:
    return dict(_PANELS)
