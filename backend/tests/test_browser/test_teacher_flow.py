"""The teacher's whole flow in a real browser, as the issue's "done when" states it: an
administrator uploads a male and a female recording of /iː/, pins one, a learner's click on
/iː/ plays the pinned recording, and the analytics page counts that play.

In Chromium, like the other browser tests (see tests/browser.py).
"""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.curriculum.models import AcousticVerdict, AudioCache, AudioSource, Phoneme
from tests.audio_fixtures import FEMALE_US, MALE_US
from tests.audio_fixtures import vowel_mp3 as espeak_mp3
from tests.browser import BrowserTestCase, wait_until

PASSWORD = "a-long-test-password"


class TeacherFlowTests(BrowserTestCase):
    viewport = {"width": 1200, "height": 900}

    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())
        self.long_i = Phoneme.objects.get(ipa_symbol="iː")
        get_user_model().objects.create_superuser("teacher", "teacher@example.com", PASSWORD)

    def log_in(self) -> None:
        self.open("/admin/login/?next=/admin/")
        self.page.fill("#id_username", "teacher")
        self.page.fill("#id_password", PASSWORD)
        self.page.click('input[type="submit"]')
        self.page.wait_for_url("**/admin/")

    def upload(self, filename: str, audio: bytes, *, speaker: str, gender: str) -> AudioSource:
        self.open(f"/admin/curriculum/audiosource/upload/?phoneme={self.long_i.pk}")
        self.assertEqual(self.page.input_value("#id_phoneme"), str(self.long_i.pk))
        self.page.set_input_files(
            "#id_file", files=[{"name": filename, "mimeType": "audio/mpeg", "buffer": audio}]
        )
        self.page.select_option("#id_language", "en-US")
        self.page.fill("#id_speaker_name", speaker)
        self.page.select_option("#id_speaker_gender", gender)
        self.page.select_option("#id_licence", "CC-BY-4.0")
        self.page.click('input[type="submit"][value="Upload"]')
        self.page.wait_for_url("**/change/")
        self.assertIn("Stored", self.page.locator("ul.messagelist").text_content())
        return AudioSource.objects.get(voice_id=f"native:{speaker}")

    def pin(self, source: AudioSource) -> None:
        self.open("/admin/curriculum/audiosource/")
        self.page.check(f'input[name="_selected_action"][value="{source.pk}"]')
        self.page.select_option('select[name="action"]', "pin_as_preferred")
        self.page.click('button[name="index"]')  # "Go"
        self.page.wait_for_selector("ul.messagelist li")
        self.assertIn("Pinned 1 source(s).", self.page.locator("ul.messagelist").text_content())

    def test_uploaded_and_pinned_recording_plays_on_the_chart_and_is_counted(self):
        self.log_in()
        male = self.upload("male.mp3", espeak_mp3(voice=MALE_US), speaker="Tom", gender="male")
        female = self.upload(
            "female.mp3", espeak_mp3(voice=FEMALE_US), speaker="Lan", gender="female"
        )
        for source, gender in ((male, "male"), (female, "female")):
            self.assertEqual(
                (source.phoneme, source.source_type, source.language),
                (self.long_i, "native", "en-US"),
            )
            self.assertEqual(source.metadata["speaker_gender"], gender)
            self.assertEqual(source.acoustic_verdict, AcousticVerdict.PASSED, source.metadata)

        # Unpinned, the newer (female) recording would play: pinning the male one decides.
        self.pin(male)
        self.long_i.refresh_from_db()
        self.assertEqual(self.long_i.preferred_audio_source, male)

        self.open("/")
        self.assertEqual(self.page.get_attribute('input[name="accent"]:checked', "value"), "en-US")
        self.page.locator('.phoneme[data-ipa="iː"]').click()
        self.page.wait_for_function(
            "() => window.phatamAudio && !window.phatamAudio.paused"
            " && window.phatamAudio.currentTime > 0.05"
        )
        played = self.page.evaluate(
            "() => ({src: window.phatamAudio.src, error: window.phatamAudio.error,"
            " tier: document.getElementById('status').dataset.tier})"
        )
        self.assertIsNone(played["error"])
        self.assertEqual(played["tier"], "native")
        self.assertTrue(played["src"].endswith(male.get_url()), played["src"])
        self.assertTrue(
            wait_until(
                lambda: AudioCache.objects.filter(audio_source=male, usage_count__gte=1).exists()
            ),
            "the play was not counted",
        )
        self.assertEqual(AudioCache.objects.get(audio_source=male).usage_count, 1)
        self.assertEqual(AudioCache.objects.get(audio_source=female).usage_count, 0)

        self.open("/admin/curriculum/audiocache/analytics/")
        bar = self.page.locator('#plays-chart rect.bar[data-ipa="iː"]')
        self.assertEqual(bar.get_attribute("data-plays"), "1")
        self.assertEqual(self.page.locator("#plays-chart rect.bar").count(), 44)
        self.assertGreater(self.screenshot("analytics.png").stat().st_size, 10_000)
        self.assertEqual(self.errors, [])
