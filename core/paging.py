"""Paging for very large tables (the national catalogue has millions of rows, a province's
orders, delivery notes and invoices hundreds of thousands).

Counts stop just past ``COUNT_CAP`` (one constant for every list: the catalogue search, the
order, delivery and invoice lists and their status tabs), shown as "1000+" by
``count_label``. Lists that grow without bound also page by keyset past the numbered pages
(``KeysetPage``): a page after or before a row named by an opaque cursor costs the same at
row 20 or row 200,000, and a row written meanwhile never shifts another onto the next page.
"""

from __future__ import annotations

import base64
import datetime as dt
from functools import cached_property
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

# 50 numbered pages of 20: a count or a status tab reads at most this many index entries
# (plus one); past it the pages go on by keyset.
COUNT_CAP = 1_000


def capped_count(rows: QuerySet, cap: int | None = None) -> int:
    """How many rows ``rows`` holds, counting no further than ``cap`` + 1 (default
    ``COUNT_CAP``): no ordering and no annotations, so the database may stop at the cap."""
    cap = COUNT_CAP if cap is None else cap
    return rows.order_by().values("pk")[: cap + 1].count()


def count_label(count: int, cap: int | None = None) -> str:
    """A capped count as shown: the number, or "<cap>+" past the cap."""
    cap = COUNT_CAP if cap is None else cap
    return f"{cap}+" if count > cap else str(count)


class CappedPaginator(Paginator):
    """Counting every match of a broad search costs more than the page itself, and nobody
    pages past the first few hundred rows, so the count stops just past ``COUNT_CAP``."""

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not hasattr(rows, "values"):
            return len(rows)
        return capped_count(cast(QuerySet, rows), self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return count_label(self.count, self.cap)


def encode_key(value: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{value.isoformat()}|{pk}".encode()).decode()


def decode_key(token: str) -> tuple[dt.datetime, int] | None:
    """The (time, id) a cursor names, or None for anything this module did not write."""
    try:
        text, _sep, pk = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        value = dt.datetime.fromisoformat(text)
    except (ValueError, UnicodeError):
        return None
    if value.tzinfo is None or not pk.isascii() or not pk.isdigit():
        return None
    return value, int(pk)


class KeysetPage:
    """A page of a list ordered newest first by (``key``, id), after or before a row.

    Quacks like the Django ``Page`` the list templates iterate (``object_list``,
    ``has_next``, ``paginator.count``...) and carries the cursors of its ``next`` and
    ``previous`` links (``after`` / ``before``)."""

    keyset = True

    def __init__(
        self,
        rows: QuerySet,
        *,
        key: str,
        size: int,
        after: tuple[dt.datetime, int] | None = None,
        before: tuple[dt.datetime, int] | None = None,
    ) -> None:
        self.paginator = CappedPaginator(rows, size)
        if before is not None:
            value, pk = before
            newer = rows.filter(**{f"{key}__gte": value}).filter(
                Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": pk})
            )
            found = list(newer.order_by(key, "id")[: size + 1])
            more_before = len(found) > size
            found = found[:size][::-1]
            more_after = True
        else:
            older = rows
            if after is not None:
                value, pk = after
                # The first condition alone is what lets the index range-scan from the cursor.
                older = rows.filter(**{f"{key}__lte": value}).filter(
                    Q(**{f"{key}__lt": value}) | Q(**{key: value, "id__lt": pk})
                )
            found = list(older.order_by(f"-{key}", "-id")[: size + 1])
            more_after = len(found) > size
            found = found[:size]
            more_before = after is not None
        self.object_list: list[Any] = found
        self.key = key
        self._more_before = more_before and bool(found)
        self._more_after = more_after and bool(found)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more_after

    def has_previous(self) -> bool:
        return self._more_before

    def has_other_pages(self) -> bool:
        return self._more_after or self._more_before

    @property
    def after(self) -> str:
        """The cursor of the next (older) page, "" when none."""
        if not self._more_after:
            return ""
        last = self.object_list[-1]
        return encode_key(getattr(last, self.key), last.pk)

    @property
    def before(self) -> str:
        """The cursor of the previous (newer) page, "" when none."""
        if not self._more_before:
            return ""
        first = self.object_list[0]
        return encode_key(getattr(first, self.key), first.pk)
