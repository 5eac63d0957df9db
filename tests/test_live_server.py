"""The API behind a real gunicorn on real PostgreSQL: no request can take a worker thread down.

The server runs one worker process with one thread (gthread), so every request below is served
by the same thread on the same persistent database connection (DB_CONN_MAX_AGE, health-checked
before use); ``/api/test/probe/thread/`` names the process, thread and database backend that
answered, and the tests check it. What the tests prove:

- a bad keyed POST (an unrepresentable number, a renderer failure, a 30-digit amount) answers
  and leaves the thread's connection usable: the next 20 requests on that thread all succeed;
- a backend terminated while idle is replaced by the next request; one terminated in the
  middle of a keyed POST answers 503 and releases the key at once, so the retry succeeds;
- under load, with the server's backends terminated repeatedly (pg_terminate_backend), every
  order a client was told about (201) exists exactly once, and nothing else was created.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from accounts.services import api_client_create
from procurement.models import Order
from procurement.tests.order_world import make_world

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = f"yg-live-{os.getpid()}"
ORDERS = "/api/v1/procurement/orders/"
THREAD = "/api/test/probe/thread/"


def _conninfo() -> dict:
    s = connection.settings_dict
    return {
        "dbname": s["NAME"],
        "host": s["HOST"] or None,
        "port": s["PORT"] or None,
        "user": s["USER"] or None,
        "password": s["PASSWORD"] or None,
    }


def _database_url() -> str:
    """The test database, as the server's DATABASE_URL, tagged with an application_name so
    that the test can find (and terminate) exactly the server's backends."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = quote(s["HOST"] or "localhost", safe="")
    return f"postgres://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}?application_name={APP_NAME}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, *, key: str, body=None, idem: str | None = None):
        """One request on a fresh connection; returns (status, parsed JSON or raw text)."""
        headers = {"Authorization": f"Bearer {key}"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = body if isinstance(body, str) else json.dumps(body)
        if idem is not None:
            headers["Idempotency-Key"] = idem
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode("utf-8", "replace")

    def thread(self, key: str) -> dict:
        status, body = self.request("GET", THREAD, key=key)
        assert status == 200, body
        return body


@pytest.fixture
def server():
    port = _free_port()
    # The server runs as the runtime role only, as `make run` starts it: without the owner's
    # MIGRATE_DATABASE_URL, which names the outer database rather than the test database.
    env = {
        **{k: v for k, v in os.environ.items() if k != "MIGRATE_DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "core.tests.live_settings",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "0",
        "AUDIT_HMAC_KEY": "test-only-audit-hmac-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SECRET_KEY": "live-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "LOG_LEVEL": "CRITICAL",
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "1",
            "--log-level",
            "critical",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "gunicorn exited during start-up"
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz in 60 s"
            time.sleep(0.2)
        yield Server(port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _terminate_backends(*, waiting_on_lock: bool = False) -> int:
    """pg_terminate_backend every backend of the server (or only those waiting on a lock)."""
    condition = "AND wait_event_type = 'Lock'" if waiting_on_lock else ""
    with psycopg.connect(**_conninfo(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608
            f"WHERE application_name = %s {condition}",
            [APP_NAME],
        ).fetchall()
    return len(rows)


def _backends() -> list[int]:
    with psycopg.connect(**_conninfo(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]
        ).fetchall()
    return [pid for (pid,) in rows]


def _order_body(w, quantity: int = 1) -> dict:
    return {"lines": [{"listing": w.listing.pk, "quantity": quantity}], "department": "骨科"}


def _twenty_requests_succeed(server: Server, w, key: str, served_by: dict) -> None:
    """20 requests, reads and keyed order POSTs alternating, all answered by ``served_by``'s
    process and thread, and all successful."""
    for n in range(10):
        status, body = server.request(
            "POST", ORDERS, key=key, body=_order_body(w), idem=f"after-{uuid.uuid4()}"
        )
        assert status == 201, (n, status, body)
        seen = server.thread(key)
        assert (seen["pid"], seen["thread"]) == (served_by["pid"], served_by["thread"])


def test_a_bad_keyed_request_leaves_the_worker_thread_serving(server):
    w = make_world()
    key = api_client_create(actor=None, organization=w.hospital, name="HIS").key
    finance = api_client_create(
        actor=None, organization=w.hospital, name="HIS finance", roles=["hospital_finance"]
    ).key
    first = server.thread(key)
    orders_before = Order.objects.count()

    # A number no column can hold: refused at the edge, in the envelope.
    status, body = server.request(
        "POST",
        ORDERS,
        key=key,
        body=f'{{"lines":[{{"listing":{w.listing.pk},"quantity":1e400}}]}}',
        idem="bad-inf",
    )
    assert status == 400, body
    assert body["code"] == "number_out_of_range"

    # More digits than a money column holds.
    status, body = server.request(
        "POST",
        "/api/v1/procurement/purchase-plan/",
        key=finance,
        body={"year": 2026, "total": "1" * 30},
        idem="bad-digits",
    )
    assert status == 400, body
    assert body["code"] == "invalid"

    # A renderer failure inside the keyed request's transaction: a server error, and the key
    # is released at once (a retry runs again instead of getting 409 "in flight").
    for _attempt in range(2):
        status, _body = server.request(
            "POST", "/api/test/probe/unrenderable/", key=key, body={}, idem="bad-render"
        )
        assert status == 500

    _twenty_requests_succeed(server, w, key, first)
    assert Order.objects.count() == orders_before + 10
    assert len(_backends()) == 1  # one thread, one persistent connection


def test_the_server_recovers_when_its_backends_are_terminated(server):
    w = make_world()
    key = api_client_create(actor=None, organization=w.hospital, name="HIS").key
    first = server.thread(key)

    # Killed while idle between requests: the next request health-checks and reconnects.
    assert _terminate_backends() == 1
    again = server.thread(key)
    assert again["backend"] != first["backend"]
    assert (again["pid"], again["thread"]) == (first["pid"], first["thread"])

    # Killed in the middle of a keyed POST (blocked on a lock the test holds): 503, and the
    # key is free at once, so the retry with the same key and body makes the one order.
    outcome: dict = {}
    with psycopg.connect(**_conninfo()) as blocker:
        blocker.execute("LOCK TABLE procurement_order IN EXCLUSIVE MODE")
        request = threading.Thread(
            target=lambda: outcome.update(
                response=server.request(
                    "POST", ORDERS, key=key, body=_order_body(w, 3), idem="mid-request"
                )
            )
        )
        request.start()
        deadline = time.monotonic() + 30
        while not _terminate_backends(waiting_on_lock=True):
            assert time.monotonic() < deadline, "the POST never waited on the lock"
            time.sleep(0.05)
        request.join(30)
        blocker.rollback()
    status, body = outcome["response"]
    assert status == 503, body
    assert body["code"] == "database_unavailable"
    assert Order.objects.count() == 0
    status, body = server.request(
        "POST", ORDERS, key=key, body=_order_body(w, 3), idem="mid-request"
    )
    assert status == 201, body
    (mid_request_order,) = (o["id"] for o in body["orders"])
    assert set(Order.objects.values_list("pk", flat=True)) == {mid_request_order}

    # Under load from four clients, the server's backends terminated every 0.2 s: each logical
    # order is retried with its key until it is answered 201; every 201 names an order that
    # exists, and there is no other.
    created: dict[str, set[int]] = {}
    statuses: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        # At least 8 orders each, and on until the backends were terminated 3 times: a fast
        # server could otherwise answer every order between two terminations.
        i = 0
        while i < 8 or (sum(kills) < 3 and i < 400):
            idem = f"load-{n}-{i}"
            i += 1
            for _attempt in range(30):
                status, body = server.request(
                    "POST", ORDERS, key=key, body=_order_body(w, 1 + i % 8), idem=idem
                )
                with lock:
                    statuses.append(status)
                if status == 201:
                    with lock:
                        created.setdefault(idem, set()).update(o["id"] for o in body["orders"])
                    break
                time.sleep(0.05)

    kills: list[int] = []

    def killer() -> None:
        while not stop.wait(0.2):
            kills.append(_terminate_backends())

    clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    kill = threading.Thread(target=killer)
    for thread in [*clients, kill]:
        thread.start()
    for thread in clients:
        thread.join(120)
    stop.set()
    kill.join(10)

    assert sum(kills) >= 3, kills  # the server's backend was there to be terminated, repeatedly
    assert len(created) >= 32, sorted(set(statuses))
    assert all(len(ids) == 1 for ids in created.values())  # one manufacturer: one order each
    told = set().union(*created.values())
    assert len(told) == len(created)
    assert set(Order.objects.values_list("pk", flat=True)) == told | {mid_request_order}
    assert set(statuses) <= {201, 503}, sorted(set(statuses))

    _twenty_requests_succeed(server, w, key, first)
