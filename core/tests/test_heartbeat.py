"""core.heartbeat: a row's heartbeat written from a thread on its own connection."""

import threading
import time

import pytest
from django.db import connection

from core.heartbeat import Heartbeat
from core.privileges import owner_connection

pytestmark = pytest.mark.django_db(transaction=True)

BEAT = "UPDATE heartbeat_probe SET beats = beats + 1, at = statement_timestamp() WHERE id = %s"


@pytest.fixture
def probe():
    # DDL is the owner's (the runtime role owns nothing); the beats themselves run as the app.
    runtime = connection.settings_dict["USER"]
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE heartbeat_probe (id int PRIMARY KEY, beats int, at timestamptz)"
        )
        cursor.execute("INSERT INTO heartbeat_probe VALUES (1, 0, NULL)")
        if runtime and runtime != owner.settings_dict["USER"]:
            cursor.execute(f'GRANT SELECT, UPDATE ON heartbeat_probe TO "{runtime}"')
    yield
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("DROP TABLE heartbeat_probe")


def beats():
    with connection.cursor() as cursor:
        cursor.execute("SELECT beats FROM heartbeat_probe WHERE id = 1")
        return cursor.fetchone()[0]


def wait_for(condition):
    end = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_beats_while_the_block_runs_and_stops_with_it(probe):
    with Heartbeat(BEAT, [1], interval=0.05) as heartbeat:
        # The block is busy in Python (holding the GIL between switches): the thread beats.
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            sum(range(1000))
        wait_for(lambda: beats() >= 2)

    after = beats()
    assert after == heartbeat.beats
    assert not [thread for thread in threading.enumerate() if thread.name == "heartbeat"]
    time.sleep(0.2)
    assert beats() == after


def test_a_lost_connection_does_not_stop_the_heartbeat(probe):
    """The beat's session is terminated (a database restart, a pooler): the next beat opens a
    new connection."""
    with Heartbeat(BEAT, [1], interval=0.05):
        wait_for(lambda: beats() >= 1)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'UPDATE heartbeat_probe%%' AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0]
        seen = beats()
        wait_for(lambda: beats() >= seen + 2)
