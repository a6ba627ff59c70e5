"""The Content-Security-Policy in a real browser: script injected into the chart's HTML does
not run and the chart still plays; the admin and API docs pages break no rule of it."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.curriculum.models import AudioSource, Phoneme
from tests.browser import BrowserTestCase
from tests.test_safety.live_media import ProjectMediaViewMixin

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    (event) => window.__violations.push(event.effectiveDirective));
"""
INJECTED = (
    "<script>window.__injected = true; alert('xss');</script>"
    '<img src="data:," onerror="window.__injected = true">'
)


class CspInBrowserTestCase(ProjectMediaViewMixin, BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.dialogs: list[str] = []
        self.page.on(
            "dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss())
        )
        self.console_violations: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.console_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        self.page.add_init_script(RECORD_VIOLATIONS)


class ChartUnderCspTests(CspInBrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())
        call_command(
            "generate_audio", "--phoneme", "iː", "--no-words", stdout=StringIO(), stderr=StringIO()
        )
        self.us = AudioSource.objects.get(phoneme__ipa_symbol="iː", language="en-US")

    def inject_into_the_chart(self, route) -> None:
        response = route.fetch()
        body = response.text().replace("<main>", f"<main>{INJECTED}", 1)
        route.fulfill(response=response, body=body)

    def test_the_chart_runs_no_injected_inline_script_and_still_plays(self):
        self.page.route(f"{self.live_server_url}/", self.inject_into_the_chart)
        self.open("/")

        self.assertIsNone(self.page.evaluate("window.__injected"))
        self.assertEqual(self.dialogs, [])
        self.assertIn("script-src-elem", self.page.evaluate("window.__violations"))
        self.page.locator('.phoneme[data-ipa="iː"]').click()
        self.page.wait_for_function(
            "() => window.phatamAudio && !window.phatamAudio.paused"
            " && window.phatamAudio.currentTime > 0.05"
        )
        self.assertTrue(self.page.evaluate("window.phatamAudio.src").endswith(self.us.get_url()))
        self.assertEqual(self.errors, [])

    def test_the_chart_itself_breaks_no_rule(self):
        self.open("/")
        self.page.locator('.phoneme[data-ipa="iː"]').click()
        self.page.wait_for_function("() => window.phatamAudio && window.phatamAudio.currentTime")

        self.assertEqual(self.page.evaluate("window.__violations"), [])
        self.assertEqual(self.console_violations, [])


class AdminAndDocsUnderCspTests(CspInBrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())
        admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw-long-1")
        self.long_i = Phoneme.objects.get(ipa_symbol="iː")
        # Log the browser in with the test client's session cookie.
        self.client.force_login(admin)
        cookie = self.client.cookies["sessionid"]
        self.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": self.live_server_url}]
        )

    def assert_no_violation(self, path: str, ready: str) -> None:
        self.console_violations.clear()
        self.open(path)
        self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")

        self.assertEqual(self.page.evaluate("window.__violations"), [], path)
        self.assertEqual(self.console_violations, [], path)
        self.assertEqual(self.errors, [], path)

    def test_the_admin_pages_break_no_rule(self):
        for path, ready in (
            ("/admin/", "#content"),
            (f"/admin/curriculum/phoneme/{self.long_i.pk}/change/", "#audio_sources-group"),
            ("/admin/curriculum/audiosource/", "#changelist"),
            ("/admin/curriculum/audiosource/upload/", "form"),
            ("/admin/curriculum/audiocache/analytics/", "#plays-chart"),
        ):
            with self.subTest(path=path):
                self.assert_no_violation(path, ready)

    def test_the_api_docs_render_and_break_no_rule(self):
        self.assert_no_violation("/api/docs/", ".swagger-ui .opblock")

        self.assertGreater(self.page.locator(".opblock").count(), 5)
