"""Say the word: a learner records one word of a minimal pair and hears whether they made the
pair's contrast (POST /api/feedback/word/), on words said by the project's eSpeak NG."""

from datetime import timedelta

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from apps.curriculum.models import MinimalPair
from apps.practice.models import DrillAttempt, WordRecording
from apps.practice.services import learner_recordings_expire, learner_recordings_storage
from tests.factories import TempMediaMixin, make_category, make_phoneme, make_user
from tests.speech_fixtures import espeak_word
from tests.test_practice.helpers import PrivateRecordingsMixin, wav_bytes

FEEDBACK = "/api/feedback/word/"


def said(mnemonics: str) -> bytes:
    return wav_bytes(*espeak_word(mnemonics, voice="en-us", wpm=150))


class WordFeedbackTests(PrivateRecordingsMixin, TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        consonants = make_category("consonant")
        t = make_phoneme("t", category=consonants)
        k = make_phoneme("k", category=consonants)
        vowels = make_category("vowel")
        self.pair = MinimalPair.objects.create(
            phoneme_1=t, phoneme_2=k, word_1="light", word_1_ipa="laɪt", word_2="like",
            word_2_ipa="laɪk", kind="final_consonant",
        )  # fmt: skip
        long_i, short_i = make_phoneme("iː", category=vowels), make_phoneme("ɪ", category=vowels)
        self.plain = MinimalPair.objects.create(
            phoneme_1=long_i, phoneme_2=short_i,
            word_1="sheep", word_1_ipa="ʃiːp", word_2="ship", word_2_ipa="ʃɪp", kind="pair",
        )  # fmt: skip
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def record(self, wav: bytes, *, client=None, **fields):
        upload = SimpleUploadedFile("me.wav", wav, content_type="audio/wav")
        fields = {"pair": self.pair.pk, "word": 1, "accent": "en-US"} | fields
        return (client or self.client).post(
            FEEDBACK, {"file": upload, **fields}, format="multipart"
        )

    def test_the_word_with_its_final_consonant_is_ok(self):
        response = self.record(said("l'aIt"))
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["check"], body["verdict"], body["word"]), ("final_consonant", "ok", "light")
        )
        self.assertIn("Tốt", body["hint_vi"])
        self.assertIn("release", body["marks"])
        self.assertEqual(body["audio_url"], f"/api/feedback/word/{body['id']}/audio/")

    def test_the_word_without_its_final_consonant_is_not_ok_with_a_hint(self):
        body = self.record(said("l'aI")).json()
        self.assertEqual(body["verdict"], "not_ok")
        self.assertIn("/t/", body["hint_vi"])
        recording = WordRecording.objects.get(pk=body["id"])
        self.assertEqual((recording.verdict, recording.check_name), ("not_ok", "final_consonant"))

    def test_a_clipped_take_cannot_be_judged_and_says_why(self):
        samples, rate = espeak_word("l'aI", voice="en-us", wpm=150)
        body = self.record(wav_bytes(np.clip(samples * 10, -1, 1), rate)).json()
        self.assertEqual(body["verdict"], "cannot_judge")
        self.assertIn("quá to", body["hint_vi"])

    def test_a_drill_item_answered_names_its_word(self):
        attempt = DrillAttempt.objects.create(
            user=self.learner, pair=self.pair, answer_word=2, word_1_key="a", accent="en-US",
            answered_at=timezone.now(), choice="a", correct=False,
        )  # fmt: skip
        body = self.record(said("l'aIk"), pair="", word="", item=attempt.pk).json()
        self.assertEqual((body["word"], body["verdict"]), ("like", "ok"))

    def test_an_unanswered_or_someone_elses_item_is_refused(self):
        other = make_user()
        answered = {"answered_at": timezone.now(), "choice": "a", "correct": True}
        for user, fields in ((self.learner, {}), (other, answered)):
            attempt = DrillAttempt.objects.create(
                user=user, pair=self.pair, answer_word=1, word_1_key="a", accent="en-US",
                **fields,
            )  # fmt: skip
            response = self.record(said("l'aIt"), item=attempt.pk)
            self.assertEqual(response.status_code, 400)
            self.assertIn("item", response.json())

    def test_a_pair_no_check_judges_is_a_clear_400(self):
        response = self.record(said("S'i:p"), pair=self.plain.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn("pair", response.json())
        self.assertFalse(WordRecording.objects.exists())

    def test_bad_uploads_and_fields_are_clear_400s(self):
        cases = [
            ({}, b"<html>not audio</html>", "file"),
            ({"pair": 999999}, said("l'aIt"), "pair"),
            ({"word": 3}, said("l'aIt"), "word"),
            ({"accent": "fr-FR"}, said("l'aIt"), "accent"),
        ]
        for fields, wav, field in cases:
            with self.subTest(field=field):
                response = self.record(wav, **fields)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertFalse(WordRecording.objects.exists())

    def test_recordings_are_private_deletable_and_expire(self):
        body = self.record(said("l'aIt")).json()
        recording = WordRecording.objects.get(pk=body["id"])
        self.assertTrue(learner_recordings_storage().exists(recording.file_name))
        stranger = APIClient()
        stranger.force_authenticate(make_user())
        self.assertEqual(stranger.get(body["audio_url"]).status_code, 404)
        self.assertEqual(self.client.get(body["audio_url"]).status_code, 200)
        # Expiry empties the file name and deletes the file; the verdict stays.
        WordRecording.objects.filter(pk=recording.pk).update(
            created_at=timezone.now() - timedelta(days=400)
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(learner_recordings_expire(), 1)
        self.assertFalse(learner_recordings_storage().exists(recording.file_name))
        self.assertEqual(self.client.get(body["audio_url"]).status_code, 404)
        # Deleting removes the row.
        self.assertEqual(self.client.delete(f"{FEEDBACK}{recording.pk}/").status_code, 204)
        self.assertFalse(WordRecording.objects.exists())

    def test_a_word_recording_file_is_not_an_orphan(self):
        body = self.record(said("l'aIt")).json()
        recording = WordRecording.objects.get(pk=body["id"])
        with self.captureOnCommitCallbacks(execute=True):
            learner_recordings_expire(now=timezone.now() + timedelta(hours=2))
        self.assertTrue(learner_recordings_storage().exists(recording.file_name))

    def test_the_task_and_the_model_word(self):
        task = self.client.get(f"{FEEDBACK}task/", {"pair": self.pair.pk, "word": 1}).json()
        self.assertEqual(task["check"], "final_consonant")
        response = self.client.get(task["model_audio_url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "audio/mpeg")
        plain = self.client.get(f"{FEEDBACK}task/", {"pair": self.plain.pk, "word": 1}).json()
        self.assertEqual(plain["check"], "")

    def test_anonymous_callers_are_refused(self):
        response = self.record(said("l'aIt"), client=APIClient())
        self.assertEqual(response.status_code, 401)

    def test_the_history_lists_only_the_learners_own(self):
        self.record(said("l'aIt"))
        other = APIClient()
        other.force_authenticate(make_user())
        self.assertEqual(len(self.client.get(FEEDBACK).json()), 1)
        self.assertEqual(other.get(FEEDBACK).json(), [])
