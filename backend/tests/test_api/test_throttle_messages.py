"""Every 429 under /api/ says in Vietnamese when to try again, with ``Retry-After``: the
throttles of views that share no base class (sign-up, tokens, plays) included, not only the
learner endpoints'."""

from unittest import mock

from django.conf import settings
from django.test import TestCase, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import make_user

REGISTER = "/api/auth/register/"
TOKEN = "/api/auth/token/"


@mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"auth": "2/minute", "plays": "2/minute"})
class ThrottledAnswerTests(TestCase):
    def setUp(self):
        self.client = APIClient()

    def assert_vietnamese_429(self, response):
        self.assertEqual(response.status_code, 429, response.content)
        wait = int(response["Retry-After"])
        self.assertTrue(0 < wait <= 60, wait)
        detail = response.json()["detail"]
        self.assertEqual(
            detail, f"Bạn gửi quá nhiều yêu cầu (too many requests). Hãy thử lại sau {wait} giây."
        )
        self.assertNotIn("Request was throttled", detail)

    def test_token_requests_past_the_rate(self):
        for _ in range(2):
            self.client.post(TOKEN, {"username": "x", "password": "y"}, format="json")
        response = self.client.post(TOKEN, {"username": "x", "password": "y"}, format="json")
        self.assert_vietnamese_429(response)

    def test_registrations_past_the_rate(self):
        for n in range(2):
            self.client.post(
                REGISTER, {"username": f"u{n}", "password": "mot-mat-khau-dai"}, format="json"
            )
        response = self.client.post(
            REGISTER, {"username": "u9", "password": "mot-mat-khau-dai"}, format="json"
        )
        self.assert_vietnamese_429(response)

    def test_plays_past_the_rate(self):
        for _ in range(2):
            self.client.post("/api/audio/999/plays/")
        self.assert_vietnamese_429(self.client.post("/api/audio/999/plays/"))


class LockedOutTokenTests(TestCase):
    @override_settings(PHATAM_LOGIN_COOLOFF_MINUTES=60)
    def test_a_429_with_its_own_words_keeps_them(self):
        make_user("lan")
        client = APIClient()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(TOKEN, {"username": "lan", "password": "nope"}, format="json")
        response = client.post(
            TOKEN, {"username": "lan", "password": "a-long-test-password"}, format="json"
        )
        self.assertEqual(response.status_code, 429)
        self.assertIn("tạm khoá", response.json()["detail"])
        self.assertEqual(response["Retry-After"], "3600")
