"""Paging for very large tables (the national catalogue has millions of rows)."""

from __future__ import annotations

from functools import cached_property
from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counting every match of a broad search costs more than the page itself, and nobody
    pages past the first few hundred rows, so the count stops just past ``COUNT_CAP``."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not hasattr(rows, "values"):
            return len(rows)
        # No ordering and no annotations: the database may stop at the cap.
        return cast(QuerySet, rows).order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
