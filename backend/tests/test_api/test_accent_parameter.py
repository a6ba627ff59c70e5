"""``accent`` is an accent of PHATAM_VOICES or left out (the default accent): given empty
(``accent=``), every endpoint that takes it answers 400 in JSON, never the default."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from rest_framework.test import APIClient

from tests.factories import make_category, make_phoneme, make_user


class EmptyAccentTests(TestCase):
    def setUp(self):
        self.vowel = make_phoneme("iː", category=make_category("vowel"))
        self.client = APIClient()
        self.client.force_authenticate(make_user())

    def assert_refused(self, response):
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("accent", response.json())

    def test_query_parameters(self):
        pk = self.vowel.pk
        for url in (
            "/api/phonemes/?accent=",
            f"/api/phonemes/{pk}/?accent=",
            f"/api/phonemes/{pk}/audio/?accent=",
            "/api/drills/next/?accent=",
            f"/api/feedback/vowel/chart/?phoneme={pk}&accent=",
        ):
            with self.subTest(url):
                self.assert_refused(self.client.get(url))

    def test_the_cached_chart_payload_does_not_answer_it_either(self):
        self.assertEqual(self.client.get("/api/phonemes/").status_code, 200)  # now cached
        self.assert_refused(self.client.get("/api/phonemes/?accent="))

    def test_form_fields(self):
        upload = SimpleUploadedFile("me.wav", b"RIFF", content_type="audio/wav")
        response = self.client.post(
            "/api/feedback/vowel/",
            {"file": upload, "phoneme": self.vowel.pk, "accent": ""},
            format="multipart",
        )
        self.assert_refused(response)
        self.assertIn("en-US", response.json()["accent"][0])

    def test_left_out_it_is_still_the_default_accent(self):
        response = self.client.get(f"/api/phonemes/{self.vowel.pk}/")
        self.assertEqual(response.status_code, 200)
