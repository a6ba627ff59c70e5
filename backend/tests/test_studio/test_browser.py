"""The studio in Chromium with a fake microphone that says /iː/ (eSpeak NG, a 16-bit WAV the
test makes; Chromium loops it): a teacher fills in the profile, records /iː/, sees the verdict,
saves it pinned, and the chart then plays that native recording. The time from the click on
"record" to the chart's audio playing is measured and printed (run with ``-s`` to see it).
"""

import shutil
import tempfile
import time
from io import StringIO
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from apps.curriculum.models import AudioSource, Phoneme
from speech.decoding import decode_bytes
from speech.editing import wav_bytes
from tests.audio_fixtures import MALE_US, vowel_mp3
from tests.browser import BrowserTestCase

PASSWORD = "a-long-test-password"
RECORD_SECONDS = 1.6


def fake_microphone_wav(path: Path) -> None:
    """/iː/ by eSpeak NG's American voice with room to breathe after it: each loop of the
    file is one take's worth (0.2 s, the vowel, 2.5 s of silence)."""
    vowel = decode_bytes(vowel_mp3("iː", MALE_US))
    rate = vowel.sample_rate
    samples = np.concatenate([np.zeros(rate // 5), vowel.samples, np.zeros(rate * 5 // 2)])
    path.write_bytes(wav_bytes(samples, rate))


class StudioInBrowserTests(BrowserTestCase):
    viewport = {"width": 1200, "height": 900}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = Path(tempfile.mkdtemp(prefix="phatam-studio-"))
        microphone = cls.workdir / "long-i.wav"
        fake_microphone_wav(microphone)
        # The shared browser has no microphone: this class gets one of its own.
        cls.browser = cls.launch_browser(
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={microphone}",
        )

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.enterContext(override_settings(VAR_DIR=str(self.workdir / "var")))
        call_command("seed_curriculum", stdout=StringIO())
        self.long_i = Phoneme.objects.get(ipa_symbol="iː")
        get_user_model().objects.create_user("teacher", password=PASSWORD, is_staff=True)
        # No inline script or style anywhere: the Content-Security-Policy would block it.
        self.csp_violations: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def log_in(self) -> None:
        self.open("/studio/?accent=en-US")
        self.page.wait_for_url("**/admin/login/**")
        self.page.fill("#id_username", "teacher")
        self.page.fill("#id_password", PASSWORD)
        self.page.click('input[type="submit"]')

    def fill_in_profile(self) -> None:
        self.page.wait_for_url("**/studio/profile/**")
        self.page.fill("#id_speaker_name", "Tom")
        self.page.select_option("#id_gender", "male")
        self.page.fill("#id_speaker_accent", "General American")
        self.page.select_option("#id_licence", "CC-BY-4.0")
        self.page.click('[data-action="profile-save"]')
        self.page.wait_for_url("**/studio/?accent=en-US")

    def test_a_teacher_records_saves_and_pins_and_the_chart_plays_it(self):
        self.log_in()
        self.fill_in_profile()
        row = self.page.locator('.phoneme-row[data-ipa="iː"]')
        self.assertEqual(row.get_attribute("data-natives"), "0")

        started = time.monotonic()
        row.locator('[data-action="record"]').click()
        self.page.wait_for_selector('#recorder[data-state="recording"]')
        recording = time.monotonic()
        self.page.wait_for_timeout(RECORD_SECONDS * 1000)
        self.page.click('#recorder [data-action="stop"]')
        stopped = time.monotonic()
        take = self.page.locator("#takes .take").first
        self.page.wait_for_selector('#takes .take:not([data-verdict="pending"])')
        judged = time.monotonic()
        verdict = take.locator(".take-verdict").text_content()
        self.assertEqual(take.get_attribute("data-verdict"), "passed", verdict)
        self.assertIn("Đạt", verdict)
        self.assertIn("Đạt", self.page.locator("#recorder-status").text_content())
        self.assertGreater(float(self.page.get_attribute("#level", "data-peak")), -40)
        self.assertTrue(self.page.is_checked("#pin"))

        take.locator('[data-action="save"]').click()
        self.page.wait_for_selector('#takes .take[data-saved="1"]')
        saved = time.monotonic()
        source = AudioSource.objects.get(phoneme=self.long_i, source_type="native")
        self.long_i.refresh_from_db()
        self.assertEqual(self.long_i.preferred_audio_source, source)
        self.assertEqual(source.metadata["speaker_name"], "Tom")
        self.assertEqual(row.get_attribute("data-natives"), "1")
        self.assertEqual(row.locator(".tier").get_attribute("data-tier"), "native")
        self.assertEqual(self.page.locator("#progress .recorded").text_content(), "1")
        self.screenshot("studio.png")
        paused = time.monotonic() - saved  # the checks and the screenshot are not the flow

        self.open("/")
        self.page.locator('.phoneme[data-ipa="iː"]').click()
        # The chart sets the tier when its audio fires "playing".
        self.page.wait_for_function(
            "() => document.getElementById('status').dataset.tier === 'native'"
        )
        playing = time.monotonic() - paused
        played = self.page.evaluate(
            "() => ({src: window.phatamAudio.src, error: window.phatamAudio.error,"
            " status: document.getElementById('status').textContent})"
        )
        self.assertIsNone(played["error"])
        self.assertTrue(played["src"].endswith(source.get_url()), played["src"])
        self.assertIn("Giọng thật của Tom (giọng Mỹ)", played["status"])
        self.assertEqual(self.errors, [])
        self.assertEqual(self.csp_violations, [])

        print(
            f"\nrecord-to-playing: {playing - started:.2f} s "
            f"(microphone open {recording - started:.2f} s, recording {stopped - recording:.2f} s, "
            f"judging {judged - stopped:.2f} s, saving {saved - judged:.2f} s, "
            f"chart to playing {playing - saved:.2f} s)"
        )
