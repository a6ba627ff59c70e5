import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

BACKEND_DIR = Path(settings.BASE_DIR)


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh process whose settings module is read with ``env`` (the settings
    alone: what they refuse is refused when they are read, before any app is loaded)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; settings.DEBUG; {code}"],
        cwd=BACKEND_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


class SettingsTests(SimpleTestCase):
    def test_missing_secret_key_is_refused_when_debug_is_off(self):
        result = run_django("pass", DEBUG="0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set when DEBUG is off", result.stderr)

    def test_secret_key_from_environment_is_used(self):
        result = run_django(
            "from django.conf import settings; print(settings.SECRET_KEY)",
            DEBUG="0",
            SECRET_KEY="s3cret-from-env",
        )
        self.assertEqual(result.stdout.strip(), "s3cret-from-env", result.stderr)

    def test_bad_boolean_is_a_clear_error(self):
        result = run_django("pass", DEBUG="maybe")
        self.assertIn("DEBUG='maybe' is not a boolean", result.stderr)

    def test_embedded_defaults_are_sqlite_and_media_under_var(self):
        code = (
            "from django.conf import settings; d = settings.DATABASES['default']; "
            "print(d['ENGINE']); print(d['NAME']); print(settings.MEDIA_ROOT)"
        )
        result = run_django(code, DATABASE_URL="", MEDIA_ROOT="", PHATAM_VAR_DIR="")
        engine, name, media = result.stdout.split()
        self.assertEqual(engine, "django.db.backends.sqlite3", result.stderr)
        self.assertEqual(Path(name), BACKEND_DIR.parent / "var" / "db.sqlite3")
        self.assertEqual(Path(media), BACKEND_DIR.parent / "var" / "media")

    def test_database_url_selects_postgresql(self):
        code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
        result = run_django(code, DATABASE_URL="postgres://u@db.example:5432/phatam")
        self.assertEqual(result.stdout.strip(), "django.db.backends.postgresql", result.stderr)


class BadAudioSettingsTests(SimpleTestCase):
    def test_a_duration_that_is_not_a_number_is_a_clear_error(self):
        result = run_django("pass", PHATAM_UPLOAD_MAX_SECONDS="ten")
        self.assertIn("PHATAM_UPLOAD_MAX_SECONDS='ten' is not a number", result.stderr)

    def test_a_play_rate_that_is_not_a_rate_is_a_clear_error(self):
        result = run_django("pass", PHATAM_PLAYS_RATE="lots")
        self.assertIn("PHATAM_PLAYS_RATE='lots' is not a rate like '30/minute'", result.stderr)
