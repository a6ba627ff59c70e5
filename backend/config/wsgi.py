import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
try:
    django_application = get_wsgi_application()
except ImproperlyConfigured as exc:  # a bad setting: one line for the operator
    sys.exit(f"PhatAm cannot start: {exc}")

from apps.curriculum.api.cache import PayloadWsgi  # noqa: E402 (needs the apps loaded)

# A cached chart payload is answered before Django handles the request at all (README,
# "Serving many learners"); everything else goes to Django.
application = PayloadWsgi(django_application)
