"""/health/ says, in JSON, whether the database, the cache, media storage and the broker
answer: 200 when all do, 503 (take this server out of rotation) when one does not."""

from unittest import mock

from django.core.files.storage import FileSystemStorage
from django.db.utils import OperationalError
from django.test import TestCase, override_settings

from tests.factories import TempMediaMixin


class BrokenStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(28, "No space left on device")


class HealthTests(TempMediaMixin, TestCase):
    def test_all_well_is_200_in_json_naming_each_check(self):
        response = self.client.get("/health/", headers={"Accept": "text/html"})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(set(body.values()), {"OK"})
        self.assertTrue(any(name.startswith("Database") for name in body))
        self.assertTrue(any(name.startswith("Cache") for name in body))
        self.assertTrue(any(name.startswith("Storage") for name in body))

    def test_a_full_disk_is_503(self):
        storages = {
            "default": {"BACKEND": f"{__name__}.BrokenStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages), self.assertLogs("health_check", "ERROR"):
            response = self.client.get("/health/")

        self.assertEqual(response.status_code, 503)
        storage = next(v for k, v in response.json().items() if k.startswith("Storage"))
        self.assertNotEqual(storage, "OK")

    def test_a_database_that_does_not_answer_is_503(self):
        down = mock.patch(
            "health_check.checks.Database.run", side_effect=OperationalError("no connection")
        )
        with down, self.assertLogs("health_check", "ERROR"):
            response = self.client.get("/health/")

        self.assertEqual(response.status_code, 503)

    def test_a_cache_that_loses_what_it_was_given_is_503(self):
        with mock.patch("django.core.cache.backends.locmem.LocMemCache.aget", return_value=None):
            response = self.client.get("/health/")

        self.assertEqual(response.status_code, 503)

    @override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    def test_a_configured_broker_that_does_not_answer_is_503(self):
        response = self.client.get("/health/")

        self.assertEqual(response.status_code, 503)
        broker = next(v for k, v in response.json().items() if k.startswith("Redis"))
        self.assertNotEqual(broker, "OK")
