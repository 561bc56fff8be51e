"""The Celery application: broker from REDIS_URL, or a local filesystem folder by default."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One live beat per data folder (its signal receivers refuse a second one).
from crm import verrou_beat  # noqa: E402, F401


def preparer_dossiers() -> None:
    """The filesystem broker and the file result backend need their folders to exist."""
    from django.conf import settings

    opts = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if key in opts:
            Path(str(opts[key])).mkdir(parents=True, exist_ok=True)
    backend = settings.CELERY_RESULT_BACKEND
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
