"""JSON documents built by PostgreSQL, for the API's hottest reads.

A page of 50 orders with their lines is about 150 KB of JSON. Building it as model instances,
then dicts, then text cost several times the queries themselves (make bench: api_order_list).
PostgreSQL builds it in one pass beside the data (``json_agg`` over rows whose columns are the
keys), and the view sends the text as it comes (``JsonTextResponse``).

The shape is not written twice: a document's keys are a DRF output serializer's declared
``Meta.fields`` (which also drive the OpenAPI schema), and each value is formatted the way DRF
formats that model field: decimals as strings with the column's two places, date-times through
``yg_isoformat`` (core migration 0002) in the current time zone, dates in ISO form, foreign keys
as ids. Each document has a test that pins it equal to the serializer's generic output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import psycopg
from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.http import HttpResponse

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
_ALIAS = re.compile(r"^[a-z_][a-z0-9_.]*$")


def column_json(field: models.Field, alias: str, *, tz: str) -> str:
    """The SQL expression giving ``field``'s value as DRF's ModelSerializer would output it."""
    column = f'{alias}."{field.column}"'
    if isinstance(field, models.DecimalField):
        # numeric(p, s)::text keeps the column's scale: 700 -> '700.00', as DRF quantizes.
        return f"({column})::text"
    if isinstance(field, models.DateTimeField):
        return f"yg_isoformat({column}, {tz})"
    return column


def json_object(pairs: Iterable[tuple[str, str]], *, when: str | None = None) -> str:
    """A row whose JSON form is ``{"key": value, ...}``, keys in the given order, for
    ``json_agg`` or as a column of an enclosing row. Rows convert to compact JSON and measured
    about a quarter faster than ``json_build_object``. With ``when``, the row exists only when
    that condition holds, and is JSON null otherwise (a LEFT JOINed party)."""
    pairs = list(pairs)
    for key, _expr in pairs:
        if not _KEY.match(key):
            raise ValueError(f"not a plain key: {key!r}")
    columns = ", ".join(f'{expr} AS "{key}"' for key, expr in pairs)
    where = f" WHERE {when}" if when else ""
    return f"(SELECT r FROM (SELECT {columns}{where}) r)"  # noqa: S608  names from our code


def model_object(
    model: type[models.Model],
    fields: Iterable[str],
    alias: str,
    *,
    tz: str,
    overrides: Mapping[str, str] | None = None,
    when: str | None = None,
) -> str:
    """One JSON object of ``model`` fields read from the table aliased ``alias``; ``overrides``
    gives the expression of the keys that are not plain columns (nested objects, lists)."""
    if not _ALIAS.match(alias):
        raise ValueError(f"not a plain alias: {alias!r}")
    overrides = overrides or {}
    pairs = []
    for name in fields:
        if name in overrides:
            pairs.append((name, overrides[name]))
        else:
            field = cast(models.Field, model._meta.get_field(name))  # a concrete column
            pairs.append((name, column_json(field, alias, tz=tz)))
    return json_object(pairs, when=when)


def serializer_object(serializer_class, alias: str, *, tz: str, nullable: bool = False) -> str:
    """A flat ModelSerializer (plain model fields only, e.g. a brief of an organisation) as a
    JSON object; ``nullable`` for a LEFT JOINed row that may be missing (-> JSON null)."""
    meta = serializer_class.Meta
    when = None
    if nullable:
        when = f'{alias}."{meta.model._meta.pk.column}" IS NOT NULL'
    return model_object(meta.model, meta.fields, alias, tz=tz, when=when)


class _PreparedCursor(psycopg.Cursor):
    """Server-side binding, and prepared on first use: the documents' SQL is long and the same
    on every request, so planning it (about 1 ms) would cost as much as running it. The rest of
    the project keeps Django's default client-side binding, which pghistory's context injection
    relies on; these reads are plain SELECTs, which pghistory leaves alone."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def fetch_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...]:
    """The one row of a prepared read on Django's connection (and transaction), through
    Django's cursor wrapper so that execute wrappers and query counting see it. The read
    must answer exactly one row (an aggregate does)."""
    connection.ensure_connection()
    raw = _PreparedCursor(connection.connection)
    wrapper = CursorDebugWrapper if connection.queries_logged else CursorWrapper
    with wrapper(raw, connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


class JsonTextResponse(HttpResponse):
    """A response whose body is JSON text already (built by PostgreSQL); ``data`` parses it
    back for the few callers that need the value (the idempotency store)."""

    def __init__(self, text: str, *, status: int = 200) -> None:
        super().__init__(text, status=status, content_type="application/json")

    @property
    def data(self):
        return json.loads(self.content)
