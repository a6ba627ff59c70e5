"""A full or read-only disk: learners hear the browser's voice, staff get a clear 507 or 503,
``generate_audio`` reports each file and exits non-zero, and no partial file is left.

The faults are storages whose write fails the way an operating system's does (we run as
root, so a read-only folder made with chmod would not refuse anything): ENOSPC at once, EROFS
at once, or ENOSPC after half the file is written through Django's own FileSystemStorage.
"""

import errno
import io
import os
from io import StringIO
from unittest import mock

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from apps.curriculum.audio.storage import storage_outage
from apps.curriculum.management.commands.generate_audio import Command as GenerateAudio
from apps.curriculum.models import AudioCache, AudioSource
from tests import audio_fixtures
from tests.factories import TempMediaMixin, make_category, make_phoneme, make_user

STORAGE_LOGGER = "apps.curriculum.audio.storage"
# In-memory voices, whatever environment the runner gives (pytest's or Django's own).
MEMORY_VOICES = override_settings(
    PHATAM_TTS_ENGINES={"mem": {"BACKEND": "speech.tts.locmem.LocMemEngine"}},
    PHATAM_VOICES={"en-US": ["mem:us"], "en-GB": ["mem:uk"]},
)


class DiskFullStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


class ReadOnlyStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.EROFS, "Read-only file system")


class HalfWrittenStorage(FileSystemStorage):
    """Django's FileSystemStorage writing a file when the disk fills up half way: it raises
    and leaves the half it wrote."""

    def _save(self, name, content):
        data = content.read()

        class FillsTheDisk(File):
            def chunks(self, chunk_size=None):
                yield data[: len(data) // 2]
                raise OSError(errno.ENOSPC, "No space left on device")

        return super()._save(name, FillsTheDisk(io.BytesIO(data), name))


class SecondFileFillsTheDisk(FileSystemStorage):
    """Stores every file but the second one written."""

    saves = 0

    def _save(self, name, content):
        SecondFileFillsTheDisk.saves += 1
        if SecondFileFillsTheDisk.saves == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super()._save(name, content)


def storage(cls: type) -> override_settings:
    """``cls`` (a class of this module) as the default storage, in the test's MEDIA_ROOT."""
    backend = f"{__name__}.{cls.__name__}"
    return override_settings(STORAGES={**settings.STORAGES, "default": {"BACKEND": backend}})


def media_files() -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


@MEMORY_VOICES
class StorageFaultTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        storage_outage.reset()
        self.addCleanup(storage_outage.reset)
        self.vowel = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

    def assert_nothing_stored(self):
        self.assertFalse(AudioSource.objects.exists())
        self.assertFalse(AudioCache.objects.exists())
        self.assertEqual(media_files(), [])


class OnDemandGenerationTests(StorageFaultTestCase):
    def audio(self, **query):
        return self.client.get(
            f"/api/phonemes/{self.vowel.pk}/audio/", {"accent": "en-US", **query}
        )

    def test_a_full_disk_falls_back_to_the_browsers_voice(self):
        with storage(DiskFullStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            response = self.audio()

        self.assertEqual(response.status_code, 200, response.content[:300])
        answer = response.json()
        self.assertEqual(answer["tier"], "web_speech")
        self.assertIn("storage unavailable (disk full)", answer["reason"])
        self.assertEqual(answer["web_speech"], {"text": "see", "lang": "en-US"})
        self.assert_nothing_stored()

    def test_a_read_only_disk_falls_back_to_the_browsers_voice(self):
        with storage(ReadOnlyStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            response = self.audio(word="see")

        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual(response.json()["tier"], "web_speech")
        self.assertIn("storage unavailable (read-only or failing)", response.json()["reason"])
        self.assert_nothing_stored()

    def test_a_disk_that_fills_up_mid_file_leaves_no_partial_file(self):
        with storage(HalfWrittenStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            response = self.audio()

        self.assertEqual(response.json()["tier"], "web_speech")
        self.assert_nothing_stored()

    def test_the_storage_error_is_logged_once_not_per_request(self):
        with storage(DiskFullStorage), self.assertLogs(STORAGE_LOGGER, "WARNING") as logs:
            for _ in range(5):
                self.assertEqual(self.audio().json()["tier"], "web_speech")

        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn("No space left on device", logs.output[0])


class UploadTests(StorageFaultTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(make_user(is_staff=True))
        self.consonant = make_phoneme("s", category=make_category("consonant"))

    def upload(self):
        form = {
            "file": SimpleUploadedFile("take.wav", audio_fixtures.wav(1.0)),
            "language": "en-GB",
            "speaker_name": "Tom",
            "speaker_gender": "male",
            "licence": "CC-BY-4.0",
        }
        return self.client.post(f"/api/phonemes/{self.consonant.pk}/audio-sources/", form)

    def test_a_full_disk_answers_507_with_a_message(self):
        with storage(DiskFullStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            response = self.upload()

        self.assertEqual(response.status_code, 507, response.content[:300])
        self.assertEqual(list(response.json()), ["detail"])
        self.assertIn("storage is full", response.json()["detail"])
        self.assert_nothing_stored()

    def test_a_read_only_disk_answers_503_with_a_message(self):
        with storage(ReadOnlyStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            response = self.upload()

        self.assertEqual(response.status_code, 503, response.content[:300])
        self.assertIn("storage is read-only", response.json()["detail"])
        self.assert_nothing_stored()

    def test_a_disk_that_fills_up_mid_upload_leaves_no_partial_file(self):
        with storage(HalfWrittenStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            response = self.upload()

        self.assertEqual(response.status_code, 507, response.content[:300])
        self.assert_nothing_stored()

    def test_the_admin_upload_page_says_the_disk_is_full_instead_of_failing(self):
        form = {
            "phoneme": self.consonant.pk,
            "file": SimpleUploadedFile("take.wav", audio_fixtures.wav(1.0)),
            "language": "en-GB",
            "speaker_name": "Tom",
            "speaker_gender": "male",
            "licence": "CC-BY-4.0",
        }
        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        with storage(DiskFullStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            response = self.client.post("/admin/curriculum/audiosource/upload/", form)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "storage is full")
        self.assert_nothing_stored()


class GenerateAudioCommandTests(StorageFaultTestCase):
    """``manage.py generate_audio`` as the shell runs it (``run_from_argv``): a CommandError
    is printed as one line and the process exits 1, with no traceback."""

    def run_command(self) -> tuple[int, str, str]:
        out, err = StringIO(), StringIO()
        command = GenerateAudio(stdout=out, stderr=err, no_color=True)
        # run_from_argv closes the database connections when it ends; the test's must stay.
        with (
            mock.patch("django.core.management.base.connections.close_all"),
            self.assertRaises(SystemExit) as exit_info,
        ):
            command.run_from_argv(["manage.py", "generate_audio", "--no-color"])
        return exit_info.exception.code, out.getvalue(), err.getvalue()

    def test_a_full_disk_fails_each_file_and_exits_non_zero_without_a_traceback(self):
        with storage(DiskFullStorage), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            code, out, err = self.run_command()

        self.assertEqual(code, 1)
        # /iː/ and "see", in the two voices: four files, each reported.
        self.assertEqual(err.count("not stored: "), 4, err)
        self.assertIn("/iː/ see (mem:us): The server's storage is full", err)
        self.assertIn("4 audio files for 1 phonemes × 2 voices: 0 generated", out)
        self.assertIn("CommandError: 4 audio files could not be stored", err)
        self.assertNotIn("Traceback", err + out)
        self.assert_nothing_stored()

    def test_the_other_files_are_generated_when_one_cannot_be_stored(self):
        SecondFileFillsTheDisk.saves = 0
        with storage(SecondFileFillsTheDisk), self.assertLogs(STORAGE_LOGGER, "ERROR"):
            code, out, err = self.run_command()

        self.assertEqual(code, 1)
        self.assertEqual(err.count("not stored: "), 1, err)
        self.assertIn("3 generated, 0 already valid, 1 failed", out)
        self.assertEqual(AudioSource.objects.count(), 3)
        self.assertEqual(len(media_files()), 3)  # no partial file beside them
