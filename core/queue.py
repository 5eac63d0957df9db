"""Queueing Celery tasks from services, by name, once the transaction commits.

A task module is a thin entry point that imports the service it calls; a service that imported
the task module back would close an import cycle. Services name the task instead, and it is
looked up in the Celery app's registry (every app registers its task modules in
``AppConfig.ready``) when the transaction commits, so a rolled-back request queues nothing and
a worker never looks for a row that is not there yet.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, /, *args: Any, **kwargs: Any) -> None:
    """Queue ``task_name`` with these arguments when the current transaction commits (at once
    outside one); eager in tests, like ``task.delay``."""
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(*args, **kwargs))
