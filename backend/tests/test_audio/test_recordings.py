"""Native recordings through the service: replacing and deleting, with files that follow the
commit (the upload API's tests cover what is accepted and refused)."""

import io
import os

from django.core.files.storage import default_storage
from django.db import transaction
from django.test import TestCase

from apps.curriculum.audio.recordings import (
    RecordingRejected,
    Speaker,
    native_recording_add,
    native_recording_replace,
)
from apps.curriculum.models import AudioSource
from tests import audio_fixtures
from tests.factories import TempMediaMixin, make_category, make_phoneme


def files_under(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


def consonant(symbol: str = "s"):
    return make_phoneme(symbol, category=make_category("consonant"))


class RecordingReplacementTests(TempMediaMixin, TestCase):
    """Replacing and deleting through the service and the model: files follow the commit."""

    def setUp(self):
        self.phoneme = consonant()
        self.speaker = Speaker("Tom", "male", "RP", "owned")
        self.source = native_recording_add(
            self.phoneme,
            io.BytesIO(audio_fixtures.mp3(1.0)),
            name="first.mp3",
            speaker=self.speaker,
            language="en-GB",
        )
        self.old_name = self.source.audio_file.name

    def test_replacement_stores_the_new_file_and_deletes_the_old_after_commit(self):
        content = audio_fixtures.wav(2.0)
        with self.captureOnCommitCallbacks(execute=True):
            native_recording_replace(self.source, io.BytesIO(content), name="second.wav")
            self.assertTrue(default_storage.exists(self.old_name))
        self.source.refresh_from_db()
        new_name = self.source.audio_file.name
        self.assertNotEqual(new_name, self.old_name)
        self.assertTrue(new_name.endswith(".wav"))
        self.assertTrue(default_storage.exists(new_name))
        self.assertFalse(default_storage.exists(self.old_name))
        self.assertAlmostEqual(self.source.audio_duration, 2.0, delta=0.05)
        self.assertEqual(self.source.cache.file_size, len(content))
        self.assertEqual(self.source.metadata["speaker_name"], "Tom")
        self.assertEqual(self.source.metadata["format"], "wav")

    def test_rejected_replacement_keeps_the_old_file_and_row(self):
        before = AudioSource.objects.values().get(pk=self.source.pk)
        media = files_under(default_storage.location)
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(RecordingRejected):
            native_recording_replace(self.source, io.BytesIO(b"not audio"), name="second.mp3")
        self.assertEqual(AudioSource.objects.values().get(pk=self.source.pk), before)
        self.assertTrue(default_storage.exists(self.old_name))
        self.assertEqual(files_under(default_storage.location), media)

    def test_replacement_in_a_failed_transaction_keeps_the_old_file(self):
        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaises(RuntimeError),
            transaction.atomic(),
        ):
            native_recording_replace(
                self.source, io.BytesIO(audio_fixtures.wav(2.0)), name="second.wav"
            )
            new_name = self.source.audio_file.name
            raise RuntimeError("a later step of the same transaction fails")
        self.source.refresh_from_db()
        self.assertEqual(self.source.audio_file.name, self.old_name)
        self.assertTrue(default_storage.exists(self.old_name))
        self.assertFalse(AudioSource.objects.filter(audio_file=new_name).exists())

    def test_deleting_a_native_recording_deletes_its_file_after_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.source.delete()
            self.assertTrue(default_storage.exists(self.old_name))
        self.assertFalse(default_storage.exists(self.old_name))
