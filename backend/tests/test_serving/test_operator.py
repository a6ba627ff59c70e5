"""An operator's first mistakes get one clear line and a non-zero exit, never a traceback:
a bad setting, a database that does not exist (created when the server allows) or that
cannot be reached."""

import os
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

import psycopg

BACKEND = Path(__file__).resolve().parents[2]
PG = os.environ.get("PHATAM_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BACKEND,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def postgres_available() -> bool:
    try:
        with psycopg.connect(f"{PG}/postgres", connect_timeout=2):
            return True
    except psycopg.Error:
        return False


class BadSettingTests(unittest.TestCase):
    def test_a_bad_number_is_one_line_naming_the_variable(self):
        result = manage("check", PHATAM_TTS_CACHE_DAYS="abc")

        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("Traceback", result.stderr)
        self.assertIn("PHATAM_TTS_CACHE_DAYS='abc' is not an integer", result.stderr)
        self.assertLessEqual(len(result.stderr.strip().splitlines()), 2, result.stderr)


class UnreachableDatabaseTests(unittest.TestCase):
    def test_a_server_that_does_not_answer_is_one_line(self):
        result = manage("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/phatam")

        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("Traceback", result.stderr)
        self.assertIn("cannot use the database", result.stderr)


@unittest.skipUnless(postgres_available(), "PostgreSQL is not running here (tested in .ci/run)")
class MissingDatabaseTests(unittest.TestCase):
    def setUp(self):
        self.name = f"phatam_ensure_{uuid.uuid4().hex[:8]}"
        self.url = f"{PG}/{self.name}"
        self.addCleanup(self.drop)

    def drop(self):
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}"')

    def test_migrate_on_a_missing_database_says_how_to_create_it(self):
        result = manage("migrate", DATABASE_URL=self.url)

        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("Traceback", result.stderr)
        self.assertIn("does not exist", result.stderr)
        self.assertIn("ensure_database", result.stderr)

    def test_ensure_database_creates_it_once(self):
        first = manage("ensure_database", DATABASE_URL=self.url)
        second = manage("ensure_database", DATABASE_URL=self.url)

        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("Created", first.stdout)
        self.assertEqual((second.returncode, second.stdout.strip()), (0, ""))
        with psycopg.connect(self.url) as connection:
            self.assertEqual(connection.execute("SELECT 1").fetchone(), (1,))
