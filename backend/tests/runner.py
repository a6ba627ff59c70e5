"""``manage.py test`` points to ``make test``: the suite runs under pytest only.

Its environment (no network beyond 127.0.0.1, TTS engines in memory: ``tests/conftest.py``)
and part of its tests (plain functions, the speech core's) exist only under pytest, so
Django's own runner would run fewer tests, in another environment, under the same name.
"""

from django.core.management.base import CommandError
from django.test.runner import DiscoverRunner


class PytestOnlyRunner(DiscoverRunner):
    def run_tests(self, test_labels, **kwargs):
        raise CommandError(
            "The test suite runs under pytest: `make test`, or `.venv/bin/pytest "
            "backend/tests/<dir or file>` from the repository root."
        )
