"""Concurrent plays on a real database: every play counts (defect 4).

Needs PostgreSQL (SQLite serialises writers, so it cannot show a lost update); `.ci/run` runs
the suite with DATABASE_URL pointing at the local PostgreSQL.
"""

import unittest

from django.db import connection
from django.test import TransactionTestCase

from apps.curriculum.models import AudioCache, AudioSource
from apps.curriculum.services.audio import play_record
from tests.factories import TempMediaMixin, make_audio, make_phoneme
from tests.threads import run_in_threads

THREADS = 8
CALLS_PER_THREAD = 50


@unittest.skipUnless(
    connection.vendor == "postgresql", "concurrency is tested on PostgreSQL (.ci/run)"
)
class ConcurrentPlayTests(TempMediaMixin, TransactionTestCase):
    def setUp(self):
        self.source = make_audio(make_phoneme("iː"), AudioSource.SourceType.TTS)
        self.cache = AudioCache.objects.create(audio_source=self.source)

    def test_record_access_from_many_threads_counts_every_play(self):
        def plays():
            cache = AudioCache.objects.get(pk=self.cache.pk)  # each thread's own stale copy
            for _ in range(CALLS_PER_THREAD):
                cache.record_access()

        _, errors = run_in_threads(plays, THREADS)
        self.assertEqual(errors, [])
        self.cache.refresh_from_db()
        self.assertEqual(self.cache.usage_count, THREADS * CALLS_PER_THREAD)

    def test_first_plays_racing_create_one_cache_row(self):
        self.cache.delete()

        def plays():
            for _ in range(10):
                play_record(self.source)

        _, errors = run_in_threads(plays, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(AudioCache.objects.get(audio_source=self.source).usage_count, THREADS * 10)
