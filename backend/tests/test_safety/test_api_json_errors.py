"""Every answer under /api/ is JSON, errors included: a body over Django's size limits, an
unknown URL, a bad id, with DEBUG on or off."""

from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings

from tests.factories import TempMediaMixin, make_phoneme

THREE_MB = "x" * (3 * 1024 * 1024)


class JsonErrorTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.client = Client(raise_request_exception=False)
        self.phoneme = make_phoneme("iː")

    def assert_json_error(self, response, *statuses: int) -> None:
        self.assertIn(response.status_code, statuses, response.content[:300])
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIsInstance(response.json()["detail"], str)


class TooLargeBodyTests(JsonErrorTestCase):
    def setUp(self):
        super().setUp()
        staff = get_user_model().objects.create_superuser("staff", "s@example.com", "pw-long-1")
        self.client.force_login(staff)
        self.url = f"/api/phonemes/{self.phoneme.pk}/audio-sources/"

    def test_a_3_mb_text_field_in_an_upload_is_a_json_error(self):
        for debug in (False, True):
            with self.subTest(debug=debug), override_settings(DEBUG=debug):
                response = self.client.post(self.url, {"speaker_name": THREE_MB})

                self.assert_json_error(response, 400, 413)

    def test_a_3_mb_form_body_read_by_the_csrf_check_is_a_json_error(self):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.force_login(get_user_model().objects.get(username="staff"))

        response = client.post(
            self.url, f"pad={THREE_MB}", content_type="application/x-www-form-urlencoded"
        )

        self.assert_json_error(response, 400, 403, 413)


class NotFoundTests(JsonErrorTestCase):
    def test_a_play_of_a_malformed_id_is_a_json_404(self):
        for debug in (False, True):
            with self.subTest(debug=debug), override_settings(DEBUG=debug):
                self.assert_json_error(self.client.post("/api/audio/null,null/plays/"), 404)

    def test_an_unknown_api_url_is_a_json_404(self):
        for debug in (False, True):
            for url in ("/api/nope/", "/api/phonemes/1/nope/", "/api/audio/", "/api/x%00y"):
                with self.subTest(debug=debug, url=url), override_settings(DEBUG=debug):
                    self.assert_json_error(self.client.get(url), 404)

    def test_pages_outside_the_api_keep_html_errors(self):
        response = self.client.get("/no-such-page/")

        self.assertEqual(response.status_code, 404)
        self.assertTrue(response["Content-Type"].startswith("text/html"))

    def test_the_api_docs_page_is_still_html(self):
        response = self.client.get("/api/docs/")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/html"))
