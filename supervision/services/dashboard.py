"""The bureau dashboard's figures, kept in the cache (docs/dashboard.md, "Freshness").

At a city's size (10,000,000 order lines, 2,000,000 invoices) computing the dashboard's
aggregates takes minutes of database time, far more than a page may: the figures of a scope
are computed once and kept in the cache (Redis), and every page, panel and API call of that
scope reads them, saying when they were computed. A scope's figures older than
``DASHBOARD_FIGURES_MAX_AGE_SECONDS`` are still shown, and one refresh is queued for the
worker (stale while revalidating); the beat task ``supervision.dashboard_warm`` refreshes the
default scope of every regulator organisation ahead of its people's first look. Only a scope
nobody has looked at yet is computed in the request.

A scope is the organisation (whose jurisdiction and permissions decide the figures), the
person's roles (which tiles they may read), the month, the district, the ranking's rate and
the language (tile titles and notes are translated when computed). The drill-down lists
behind each figure are live; a figure and its list agree once the figures are refreshed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.choices import REGULATOR_KINDS
from accounts.models import User
from core import clock
from core.permissions import can
from core.queue import enqueue_on_commit
from core.tenancy import AnyActor
from supervision.selectors import dashboard as selectors
from supervision.selectors.dashboard import Dashboard

REFRESH_TASK = "supervision.dashboard_refresh"
# Bump when the kept parts change shape, so that no worker reads another version's figures.
CACHE_VERSION = 1
# A refresh at full size takes minutes: the claim outlives it, so only one runs per scope;
# a refresh that died releases the scope when the claim expires.
REFRESH_CLAIM_SECONDS = 30 * 60
# Kept figures are served, stale or not, until they are refreshed or this long unread.
KEEP_SECONDS = 7 * 24 * 3600


def _key(board: Dashboard) -> str:
    actor = board.actor
    scope = board.scope
    roles = ",".join(sorted(actor.roles))
    parts = [
        str(actor.organization_id or 0),
        roles,
        scope.prefix,
        scope.district,
        scope.month_value,
        board.rank_rate,
        translation.get_language() or settings.LANGUAGE_CODE,
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"dashboard:v{CACHE_VERSION}:{digest}"


def _max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS)


def _compute_and_keep(board: Dashboard, key: str) -> None:
    parts = board.parts()  # every aggregate runs here
    at = clock.now()
    board.computed_at = at
    cache.set(key, {"at": at, "parts": parts}, timeout=KEEP_SECONDS)


def dashboard_figures(
    *, actor: AnyActor, month: object = "", district: object = "", rate: object = ""
) -> Dashboard:
    """The dashboard the actor asked for (scope checked by the selector: a malformed month or
    district 400, a district outside the jurisdiction 403), its figures from the cache: kept
    ones (their time in ``computed_at``; stale ones queue one refresh), else computed now."""
    board = selectors.dashboard(actor=actor, month=month, district=district, rate=rate)
    key = _key(board)
    kept: dict[str, Any] | None = cache.get(key)
    if kept is None:
        _compute_and_keep(board, key)
        return board
    board.load(kept["parts"], computed_at=kept["at"])
    if clock.now() - kept["at"] >= _max_age() and cache.add(
        f"{key}:refresh", 1, timeout=REFRESH_CLAIM_SECONDS
    ):
        enqueue_on_commit(
            REFRESH_TASK,
            user_id=board.actor.pk,
            month=board.scope.month_value,
            district=board.scope.district,
            rate=board.rank_rate,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    return board


def dashboard_refresh(*, user_id: int, month: str, district: str, rate: str, language: str) -> bool:
    """Compute and keep one scope's figures as this person sees them (the worker's half of
    ``dashboard_figures``); ``False`` when the person may no longer read the dashboard."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organization").first()
    if user is None or not can(user, "dashboard.view"):
        return False
    with translation.override(language):
        board = selectors.dashboard(actor=user, month=month, district=district, rate=rate)
        key = _key(board)
        try:
            _compute_and_keep(board, key)
        finally:
            cache.delete(f"{key}:refresh")
    return True


def dashboard_warm() -> int:
    """The beat task's work: the default scope (this month, the whole jurisdiction, the
    delivery rate, the site's language) of every regulator organisation and role set whose
    kept figures are missing or stale, computed now; returns how many were."""
    done = 0
    seen: set[str] = set()
    people = (
        User.objects.filter(
            is_active=True, organization__is_active=True, organization__kind__in=REGULATOR_KINDS
        )
        .select_related("organization")
        .order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for user in people.iterator():
            if not can(user, "dashboard.view"):
                continue
            board = selectors.dashboard(actor=user)
            key = _key(board)
            if key in seen:
                continue
            seen.add(key)
            kept = cache.get(key)
            if kept is not None and clock.now() - kept["at"] < _max_age():
                continue
            _compute_and_keep(board, key)
            done += 1
    return done
