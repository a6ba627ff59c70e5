"""audio_file_store, the one way an audio file enters storage: with its row, or not at all."""

import io
import os
import re
from unittest import mock

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.test import TestCase

from apps.curriculum.audio.storage import PENDING_DIR, audio_file_store
from apps.curriculum.models import AudioCache, AudioSource
from tests.factories import TempMediaMixin, make_phoneme

TTS = AudioSource.SourceType.TTS
FINAL_NAME = re.compile(r"^phonemes/audio/\d{4}/\d\d/\d\d/[0-9a-f]{32}\.mp3$")
FIRST = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"first" * 20
SECOND = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"second" * 20


def media_files() -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


class AudioFileStoreTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_phoneme("iː")
        self.addCleanup(self.empty_media)

    def empty_media(self):
        storage = AudioSource._meta.get_field("audio_file").storage
        for name in media_files():
            storage.delete(name)

    def new_source(self, **fields) -> AudioSource:
        values = {"voice_id": "en-us", "engine": "locmem", "tts_rate": "-30%", **fields}
        return AudioSource(phoneme=self.phoneme, source_type=TTS, language="en-US", **values)

    def store(self, source: AudioSource, content: bytes) -> AudioSource:
        return audio_file_store(source, io.BytesIO(content), extension="mp3", size=len(content))

    def committed(self, content: bytes = FIRST, **fields) -> AudioSource:
        with self.captureOnCommitCallbacks(execute=True):
            return self.store(self.new_source(**fields), content)

    def test_a_file_is_stored_with_its_row_and_its_size(self):
        source = self.committed(FIRST)

        source.refresh_from_db()
        self.assertRegex(source.audio_file.name, FINAL_NAME)
        with source.audio_file.open("rb") as stored:
            self.assertEqual(stored.read(), FIRST)
        self.assertEqual(AudioCache.objects.get(audio_source=source).file_size, len(FIRST))
        self.assertEqual(media_files(), [source.audio_file.name])

    def test_until_the_commit_the_file_waits_under_its_pending_name(self):
        with self.captureOnCommitCallbacks(execute=True):
            source = self.store(self.new_source(), FIRST)
            row = AudioSource.objects.get(pk=source.pk)
            self.assertTrue(row.audio_file.name.startswith(f"{PENDING_DIR}/"), row.audio_file)
            self.assertEqual(media_files(), [row.audio_file.name])
        pending = os.path.basename(row.audio_file.name)

        source.refresh_from_db()
        self.assertEqual(os.path.basename(source.audio_file.name), pending, "the same uuid")
        self.assertEqual(media_files(), [source.audio_file.name])

    def test_a_row_that_cannot_be_saved_leaves_no_new_file(self):
        self.committed(FIRST)
        before = media_files()
        duplicate = self.new_source()  # the same synthesized audio again

        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(IntegrityError),
        ):
            self.store(duplicate, SECOND)

        self.assertEqual(media_files(), before)
        self.assertEqual(callbacks, [])
        self.assertEqual(duplicate.audio_file.name, "", "the row names no file")

    def test_a_failure_after_the_row_is_saved_keeps_the_replaced_file_and_the_row(self):
        source = self.committed(FIRST)
        old_name = source.audio_file.name
        row_before = AudioSource.objects.values().get(pk=source.pk)

        with (
            self.captureOnCommitCallbacks(execute=True),
            mock.patch.object(AudioCache.objects, "filter", side_effect=DatabaseError("down")),
            self.assertRaises(DatabaseError),
        ):
            self.store(source, SECOND)

        self.assertEqual(media_files(), [old_name])
        self.assertEqual(AudioSource.objects.values().get(pk=source.pk), row_before)
        self.assertEqual(source.audio_file.name, old_name)

    def test_the_replaced_file_goes_only_after_the_commit(self):
        source = self.committed(FIRST)
        old_name = source.audio_file.name

        with self.captureOnCommitCallbacks(execute=True):
            self.store(source, SECOND)
            self.assertIn(old_name, media_files(), "deleted before the commit")

        source.refresh_from_db()
        self.assertNotEqual(source.audio_file.name, old_name)
        self.assertEqual(media_files(), [source.audio_file.name])
        with source.audio_file.open("rb") as stored:
            self.assertEqual(stored.read(), SECOND)
        self.assertEqual(source.cache.file_size, len(SECOND))

    def test_a_rolled_back_transaction_keeps_the_replaced_file(self):
        source = self.committed(FIRST)
        old_name = source.audio_file.name

        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaises(RuntimeError),
            transaction.atomic(),
        ):
            self.store(source, SECOND)
            raise RuntimeError("a later step of the same transaction fails")

        source.refresh_from_db()
        self.assertEqual(source.audio_file.name, old_name)
        self.assertIn(old_name, media_files())
        with source.audio_file.open("rb") as stored:
            self.assertEqual(stored.read(), FIRST)
        # The new file never left the pending folder, which cleanup_audio sweeps.
        self.assertEqual(
            [
                name
                for name in media_files()
                if name != old_name and not name.startswith(PENDING_DIR)
            ],
            [],
        )
