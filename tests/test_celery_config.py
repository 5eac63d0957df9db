"""The Celery settings that decide what happens to a task whose worker dies (#9).

The behaviour itself (a killed worker's import resumed or failed) is proved with a real worker
in catalog/tests/test_import_worker_killed.py; this pins the configuration it relies on.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def test_a_message_outlives_the_longest_task_before_redis_redelivers_it():
    """kombu's default visibility timeout is one hour: an import running longer would be
    handed to a second worker. It is set explicitly, above twice the hard time limit (a task
    may wait behind one running task in the worker's prefetch)."""
    conf = app.conf
    assert conf.task_time_limit == 2 * 3600
    assert conf.broker_transport_options["visibility_timeout"] == 5 * 3600
    assert conf.broker_transport_options["visibility_timeout"] > 2 * conf.task_time_limit


def test_a_task_whose_worker_died_is_requeued_not_acked():
    assert (app.conf.task_acks_late, app.conf.task_reject_on_worker_lost) == (True, True)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param(
            {"CELERY_VISIBILITY_TIMEOUT_S": "3600", "CELERY_TASK_TIME_LIMIT_S": "3600"},
            "CELERY_VISIBILITY_TIMEOUT_S",
            id="visibility-timeout-below-twice-the-time-limit",
        ),
        pytest.param(
            {"TASK_HEARTBEAT_S": "60", "TASK_HEARTBEAT_LIMIT_S": "120"},
            "TASK_HEARTBEAT_LIMIT_S",
            id="heartbeat-limit-below-three-beats",
        ),
    ],
)
def test_settings_that_would_redeliver_or_fail_a_live_task_refuse_to_start(env, named):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert named in result.stderr
