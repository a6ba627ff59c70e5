# Load the Celery app with Django (so its tasks bind to it) only when a broker is configured:
# without one nothing runs through Celery, and every process starts as fast as before.
import os

if os.environ.get("CELERY_BROKER_URL"):
    from config.celery import app as celery_app

    __all__ = ("celery_app",)
