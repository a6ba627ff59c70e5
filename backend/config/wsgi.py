import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
try:
    django_application = get_wsgi_application()
except ImproperlyConfigured as exc:  # a bad setting: one line for the operator
    sys.exit(f"PhatAm cannot start: {exc}")

from django.urls import get_resolver  # noqa: E402

from apps.curriculum.api.cache import PayloadWsgi  # noqa: E402 (needs the apps loaded)

# Every view imported now, not on a worker's first request: with gunicorn's preload_app the
# master does it once and the workers share the pages (config/gunicorn.py).
get_resolver().url_patterns  # noqa: B018

# A cached chart payload is answered before Django handles the request at all (README,
# "Serving many learners"); everything else goes to Django.
application = PayloadWsgi(django_application)
