"""Concurrent plays on a real database: every play counts (defect 4).

Needs PostgreSQL (SQLite serialises writers, so it cannot show a lost update); `.ci/run` runs
the suite with DATABASE_URL pointing at the local PostgreSQL.
"""

import threading
import unittest

from django.db import connection, connections
from django.test import TransactionTestCase

from apps.curriculum.models import AudioCache, AudioSource
from apps.curriculum.services.audio import play_record
from tests.factories import TempMediaMixin, make_audio, make_phoneme

THREADS = 8
CALLS_PER_THREAD = 50


def run_in_threads(target, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


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

        self.assertEqual(run_in_threads(plays, THREADS), [])
        self.cache.refresh_from_db()
        self.assertEqual(self.cache.usage_count, THREADS * CALLS_PER_THREAD)

    def test_first_plays_racing_create_one_cache_row(self):
        self.cache.delete()

        def plays():
            for _ in range(10):
                play_record(self.source)

        errors = run_in_threads(plays, THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(AudioCache.objects.get(audio_source=self.source).usage_count, THREADS * 10)
