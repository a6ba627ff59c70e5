"""The chart in a real browser (see tests/browser.py)."""

from io import StringIO

from django.core.management import call_command

from apps.curriculum.models import AudioCache, AudioSource
from tests.browser import BrowserTestCase, wait_until

# Records what the page asks the browser's speech synthesis to say.
RECORD_SPEECH = """
window.__spoken = [];
window.speechSynthesis.speak = (utterance) => window.__spoken.push(
    {text: utterance.text, lang: utterance.lang});
"""
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"


class ChartInBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())
        call_command(
            "generate_audio", "--phoneme", "iː", "--no-words", stdout=StringIO(), stderr=StringIO()
        )
        self.us = AudioSource.objects.get(phoneme__ipa_symbol="iː", language="en-US")
        self.uk = AudioSource.objects.get(phoneme__ipa_symbol="iː", language="en-GB")

    def open_chart(self, *init_scripts: str) -> None:
        for script in init_scripts:
            self.page.add_init_script(script)
        self.open("/")

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
        self.assertGreater(self.screenshot("chart.png").stat().st_size, 10_000)
        self.assertEqual(self.errors, [])

    def test_clicking_long_i_plays_its_audio_and_counts_one_play(self):
        self.open_chart()
        self.phoneme("iː").click()
        played = self.wait_for_playback()
        self.assertIsNone(played["error"])
        self.assertEqual(played["tier"], "tts")
        self.assertTrue(played["src"].endswith(self.us.get_url()))
        self.assertIn("TTS", self.page.locator("#status").text_content())
        self.assertEqual(self.page.get_attribute("#status", "data-quality"), "90")
        self.page.wait_for_function("() => window.phatamAudio.ended")
        self.assertTrue(
            wait_until(
                lambda: AudioCache.objects.filter(audio_source=self.us, usage_count__gte=1).exists()
            )
        )
        self.assertEqual(AudioCache.objects.get(audio_source=self.us).usage_count, 1)
        self.assertEqual(self.errors, [])

    def test_when_the_audio_fails_the_browser_speaks_the_example_word(self):
        # The context, not the page: the service worker fetches the audio on its behalf.
        self.context.route("**/media/**", lambda route: route.abort())
        self.open_chart(RECORD_SPEECH)
        self.phoneme("iː").click()
        self.page.wait_for_function("() => window.__spoken.length > 0")
        self.assertEqual(self.page.evaluate("window.__spoken"), [{"text": "see", "lang": "en-US"}])
        self.assertEqual(self.page.get_attribute("#status", "data-tier"), "web_speech")
        self.assertFalse(AudioCache.objects.filter(usage_count__gt=0).exists())

    def test_without_audio_or_speech_synthesis_the_page_says_so(self):
        # The context, not the page: the service worker fetches the audio on its behalf.
        self.context.route("**/media/**", lambda route: route.abort())
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
