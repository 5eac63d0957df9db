"""Idempotency-Key on API POSTs: replay, conflict, in-flight duplicates, concurrency."""

import io
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import ApiClient, User
from accounts.services import api_client_create
from accounts.tests.factories import HospitalFactory, user_with_role
from core.idempotency import IdempotencyRecord, purge_expired
from core.tests import urls_probe

URL = "/api/v1/accounts/api-clients/"


@pytest.fixture
def admin_client(db):
    client = APIClient()
    client.force_authenticate(user_with_role(Role.PLATFORM_ADMIN))
    return client


@pytest.fixture
def hospital(db):
    return HospitalFactory()


def post(client, hospital, key, name="HIS"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, {"name": name, "organization": hospital.pk}, format="json", **headers)


@pytest.mark.urls("core.tests.urls_probe")
def test_replay_returns_the_stored_response_without_a_second_effect(admin_client):
    first = admin_client.post(
        "/probe/effect/", {"username": "u1"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    second = admin_client.post(
        "/probe/effect/", {"username": "u1"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert User.objects.filter(username="u1").count() == 1


def test_same_key_with_another_body_is_422_and_changes_nothing(admin_client, hospital):
    post(admin_client, hospital, "k-2", name="HIS")
    response = post(admin_client, hospital, "k-2", name="Other")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(ApiClient.objects.values_list("name", flat=True)) == ["HIS"]


def test_keys_are_scoped_to_the_caller(admin_client, hospital):
    other_admin = APIClient()
    other_admin.force_authenticate(user_with_role(Role.PLATFORM_ADMIN))
    assert post(admin_client, hospital, "shared").status_code == 201
    assert post(other_admin, hospital, "shared").status_code == 201
    assert ApiClient.objects.count() == 2


def test_duplicate_while_first_in_flight_is_409(admin_client, hospital):
    # Simulate the first request still running: its claim is committed, its response is not.
    first = post(admin_client, hospital, "k-3")
    IdempotencyRecord.objects.filter(key="k-3").update(state="in_flight", response_body=None)
    response = post(admin_client, hospital, "k-3")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"
    assert first.status_code == 201


def test_stale_claim_of_a_crashed_request_can_be_retried(admin_client, hospital, settings):
    """A worker that died mid-request left a claim and (rolled back) no effect."""
    post(admin_client, hospital, "k-4")
    IdempotencyRecord.objects.filter(key="k-4").update(state="in_flight", response_body=None)
    with time_machine.travel(timedelta(seconds=settings.IDEMPOTENCY_STALE_AFTER.seconds + 5)):
        response = post(admin_client, hospital, "k-4")
    assert response.status_code == 201


def test_error_responses_are_replayed_too(admin_client):
    first = admin_client.post(
        URL, {"name": "", "organization": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-5"
    )
    second = admin_client.post(
        URL, {"name": "", "organization": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-5"
    )
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\nkey"], ids=["empty", "too-long", "newline"])
def test_invalid_key_is_refused(admin_client, hospital, key):
    response = post(admin_client, hospital, key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert ApiClient.objects.count() == 0


@pytest.mark.urls("core.tests.urls_probe")
def test_api_key_clients_must_send_a_key(hospital):
    issued = api_client_create(actor=None, organization=hospital, name="HIS")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    response = client.post("/probe/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    response = client.post("/probe/", {}, format="json", HTTP_IDEMPOTENCY_KEY="his-1")
    assert response.status_code == 201


def test_expired_keys_are_purged_after_the_ttl(admin_client, hospital, settings):
    post(admin_client, hospital, "k-6")
    assert purge_expired() == 0
    with time_machine.travel(settings.IDEMPOTENCY_KEY_TTL + timedelta(minutes=1)):
        assert purge_expired() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_have_exactly_one_effect():
    """8 threads send the same key at once, on real PostgreSQL: one effect, and every other
    answer is either the stored response or 409 while the first is running."""
    admin = user_with_role(Role.PLATFORM_ADMIN)
    hospital = HospitalFactory()
    barrier = threading.Barrier(8)
    results: list = []

    def worker():
        client = APIClient()
        client.force_authenticate(admin)
        barrier.wait()
        try:
            results.append(post(client, hospital, "concurrent"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ApiClient.objects.count() == 1
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    created = [r.json() for r in results if r.status_code == 201]
    assert all(body == created[0] for body in created)


# --- Every exit path of a keyed request's transaction ----------------------------------------


@pytest.fixture
def failures():
    urls_probe.FAILURES.clear()
    yield urls_probe.FAILURES
    urls_probe.FAILURES.clear()


def _effect(client, username="u", key="k-exit"):
    return client.post(
        "/probe/effect/", {"username": username}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.mark.urls("core.tests.urls_probe")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["exception", "render"])
def test_a_failed_keyed_request_rolls_back_frees_the_key_and_leaves_no_transaction(
    failures, failure
):
    """An unexpected exception in the handler, or a response the renderer cannot encode:
    the effect is rolled back, the connection is not left inside a transaction, and the
    retry with the same key and body runs again (not 409) and succeeds."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user_with_role(Role.PLATFORM_ADMIN))
    users = User.objects.count()
    failures.append(failure)

    failed = _effect(client)

    assert failed.status_code == 500
    assert not connection.in_atomic_block
    assert User.objects.count() == users
    assert not IdempotencyRecord.objects.exists()
    retried = _effect(client)
    assert retried.status_code == 201, retried.content
    assert User.objects.count() == users + 1
    assert _effect(client).json() == retried.json()  # and now it is stored


@pytest.mark.urls("core.tests.urls_probe")
def test_a_refused_keyed_request_is_replayed_without_a_second_effect(admin_client, failures):
    """A domain error is an answer like any other: stored, replayed, and what the handler did
    before refusing (such as recording the refusal) is not done twice."""
    failures.append("domain")
    first = _effect(admin_client, key="k-domain")
    second = _effect(admin_client, key="k-domain")
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert User.objects.filter(username="u").count() == 1


# --- Uploads ------------------------------------------------------------------------------------


def _csv(text: str) -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = "catalog.csv"
    return file


def test_a_keyed_upload_is_fingerprinted_by_its_content(admin_client, settings, tmp_path):
    """Multipart POSTs with a key: the same file again is the stored answer, another file
    under the same key is 422."""
    settings.MEDIA_ROOT = tmp_path
    url = "/api/v1/catalog/imports/"

    def send(text):
        return admin_client.post(
            url,
            {"kind": "catalog", "file": _csv(text)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first = send("a,b\n1,2\n")
    assert first.status_code == 202, first.content
    again = send("a,b\n1,2\n")
    assert again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = send("a,b\n1,3\n")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


# --- Secrets are never stored ----------------------------------------------------------------


def test_an_api_client_key_is_shown_once_and_never_stored(admin_client, hospital):
    first = post(admin_client, hospital, "k-secret")
    assert first.status_code == 201
    key = first.json()["key"]
    assert key.startswith("yg_")
    stored = IdempotencyRecord.objects.get(key="k-secret")
    assert key not in str(stored.response_body)

    replay = post(admin_client, hospital, "k-secret")

    assert replay.status_code == 409
    assert replay["Idempotent-Replayed"] == "true"
    body = replay.json()
    assert body["code"] == "idempotency_secret_withheld"
    assert body["extra"]["withheld"] == ["key"]
    assert body["extra"]["status"] == 201
    shown = {k: v for k, v in first.json().items() if k != "key"}
    assert body["extra"]["response"] == shown
    assert key not in replay.content.decode()
    assert ApiClient.objects.count() == 1


@pytest.mark.urls("core.tests.urls_probe")
def test_secret_fields_are_withheld_from_the_stored_response_nested_too(admin_client):
    first = admin_client.post("/probe/secret/", {}, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.json()["credentials"]["password"] == "pw-secret"
    stored = str(IdempotencyRecord.objects.get(key="s-1").response_body)
    assert "tok-secret" not in stored
    assert "pw-secret" not in stored

    replay = admin_client.post("/probe/secret/", {}, format="json", HTTP_IDEMPOTENCY_KEY="s-1")

    assert replay.status_code == 409
    body = replay.json()
    assert body["code"] == "idempotency_secret_withheld"
    assert body["extra"]["withheld"] == ["token", "credentials.password"]
    assert body["extra"]["response"] == {"id": 7, "credentials": {"user": "u"}}
