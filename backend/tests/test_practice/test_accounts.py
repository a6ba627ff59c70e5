"""Learner accounts: registering and tokens through the API, sign-up and log-in pages."""

from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from apps.practice.models import LearnerProfile
from tests.factories import make_user

REGISTER = "/api/auth/register/"
TOKEN = "/api/auth/token/"
GOOD_PASSWORD = "mot-mat-khau-dai-2024"


class RegisterApiTests(TestCase):
    def setUp(self):
        self.client = APIClient()

    def test_registering_answers_a_token_that_works(self):
        response = self.client.post(
            REGISTER, {"username": "lan", "password": GOOD_PASSWORD}, format="json"
        )

        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual(set(body), {"token", "username"})
        self.assertEqual(body["username"], "lan")
        user = get_user_model().objects.get(username="lan")
        self.assertTrue(user.check_password(GOOD_PASSWORD))
        self.assertEqual(LearnerProfile.objects.get(user=user).voice, "male")
        progress = APIClient().get("/api/progress/", HTTP_AUTHORIZATION=f"Token {body['token']}")
        self.assertEqual(progress.status_code, 200)

    def test_weak_passwords_are_refused_by_djangos_validators(self):
        for password in ("short", "password123", "12345678901", "lan-lan-lan"):
            with self.subTest(password):
                response = self.client.post(
                    REGISTER, {"username": "lan-lan-lan", "password": password}, format="json"
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn("password", response.json())
        self.assertFalse(get_user_model().objects.exists())

    def test_a_taken_username_is_refused_whatever_its_case(self):
        make_user("Lan")
        response = self.client.post(
            REGISTER, {"username": "lan", "password": GOOD_PASSWORD}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("username", response.json())

    def test_an_invalid_username_is_refused(self):
        response = self.client.post(
            REGISTER, {"username": "a b/c", "password": GOOD_PASSWORD}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("username", response.json())

    def test_missing_fields_are_field_errors(self):
        response = self.client.post(REGISTER, {}, format="json")
        self.assertEqual(set(response.json()), {"username", "password"})


class TokenApiTests(TestCase):
    def setUp(self):
        self.client = APIClient()
        self.user = make_user("minh")

    def test_the_right_password_gets_the_token(self):
        response = self.client.post(
            TOKEN, {"username": "minh", "password": "a-long-test-password"}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        token = response.json()["token"]
        again = self.client.post(
            TOKEN, {"username": "minh", "password": "a-long-test-password"}, format="json"
        )
        self.assertEqual(again.json()["token"], token)
        self.assertEqual(
            APIClient().get("/api/lessons/", HTTP_AUTHORIZATION=f"Token {token}").status_code, 200
        )

    def test_a_wrong_password_gets_no_token(self):
        response = self.client.post(TOKEN, {"username": "minh", "password": "wrong"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("token", response.json())

    def test_a_bad_token_is_401(self):
        response = APIClient().get("/api/progress/", HTTP_AUTHORIZATION="Token nonsense")
        self.assertEqual(response.status_code, 401)


@mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"auth": "3/minute"})
class ThrottleTests(TestCase):
    def test_token_requests_are_throttled(self):
        client = APIClient()
        codes = [
            client.post(TOKEN, {"username": "x", "password": "y"}, format="json").status_code
            for _ in range(4)
        ]
        self.assertEqual(codes, [400, 400, 400, 429])

    def test_registrations_are_throttled(self):
        client = APIClient()
        codes = [
            client.post(
                REGISTER, {"username": f"u{n}", "password": GOOD_PASSWORD}, format="json"
            ).status_code
            for n in range(4)
        ]
        self.assertEqual(codes, [201, 201, 201, 429])

    def test_sign_up_page_posts_are_throttled(self):
        codes = [self.client.post("/hoc/dang-ky/", {"username": "x"}).status_code for _ in range(4)]
        self.assertEqual(codes, [200, 200, 200, 429])


class AccountPageTests(TestCase):
    def test_signing_up_logs_the_learner_in_and_asks_their_dialect_and_accent(self):
        response = self.client.post(
            "/hoc/dang-ky/",
            {"username": "hoa", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
        )
        self.assertRedirects(response, "/hoc/bat-dau/")
        user = get_user_model().objects.get(username="hoa")
        self.assertEqual(int(self.client.session["_auth_user_id"]), user.pk)
        self.assertTrue(LearnerProfile.objects.filter(user=user).exists())

    def test_sign_up_errors_are_shown_in_vietnamese(self):
        response = self.client.post(
            "/hoc/dang-ky/",
            {"username": "hoa", "password1": "a", "password2": "b"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Hai trường mật khẩu không giống nhau")
        self.assertContains(response, '<html lang="vi">')
        self.assertFalse(get_user_model().objects.exists())

    def test_logging_in_and_out(self):
        make_user("hoa")
        response = self.client.post(
            "/hoc/dang-nhap/", {"username": "hoa", "password": "a-long-test-password"}
        )
        self.assertRedirects(response, "/hoc/")
        self.assertEqual(self.client.get("/hoc/").status_code, 200)
        response = self.client.post("/hoc/dang-xuat/")
        self.assertRedirects(response, "/")
        self.assertRedirects(self.client.get("/hoc/"), "/hoc/dang-nhap/?next=/hoc/")

    def test_a_wrong_password_is_said_in_vietnamese(self):
        make_user("hoa")
        response = self.client.post("/hoc/dang-nhap/", {"username": "hoa", "password": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Vui lòng điền vào")


class LockoutTests(TestCase):
    @override_settings(PHATAM_LOGIN_COOLOFF_MINUTES=60)
    def test_a_locked_out_learner_gets_429_not_wrong_password(self):
        make_user("lan")
        client = APIClient()
        wrong = [
            client.post(TOKEN, {"username": "lan", "password": "nope"}, format="json")
            for _ in range(settings.AXES_FAILURE_LIMIT)
        ]
        self.assertEqual({response.status_code for response in wrong[:-1]}, {400})
        # Locked now: even the right password is refused, and told so.
        response = client.post(
            TOKEN, {"username": "lan", "password": "a-long-test-password"}, format="json"
        )
        self.assertEqual(response.status_code, 429, response.content)
        self.assertIn("tạm khoá", response.json()["detail"])
        self.assertEqual(response["Retry-After"], "3600")


class LookalikeUsernameTests(TestCase):
    def setUp(self):
        make_user("alice")
        self.client = APIClient()

    def register(self, username: str):
        return self.client.post(
            REGISTER, {"username": username, "password": GOOD_PASSWORD}, format="json"
        )

    def test_names_that_only_look_like_a_taken_one_are_refused(self):
        for username in ("ali\u0441e", "ALICE", "al1ce", "Al1CE", "\uff41lice"):
            with self.subTest(username):
                response = self.register(username)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn("username", response.json())
        self.assertEqual(get_user_model().objects.count(), 1)

    def test_names_outside_ascii_letters_digits_and_dot_underscore_hyphen_are_refused(self):
        for username in ("nguyễn", "an@home", "a+b", "lan\u200b"):
            with self.subTest(username):
                response = self.register(username)
                self.assertEqual(response.status_code, 400)
                self.assertIn("không dấu", response.json()["username"][0])

    def test_different_names_are_still_accepted(self):
        for username in ("alicia", "bob.nguyen", "hoa_2024", "an-1"):
            with self.subTest(username):
                self.assertEqual(self.register(username).status_code, 201)

    def test_the_sign_up_page_refuses_them_too(self):
        response = self.client.post(
            "/hoc/dang-ky/",
            {"username": "al1ce", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "quá giống")
