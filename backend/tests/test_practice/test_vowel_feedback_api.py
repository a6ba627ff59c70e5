"""Your vowel on the chart, through the API, on recordings made by the project's own eSpeak NG
(called directly: the in-memory engine of the test settings only stands in for generation)."""

import os
from datetime import timedelta
from io import StringIO
from pathlib import Path

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.practice.models import LearnerProfile, VowelRecording
from apps.practice.services.recordings import learner_recordings_expire, learner_recordings_storage
from speech.decoding import decode_bytes
from tests.factories import TempMediaMixin, make_category, make_phoneme, make_user
from tests.test_practice.helpers import PrivateRecordingsMixin, espeak_vowel_wav, wav_bytes

FEEDBACK = "/api/feedback/vowel/"


class VowelTestCase(PrivateRecordingsMixin, TempMediaMixin, TestCase):
    wavs: dict = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for accent in ("en-US", "en-GB"):
            for symbol in ("iː", "ɪ"):
                cls.wavs[symbol, accent] = espeak_vowel_wav(symbol, accent=accent)

    def setUp(self):
        super().setUp()
        vowels = make_category("vowel")
        self.long_i = make_phoneme("iː", category=vowels, tip_vi="Kéo dài, căng môi.")
        self.short_i = make_phoneme("ɪ", category=vowels)
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def record(self, phoneme, wav: bytes, *, accent: str = "en-US", client=None, name="me.wav"):
        upload = SimpleUploadedFile(name, wav, content_type="audio/wav")
        return (client or self.client).post(
            FEEDBACK, {"file": upload, "phoneme": phoneme.pk, "accent": accent}, format="multipart"
        )


class FeedbackTests(VowelTestCase):
    def test_the_right_vowel_is_ok_in_both_accents(self):
        for accent in ("en-US", "en-GB"):
            with self.subTest(accent):
                response = self.record(self.long_i, self.wavs["iː", accent], accent=accent)
                self.assertEqual(response.status_code, 201, response.content)
                body = response.json()
                self.assertEqual(body["verdict"], "ok")
                self.assertEqual(body["heard_as"], "")
                self.assertEqual(body["target"]["symbol"], "iː")
                self.assertEqual(body["nearest"]["symbol"], "iː")
                self.assertLess(body["f1"], 400)
                self.assertGreater(body["f2"], 2000)
                self.assertEqual(body["advice_vi"], [])
                self.assertEqual(body["tip_vi"], "Kéo dài, căng môi.")
                self.assertEqual(len(body["vowels"]), 12 if accent == "en-GB" else 11)

    def test_a_neighbouring_vowel_is_heard_as_that_vowel_with_advice(self):
        for accent in ("en-US", "en-GB"):
            with self.subTest(accent):
                body = self.record(self.long_i, self.wavs["ɪ", accent], accent=accent).json()
                self.assertEqual(body["verdict"], "heard_as")
                self.assertEqual(body["heard_as"], "ɪ")
                # /ɪ/ is lower and further back than /iː/: F1 too high.
                self.assertIn("Đưa lưỡi lên cao hơn, miệng khép lại một chút.", body["advice_vi"])

    def test_the_short_vowel_is_ok_for_short_i(self):
        body = self.record(self.short_i, self.wavs["ɪ", "en-GB"], accent="en-GB").json()
        self.assertEqual(body["verdict"], "ok")

    def test_a_womans_profile_compares_with_womens_formants(self):
        LearnerProfile.objects.create(user=self.learner, voice="female")
        body = self.record(self.long_i, self.wavs["iː", "en-US"]).json()
        self.assertEqual(body["voice"], "female")
        self.assertIn("women", body["reference"])
        self.assertEqual(VowelRecording.objects.get().voice, "female")

    def test_the_recording_is_kept_privately(self):
        body = self.record(self.long_i, self.wavs["iː", "en-US"]).json()
        recording = VowelRecording.objects.get(pk=body["id"])
        storage = learner_recordings_storage()
        self.assertTrue(storage.exists(recording.file_name))
        self.assertFalse(recording.file_name.startswith("/"))
        media = Path(self._media_root)
        self.assertEqual([p for p in media.rglob("*") if p.is_file()], [])  # nothing public
        self.assertEqual(body["audio_url"], f"/api/feedback/vowel/{recording.pk}/audio/")

    def test_only_monophthongs_are_measured(self):
        diphthong = make_phoneme("aɪ", category=make_category("diphthong"))
        response = self.record(diphthong, self.wavs["iː", "en-US"])
        self.assertEqual(response.status_code, 400)
        self.assertIn("phoneme", response.json())

    def test_something_that_is_not_audio_is_refused(self):
        response = self.record(self.long_i, b"<html>not audio</html>", name="me.wav")
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.json())
        self.assertFalse(VowelRecording.objects.exists())

    def test_silence_is_refused_like_an_upload(self):
        response = self.record(self.long_i, wav_bytes(np.zeros(22050), 22050))
        self.assertEqual(response.status_code, 400)
        self.assertIn("silent", response.json()["file"][0])

    def test_a_sound_without_voice_has_no_vowel_to_measure(self):
        # A hiss that swells, like a held /s/: sound, but nothing voiced to measure.
        noise = np.random.default_rng(1).uniform(-0.3, 0.3, 22050) * np.linspace(0, 1, 22050)
        files_before = _files(learner_recordings_storage().location)
        response = self.record(self.long_i, wav_bytes(noise, 22050))
        self.assertEqual(response.status_code, 422)
        self.assertIn("no vowel", response.json()["detail"])
        self.assertFalse(VowelRecording.objects.exists())
        self.assertEqual(_files(learner_recordings_storage().location), files_before)

    @override_settings(PHATAM_UPLOAD_MAX_BYTES=1000)
    def test_an_oversized_recording_is_413(self):
        response = self.record(self.long_i, self.wavs["iː", "en-US"])
        self.assertEqual(response.status_code, 413)

    def test_an_unknown_phoneme_is_a_field_error(self):
        upload = SimpleUploadedFile("me.wav", self.wavs["iː", "en-US"])
        response = self.client.post(
            FEEDBACK, {"file": upload, "phoneme": "999999"}, format="multipart"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("phoneme", response.json())


class PrivacyTests(VowelTestCase):
    def setUp(self):
        super().setUp()
        self.recording_id = self.record(self.long_i, self.wavs["iː", "en-US"]).json()["id"]
        self.audio_url = f"/api/feedback/vowel/{self.recording_id}/audio/"
        self.other = APIClient()
        self.other.force_authenticate(make_user())

    def test_the_learner_hears_their_recording(self):
        response = self.client.get(self.audio_url)
        self.assertEqual(response.status_code, 200)
        # The decoded sound, encoded anew (16 kHz mono MP3), not the uploaded bytes.
        heard, sent = decode_bytes(response.content), decode_bytes(self.wavs["iː", "en-US"])
        self.assertEqual((heard.format, heard.sample_rate, heard.channels), ("mp3", 16000, 1))
        self.assertAlmostEqual(heard.duration, sent.duration, delta=0.1)
        self.assertEqual(response["Content-Type"], "audio/mpeg")
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_another_learner_cannot_hear_delete_or_list_it(self):
        self.assertEqual(self.other.get(self.audio_url).status_code, 404)
        self.assertEqual(self.other.delete(f"{FEEDBACK}{self.recording_id}/").status_code, 404)
        self.assertEqual(self.other.get(FEEDBACK).json(), [])
        self.assertTrue(VowelRecording.objects.filter(pk=self.recording_id).exists())

    def test_staff_may_hear_it(self):
        staff = APIClient()
        staff.force_authenticate(make_user(is_staff=True))
        self.assertEqual(staff.get(self.audio_url).status_code, 200)

    def test_anonymous_visitors_get_nothing(self):
        self.assertEqual(APIClient().get(self.audio_url).status_code, 401)
        self.assertEqual(APIClient().get(FEEDBACK).status_code, 401)

    def test_the_learner_deletes_it_with_its_file(self):
        name = VowelRecording.objects.get().file_name
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.delete(f"{FEEDBACK}{self.recording_id}/")
        self.assertEqual(response.status_code, 204)
        self.assertFalse(VowelRecording.objects.exists())
        self.assertFalse(learner_recordings_storage().exists(name))
        self.assertEqual(self.client.get(self.audio_url).status_code, 404)


class HistoryTests(VowelTestCase):
    def test_history_lists_the_learners_points_for_a_vowel_newest_first(self):
        first = self.record(self.long_i, self.wavs["ɪ", "en-US"]).json()
        second = self.record(self.long_i, self.wavs["iː", "en-US"]).json()
        self.record(self.short_i, self.wavs["ɪ", "en-US"])
        points = self.client.get(FEEDBACK, {"phoneme": self.long_i.pk}).json()
        self.assertEqual([p["id"] for p in points], [second["id"], first["id"]])
        self.assertEqual([p["verdict"] for p in points], ["ok", "heard_as"])
        self.assertEqual(points[1]["heard_as"], "ɪ")
        self.assertEqual(len(self.client.get(FEEDBACK).json()), 3)

    def test_the_chart_shows_the_target_and_the_reference_vowels(self):
        body = self.client.get(
            f"{FEEDBACK}chart/", {"phoneme": self.long_i.pk, "accent": "en-GB"}
        ).json()
        self.assertEqual(body["targets"], [{"symbol": "iː", "f1": 280, "f2": 2249}])
        self.assertEqual(body["voice"], "male")
        self.assertIn("Deterding", body["reference"])
        lot = make_phoneme("ɒ", category=make_category("vowel"))
        us = self.client.get(f"{FEEDBACK}chart/", {"phoneme": lot.pk, "accent": "en-US"}).json()
        self.assertEqual({t["symbol"] for t in us["targets"]}, {"ɑː", "ɔː"})


class ExpiryTests(VowelTestCase):
    def setUp(self):
        super().setUp()
        self.recording_id = self.record(self.long_i, self.wavs["iː", "en-US"]).json()["id"]
        self.name = VowelRecording.objects.get().file_name

    def age(self, days: int) -> None:
        VowelRecording.objects.update(created_at=timezone.now() - timedelta(days=days))

    def test_recordings_expire_after_the_configured_days_and_their_points_stay(self):
        self.age(29)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(learner_recordings_expire(), 0)
        self.age(31)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(learner_recordings_expire(), 1)
        self.assertFalse(learner_recordings_storage().exists(self.name))
        points = self.client.get(FEEDBACK).json()
        self.assertEqual([p["id"] for p in points], [self.recording_id])
        self.assertIsNone(points[0]["audio_url"])
        self.assertEqual(self.client.get(f"{FEEDBACK}{self.recording_id}/audio/").status_code, 404)

    @override_settings(PHATAM_LEARNER_RECORDING_DAYS=3)
    def test_the_number_of_days_is_a_setting(self):
        self.age(4)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(learner_recordings_expire(), 1)

    def test_cleanup_audio_expires_them(self):
        self.age(31)
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("cleanup_audio", stdout=out, stderr=StringIO())
        self.assertIn("Expired 1 learner recording(s).", out.getvalue())
        self.assertEqual(VowelRecording.objects.get().file_name, "")

    def test_files_of_deleted_accounts_go_too(self):
        storage = learner_recordings_storage()
        self.learner.delete()  # the rows go with the account; the file stays behind
        self.assertTrue(storage.exists(self.name))
        an_hour_ago = timezone.now().timestamp() - 7200
        os.utime(storage.path(self.name), (an_hour_ago, an_hour_ago))
        with self.captureOnCommitCallbacks(execute=True):
            learner_recordings_expire()
        self.assertFalse(storage.exists(self.name))


def _files(root: str) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]
