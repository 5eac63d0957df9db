"""Exports prepared in the background (core.export_jobs, procurement.exports): started from a
list page or the API, written by the worker (eager here: the task runs when the request's
transaction commits), downloaded by the requester only. The file holds the list's rows with
the list's filters and scope; every export states its row limit; a bad filter is a 4xx and no
job; a job whose worker died reads as failed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from core import clock, export_jobs, exports
from core.export_jobs import ExportJob, ExportStatus
from core.money import quantize
from core.tests.helpers import browser, client_for
from procurement.choices import InvoiceStatus
from procurement.exports import invoice_export_rows
from procurement.services import usage
from procurement.tests.order_world import (
    gs1,
    invoiced,
    make_world,
    patient_hash,
    shipped,
    submitted,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_world()


def workbook(content: bytes):
    return load_workbook(BytesIO(content))


def rows_of(content: bytes) -> list[tuple]:
    return list(workbook(content).active.iter_rows(values_only=True))


def start(page, kind: str, capture, **filters) -> ExportJob:
    """The list's export button, as htmx posts it; the task runs once the request commits."""
    with capture(execute=True):
        response = page.post(reverse("core:export_start", args=[kind]), filters, **HTMX)
    assert response.status_code == 200, response.content
    job = ExportJob.objects.latest("pk")
    assert f'id="export-job-{job.pk}"' in response.content.decode()
    return job


def download(page, job: ExportJob) -> bytes:
    response = page.get(reverse("core:export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def test_an_order_export_runs_to_a_download_holding_exactly_the_lists_rows(
    w, django_capture_on_commit_callbacks
):
    """The purchaser filters the order list (submitted orders), exports, and downloads the
    file: the same orders as the list, newest first, in a named sheet with a frozen header,
    fitted columns and the total as a number with cents."""
    orders = [submitted(w, quantity=n) for n in (1, 2, 3)]
    page = browser(w.purchaser)
    listed = page.get(reverse("procurement:order_list"), {"status": "submitted"})
    shown = [o.number for o in listed.context["page"]]
    assert sorted(shown) == sorted(o.number for o in orders)

    job = start(page, "orders", django_capture_on_commit_callbacks, status="submitted")
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED
    assert job.created_by == w.purchaser
    assert job.filters == {"status": "submitted"}
    assert (job.rows_total, job.rows_done) == (3, 3)

    ready = page.get(reverse("core:export_job_progress", args=[job.pk])).content.decode()
    assert reverse("core:export_job_download", args=[job.pk]) in ready
    assert "hx-trigger" not in ready  # finished: the page stops polling

    book = workbook(download(page, job))
    assert book.sheetnames == ["订单"]
    sheet = book["订单"]
    assert sheet.freeze_panes == "A2"
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == shown
    total = sheet.cell(row=2, column=11)
    # The sheet holds a number (Excel's own is binary floating point); read back as an amount.
    assert quantize(Decimal(str(total.value))) == orders[-1].total
    assert total.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=9).value == 1  # lines
    assert sheet.cell(row=2, column=10).value == w.listing.consumable.product_name


def test_the_background_file_equals_the_lists_own_export(w, django_capture_on_commit_callbacks):
    """The job and the list page's ``?export=xlsx`` write the same rows, for each list."""
    invoiced(w)
    shipped(w, quantity=4)
    page = browser(w.sales)
    usage.usage_record(
        actor=w.purchaser,
        records=[
            {
                "barcode": gs1(w.di, serial="SN-0001"),
                "operation_id": "OP-0001",
                "doctor_code": "D001",
                "department": "心内科",
                "patient_hash": patient_hash(),
                "used_at": clock.now() - dt.timedelta(hours=1),
            }
        ],
    )
    for user, kind, list_name in [
        (w.sales, "orders", "order_list"),
        (w.sales, "delivery_lines", "delivery_list"),
        (w.sales, "invoices", "invoice_list"),
        (w.sales, "listings", "listing_list"),
        (w.purchaser, "listings", "listing_list"),
        (w.purchaser, "usage_records", "usage_list"),
    ]:
        page = browser(user)
        now = page.get(reverse(f"procurement:{list_name}"), {"export": "xlsx"})
        job = start(page, kind, django_capture_on_commit_callbacks)
        written = rows_of(download(page, job))
        assert written == rows_of(now.content), kind
        assert len(written) > 1, kind


def test_delivery_lines_export_writes_a_row_per_line_of_the_listed_notes(
    w, django_capture_on_commit_callbacks
):
    """Filtered to one order, as the list is: that order's note and only its lines."""
    order, delivery = shipped(w, quantity=5)
    shipped(w, quantity=7)
    page = browser(w.purchaser)
    job = start(page, "delivery_lines", django_capture_on_commit_callbacks, order=str(order.pk))
    rows = rows_of(download(page, job))
    assert [(r[0], r[1], r[9], r[10]) for r in rows[1:]] == [
        (delivery.number, order.number, 5, w.di)
    ]


def test_hospital_finance_exports_its_default_tab_the_invoices_to_confirm(
    w, django_capture_on_commit_callbacks
):
    """The finance list opens on registered invoices; its export (no status given) too, and
    ``status=all`` exports every invoice."""
    _order, invoice = invoiced(w)
    _other, confirmed = invoiced(w, number="144031900111-00000002")
    confirmed.status = InvoiceStatus.CONFIRMED
    confirmed.save(update_fields=["status"])
    page = browser(w.finance)
    job = start(page, "invoices", django_capture_on_commit_callbacks)
    assert [r[0] for r in rows_of(download(page, job))[1:]] == [invoice.number]
    everything = start(page, "invoices", django_capture_on_commit_callbacks, status="all")
    numbers = {r[0] for r in rows_of(download(page, everything))[1:]}
    assert numbers == {invoice.number, confirmed.number}


def test_the_invoice_export_reads_only_the_columns_it_writes(w):
    """No invoice line is loaded (the list page prefetches them; the export writes none), and
    the one SELECT of invoices names only the written columns."""
    for n in range(3):
        invoiced(w, number=f"144031900111-0000000{n}")
    data = invoice_export_rows(w.sales, {"status": "all"})
    with CaptureQueriesContext(connection) as queries:
        written = exports.xlsx_bytes([str(h) for h in data.headers], data.rows, "发票")
    assert len(rows_of(written)) == 4
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "procurement_invoiceline" in s]
    (select,) = [
        s
        for s in sql
        if "procurement_invoice" in s and s.lstrip().startswith(("SELECT", "DECLARE"))
    ]
    columns = select.split(" FROM ")[0]
    assert '"procurement_invoice"."amount"' in columns
    for unwritten in ("created_by_id", "confirmed_by_id", '"procurement_invoice"."id"'):
        assert unwritten not in columns


def test_only_the_requester_sees_or_downloads_an_export(w, django_capture_on_commit_callbacks):
    """A colleague of the same hospital, another hospital's purchaser and the supplier all get
    404 on the job's page, progress, download and API: the filters and rows are the
    requester's."""
    invoiced(w)
    job = start(browser(w.purchaser), "orders", django_capture_on_commit_callbacks)
    colleague = UserFactory(organization=w.hospital, roles=[Role.HOSPITAL_PURCHASER])
    for stranger in (colleague, w.other_purchaser, w.sales):
        page = browser(stranger)
        for name in ("core:export_job", "core:export_job_progress", "core:export_job_download"):
            assert page.get(reverse(name, args=[job.pk])).status_code == 404, (stranger, name)
        api = client_for(stranger)
        assert api.get(reverse("api:export_job", args=[job.pk])).status_code == 404
        assert api.get(reverse("api:export_job_download", args=[job.pk])).status_code == 404
        assert job.pk not in [j.pk for j in page.get(reverse("core:export_jobs")).context["page"]]


def test_another_hospitals_orders_never_reach_the_file(w, django_capture_on_commit_callbacks):
    """The job re-reads the list as the requester: the other hospital's export is empty."""
    invoiced(w)
    page = browser(w.other_purchaser)
    job = start(page, "orders", django_capture_on_commit_callbacks)
    assert rows_of(download(page, job))[1:] == []


def test_the_progress_shows_the_rows_written_while_the_export_runs(
    w, monkeypatch, django_capture_on_commit_callbacks
):
    """Polled while the worker writes, the job says how far it got (rows_done of rows_total),
    and the progress partial keeps polling until it is ready."""
    for n in (1, 2, 3):
        submitted(w, quantity=n)
    page = browser(w.purchaser)
    api = client_for(w.purchaser)
    seen: list[tuple[int, int, str]] = []
    partials: list[str] = []
    real_progress = export_jobs._progress

    def progress_then_poll(job, **fields):
        real_progress(job, **fields)
        body = api.get(reverse("api:export_job", args=[job.pk])).json()
        seen.append((body["rows_done"], body["rows_total"], body["status"]))
        partials.append(
            page.get(reverse("core:export_job_progress", args=[job.pk])).content.decode()
        )

    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(export_jobs, "_progress", progress_then_poll)
    job = start(page, "orders", django_capture_on_commit_callbacks)
    assert seen == [(0, 3, "running"), (1, 3, "running"), (2, 3, "running"), (3, 3, "running")]
    assert "已写入 2 / 3 行" in partials[2]
    assert 'hx-trigger="every 1s"' in partials[2]
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED


def test_every_export_states_its_row_limit_and_a_bigger_list_fails_saying_why(
    w, monkeypatch, django_capture_on_commit_callbacks
):
    """Next to each export button: its limit and the reason. A list over a background
    export's limit fails with the limit and the reason; a page's quick export over its own
    limit is a 400, with nothing written."""
    for n in (1, 2):
        submitted(w, quantity=n)
    page = browser(w.purchaser)
    html = page.get(reverse("procurement:order_list")).content.decode()
    assert "1,048,575" in html  # the background export: what an Excel sheet holds
    prices = page.get(reverse("procurement:agreed_price_list")).content.decode()
    assert "10,000" in prices  # a quick export, built while the user waits

    small = dataclasses.replace(exports.EXPORTS["orders"], limit=1)
    monkeypatch.setitem(exports.EXPORTS, "orders", small)
    job = start(page, "orders", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == str(
        exports.ExportTooLargeError(limit="1", reason=str(exports.EXCEL_LIMIT_REASON)).message
    )
    assert "Excel" in job.error or "Excel" in str(exports.EXCEL_LIMIT_REASON)
    assert not job.file
    assert page.get(reverse("core:export_job_download", args=[job.pk])).status_code == 409

    response = page.get(reverse("procurement:agreed_price_list"), {"export": "xlsx"})
    assert response.status_code == 200
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 1)
    response = page.get(reverse("procurement:order_list"), {"export": "xlsx"})
    assert response.status_code == 400
    assert response.context["error"].code == "export_too_large"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "orders", "filters": {"status": "bogus"}}, "status"),
        ({"kind": "orders", "filters": {"date_from": "2026-13-45"}}, "date_from"),
        ({"kind": "orders", "filters": {"counterpart": "x"}}, "counterpart"),
        ({"kind": "orders", "filters": {"colour": "red"}}, "colour"),
        ({"kind": "delivery_lines", "filters": {"returned": "maybe"}}, "returned"),
        ({"kind": "nope"}, "kind"),
        ({"kind": "orders", "filters": "status=x"}, "filters"),
    ],
)
def test_a_bad_filter_is_refused_with_a_4xx_and_no_job(w, body, field):
    response = client_for(w.purchaser).post(reverse("api:export_job_start"), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["extra"]["fields"]
    assert not ExportJob.objects.exists()


def test_a_bad_filter_from_the_page_is_a_4xx_or_a_message_in_the_panel(w):
    page = browser(w.purchaser)
    plain = page.post(reverse("core:export_start", args=["orders"]), {"status": "bogus"})
    assert plain.status_code == 400
    panel = page.post(reverse("core:export_start", args=["orders"]), {"date_to": "x"}, **HTMX)
    assert 'data-export-error="invalid"' in panel.content.decode()
    assert not ExportJob.objects.exists()


def test_the_api_starts_an_export_reports_it_and_serves_its_file(
    w, django_capture_on_commit_callbacks
):
    """POST -> 202 with the job's URL; GET the job; GET its file once ready (409 before)."""
    order = submitted(w)
    api = client_for(w.purchaser)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api.post(
            reverse("api:export_job_start"),
            {"kind": "orders", "filters": {"number": order.number}},
            format="json",
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["row_limit"] == exports.EXCEL_MAX_ROWS
    assert body["url"] == reverse("api:export_job", args=[body["id"]])
    early = api.get(reverse("api:export_job_download", args=[body["id"]]))
    assert early.status_code == 409
    assert early.json()["code"] == "export_not_ready"
    for callback in queued:
        callback()
    done = api.get(body["url"]).json()
    assert done["status"] == "succeeded"
    assert done["rows_done"] == 1
    file = api.get(done["download_url"])
    assert file.status_code == 200
    assert rows_of(b"".join(file.streaming_content))[1][0] == order.number


def test_a_job_whose_worker_died_reads_as_failed_and_is_not_run_again(
    w, django_capture_on_commit_callbacks
):
    """[killed worker] A job left "running" by a worker that died (its heartbeat stopped more
    than TASK_HEARTBEAT_LIMIT_S ago) is failed by the next read of it, with a message to
    start it again; not retried: the redelivered message finds it claimed and does nothing.
    A job whose heartbeat is fresh stays running."""
    submitted(w)
    page = browser(w.purchaser)
    with django_capture_on_commit_callbacks(execute=False):
        page.post(reverse("core:export_start", args=["orders"]), {}, **HTMX)
        page.post(reverse("core:export_start", args=["orders"]), {}, **HTMX)
    dead, alive = ExportJob.objects.order_by("pk")
    ExportJob.objects.filter(pk=dead.pk).update(
        status=ExportStatus.RUNNING, heartbeat_at=Now() - dt.timedelta(minutes=10)
    )
    ExportJob.objects.filter(pk=alive.pk).update(status=ExportStatus.RUNNING, heartbeat_at=Now())

    body = client_for(w.purchaser).get(reverse("api:export_job", args=[dead.pk])).json()
    assert body["status"] == "failed"
    assert body["error"] == str(export_jobs.WORKER_LOST)
    failed_page = page.get(reverse("core:export_job", args=[dead.pk])).content.decode()
    assert f'href="{reverse("procurement:order_list")}" data-export-list' in failed_page
    assert page.get(reverse("core:export_job", args=[alive.pk])).context["job"].status == "running"

    export_jobs.export_job_run(job_id=dead.pk)  # the broker's redelivery
    dead.refresh_from_db()
    assert dead.status == ExportStatus.FAILED
    assert not dead.file
    # The beat's sweep fails the other once its heartbeat is old too.
    ExportJob.objects.filter(pk=alive.pk).update(
        heartbeat_at=F("heartbeat_at") - dt.timedelta(hours=1)
    )
    assert export_jobs.export_jobs_fail_stale() == 1


def test_finished_exports_are_deleted_with_their_files_after_the_retention(
    w, settings, django_capture_on_commit_callbacks
):
    submitted(w)
    page = browser(w.purchaser)
    old = start(page, "orders", django_capture_on_commit_callbacks)
    recent = start(page, "orders", django_capture_on_commit_callbacks)
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(
        finished_at=Now() - dt.timedelta(hours=settings.EXPORT_RETENTION_H + 1)
    )
    assert export_jobs.export_jobs_purge() == 1
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not Path(path).exists()
    assert ExportJob.objects.filter(pk=recent.pk).exists()


def test_the_counterpart_filter_takes_only_the_lists_own_counterparts(
    w, django_capture_on_commit_callbacks
):
    """The list offers the suppliers of the hospital's own orders; the export filters by one
    of them, and refuses any other organisation (400) rather than export an empty file."""
    order = submitted(w)
    page = browser(w.purchaser)
    job = start(
        page, "orders", django_capture_on_commit_callbacks, counterpart=str(w.manufacturer.pk)
    )
    assert [r[0] for r in rows_of(download(page, job))[1:]] == [order.number]
    api = client_for(w.purchaser)
    stranger = {"kind": "orders", "filters": {"counterpart": str(w.other_hospital.pk)}}
    response = api.post(reverse("api:export_job_start"), stranger, format="json")
    assert response.status_code == 400
    assert "counterpart" in response.json()["extra"]["fields"]


def test_a_person_has_a_few_exports_in_progress_at_a_time(w, settings):
    """The worker is shared: a fourth export while three wait is refused (409), and accepted
    again once one of them is done."""
    settings.EXPORT_MAX_ACTIVE = 3
    api = client_for(w.purchaser)
    body = {"kind": "orders", "filters": {}}
    for _ in range(3):
        assert api.post(reverse("api:export_job_start"), body, format="json").status_code == 202
    busy = api.post(reverse("api:export_job_start"), body, format="json")
    assert busy.status_code == 409
    assert busy.json()["code"] == "exports_busy"
    ExportJob.objects.filter(pk=ExportJob.objects.latest("pk").pk).update(
        status=ExportStatus.SUCCEEDED
    )
    assert api.post(reverse("api:export_job_start"), body, format="json").status_code == 202
    # Someone else's exports do not count against this person.
    other = client_for(w.finance).post(reverse("api:export_job_start"), body, format="json")
    assert other.status_code == 202


def test_the_ready_tab_lists_the_files_still_there_to_fetch(w, django_capture_on_commit_callbacks):
    """The home card "exports ready" links here: a finished file is listed, a failed export
    and a purged one are not; an unknown status is a 400 that says which ones exist."""
    invoiced(w)
    page = browser(w.purchaser)
    ready = start(page, "orders", django_capture_on_commit_callbacks)
    failed = start(page, "orders", django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=failed.pk).update(status=ExportStatus.FAILED, file="")
    purged = start(page, "orders", django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=purged.pk).update(file="")
    listed = page.get(reverse("core:export_jobs"), {"status": "succeeded"}).context["page"]
    assert [job.pk for job in listed] == [ready.pk]
    assert len(page.get(reverse("core:export_jobs")).context["page"]) == 3
    response = page.get(reverse("core:export_jobs"), {"status": "done"})
    assert response.status_code == 400
    assert "succeeded" in response.content.decode()
