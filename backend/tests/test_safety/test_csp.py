"""Pages carry a Content-Security-Policy that forbids inline script, and none of the site's
own pages needs one: the chart, the admin and the API docs load every script from a file."""

import re

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from tests.factories import TempMediaMixin, make_audio, make_phoneme

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class CspTestCase(TempMediaMixin, TestCase):
    def assert_strict_policy(self, response) -> None:
        directives = policy(response)
        self.assertEqual(directives["script-src"], ["'self'"])
        self.assertNotIn("'unsafe-inline'", response["Content-Security-Policy"])
        self.assertNotIn("'unsafe-eval'", response["Content-Security-Policy"])
        self.assertEqual(directives["object-src"], ["'none'"])
        self.assertEqual(directives["base-uri"], ["'self'"])
        self.assertEqual(directives["frame-ancestors"], ["'none'"])
        self.assertIn("'self'", directives["media-src"])

    def assert_no_inline_script(self, html: str) -> None:
        for attributes, body in SCRIPT_TAG.findall(html):
            with self.subTest(script=attributes.strip()[:60]):
                if 'type="application/json"' in attributes:
                    continue  # data, never run
                self.assertIn("src=", attributes)
                self.assertEqual(body.strip(), "")
        self.assertIsNone(EVENT_ATTRIBUTE.search(html))


class ChartPolicyTests(CspTestCase):
    def test_the_chart_has_a_strict_policy(self):
        response = self.client.get("/")

        self.assertEqual(response.status_code, 200)
        self.assert_strict_policy(response)

    def test_the_chart_has_no_inline_script_or_style(self):
        html = self.client.get("/").content.decode()

        self.assert_no_inline_script(html)
        self.assertIsNone(STYLE_ATTRIBUTE.search(html))
        self.assertFalse("<style" in html)


class AdminPolicyTests(CspTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "a-long-test-password"
        )

    def setUp(self):
        super().setUp()
        self.client.force_login(self.admin)
        self.phoneme = make_phoneme("iː")
        self.source = make_audio(self.phoneme, acoustic_verdict="failed", acoustic_heard_as="ɪ")

    def test_the_admin_pages_have_a_strict_policy_and_no_inline_script(self):
        for url in (
            reverse("admin:index"),
            reverse("admin:curriculum_phoneme_change", args=[self.phoneme.pk]),
            reverse("admin:curriculum_audiosource_changelist"),
            reverse("admin:curriculum_audiosource_change", args=[self.source.pk]),
            reverse("admin:curriculum_audiosource_upload"),
            reverse("admin:curriculum_audio_analytics"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertEqual(response.status_code, 200)
                self.assert_strict_policy(response)
                self.assert_no_inline_script(response.content.decode())

    def test_our_admin_markup_has_no_style_attribute(self):
        for url in (
            reverse("admin:curriculum_audiosource_changelist"),
            reverse("admin:curriculum_phoneme_change", args=[self.phoneme.pk]),
            reverse("admin:curriculum_audio_analytics"),
        ):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertFalse('style="color' in html or 'style="max-width' in html)

    def test_the_login_page_has_the_policy(self):
        self.client.logout()

        self.assert_strict_policy(self.client.get(reverse("admin:login")))


class ApiDocsPolicyTests(CspTestCase):
    def test_the_api_docs_load_their_script_from_a_url(self):
        response = self.client.get("/api/docs/")

        self.assertEqual(response.status_code, 200)
        self.assert_strict_policy(response)
        html = response.content.decode()
        self.assert_no_inline_script(html)
        self.assertFalse("<style" in html)

    def test_the_docs_script_is_javascript(self):
        response = self.client.get("/api/docs/?script=")

        self.assertEqual(response.status_code, 200)
        self.assertIn("javascript", response["Content-Type"])
        self.assertIn("SwaggerUIBundle", response.content.decode())
