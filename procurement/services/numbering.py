"""Human-readable document numbers: PO20261122-000123 for orders, DN20261122-000456 for
delivery notes.

The running part is the row's own primary key, drawn from the table's identity sequence
before the insert. A sequence never hands out a value twice, even to concurrent transactions,
so numbers are unique without a lock or a retry loop; a rolled-back transaction leaves a gap,
which is harmless (the numbers only need to be unique and readable, not dense). The date is
the day in Asia/Shanghai, the day people see on the printed document.
"""

from __future__ import annotations

from django.db import connection, models

from core import clock

ORDER_PREFIX = "PO"
DELIVERY_PREFIX = "DN"


def next_number(model: type[models.Model], prefix: str) -> tuple[int, str]:
    """Reserve the next primary key of ``model`` and build its number from it.

    The caller creates the row with ``pk=`` the returned key (``objects.create`` forces an
    INSERT), so the key and the number always agree.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s))",
            [model._meta.db_table, model._meta.pk.column],
        )
        pk = cursor.fetchone()[0]
    return pk, format_number(prefix, pk)


def format_number(prefix: str, pk: int) -> str:
    return f"{prefix}{clock.local_today():%Y%m%d}-{pk:06d}"
