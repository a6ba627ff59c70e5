"""The database stops answering after start: every request that needs it gets 503 with
``Retry-After`` (JSON under /api/, a short page in Vietnamese elsewhere), never a 500."""

import json as json_module
from contextlib import contextmanager
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory, TestCase
from rest_framework.authtoken.models import Token

from apps.core.errors import DATABASE_RETRY_AFTER, database_outage, server_error
from tests.factories import make_user

API = [
    ("get", "/api/drills/next/?accent=en-US", {}),
    ("get", "/api/progress/", {}),
    ("post", "/api/auth/token/", {"username": "an", "password": "a-long-test-password"}),
    ("post", "/api/auth/register/", {"username": "binh", "password": "another-long-password"}),
    ("get", "/api/feedback/vowel/", {}),
]
PAGES = ["/hoc/", "/hoc/tien-do/", "/hoc/bai-hoc/", "/hoc/nguyen-am/"]


@contextmanager
def database_down(error: type[Exception] = OperationalError):
    """Every query fails, as when PostgreSQL stops after the server started."""
    failure = error("server closed the connection unexpectedly")
    with mock.patch.object(connection, "cursor", side_effect=failure):
        yield


class DatabaseDownTests(TestCase):
    def setUp(self):
        database_outage.reset()
        self.learner = make_user("an")
        self.token = Token.objects.create(user=self.learner).key

    def assert_unavailable(self, response, *, json: bool):
        self.assertEqual(response.status_code, 503, response.content[:300])
        self.assertEqual(response["Retry-After"], str(DATABASE_RETRY_AFTER))
        if json:
            self.assertIn("cơ sở dữ liệu", json_module.loads(response.content)["detail"])
        else:
            self.assertTrue(response["Content-Type"].startswith("text/html"))
            self.assertIn("Tạm thời gián đoạn", response.content.decode())

    def test_learner_api_endpoints_answer_503_json(self):
        auth = {"HTTP_AUTHORIZATION": f"Token {self.token}"}
        for error in (OperationalError, InterfaceError):
            for method, url, data in API:
                with self.subTest(error=error.__name__, url=url):
                    with database_down(error), self.assertLogs("apps.core.errors", "ERROR"):
                        database_outage.reset()
                        if method == "post":
                            response = self.client.post(
                                url, data, content_type="application/json", **auth
                            )
                        else:
                            response = self.client.get(url, **auth)
                    self.assert_unavailable(response, json=True)

    def test_a_vowel_recording_upload_answers_503_json(self):
        upload = SimpleUploadedFile("me.wav", b"RIFF" + b"\0" * 100, content_type="audio/wav")
        with database_down():
            response = self.client.post(
                "/api/feedback/vowel/",
                {"file": upload, "phoneme": 1, "accent": "en-US"},
                HTTP_AUTHORIZATION=f"Token {self.token}",
            )
        self.assert_unavailable(response, json=True)

    def test_learner_pages_answer_a_short_vietnamese_page(self):
        self.client.force_login(self.learner)
        for url in PAGES:
            with self.subTest(url), database_down():
                self.assert_unavailable(self.client.get(url), json=False)

    def test_the_outage_is_logged_once_a_minute_not_per_request(self):
        with database_down(), self.assertLogs("apps.core.errors", "ERROR") as logs:
            for _ in range(3):
                self.client.get("/api/progress/", HTTP_AUTHORIZATION=f"Token {self.token}")
        self.assertEqual(len(logs.records), 1)

    def test_a_fault_outside_any_view_is_a_503_too(self):
        """Raised in a middleware (a session saved after the view), it reaches handler500."""
        for path, json in (("/api/progress/", True), ("/hoc/", False)):
            with self.subTest(path):
                request = RequestFactory().get(path)
                try:
                    raise OperationalError("the database system is shutting down")
                except OperationalError:
                    response = server_error(request)
                self.assert_unavailable(response, json=json)

    def test_other_errors_are_still_a_500(self):
        request = RequestFactory().get("/hoc/")
        try:
            raise ValueError("a bug")
        except ValueError:
            response = server_error(request)
        self.assertEqual(response.status_code, 500)

    def test_the_whole_stack_answers_503_when_the_fault_is_outside_the_view(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.learner)
        with (
            mock.patch(
                "django.contrib.sessions.backends.db.SessionStore.load",
                side_effect=OperationalError("gone"),
            ),
            mock.patch(
                "django.contrib.auth.middleware.get_user",
                side_effect=OperationalError("gone"),
            ),
        ):
            response = client.get("/hoc/")
        self.assert_unavailable(response, json=False)
