"""Figures too costly to compute on every look, kept in the cache (stale while revalidating):
the bureau dashboard's figures (supervision/services/dashboard.py) and the regulators' watch
cards of the home page (core/home.py).

``kept_read`` returns the kept value and when it was computed; a missing one is computed
now; one older than ``max_age`` is still returned, and ``refresh`` is called once (it queues
the worker's ``kept_refresh``) until that refresh has run or its claim has expired, so a
refresh that died releases the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from core import clock

T = TypeVar("T")

# Kept values are served, stale or not, until refreshed or this long unread.
KEEP_SECONDS = 7 * 24 * 3600


def _claim(key: str) -> str:
    return f"{key}:refresh"


def kept_keep(key: str, compute: Callable[[], T]) -> tuple[T, dt.datetime]:
    """Compute the value now and keep it."""
    value = compute()
    at = clock.now()
    cache.set(key, {"at": at, "value": value}, timeout=KEEP_SECONDS)
    return value, at


def kept_read(
    key: str,
    *,
    compute: Callable[[], T],
    max_age: dt.timedelta,
    refresh: Callable[[], None],
    claim_seconds: int,
) -> tuple[T, dt.datetime]:
    """The kept value and its time; computed now when missing; when stale, ``refresh`` is
    called once per ``claim_seconds`` (the claim outlives a full-size refresh)."""
    found = cache.get(key)
    if found is None:
        return kept_keep(key, compute)
    if clock.now() - found["at"] >= max_age and cache.add(_claim(key), 1, timeout=claim_seconds):
        refresh()
    return found["value"], found["at"]


def kept_refresh(key: str, compute: Callable[[], T]) -> tuple[T, dt.datetime]:
    """The worker's half: compute and keep, then release the claim."""
    try:
        return kept_keep(key, compute)
    finally:
        cache.delete(_claim(key))


def kept_is_fresh(key: str, max_age: dt.timedelta) -> bool:
    found = cache.get(key)
    return found is not None and clock.now() - found["at"] < max_age
