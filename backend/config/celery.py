"""The Celery app: audio generation on worker processes, when a broker is configured.

Settings come from Django's, the ``CELERY_`` ones (``CELERY_BROKER_URL`` and the rest in
``config/settings.py``). Start a worker with ``make worker`` and the scheduler with
``make beat``; without ``CELERY_BROKER_URL`` nothing uses this app and jobs run in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("phatam")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each installed app's tasks module, and the audio system's, one level below its app.
app.autodiscover_tasks()
app.autodiscover_tasks(["apps.curriculum.audio"])
