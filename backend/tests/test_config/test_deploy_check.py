"""Production settings pass Django's deployment checklist (the missing-key refusal is in
test_settings)."""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

BACKEND_DIR = Path(settings.BASE_DIR)
# Variables of the developer's or CI's shell that would change what is checked.
OVERRIDDEN = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "PHATAM_SERVE_MEDIA",
    "PHATAM_VAR_DIR",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process, on SQLite, with only ``env`` on top of the shell's."""
    with tempfile.TemporaryDirectory(prefix="phatam-var-") as var_dir:
        environment = {k: v for k, v in os.environ.items() if k not in OVERRIDDEN}
        environment.update(PHATAM_VAR_DIR=var_dir, **env)
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BACKEND_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )


class DeployCheckTests(SimpleTestCase):
    def test_production_settings_pass_the_deploy_check(self):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(60)[:60],
            ALLOWED_HOSTS="phatam.example",
            PHATAM_SERVE_MEDIA="0",
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)


class DjangoTestRunnerTests(SimpleTestCase):
    def test_manage_py_test_points_to_pytest_instead_of_running_part_of_the_suite(self):
        result = manage("test")

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("The test suite runs under pytest: `make test`", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertNotIn("Ran ", result.stderr)
