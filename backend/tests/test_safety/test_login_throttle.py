"""The admin login locks a (username, address) pair out after PHATAM_LOGIN_FAILURE_LIMIT
wrong passwords (5) for PHATAM_LOGIN_COOLOFF_MINUTES (60), with a short page that says so;
while locked, even the right password is refused."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

LOGIN = reverse("admin:login")
PASSWORD = "the-right-password-42"


class LoginThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        get_user_model().objects.create_superuser("teacher", "t@example.com", PASSWORD)
        get_user_model().objects.create_superuser("other", "o@example.com", PASSWORD)

    def log_in(self, password: str, *, username: str = "teacher", address: str = "203.0.113.7"):
        return self.client.post(
            LOGIN,
            {"username": username, "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
        )

    def assert_logged_in(self, response) -> None:
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.client.logout()

    def assert_locked(self, response) -> None:
        self.assertIn(response.status_code, (403, 429))
        self.assertIn("too many", response.content.decode().lower())
        self.assertNotIn("Traceback", response.content.decode())
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_defaults_are_five_failures_and_an_hour(self):
        self.assertEqual(settings.AXES_FAILURE_LIMIT, 5)
        self.assertEqual(settings.AXES_COOLOFF_TIME, timedelta(hours=1))

    def test_thirty_wrong_passwords_lock_the_login_after_the_limit(self):
        statuses = [self.log_in(f"wrong-{n}").status_code for n in range(30)]

        self.assertEqual(statuses[:4], [200] * 4)  # the form again, with its error
        self.assertTrue(all(status in (403, 429) for status in statuses[5:]), statuses)
        self.assert_locked(self.log_in(PASSWORD))

    def test_the_lockout_page_is_short_and_says_when_to_retry(self):
        for n in range(5):
            self.log_in(f"wrong-{n}")

        response = self.log_in(PASSWORD)

        self.assert_locked(response)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "3600")
        self.assertLess(len(response.content), 3000)

    def test_fewer_failures_than_the_limit_do_not_lock(self):
        for n in range(4):
            self.log_in(f"wrong-{n}")

        self.assert_logged_in(self.log_in(PASSWORD))

    def test_another_user_or_another_address_is_not_locked(self):
        for n in range(6):
            self.log_in(f"wrong-{n}")

        self.assert_logged_in(self.log_in(PASSWORD, username="other"))
        self.assert_logged_in(self.log_in(PASSWORD, address="198.51.100.9"))

    def test_the_lock_ends_after_the_cool_off(self):
        for n in range(5):
            self.log_in(f"wrong-{n}")
        self.assert_locked(self.log_in(PASSWORD))

        AccessAttempt.objects.update(
            attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=61)
        )

        self.assert_logged_in(self.log_in(PASSWORD))

    def test_force_login_in_tests_still_works(self):
        user = get_user_model().objects.get(username="teacher")
        self.client.force_login(user)

        self.assertEqual(self.client.get("/admin/").status_code, 200)
