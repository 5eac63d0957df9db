"""core.bulk.copy_insert: the rows COPY writes read back as bulk_create's would."""

from __future__ import annotations

import pytest
from django.db import connection

from core import clock
from core.bulk import copy_insert
from core.export_jobs import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db


def test_copied_rows_read_back_with_every_value_and_their_defaults(django_user_model):
    user = django_user_model.objects.create(username="copier")
    before = clock.now()
    made = copy_insert(
        ExportJob,
        [
            ExportJob(kind="orders", created_by=user, file_name="a.xlsx", filters={"q": "支架"}),
            ExportJob(
                kind="invoices",
                created_by=user,
                file_name="b.xlsx",
                status=ExportStatus.FAILED,
                error="line 1\tline 2\nwith a tab, a newline and a \\ backslash",
                rows_total=3,
            ),
        ],
    )
    assert made == 2
    first, second = ExportJob.objects.order_by("pk")
    assert (first.kind, first.status, first.filters) == ("orders", "queued", {"q": "支架"})
    assert first.created_at >= before  # auto_now_add ran
    assert second.error == "line 1\tline 2\nwith a tab, a newline and a \\ backslash"
    assert (second.status, second.rows_total, second.started_at) == ("failed", 3, None)


def test_a_refused_row_writes_none_of_them(django_user_model):
    """COPY is one statement: a row the database refuses takes the others with it."""
    from django.db import IntegrityError, transaction

    user = django_user_model.objects.create(username="copier")
    rows = [ExportJob(kind="orders", created_by=user, file_name="a.xlsx")]
    rows.append(ExportJob(kind="orders", created_by_id=user.pk + 1000, file_name="b.xlsx"))

    def copy_and_check() -> None:
        with transaction.atomic():
            copy_insert(ExportJob, rows)
            connection.check_constraints()

    with pytest.raises(IntegrityError):
        copy_and_check()
    assert ExportJob.objects.count() == 0
