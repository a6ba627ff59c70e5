"""Your own vowel space: /iː ɑː uː/ recorded once, then vowels judged against them."""

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from rest_framework.test import APIClient

from apps.practice.models import VowelCalibration
from tests.factories import TempMediaMixin, make_category, make_phoneme, make_user
from tests.speech_fixtures import RATE, klatt_vowel
from tests.test_practice.helpers import PrivateRecordingsMixin, wav_bytes

CALIBRATION = "/api/feedback/vowel/calibration/"
# A speaker whose every formant is 30 % above the average woman's (Hillenbrand et al. 1995).
SCALE = 1.3
WOMEN = {"iː": (437, 2761), "ɑː": (936, 1551), "uː": (459, 1105), "e": (731, 2058)}


def vowel_wav(symbol: str, *, seconds: float = 0.32) -> bytes:
    f1, f2 = WOMEN[symbol]
    samples = klatt_vowel(230, (f1 * SCALE, f2 * SCALE, 3000 * SCALE), seconds)
    return wav_bytes(samples, RATE)


class CalibrationTests(PrivateRecordingsMixin, TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        vowels = make_category("vowel")
        self.e = make_phoneme("e", category=vowels)
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)
        self.client.patch("/api/profile/", {"voice": "female"}, format="json")

    def calibrate(self, vowel: str, wav: bytes):
        upload = SimpleUploadedFile("me.wav", wav, content_type="audio/wav")
        return self.client.post(CALIBRATION, {"file": upload, "vowel": vowel}, format="multipart")

    def judge_e(self) -> dict:
        upload = SimpleUploadedFile("me.wav", vowel_wav("e", seconds=0.16))
        response = self.client.post(
            "/api/feedback/vowel/",
            {"file": upload, "phoneme": self.e.pk, "accent": "en-US"},
            format="multipart",
        )
        self.assertEqual(response.status_code, 201, response.content)
        return response.json()

    def test_after_calibration_a_high_voice_is_judged_in_its_own_vowel_space(self):
        before = self.judge_e()
        self.assertFalse(before["normalised"])
        self.assertNotEqual(before["verdict"], "ok")
        for vowel in ("iː", "ɑː", "uː"):
            response = self.calibrate(vowel, vowel_wav(vowel))
            self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["complete"])
        after = self.judge_e()
        self.assertTrue(after["normalised"])
        self.assertEqual(after["verdict"], "ok", after)

    def test_a_partial_calibration_is_not_used(self):
        self.calibrate("iː", vowel_wav("iː"))
        state = self.client.get(CALIBRATION).json()
        self.assertFalse(state["complete"])
        self.assertIsNone(state["vowels"]["uː"])
        self.assertFalse(self.judge_e()["normalised"])

    def test_recording_a_vowel_again_replaces_it_and_delete_starts_over(self):
        self.calibrate("iː", vowel_wav("iː"))
        self.calibrate("iː", vowel_wav("iː"))
        self.assertEqual(VowelCalibration.objects.filter(user=self.learner).count(), 1)
        self.assertEqual(self.client.delete(CALIBRATION).status_code, 204)
        self.assertFalse(VowelCalibration.objects.exists())

    def test_other_vowels_and_non_vowels_are_refused(self):
        self.assertEqual(self.calibrate("e", vowel_wav("e")).status_code, 400)
        t = np.arange(RATE) / RATE
        square = wav_bytes(0.4 * np.sign(np.sin(2 * np.pi * 200 * t)), RATE)
        response = self.calibrate("iː", square)
        self.assertEqual(response.status_code, 422)
        self.assertIn("no vowel", response.json()["detail"])
        self.assertFalse(VowelCalibration.objects.exists())
