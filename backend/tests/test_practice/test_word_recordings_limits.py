"""Word recordings take the same safe path as vowel recordings: the decoded sound only
(re-encoded, never the uploaded bytes), counted in the learner's one quota, throttled with the
``feedback`` scope, nothing partial when storage fails, and deleted or expired by practice's
hooks."""

import errno
from datetime import timedelta
from unittest import mock

from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from apps.core.accounts import account_delete
from apps.core.hooks import cleanup_run
from apps.practice.models import VowelRecording, WordRecording
from apps.practice.services.recordings import learner_recordings_storage
from speech.decoding import decode_bytes
from tests.factories import make_user
from tests.test_practice import test_word_feedback_api as word_api
from tests.test_practice.test_learner_recordings_limits import (
    PADDING,
    FillingStorage,
    stored_files,
)


class WordRecordingLimitsTests(word_api.WordFeedbackTests):
    """Runs only its own tests, on WordFeedbackTests' pair and learner."""

    def setUp(self):
        super().setUp()
        self.wav = word_api.said("l'aIt")

    def stored(self, recording: WordRecording) -> bytes:
        with learner_recordings_storage().open(recording.file_name, "rb") as file:
            return file.read()

    def test_a_padded_word_upload_is_stored_re_encoded(self):
        response = self.record(self.wav + b"\0" * PADDING + b"<script>alert(1)</script>")
        self.assertEqual(response.status_code, 201, response.content)
        recording = WordRecording.objects.get()
        stored = self.stored(recording)
        self.assertNotIn(b"<script", stored)
        self.assertEqual(decode_bytes(stored).format, "mp3")
        seconds = decode_bytes(self.wav).duration
        self.assertAlmostEqual(decode_bytes(stored).duration, seconds, delta=0.1)
        self.assertLess(len(stored), seconds * 4000 * 1.3 + 2000)  # 32 kbit/s
        self.assertEqual(recording.file_size, len(stored))
        self.assertEqual(recording.content_type, "audio/mpeg")

    def test_word_recordings_count_in_the_quota_with_vowel_recordings(self):
        vowel = self.plain.phoneme_1  # /iː/
        old_name = learner_recordings_storage().save("old/vowel.mp3", ContentFile(b"\xff" * 9000))
        VowelRecording.objects.create(
            user=self.learner, phoneme=vowel, accent="en-US", voice="male",
            file_name=old_name, file_size=9000, content_type="audio/mpeg", duration=1.0,
            f1=300, f2=2300, verdict="ok", distance_bark=0.1,
            created_at=timezone.now() - timedelta(minutes=5),
        )  # fmt: skip
        self.assertEqual(self.record(self.wav).status_code, 201)
        size = WordRecording.objects.get().file_size
        # Room for two word recordings, not for the older vowel file besides them.
        quota = override_settings(PHATAM_LEARNER_RECORDING_QUOTA_BYTES=size * 2 + 100)
        with quota, self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.record(self.wav).status_code, 201)
        self.assertEqual(VowelRecording.objects.get().file_name, "")  # the oldest file went
        self.assertFalse(learner_recordings_storage().exists(old_name))
        self.assertEqual(WordRecording.objects.exclude(file_name="").count(), 2)
        # A third word recording pushes out the oldest word recording's file.
        with quota, self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.record(self.wav).status_code, 201)
        kept = WordRecording.objects.exclude(file_name="").order_by("-created_at", "-pk")
        self.assertEqual(list(kept), list(WordRecording.objects.order_by("-created_at", "-pk")[:2]))
        self.assertEqual(len(stored_files(self._recordings_root)), 2)

    def test_word_uploads_are_throttled_with_the_feedback_scope(self):
        with mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"feedback": "1/minute"}):
            self.assertEqual(self.record(self.wav).status_code, 201)
            response = self.record(self.wav)
            # Reading the history is not an upload: not throttled.
            self.assertEqual(self.client.get("/api/feedback/word/").status_code, 200)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Hãy thử lại sau", response.json()["detail"])
        self.assertEqual(WordRecording.objects.count(), 1)

    def test_a_full_or_read_only_disk_is_507_or_503_and_leaves_nothing(self):
        for error, status in ((errno.ENOSPC, 507), (errno.EROFS, 503)):
            with self.subTest(errno.errorcode[error]):
                storage = FillingStorage(location=self._recordings_root)
                storage.error = error
                with mock.patch(
                    "apps.practice.services.recordings.learner_recordings_storage",
                    return_value=storage,
                ):
                    response = self.record(self.wav)
                self.assertEqual(response.status_code, status, response.content)
                self.assertIn("bản ghi chưa được lưu", response.json()["detail"])
                self.assertFalse(WordRecording.objects.exists())
                self.assertEqual(stored_files(self._recordings_root), [])

    def test_account_deletion_removes_word_recordings_and_their_files(self):
        other = make_user()
        self.assertEqual(self.record(self.wav).status_code, 201)
        self.client.force_authenticate(other)
        self.assertEqual(self.record(self.wav).status_code, 201)
        mine = WordRecording.objects.get(user=self.learner).file_name
        theirs = WordRecording.objects.get(user=other).file_name
        with self.captureOnCommitCallbacks(execute=True):
            account_delete(self.learner)
        storage = learner_recordings_storage()
        self.assertFalse(storage.exists(mine))
        self.assertTrue(storage.exists(theirs))
        self.assertEqual(list(WordRecording.objects.values_list("user", flat=True)), [other.pk])

    def test_the_registered_cleanup_hook_expires_word_recordings(self):
        self.assertEqual(self.record(self.wav).status_code, 201)
        recording = WordRecording.objects.get()
        with self.captureOnCommitCallbacks(execute=True):
            lines = cleanup_run(now=timezone.now() + timedelta(days=400))
        self.assertIn("Expired 1 learner recording(s).", lines)
        recording.refresh_from_db()
        self.assertEqual(recording.file_name, "")
        self.assertEqual(stored_files(self._recordings_root), [])


# Not collected twice: WordFeedbackTests runs in its own module.
for _name in [name for name in vars(word_api.WordFeedbackTests) if name.startswith("test_")]:
    setattr(WordRecordingLimitsTests, _name, None)
