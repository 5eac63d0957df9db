"""Writing many new rows of one model at once through PostgreSQL's COPY.

``bulk_create`` sends its rows as parameters of INSERT statements (Django batches them under
the driver's parameter limit); for the tens of thousands of rows an opening or an import writes
in one transaction, COPY takes the same rows in one stream at a fraction of the cost. No
library fits: django-postgres-copy reads CSV files into models through psycopg2, and psycopg 3
already offers ``cursor.copy`` with typed rows, so this is that call with the model's columns.

Like ``bulk_create``: each field's ``pre_save`` runs (``auto_now_add`` and the like), values go
through ``get_db_prep_save``, and no ``save()`` or signal runs. Unlike it: the objects get no
primary keys back (callers that need them use ``bulk_create``), and a column with a database
default (``db_default``) always takes it. Row triggers do fire, so the
append-only and history triggers hold as for any insert.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models
from django.db.models.expressions import RawSQL

SERIAL = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
# Fields whose Python value is what the database stores and that fill nothing in on save:
# psycopg writes their attribute as it is. Any other field (dates with auto_now, JSON, files,
# custom fields) goes through its own pre_save and get_db_prep_save, as bulk_create does.
PLAIN = (
    models.IntegerField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.DecimalField,
    models.ForeignKey,
)


def copy_insert(model: type[models.Model], objs: Iterable[models.Model]) -> int:
    """Insert ``objs`` (new, unsaved instances of ``model``) with one COPY; return how many."""
    # The serial key and columns with a database default are the database's to fill.
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.get_internal_type() not in SERIAL and not field.has_db_default()
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    # A concrete field always has its column (only a virtual one has none).
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    count = 0
    sql = f"COPY {table} ({columns}) FROM STDIN"
    # Django's cursor wrapper hands COPY to the psycopg cursor (not part of the DB-API).
    plain = [type(field) in _plain_types(field) for field in fields]
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row(
                [
                    getattr(obj, field.attname)
                    if is_plain
                    else field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                    for field, is_plain in zip(fields, plain, strict=True)
                ]
            )
            count += 1
    return count


def _plain_types(field: models.Field) -> tuple[type, ...]:
    """The field's own class if it is one of PLAIN or a subclass that keeps their pre_save
    and value preparation (a subclass overriding either is not plain)."""
    if not isinstance(field, PLAIN):
        return ()
    cls = type(field)
    base = next(b for b in PLAIN if isinstance(field, b))
    keeps = all(
        getattr(cls, name) is getattr(base, name)
        for name in ("pre_save", "get_db_prep_save", "get_db_prep_value", "get_prep_value")
    )
    return (cls,) if keeps else ()


def id_array(ids: Iterable[int]) -> RawSQL:
    """``field__in=id_array(ids)``: the ids as one array parameter (``IN (SELECT unnest(…))``)
    rather than one placeholder each. For the tens of thousands of ids of a batch: psycopg
    splits a query at every placeholder on the client, and PostgreSQL parses each literal,
    which for 100,000 ids costs seconds; one array costs neither."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
