"""The nightly national-lowest-price sync (catalog/services/sync.py) [R-LIST-CATALOGUES].

Feeds are served by a real HTTP server on 127.0.0.1 started by the tests (no outside network).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import http.server
import os
import socket
import threading
from decimal import Decimal

import pghistory.models
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.functions import Now
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import user_with_role
from catalog.choices import ObjectionStatus, ReferencePriceStatus, SyncRunStatus
from catalog.models import (
    DeviceIdentifier,
    PriceObservation,
    ReferencePrice,
    ReferencePriceCut,
    SyncRun,
)
from catalog.services import prices as price_services
from catalog.services import sync as sync_module
from catalog.services.sync import FEED_COLUMNS, lowest_price_sync
from catalog.tests.factories import ConsumableFactory, PriceObjectionFactory, ReferencePriceFactory
from core import clock
from core.errors import DomainError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

S = ReferencePriceStatus
TODAY = dt.date(2025, 9, 30)
SEEN = "2025-09-29"
ENDS = dt.date(2025, 10, 14)  # 5 working days across the National Day holiday


@pytest.fixture(autouse=True)
def _own_lock_key(monkeypatch):
    """Another pytest process on the same test database (colleagues, CI shards) would hold the
    same advisory lock and turn our runs into SKIPPED ones: each process gets its own key. The
    lock test below still exercises the lock, within this process."""
    monkeypatch.setattr(sync_module, "LOCK_KEY", sync_module.LOCK_KEY + os.getpid())


# --- A local feed server ---------------------------------------------------------------------


class FeedServer:
    """Serves registered bodies; ``declared`` lets a response announce more bytes than it
    sends (a connection dropped mid-transfer)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, int | None]] = {}
        self.authorizations: list[str] = []
        routes, authorizations = self.routes, self.authorizations

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.headers.get("Authorization"):
                    authorizations.append(self.headers["Authorization"])
                if self.path not in routes:
                    self.send_error(404)
                    return
                body, declared = routes[self.path]
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(declared or len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def serve(self, path: str, body: bytes, *, declared: int | None = None) -> str:
        self.routes[path] = (body, declared)
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    feed_server = FeedServer()
    yield feed_server
    feed_server.stop()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.csv"


def feed_bytes(rows, *, trailer: bool = True, header=FEED_COLUMNS) -> bytes:
    lines = [",".join(header)]
    lines += [",".join(str(v) for v in row) for row in rows]
    if trailer:
        lines.append(f"#EOF rows={len(rows)}")
    return ("\n".join(lines) + "\n").encode()


def row(code: str, price: str, province: str = "440000", *, platform="广东省药品交易中心", udi=""):
    return (code, udi, province, platform, price, SEEN)


# --- The catalogue the feeds are about --------------------------------------------------------


@pytest.fixture
def catalogue():
    """Products with confirmed prices of 1000.00 (``first`` has none)."""
    products = {
        name: ConsumableFactory()
        for name in ("lower", "lower_b", "same", "higher", "first", "absent")
    }
    for name, consumable in products.items():
        if name != "first":
            ReferencePriceFactory(consumable=consumable, price=Decimal("1000.00"))
    return products


def nightly_rows(p) -> list[tuple]:
    """Four provinces per product; the lowest of each product decides."""
    rows = []
    for province, delta in (("440000", 0), ("320000", 25), ("330000", 50), ("110000", 75)):
        rows += [
            row(p["lower"].code, f"{900 + delta}.00", province),
            row(p["lower_b"].code, f"{950 + delta}.50", province),
            row(p["same"].code, f"{1000 + delta}.00", province),
            row(p["higher"].code, f"{1100 + delta}.00", province),
            row(p["first"].code, f"{80 + delta}.00", province),
        ]
    return rows


def snapshot():
    """Everything a run may change, except the runs themselves."""
    return {
        "prices": sorted(
            ReferencePrice.objects.values_list(
                "consumable__code",
                "price",
                "status",
                "is_increase",
                "publicity_starts_on",
                "publicity_ends_on",
                "confirmed_at",
                "closed_at",
            )
        ),
        "observations": sorted(
            PriceObservation.objects.values_list(
                "consumable__code", "province_code", "source_platform", "price", "observed_on"
            )
        ),
        "cuts": sorted(
            ReferencePriceCut.objects.values_list("consumable__code", "old_price", "new_price")
        ),
    }


def open_prices():
    return {
        rp.consumable.code: (rp.price, rp.status)
        for rp in ReferencePrice.objects.open().select_related("consumable")
    }


def assert_synced(p, run):
    """The state after tonight's feed (nightly_rows) on the catalogue fixture."""
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert (run.rows_read, run.rows_rejected) == (20, 0)
    assert (run.proposals, run.increases_flagged, run.confirmations) == (3, 1, 0)
    assert open_prices() == {
        p["lower"].code: (Decimal("900.00"), S.PUBLICITY),
        p["lower_b"].code: (Decimal("950.50"), S.PUBLICITY),
        p["first"].code: (Decimal("80.00"), S.PUBLICITY),
        p["higher"].code: (Decimal("1100.00"), S.FLAGGED),
    }
    lower = ReferencePrice.objects.get(consumable=p["lower"], status=S.PUBLICITY)
    assert (lower.publicity_starts_on, lower.publicity_ends_on) == (TODAY, ENDS)
    assert (lower.source_province, lower.observed_on, lower.previous_price) == (
        "440000",
        dt.date(2025, 9, 29),
        Decimal("1000.00"),
    )
    # Only the observation behind each proposal or flag is kept, not all 20 rows.
    assert sorted(PriceObservation.objects.values_list("consumable__code", "price")) == sorted(
        [
            (p["lower"].code, Decimal("900.00")),
            (p["lower_b"].code, Decimal("950.50")),
            (p["first"].code, Decimal("80.00")),
            (p["higher"].code, Decimal("1100.00")),
        ]
    )
    confirmed = dict(ReferencePrice.objects.confirmed().values_list("consumable__code", "price"))
    assert confirmed == {
        p[name].code: Decimal("1000.00")
        for name in ("lower", "lower_b", "same", "higher", "absent")
    }


# --- Happy path, idempotence ----------------------------------------------------------------


def test_sync_proposes_lower_prices_in_publicity_and_flags_increases(server, catalogue):
    """R-LIST-CATALOGUES: the national lowest price of each product becomes a proposal in
    publicity; an increase is only flagged; history names the sync run."""
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    run = lowest_price_sync(feed_url=url)
    assert_synced(catalogue, run)
    assert len(run.feed_sha256) == 64
    assert run.finished_at is not None
    event = pghistory.models.Events.objects.filter(
        pgh_model="catalog.ReferencePriceEvent", pgh_data__status=S.PUBLICITY
    ).first()
    assert event.pgh_context["sync_run"] == run.pk
    assert event.pgh_context["feed"] == url


def test_sync_marks_a_publicity_end_counted_monday_to_friday(server, catalogue, monkeypatch):
    """R-LIST-CATALOGUES: in a year known to neither the platform's calendar nor chinese-calendar
    (the package pinned here to end with 2024), the sync counts the publicity Monday to Friday,
    through the National Day holiday, and marks its end as such; a flagged increase has no
    period to mark."""
    monkeypatch.setattr(clock, "package_years", lambda: range(2004, 2025))
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    lowest_price_sync(feed_url=url)
    lower = ReferencePrice.objects.get(consumable=catalogue["lower"], status=S.PUBLICITY)
    assert (lower.publicity_ends_on, lower.publicity_ends_estimated) == (
        dt.date(2025, 10, 7),
        True,
    )
    higher = ReferencePrice.objects.get(consumable=catalogue["higher"], status=S.FLAGGED)
    assert higher.publicity_ends_estimated is False


def test_rerunning_the_same_feed_changes_nothing(server, catalogue):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    first = lowest_price_sync(feed_url=url)
    state = snapshot()
    events = pghistory.models.Events.objects.count()
    again = lowest_price_sync(feed_url=url)
    assert again.status == SyncRunStatus.SUCCEEDED
    assert (again.proposals, again.increases_flagged, again.confirmations) == (0, 0, 0)
    assert again.feed_sha256 == first.feed_sha256
    assert snapshot() == state
    assert pghistory.models.Events.objects.count() == events


def test_a_gzipped_feed_is_recognised_by_its_content(server, catalogue):
    url = server.serve("/feed.csv", gzip.compress(feed_bytes(nightly_rows(catalogue))))
    assert_synced(catalogue, lowest_price_sync(feed_url=url))


def test_a_local_file_feed(tmp_path, catalogue):
    path = tmp_path / "feed.csv.gz"
    # Two gzip members, as `cat a.gz b.gz` produces: both are read.
    body = feed_bytes(nightly_rows(catalogue))
    path.write_bytes(gzip.compress(body[:500]) + gzip.compress(body[500:]))
    assert_synced(catalogue, lowest_price_sync(feed_url=path.as_uri()))


def test_a_local_file_that_changes_while_loading_aborts(tmp_path, catalogue, monkeypatch):
    path = tmp_path / "feed.csv"
    path.write_bytes(feed_bytes(nightly_rows(catalogue)))
    real_copy = sync_module._copy

    def copy_then_append(*args, **kwargs):
        real_copy(*args, **kwargs)
        with open(path, "ab") as feed:  # the producer is still writing
            feed.write(b"\n")

    monkeypatch.setattr(sync_module, "_copy", copy_then_append)
    before = snapshot()
    run = lowest_price_sync(feed_url=path.as_uri())
    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith("bad_row: "), run.error
    assert snapshot() == before


def test_the_feed_may_omit_the_trailer(server, catalogue):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue), trailer=False))
    assert_synced(catalogue, lowest_price_sync(feed_url=url))


def test_a_lower_price_replaces_an_open_proposal_and_a_higher_one_does_not(server, catalogue):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    lowest_price_sync(feed_url=url)
    tomorrow = [
        row(catalogue["lower"].code, "880.00"),  # lower than the open 900.00: replaces it
        row(catalogue["lower_b"].code, "990.00"),  # back up: the open 950.50 stays
    ]
    run = lowest_price_sync(feed_url=server.serve("/tomorrow.csv", feed_bytes(tomorrow)))
    assert (run.proposals, run.increases_flagged) == (1, 0)
    opened = open_prices()
    assert opened[catalogue["lower"].code] == (Decimal("880.00"), S.PUBLICITY)
    assert opened[catalogue["lower_b"].code] == (Decimal("950.50"), S.PUBLICITY)
    replaced = ReferencePrice.objects.get(consumable=catalogue["lower"], price=Decimal("900.00"))
    assert replaced.status == S.SUPERSEDED


def test_a_product_can_be_identified_by_its_udi_di(server, catalogue):
    DeviceIdentifier.objects.create(
        di="06901234567892", agency="gs1", consumable=catalogue["lower"]
    )
    url = server.serve(
        "/feed.csv", feed_bytes([("", "06901234567892", "440000", "x", "700", SEEN)])
    )
    run = lowest_price_sync(feed_url=url)
    assert run.proposals == 1
    assert open_prices()[catalogue["lower"].code] == (Decimal("700.00"), S.PUBLICITY)
    assert PriceObservation.objects.get().udi_di == "06901234567892"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param(("C123", "", "440000", "x", "1.00", SEEN), "bad_code", id="bad-code"),
        pytest.param(
            ("C" + "9" * 26, "", "440000", "x", "1.00", SEEN), "unknown_product", id="unknown"
        ),
        pytest.param(("", "", "440000", "x", "1.00", SEEN), "missing_product", id="no-product"),
        pytest.param(
            ("", "0690000000000", "440000", "x", "1.00", SEEN), "unknown_product", id="unknown-di"
        ),
        pytest.param(("{lower}", "", "440000", "x", "1.234", SEEN), "bad_price", id="3-decimals"),
        pytest.param(("{lower}", "", "440000", "x", "0.00", SEEN), "bad_price", id="zero"),
        pytest.param(("{lower}", "", "440000", "x", "-5", SEEN), "bad_price", id="negative"),
        pytest.param(("{lower}", "", "440000", "x", "abc", SEEN), "bad_price", id="not-a-number"),
        pytest.param(("{lower}", "", "440000", "x", "NaN", SEEN), "bad_price", id="nan"),
        pytest.param(("{lower}", "", "440000", "x", "Infinity", SEEN), "bad_price", id="infinity"),
        pytest.param(("{lower}", "", "440000", "x", "1e16", SEEN), "bad_price", id="too-large"),
        pytest.param(("{lower}", "", "440000", "x", "", SEEN), "bad_price", id="empty-price"),
        pytest.param(
            ("{lower}", "", "440000", "x", "1.00", "2025-02-29"), "bad_date", id="not-a-day"
        ),
        pytest.param(("{lower}", "", "440000", "x", "1.00", "2025/09/29"), "bad_date", id="format"),
        pytest.param(("{lower}", "", "440000", "x", "1.00", "2025-10-01"), "bad_date", id="future"),
        pytest.param(("{lower}", "", "320100", "x", "1.00", SEEN), "bad_province", id="a-city"),
        pytest.param(
            ("{lower}", "", "990000", "x", "1.00", SEEN), "bad_province", id="unknown-province"
        ),
        pytest.param(("{lower}", "", "440000", "", "1.00", SEEN), "bad_platform", id="no-platform"),
        pytest.param(
            ("{lower}", "06901234567892", "440000", "x", "1.00", SEEN),
            "bad_udi",
            id="di-of-another-product",
        ),
    ],
)
def test_bad_rows_are_rejected_with_their_reason_and_line(server, catalogue, bad, reason):
    DeviceIdentifier.objects.create(di="06901234567892", agency="gs1", consumable=catalogue["same"])
    bad = tuple(v.format(lower=catalogue["lower"].code) for v in bad)
    rows = nightly_rows(catalogue)
    rows.insert(3, bad)  # file line 5: header, then rows 1-3, then this one
    url = server.serve("/feed.csv", feed_bytes(rows))
    run = lowest_price_sync(feed_url=url)
    # 1 of 21 rows is 4.8%: within the 5% tolerated, the run goes on.
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert (run.rows_read, run.rows_rejected) == (21, 1)
    assert run.error == f"rejected rows: {reason}: 1 (lines 5)"
    assert (run.proposals, run.increases_flagged) == (3, 1)


# --- Failures: abort with the reason, change nothing ------------------------------------------


@pytest.mark.parametrize("with_text", [False, True], ids=["all-numbers", "one-not-a-number"])
def test_prices_are_read_the_same_whatever_else_the_feed_holds(server, catalogue, with_text):
    """Prices are parsed during COPY; a feed with a price that is not a number at all is loaded
    again with prices as text and checked row by row. Both ways accept the same prices."""
    rows = [
        row(catalogue["lower"].code, " +900.5 "),
        row(catalogue["lower_b"].code, "9.5e2"),
        row(catalogue["first"].code, "80.500"),
        row(catalogue["higher"].code, "1100"),
    ]
    if with_text:
        rows.append(row(catalogue["same"].code, "一千"))
    rows += [row(catalogue["same"].code, "1000.00")] * 20  # keep rejections under 5%
    run = lowest_price_sync(feed_url=server.serve("/feed.csv", feed_bytes(rows)))
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert run.rows_rejected == (1 if with_text else 0)
    assert open_prices() == {
        catalogue["lower"].code: (Decimal("900.50"), S.PUBLICITY),
        catalogue["lower_b"].code: (Decimal("950.00"), S.PUBLICITY),
        catalogue["first"].code: (Decimal("80.50"), S.PUBLICITY),
        catalogue["higher"].code: (Decimal("1100.00"), S.FLAGGED),
    }


def gzip_cut_short(body: bytes) -> bytes:
    packed = gzip.compress(body)
    return packed[: len(packed) // 2]


def gzip_bad_crc(body: bytes) -> bytes:
    packed = bytearray(gzip.compress(body))
    packed[-8] ^= 0xFF  # the CRC32 of the uncompressed data
    return bytes(packed)


FAILURES = {
    "cut-mid-row": lambda b: (b[: b.rindex(b"#EOF") - 7], None, "truncated"),
    "gzip-cut-short": lambda b: (gzip_cut_short(b), None, "truncated"),
    "gzip-bad-crc": lambda b: (gzip_bad_crc(b), None, "truncated"),
    "connection-dropped": lambda b: (b[:300], len(b), "truncated"),
    "lines-missing": lambda b: (b.replace(b"#EOF rows=20", b"#EOF rows=24"), None, "truncated"),
    "wrong-header": lambda b: (b.replace(b"province_code", b"province", 1), None, "bad_header"),
    "bad-trailer": lambda b: (b.replace(b"#EOF rows=20", b"#END"), None, "bad_trailer"),
    "header-only": lambda b: (b.split(b"\n", 1)[0] + b"\n", None, "empty"),
    "missing-field": lambda b: (b.replace(b",440000,", b",", 1), None, "bad_row"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_broken_feed_aborts_with_the_reason_and_changes_nothing(server, catalogue, failure):
    body, declared, reason = FAILURES[failure](feed_bytes(nightly_rows(catalogue)))
    url = server.serve("/feed.csv", body, declared=declared)
    before = snapshot()
    run = lowest_price_sync(feed_url=url)
    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith(f"{reason}: "), run.error
    assert run.finished_at is not None
    assert snapshot() == before
    assert SyncRun.objects.get(pk=run.pk).status == SyncRunStatus.FAILED


def test_a_password_in_the_feed_address_is_sent_but_never_recorded(server, catalogue):
    """user:password@ in the address is HTTP basic authentication; the run record, its errors
    and the history context show the address without the password."""
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    run = lowest_price_sync(feed_url=url.replace("http://", "http://sync:s3cret@"))
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert server.authorizations == ["Basic " + base64.b64encode(b"sync:s3cret").decode()]
    assert run.feed_url.startswith("http://sync:***@127.0.0.1:")
    failed = lowest_price_sync(feed_url=closed_port_url().replace("http://", "http://u:s3cret@"))
    assert failed.status == SyncRunStatus.FAILED
    assert "s3cret" not in failed.feed_url + failed.error


def test_an_unreachable_feed_aborts(catalogue):
    before = snapshot()
    run = lowest_price_sync(feed_url=closed_port_url())
    assert (run.status, run.error.split(":")[0]) == (SyncRunStatus.FAILED, "unreachable")
    assert snapshot() == before


def test_a_missing_feed_aborts(server, catalogue):
    run = lowest_price_sync(feed_url=server.serve("/feed.csv", b"x").replace("feed", "nothing"))
    assert (run.status, run.error.split(":")[0]) == (SyncRunStatus.FAILED, "unreachable")


def test_more_than_5_percent_rejected_aborts(server, catalogue):
    rows = nightly_rows(catalogue)
    rows += [row("C" + "9" * 26, "1.00")] * 2  # 2 of 22 rows: 9%
    before = snapshot()
    run = lowest_price_sync(feed_url=server.serve("/feed.csv", feed_bytes(rows)))
    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith("too_many_rejected: "), run.error
    assert "unknown_product: 2" in run.error
    assert (run.rows_read, run.rows_rejected, run.proposals) == (22, 2, 0)
    assert snapshot() == before


def test_a_crash_half_way_leaves_the_previous_state_then_a_rerun_succeeds(
    server, catalogue, monkeypatch
):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    before = snapshot()

    real_insert = sync_module._insert_proposals

    def crash_after_proposals(*args, **kwargs):
        real_insert(*args, **kwargs)
        assert ReferencePrice.objects.open().count() == 4  # written, not yet committed
        raise RuntimeError("worker killed")

    monkeypatch.setattr(sync_module, "_insert_proposals", crash_after_proposals)
    with pytest.raises(RuntimeError):
        lowest_price_sync(feed_url=url)
    assert snapshot() == before
    failed = SyncRun.objects.get()
    assert (failed.status, failed.error) == (SyncRunStatus.FAILED, "RuntimeError: worker killed")
    assert failed.proposals == 0
    monkeypatch.undo()
    assert_synced(catalogue, lowest_price_sync(feed_url=url))


# --- Confirmation on a later night -----------------------------------------------------------


def test_publicity_ending_is_confirmed_by_the_next_run(server, catalogue, frozen_today):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    lowest_price_sync(feed_url=url)
    objected = ReferencePrice.objects.get(consumable=catalogue["lower_b"], status=S.PUBLICITY)
    PriceObjectionFactory(reference_price=objected)
    # On the last day of publicity nothing is confirmed yet.
    frozen_today.move_to(dt.datetime(2025, 10, 13, 18, 0, tzinfo=dt.UTC))  # 14 Oct, 02:00
    assert lowest_price_sync(feed_url=url).confirmations == 0
    frozen_today.move_to(dt.datetime(2025, 10, 14, 18, 0, tzinfo=dt.UTC))  # 15 Oct, 02:00
    run = lowest_price_sync(feed_url=url)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert (run.confirmations, run.proposals, run.increases_flagged) == (2, 0, 0)
    confirmed = dict(ReferencePrice.objects.confirmed().values_list("consumable__code", "price"))
    assert confirmed[catalogue["lower"].code] == Decimal("900.00")
    assert confirmed[catalogue["first"].code] == Decimal("80.00")
    assert confirmed[catalogue["lower_b"].code] == Decimal("1000.00")  # blocked by objection
    cuts = {
        c.consumable.code: (c.old_price, c.new_price, c.effective_at is not None)
        for c in ReferencePriceCut.objects.select_related("consumable")
    }
    assert cuts == {
        catalogue["lower"].code: (Decimal("1000.00"), Decimal("900.00"), True),
        catalogue["first"].code: (None, Decimal("80.00"), True),
    }
    superseded = ReferencePrice.objects.get(consumable=catalogue["lower"], price=Decimal("1000.00"))
    assert superseded.status == S.SUPERSEDED
    # The flagged increase waits for the bureau, whatever the date.
    assert open_prices()[catalogue["higher"].code] == (Decimal("1100.00"), S.FLAGGED)
    # Once the objection is dismissed, the next night confirms that one too.
    bureau = user_with_role(Role.BUREAU_OFFICER)
    price_services.price_objection_resolve(
        objection_id=objected.objections.get().pk,
        actor=bureau,
        outcome=ObjectionStatus.DISMISSED,
        resolution="无误",
    )
    assert lowest_price_sync(feed_url=url).confirmations == 1


def test_a_price_the_bureau_withdrew_is_not_proposed_again(server, catalogue):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    lowest_price_sync(feed_url=url)
    bureau = user_with_role(Role.BUREAU_OFFICER)
    for rp in ReferencePrice.objects.open():
        price_services.reference_price_withdraw(
            reference_price_id=rp.pk, actor=bureau, reason="来源价格有误"
        )
    run = lowest_price_sync(feed_url=url)
    assert (run.proposals, run.increases_flagged) == (0, 0)
    assert open_prices() == {}


@pytest.mark.parametrize(
    ("confirmed_price", "open_price", "open_status", "withdrawn", "feed_price"),
    [
        ("1000.00", None, None, None, "900.00"),
        ("1000.00", None, None, None, "1000.00"),
        ("1000.00", None, None, None, "1100.00"),
        (None, None, None, None, "50.00"),
        ("1000.00", "950.00", S.PUBLICITY, None, "900.00"),
        ("1000.00", "950.00", S.PUBLICITY, None, "960.00"),
        ("1000.00", "950.00", S.PUBLICITY, None, "1200.00"),
        ("1000.00", "1100.00", S.FLAGGED, None, "1200.00"),
        ("1000.00", "1100.00", S.FLAGGED, None, "990.00"),
        ("1000.00", None, None, "900.00", "900.00"),
        ("1000.00", None, None, "1100.00", "1100.00"),
        ("1000.00", None, None, "900.00", "890.00"),
    ],
)
def test_the_sync_decides_like_the_propose_service(
    server, confirmed_price, open_price, open_status, withdrawn, feed_price
):
    """The set-based SQL and reference_price_propose (system path) follow the same rules."""

    def product():
        consumable = ConsumableFactory()
        if confirmed_price:
            ReferencePriceFactory(consumable=consumable, price=Decimal(confirmed_price))
        if open_price:
            ReferencePriceFactory(
                consumable=consumable,
                price=Decimal(open_price),
                status=open_status,
                is_increase=Decimal(open_price) > Decimal(confirmed_price or 0),
                previous_price=confirmed_price,
            )
        if withdrawn:
            ReferencePriceFactory(
                consumable=consumable,
                price=Decimal(withdrawn),
                status=S.WITHDRAWN,
                previous_price=confirmed_price,
            )
        return consumable

    by_service, by_sync = product(), product()
    if feed_price == confirmed_price:
        with pytest.raises(DomainError) as excinfo:
            price_services.reference_price_propose(consumable_id=by_service.pk, price=feed_price)
        assert excinfo.value.code == "reference_price_unchanged"
    else:
        price_services.reference_price_propose(consumable_id=by_service.pk, price=feed_price)
    lowest_price_sync(
        feed_url=server.serve("/feed.csv", feed_bytes([row(by_sync.code, feed_price)]))
    )

    def state(consumable):
        return sorted(
            ReferencePrice.objects.filter(consumable=consumable).values_list(
                "price", "status", "is_increase", "publicity_ends_on"
            )
        )

    assert state(by_service) == state(by_sync)


# --- The lock: two runs never overlap --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_the_first_holds_the_lock_is_skipped(server, monkeypatch):
    consumable = ConsumableFactory()
    ReferencePriceFactory(consumable=consumable, price=Decimal("1000.00"))
    url = server.serve("/feed.csv", feed_bytes([row(consumable.code, "900.00")]))
    inside, release = threading.Event(), threading.Event()
    real_fetch = sync_module.fetch_feed

    def slow_fetch(*args, **kwargs):
        inside.set()
        assert release.wait(30)
        return real_fetch(*args, **kwargs)

    monkeypatch.setattr(sync_module, "fetch_feed", slow_fetch)
    result = {}

    def first_run():
        try:
            result["run"] = lowest_price_sync(feed_url=url)
        finally:
            connection.close()

    thread = threading.Thread(target=first_run)
    thread.start()
    try:
        assert inside.wait(30)
        second = lowest_price_sync(feed_url=url)
        assert second.status == SyncRunStatus.SKIPPED
        assert second.finished_at is not None
    finally:
        release.set()
        thread.join(60)
    assert result["run"].status == SyncRunStatus.SUCCEEDED
    # The lock is released afterwards: the next run is not skipped.
    monkeypatch.setattr(sync_module, "fetch_feed", real_fetch)
    assert lowest_price_sync(feed_url=url).status == SyncRunStatus.SUCCEEDED


# --- Interfaces: task, command, permission ---------------------------------------------------


def test_the_task_runs_the_configured_feed(server, catalogue, settings):
    from catalog.tasks import lowest_price_sync_task

    settings.LOWEST_PRICE_FEED_URL = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    result = lowest_price_sync_task.delay().get()
    assert result["status"] == SyncRunStatus.SUCCEEDED


def test_a_run_requested_by_the_bureau_records_who(
    server, catalogue, settings, django_capture_on_commit_callbacks
):
    from catalog.services.sync_start import sync_run_enqueue

    settings.LOWEST_PRICE_FEED_URL = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    officer = user_with_role(Role.BUREAU_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        sync_run_enqueue(actor=officer)
    run = SyncRun.objects.get()
    assert (run.status, run.triggered_by) == (SyncRunStatus.SUCCEEDED, officer)


def test_the_task_is_scheduled_at_2_am(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["catalog-lowest-price-sync"]
    assert entry["task"] == "catalog.lowest_price_sync"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_the_command_prints_the_summary_and_fails_on_failure(server, catalogue, capsys):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    call_command("sync_lowest_prices", "--feed", url)
    out = capsys.readouterr().out
    assert "succeeded" in out
    assert "proposals 3, increases flagged 1" in out
    with pytest.raises(CommandError):
        call_command("sync_lowest_prices", "--feed", closed_port_url())


@pytest.mark.parametrize("role", list(Role))
def test_only_the_bureau_starts_a_run(server, catalogue, role):
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    actor = user_with_role(role)
    if role in {Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN}:
        run = lowest_price_sync(feed_url=url, actor=actor)
        assert (run.status, run.triggered_by) == (SyncRunStatus.SUCCEEDED, actor)
    else:
        with pytest.raises(DomainError) as excinfo:
            lowest_price_sync(feed_url=url, actor=actor)
        assert excinfo.value.code == "permission_denied"
        assert not SyncRun.objects.exists()


def test_the_demo_feed_file_is_a_valid_feed(tmp_path, catalogue):
    from catalog.demo_feed import write_demo_feed

    path = tmp_path / "demo.csv"
    summary = write_demo_feed(path, catalogue.values(), observed_on=dt.date(2025, 9, 29))
    run = lowest_price_sync(feed_url=path.as_uri())
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert (run.rows_read, run.rows_rejected) == (summary.rows, 0)
    # Read in place, hashed while loading: the digest is still the whole file's.
    assert run.feed_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert run.proposals == summary.lower + summary.first_prices
    assert run.increases_flagged == summary.higher
    # Deterministic: the same inputs give the same file.
    again = tmp_path / "again.csv"
    write_demo_feed(again, catalogue.values(), observed_on=dt.date(2025, 9, 29))
    assert again.read_bytes() == path.read_bytes()


# --- When a worker dies (#9) -----------------------------------------------------------------


def left_running(*, heartbeat_age_s, task_id=""):
    """A run as a worker that died leaves it: running, its last heartbeat that old."""
    run = SyncRun.objects.create(feed_url="http://feeds/x.csv", task_id=task_id)
    SyncRun.objects.filter(pk=run.pk).update(
        heartbeat_at=Now() - dt.timedelta(seconds=heartbeat_age_s)
    )
    return run


@pytest.mark.parametrize(
    ("heartbeat_age_s", "status"),
    [
        pytest.param(121, SyncRunStatus.FAILED, id="older-than-the-limit"),
        pytest.param(30, SyncRunStatus.RUNNING, id="within-the-limit"),
    ],
)
def test_listing_the_runs_fails_a_run_whose_heartbeat_stopped(heartbeat_age_s, status):
    run = left_running(heartbeat_age_s=heartbeat_age_s)
    api = APIClient()
    api.force_authenticate(user_with_role(Role.BUREAU_OFFICER))

    body = api.get("/api/v1/catalog/sync-runs/").json()

    (shown,) = body["results"]
    assert (shown["id"], shown["status"]) == (run.pk, status)
    if status == SyncRunStatus.FAILED:
        assert shown["error"].startswith("worker_lost: ")


def test_celery_beat_fails_stale_runs_every_minute(settings):
    from catalog.tasks import sync_runs_fail_stale_task

    entry = settings.CELERY_BEAT_SCHEDULE["catalog-sync-runs-fail-stale"]
    assert (entry["task"], entry["schedule"]) == (
        "catalog.sync_runs_fail_stale",
        dt.timedelta(minutes=1),
    )
    stale = left_running(heartbeat_age_s=600)

    assert sync_runs_fail_stale_task.delay().get() == {"failed": 1}
    stale.refresh_from_db()
    assert stale.status == SyncRunStatus.FAILED


def test_a_run_left_running_is_failed_when_the_next_run_takes_the_lock(server, catalogue):
    """Whoever holds the lock is the only live run: one still "running" lost its worker, even
    if its heartbeat is recent (killed a moment ago)."""
    dead = left_running(heartbeat_age_s=1)
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))

    run = lowest_price_sync(feed_url=url)

    dead.refresh_from_db()
    assert (dead.status, run.status) == (SyncRunStatus.FAILED, SyncRunStatus.SUCCEEDED)
    assert dead.error.startswith("worker_lost: ")
    assert run.heartbeat_at is not None


def test_a_redelivered_message_starts_at_most_three_runs(server, catalogue):
    """A feed that kills its worker every time (the broker requeues the message each time)
    stops after three runs instead of looping all night."""
    for _ in range(sync_module.SYNC_MAX_ATTEMPTS):
        left_running(heartbeat_age_s=600, task_id="message-1")
    url = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    before = snapshot()

    run = lowest_price_sync(feed_url=url, task_id="message-1")

    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith("worker_lost: ")
    assert snapshot() == before
    # Another message (the next night) runs normally.
    assert lowest_price_sync(feed_url=url, task_id="message-2").status == SyncRunStatus.SUCCEEDED


def test_the_task_records_its_message_on_the_run(server, catalogue, settings):
    from catalog.tasks import lowest_price_sync_task

    settings.LOWEST_PRICE_FEED_URL = server.serve("/feed.csv", feed_bytes(nightly_rows(catalogue)))
    result = lowest_price_sync_task.delay()

    assert SyncRun.objects.get(pk=result.get()["sync_run"]).task_id == result.id
