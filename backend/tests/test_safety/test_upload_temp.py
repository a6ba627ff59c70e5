"""Uploads spool under var/tmp/uploads (not the system's /tmp), and cleanup_audio removes the
spool files a killed process left behind once they are a day old."""

import os
import shutil
import tempfile
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from apps.curriculum.audio.lifecycle import stale_upload_files_delete
from tests.factories import TempMediaMixin

DAY = 24 * 3600


class UploadTempDirTests(TestCase):
    def test_uploads_spool_in_the_var_folder_which_exists(self):
        folder = Path(settings.FILE_UPLOAD_TEMP_DIR)

        self.assertEqual(folder, Path(settings.VAR_DIR) / "tmp" / "uploads")
        self.assertTrue(folder.is_dir())

    def test_a_large_upload_is_spooled_there(self):
        upload = TemporaryUploadedFile("clip.mp3", "audio/mpeg", 0, None)
        try:
            self.assertEqual(
                Path(upload.temporary_file_path()).parent, Path(settings.FILE_UPLOAD_TEMP_DIR)
            )
            self.assertIn(".upload", Path(upload.temporary_file_path()).name)
        finally:
            upload.close()


class StaleUploadTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.folder = Path(tempfile.mkdtemp(prefix="phatam-uploads-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        override = override_settings(FILE_UPLOAD_TEMP_DIR=str(self.folder))
        override.enable()
        self.addCleanup(override.disable)

    def make(self, name: str, *, age_seconds: float) -> Path:
        path = self.folder / name
        path.write_bytes(b"partial upload")
        then = time.time() - age_seconds
        os.utime(path, (then, then))
        return path

    def remaining(self) -> list[str]:
        return sorted(path.name for path in self.folder.iterdir())


class StaleUploadFilesDeleteTests(StaleUploadTestCase):
    def test_old_spool_files_go_and_recent_or_other_files_stay(self):
        self.make("tmpold1.upload.mp3", age_seconds=2 * DAY)
        self.make("tmpold2.upload", age_seconds=DAY + 60)
        self.make("tmpnew.upload.wav", age_seconds=60)
        self.make("keep-me.txt", age_seconds=3 * DAY)
        os.symlink("/etc/hostname", self.folder / "tmplink.upload.mp3")

        deleted = stale_upload_files_delete(timezone.now() - timedelta(days=1))

        self.assertEqual(
            sorted(Path(name).name for name in deleted), ["tmpold1.upload.mp3", "tmpold2.upload"]
        )
        self.assertEqual(
            self.remaining(), ["keep-me.txt", "tmplink.upload.mp3", "tmpnew.upload.wav"]
        )

    def test_a_missing_folder_deletes_nothing(self):
        shutil.rmtree(self.folder)

        self.assertEqual(stale_upload_files_delete(timezone.now()), [])


class CleanupCommandTests(StaleUploadTestCase):
    def test_cleanup_audio_removes_day_old_spool_files(self):
        self.make("tmpold.upload.mp3", age_seconds=2 * DAY)
        self.make("tmpnew.upload.mp3", age_seconds=60)

        out = StringIO()
        call_command("cleanup_audio", stdout=out, stderr=StringIO())

        self.assertEqual(self.remaining(), ["tmpnew.upload.mp3"])
        self.assertIn("1 stale upload file", out.getvalue())

    def test_a_dry_run_keeps_them(self):
        self.make("tmpold.upload.mp3", age_seconds=2 * DAY)

        call_command("cleanup_audio", "--dry-run", stdout=StringIO(), stderr=StringIO())

        self.assertEqual(self.remaining(), ["tmpold.upload.mp3"])
