"""Substring search over Chinese product names without pg_trgm.

The embedded PostgreSQL ships without pg_trgm, and PostgreSQL's full-text search has no Chinese
parser. So each consumable stores the set of its searchable text's single characters and
character bigrams in a GIN-indexed array: a query's bigrams (a one-character query: that
character) must all be contained (``@>``, served by the index), then ILIKE confirms the
candidates (bigram containment does not guarantee adjacency).
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

SEARCHED_FIELDS = (
    "generic_name",
    "product_name",
    "registered_name",
    "specification",
    "model",
    "company_name",
    "code",
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case-fold and drop white space, so that '冠脉 支架' finds '冠脉支架'."""
    return _SPACE.sub("", text or "").casefold()


def bigrams(text: str) -> set[str]:
    text = normalise(text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def grams(text: str) -> set[str]:
    """The single characters and the bigrams of ``text``: what the index holds of it."""
    return set(normalise(text)) | bigrams(text)


def query_terms(word: str) -> list[str]:
    """The terms a word's matches must all hold: its bigrams, or its character if it has one."""
    return sorted(bigrams(word) or set(normalise(word)))


def search_terms(*texts: str) -> list[str]:
    """The value of ``Consumable.search_terms`` for these texts (sorted, for stable rows)."""
    terms: set[str] = set()
    for text in texts:
        terms |= grams(text)
    return sorted(terms)


def consumable_search_terms(row: dict | object) -> list[str]:
    get = row.get if isinstance(row, dict) else lambda name, default="": getattr(row, name, default)
    return search_terms(*(str(get(name, "") or "") for name in SEARCHED_FIELDS if name != "code"))


def filter_consumables(queryset: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return queryset
    if re.fullmatch(r"[Cc][0-9]{1,26}", q):
        return queryset.filter(code__startswith=q.upper())
    words = [w for w in q.split() if w]
    for word in words:
        terms = query_terms(word)
        if terms:
            queryset = queryset.filter(search_terms__contains=terms)
        text = Q()
        for field in SEARCHED_FIELDS:
            if field != "code":
                text |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(text)
    return queryset
