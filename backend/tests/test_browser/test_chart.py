"""The chart in a real browser: Playwright drives Debian's Chromium (headless) against the
live server. Skipped, with the reason, where Chromium or Playwright is missing; `.ci/run`
installs Chromium (scripts/install-chromium.sh), so CI always runs them.
"""

import os
import shutil
import time
import unittest
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from django.test import override_settings

from apps.curriculum.models import AudioCache, AudioSource
from tests.factories import TempMediaMixin

CHROMIUM = os.environ.get("PHATAM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(settings.REPO_DIR) / "test-artifacts"
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - dev dependency
    sync_playwright = None

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Records what the page asks the browser's speech synthesis to say.
RECORD_SPEECH = """
window.__spoken = [];
window.speechSynthesis.speak = (utterance) => window.__spoken.push(
    {text: utterance.text, lang: utterance.lang});
"""
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"
ESPEAK_ONLY = {"en-US": ["espeak:en-us"], "en-GB": ["espeak:en-gb-x-rp"]}
WAIT_MS = 15_000


def wait_until(condition, *, timeout: float = 10.0) -> bool:
    """Poll ``condition`` (the database, from the test's side) until true or the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@unittest.skipUnless(sync_playwright, "playwright is not installed (pip install -e '.[dev]')")
@unittest.skipUnless(
    os.access(CHROMIUM, os.X_OK), f"no Chromium at {CHROMIUM} (scripts/install-chromium.sh)"
)
@override_settings(PHATAM_VOICES=ESPEAK_ONLY)
class ChartInBrowserTests(TempMediaMixin, StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        call_command("seed_curriculum", stdout=StringIO())
        call_command(
            "generate_audio", "--phoneme", "iː", "--no-words", stdout=StringIO(), stderr=StringIO()
        )
        self.us = AudioSource.objects.get(phoneme__ipa_symbol="iː", language="en-US")
        self.uk = AudioSource.objects.get(phoneme__ipa_symbol="iː", language="en-GB")
        self.context = self.browser.new_context(viewport={"width": 1100, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def tearDown(self):
        self.context.close()

    def open_chart(self, *init_scripts: str) -> None:
        for script in init_scripts:
            self.page.add_init_script(script)
        self.page.goto(f"{self.live_server_url}/")

    def phoneme(self, ipa: str):
        return self.page.locator(f'.phoneme[data-ipa="{ipa}"]')

    def wait_for_playback(self) -> dict:
        self.page.wait_for_function(
            "() => window.phatamAudio && !window.phatamAudio.paused"
            " && window.phatamAudio.currentTime > 0.05"
        )
        return self.page.evaluate(
            "() => ({src: window.phatamAudio.src, error: window.phatamAudio.error,"
            " tier: document.getElementById('status').dataset.tier,"
            " lastSrc: document.getElementById('status').dataset.lastSrc})"
        )

    def test_the_chart_shows_the_44_phonemes(self):
        self.open_chart()
        self.assertEqual(self.page.locator(".phoneme").count(), 44)
        self.assertEqual(self.page.locator(".section").count(), 3)
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / "chart.png"), full_page=True)
        self.assertTrue((ARTIFACTS / "chart.png").stat().st_size > 10_000)
        self.assertEqual(self.errors, [])

    def test_clicking_long_i_plays_its_audio_and_counts_one_play(self):
        self.open_chart()
        self.phoneme("iː").click()
        played = self.wait_for_playback()
        self.assertIsNone(played["error"])
        self.assertEqual(played["tier"], "tts")
        self.assertTrue(played["src"].endswith(self.us.get_url()))
        self.assertIn("TTS", self.page.locator("#status").text_content())
        self.assertIn("90", self.page.locator("#status").text_content())
        self.page.wait_for_function("() => window.phatamAudio.ended")
        self.assertTrue(
            wait_until(
                lambda: AudioCache.objects.filter(audio_source=self.us, usage_count__gte=1).exists()
            )
        )
        self.assertEqual(AudioCache.objects.get(audio_source=self.us).usage_count, 1)
        self.assertEqual(self.errors, [])

    def test_when_the_audio_fails_the_browser_speaks_the_example_word(self):
        self.page.route("**/media/**", lambda route: route.abort())
        self.open_chart(RECORD_SPEECH)
        self.phoneme("iː").click()
        self.page.wait_for_function("() => window.__spoken.length > 0")
        self.assertEqual(self.page.evaluate("window.__spoken"), [{"text": "see", "lang": "en-US"}])
        self.assertEqual(self.page.get_attribute("#status", "data-tier"), "web_speech")
        self.assertFalse(AudioCache.objects.filter(usage_count__gt=0).exists())

    def test_without_audio_or_speech_synthesis_the_page_says_so(self):
        self.page.route("**/media/**", lambda route: route.abort())
        self.open_chart(NO_SPEECH)
        self.phoneme("iː").click()
        self.page.wait_for_function(
            "() => document.getElementById('status').dataset.tier === 'none'"
        )
        self.assertIn("không phát được", self.page.locator("#status").text_content())

    def test_the_accent_toggle_changes_the_audio(self):
        self.open_chart()
        self.phoneme("iː").click()
        us = self.wait_for_playback()
        self.page.check('input[name="accent"][value="en-GB"]')
        self.phoneme("iː").click()
        self.page.wait_for_function(
            "(url) => document.getElementById('status').dataset.lastSrc === url",
            arg=self.uk.get_url(),
        )
        uk = self.wait_for_playback()
        self.assertTrue(us["src"].endswith(self.us.get_url()))
        self.assertTrue(uk["src"].endswith(self.uk.get_url()))
        self.assertNotEqual(us["src"], uk["src"])

    def test_keyboard_plays_stored_and_on_demand_audio(self):
        self.open_chart()
        for _ in range(10):  # Tab from the top of the page to the first phoneme
            self.page.keyboard.press("Tab")
            if self.page.evaluate("document.activeElement.dataset.ipa") == "iː":
                break
        self.assertEqual(self.page.evaluate("document.activeElement.dataset.ipa"), "iː")
        self.page.keyboard.press("Enter")
        self.assertEqual(self.wait_for_playback()["tier"], "tts")
        self.page.keyboard.press("Tab")
        self.assertEqual(self.page.evaluate("document.activeElement.dataset.ipa"), "ɪ")
        self.page.keyboard.press("Space")  # /ɪ/ has no stored audio: generated on demand
        self.page.wait_for_function(
            "() => document.getElementById('status').dataset.tier === 'generated'"
        )
        self.assertEqual(self.wait_for_playback()["error"], None)
        self.assertTrue(
            AudioSource.objects.filter(phoneme__ipa_symbol="ɪ", source_type="generated").exists()
        )

    def test_the_speed_toggle_slows_playback(self):
        self.open_chart()
        self.page.check('input[name="speed"][value="0.75"]')
        self.phoneme("iː").click()
        self.wait_for_playback()
        self.assertEqual(self.page.evaluate("window.phatamAudio.playbackRate"), 0.75)


def tearDownModule():
    # Nothing to clean for the artifacts: they are the point. Remove stray Playwright dirs.
    shutil.rmtree(ARTIFACTS / "tmp", ignore_errors=True)
