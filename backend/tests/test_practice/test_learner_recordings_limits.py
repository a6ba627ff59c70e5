"""What one learner can put on the server's disk: the decoded sound only (re-encoded, never
the uploaded bytes), within a quota, at a limited rate, and nothing partial when storage
fails."""

import errno
from pathlib import Path
from unittest import mock

from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from apps.practice.models import VowelRecording
from apps.practice.services.recordings import learner_recordings_storage
from speech.decoding import decode_bytes
from tests.factories import make_user
from tests.test_practice.test_drills_api import DrillTestCase, answer_url
from tests.test_practice.test_vowel_feedback_api import VowelTestCase

PADDING = 4 * 1024 * 1024  # under PHATAM_UPLOAD_MAX_BYTES (5 MB) with the WAV
# Stored as sent, 40 of these would be 40 MB, and the 20 the throttle lets through 20 MB.
FLOOD_PADDING = 1024 * 1024


def stored_files(root: str) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


def stored_bytes(root: str) -> int:
    return sum(path.stat().st_size for path in stored_files(root))


class StoredAudioTests(VowelTestCase):
    def setUp(self):
        super().setUp()
        self.wav = self.wavs["iː", "en-US"]
        self.seconds = decode_bytes(self.wav).duration

    def stored(self) -> bytes:
        recording = VowelRecording.objects.get()
        with learner_recordings_storage().open(recording.file_name, "rb") as file:
            return file.read()

    def test_bytes_after_the_audio_are_not_stored(self):
        response = self.record(self.long_i, self.wav + b"<html><script>alert(1)</script></html>")
        self.assertEqual(response.status_code, 201, response.content)
        stored = self.stored()
        self.assertNotIn(b"<script", stored)
        self.assertNotIn(b"<html", stored)
        self.assertEqual(decode_bytes(stored).format, "mp3")

    def test_a_wav_padded_with_megabytes_is_stored_as_its_seconds_of_audio(self):
        response = self.record(self.long_i, self.wav + b"\0" * PADDING)
        self.assertEqual(response.status_code, 201, response.content)
        stored = self.stored()
        self.assertAlmostEqual(decode_bytes(stored).duration, self.seconds, delta=0.1)
        self.assertLess(len(stored), self.seconds * 4000 * 1.3)  # 32 kbit/s
        self.assertEqual(VowelRecording.objects.get().file_size, len(stored))

    def test_a_flood_from_one_learner_meets_429_and_stays_under_a_megabyte(self):
        # The throttle's clock stands still: the 40 come within one second, as a script sends
        # them, however slow the machine running the test.
        with mock.patch.object(ScopedRateThrottle, "timer", return_value=1_000_000.0):
            statuses = [
                self.record(self.long_i, self.wav + b"\0" * PADDING).status_code for _ in range(40)
            ]
        self.assertIn(429, statuses)
        self.assertEqual(set(statuses), {201, 429})
        self.assertLess(stored_bytes(self._recordings_root), 1024 * 1024)
        # Another learner is not held back by the first one's flood.
        other = APIClient()
        other.force_authenticate(make_user())
        self.assertEqual(self.record(self.long_i, self.wav, client=other).status_code, 201)

    def test_the_429_says_when_to_come_back_in_vietnamese(self):
        with mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"feedback": "1/minute"}):
            self.assertEqual(self.record(self.long_i, self.wav).status_code, 201)
            response = self.record(self.long_i, self.wav)
            # Reading the history is not an upload: not throttled.
            self.assertEqual(self.client.get("/api/feedback/vowel/").status_code, 200)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Hãy thử lại sau", response.json()["detail"])
        self.assertGreater(int(response["Retry-After"]), 0)


class QuotaTests(VowelTestCase):
    def test_past_the_quota_the_oldest_files_go_and_every_point_stays(self):
        wav = self.wavs["iː", "en-US"]
        self.assertEqual(self.record(self.long_i, wav).status_code, 201)
        size = VowelRecording.objects.get().file_size
        with override_settings(PHATAM_LEARNER_RECORDING_QUOTA_BYTES=int(size * 2.5)):
            for _ in range(4):
                with self.captureOnCommitCallbacks(execute=True):
                    self.assertEqual(self.record(self.long_i, wav).status_code, 201)
        kept = VowelRecording.objects.exclude(file_name="").order_by("-created_at", "-pk")
        newest = VowelRecording.objects.order_by("-created_at", "-pk")[:2]
        self.assertEqual(list(kept), list(newest))
        self.assertEqual(VowelRecording.objects.count(), 5)
        self.assertEqual(len(stored_files(self._recordings_root)), 2)
        self.assertLessEqual(stored_bytes(self._recordings_root), size * 2.5)
        points = self.client.get("/api/feedback/vowel/").json()
        self.assertEqual(len(points), 5)
        self.assertEqual(sum(point["audio_url"] is None for point in points), 3)

    @override_settings(PHATAM_LEARNER_RECORDING_QUOTA_BYTES=10)
    def test_the_newest_recording_stays_even_over_a_tiny_quota(self):
        response = self.record(self.long_i, self.wavs["iː", "en-US"])
        self.assertEqual(response.status_code, 201)
        self.assertEqual(self.client.get(response.json()["audio_url"]).status_code, 200)


class FillingStorage(FileSystemStorage):
    """Writes part of the file, then fails as a full or read-only disk does."""

    error = errno.ENOSPC

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xf3" + b"\0" * 16000)
        raise OSError(self.error, "No space left on device")


class StorageFaultTests(VowelTestCase):
    def test_a_full_or_read_only_disk_is_507_or_503_and_leaves_nothing(self):
        for error, status in ((errno.ENOSPC, 507), (errno.EDQUOT, 507), (errno.EROFS, 503)):
            with self.subTest(errno.errorcode[error]):
                storage = FillingStorage(location=self._recordings_root)
                storage.error = error
                with mock.patch(
                    "apps.practice.services.recordings.learner_recordings_storage",
                    return_value=storage,
                ):
                    response = self.record(self.long_i, self.wavs["iː", "en-US"])
                self.assertEqual(response.status_code, status, response.content)
                self.assertIn("bản ghi chưa được lưu", response.json()["detail"])
                self.assertFalse(VowelRecording.objects.exists())
                self.assertEqual(stored_files(self._recordings_root), [])


class DrillThrottleTests(DrillTestCase):
    @mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"drill_answer": "2/minute"})
    def test_drill_answers_are_throttled_per_learner(self):
        statuses = []
        for _ in range(3):
            item = self.client.get("/api/drills/next/").json()
            statuses.append(
                self.client.post(answer_url(item), {"choice": "a"}, format="json").status_code
            )
        self.assertEqual(statuses, [200, 200, 429])
        other = APIClient()
        other.force_authenticate(make_user())
        item = other.get("/api/drills/next/").json()
        response = other.post(answer_url(item), {"choice": "a"}, format="json")
        self.assertEqual(response.status_code, 200)

    @mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"drill_next": "2/minute"})
    def test_new_drill_items_are_throttled_per_learner(self):
        statuses = [self.client.get("/api/drills/next/").status_code for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 429])
