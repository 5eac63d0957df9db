"""The Celery app: web, worker and beat share settings (and so the embedded Redis)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yangguang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
