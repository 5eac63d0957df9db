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

from django.conf import settings
from django.utils import translation

from accounts.choices import REGULATOR_KINDS
from accounts.models import User
from core.kept import kept_is_fresh, kept_keep, kept_read, kept_refresh
from core.permissions import can
from core.queue import enqueue_on_commit
from core.tenancy import AnyActor
from supervision.selectors import dashboard as selectors
from supervision.selectors.dashboard import Dashboard

REFRESH_TASK = "supervision.dashboard_refresh"
# Bump when the kept parts change shape, so that no worker reads another version's figures.
CACHE_VERSION = 2
# A refresh at full size takes minutes: the claim outlives it, so only one runs per scope.
REFRESH_CLAIM_SECONDS = 30 * 60


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


def dashboard_figures(
    *, actor: AnyActor, month: object = "", district: object = "", rate: object = ""
) -> Dashboard:
    """The dashboard the actor asked for (scope checked by the selector: a malformed month or
    district 400, a district outside the jurisdiction 403), its figures from the cache: kept
    ones (their time in ``computed_at``; stale ones queue one refresh), else computed now."""
    board = selectors.dashboard(actor=actor, month=month, district=district, rate=rate)

    def refresh() -> None:
        enqueue_on_commit(
            REFRESH_TASK,
            user_id=board.actor.pk,
            month=board.scope.month_value,
            district=board.scope.district,
            rate=board.rank_rate,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )

    parts, at = kept_read(
        _key(board),
        compute=board.parts,
        max_age=_max_age(),
        refresh=refresh,
        claim_seconds=REFRESH_CLAIM_SECONDS,
    )
    board.load(parts, computed_at=at)
    return board


def dashboard_refresh(*, user_id: int, month: str, district: str, rate: str, language: str) -> bool:
    """Compute and keep one scope's figures as this person sees them (the worker's half of
    ``dashboard_figures``); ``False`` when the person may no longer read the dashboard."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organization").first()
    if user is None or not can(user, "dashboard.view"):
        return False
    with translation.override(language):
        board = selectors.dashboard(actor=user, month=month, district=district, rate=rate)
        kept_refresh(_key(board), board.parts)
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
            if kept_is_fresh(key, _max_age()):
                continue
            kept_keep(key, board.parts)
            done += 1
    return done
