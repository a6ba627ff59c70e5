"""The storage helpers every app uses: one listing, one quiet delete, one safe save."""

import errno
import math
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import SimpleTestCase

from apps.core.storage import (
    StorageUnavailable,
    json_safe,
    storage_delete_quietly,
    storage_save,
    storage_walk,
)


class FillingStorage(FileSystemStorage):
    """Writes part of the file, then fails as a full (or read-only) disk does."""

    def __init__(self, *args, error: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.error = error

    def _save(self, name, content):
        with open(self.path(name), "wb") as partial:
            partial.write(b"RIFF" + b"\0" * 16000)
        raise OSError(self.error, "no")


class StorageHelperTests(SimpleTestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, self.root, True)
        self.storage = FileSystemStorage(location=self.root)

    def test_walk_lists_every_file_sorted_from_the_root_or_a_folder(self):
        for name in ("b/2/x.mp3", "a.mp3", "b/1.mp3"):
            self.storage.save(name, ContentFile(b"1"))
        self.assertEqual(storage_walk(self.storage), ["a.mp3", "b/1.mp3", "b/2/x.mp3"])
        self.assertEqual(storage_walk(self.storage, "b"), ["b/1.mp3", "b/2/x.mp3"])
        self.assertEqual(storage_walk(self.storage, "missing"), [])

    def test_a_refused_write_leaves_no_partial_file_and_says_why(self):
        for error, disk_full in ((errno.ENOSPC, True), (errno.EROFS, False)):
            with self.subTest(errno.errorcode[error]):
                storage = FillingStorage(location=self.root, error=error)
                with self.assertRaises(StorageUnavailable) as caught:
                    storage_save(storage, "take.wav", ContentFile(b"RIFF"))
                self.assertIs(caught.exception.disk_full, disk_full)
                self.assertEqual(storage_walk(self.storage), [])

    def test_a_failing_delete_is_logged_not_raised(self):
        class Failing(FileSystemStorage):
            def delete(self, name):
                raise PermissionError(errno.EACCES, "no")

        with self.assertLogs("apps.core.storage", "WARNING"):
            self.assertFalse(storage_delete_quietly(Failing(location=self.root), "x.mp3"))

    def test_json_safe_turns_nan_and_infinities_into_none_at_any_depth(self):
        value = {"f1": math.nan, "levels": [1.5, -math.inf, {"x": math.inf}], "ok": "yes"}
        self.assertEqual(
            json_safe(value), {"f1": None, "levels": [1.5, None, {"x": None}], "ok": "yes"}
        )
