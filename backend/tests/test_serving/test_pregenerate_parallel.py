"""Pre-generation on every core (a pool of processes, no broker) and through the job queue.

TransactionTestCase: the pool forks, and what is stored must be committed as in a real run.
"""

import os
import subprocess
import sys
import tempfile
from io import StringIO
from unittest import mock

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from apps.curriculum.audio.jobs import CeleryJobs, InProcessJobs
from apps.curriculum.audio.lifecycle import (
    audio_pregenerate,
    audio_pregenerate_one,
    audio_pregenerate_queued,
    pregenerate_tasks,
)
from apps.curriculum.audio.voices import accents, voices_for
from apps.curriculum.models import AudioSource, Phoneme
from speech.pcm import encode_mp3, tone
from speech.tts.base import SynthesisRequest, TTSError
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_category, make_phoneme
from tests.hermetic import EDGE_OFFLINE, engines_in_memory, real_espeak

TTS = AudioSource.SourceType.TTS


def make_phonemes() -> list[Phoneme]:
    category = make_category()
    return [
        make_phoneme("iː", category=category, example_words=[{"word": "see", "ipa": "/siː/"}]),
        make_phoneme(
            "θ",
            category=category,
            example_words=[{"word": "think", "ipa": "/θɪŋk/"}, {"word": "bath", "ipa": "/bɑːθ/"}],
        ),
    ]


def answers_but_not_bath(request: SynthesisRequest, timeout: float) -> bytes:
    """An online service that answers every word but "bath"."""
    if request.word == "bath":
        raise OSError("the service hung up")
    return encode_mp3(tone(0.3), 22050)


def all_voices():
    return [voice for accent in accents() for voice in voices_for(accent)]


def sound_of_each_file() -> dict[int, tuple]:
    sounds = {}
    for source in AudioSource.objects.all():
        with source.audio_file.open("rb") as audio:
            size = len(audio.read())
        sounds[source.pk] = (
            source.metadata["espeak_input"],
            source.metadata["espeak_voice"],
            round(source.audio_duration, 1),
            source.acoustic_verdict,
            size > 1000,
        )
    return sounds


class PoolPregenerationTests(TempMediaMixin, TransactionTestCase):
    def setUp(self):
        # 2 phonemes and 3 words, in 2 voices
        self.tasks = pregenerate_tasks(make_phonemes(), all_voices())

    @real_espeak
    def test_a_pool_stores_what_one_process_would(self):
        report = audio_pregenerate(self.tasks, processes=2)

        self.assertEqual((report.created, report.failed), (10, 0))
        self.assertEqual(AudioSource.objects.filter(source_type=TTS).count(), 10)
        pooled = sound_of_each_file()

        audio_pregenerate(self.tasks, force=True, processes=1)  # again, in this process

        # eSpeak NG's samples vary a little from call to call, so not the bytes: what was
        # said, by which voice, how long, and how the acoustic check judged it.
        self.assertEqual(sound_of_each_file(), pooled)

    def test_the_engines_run_in_the_pool_and_this_process_only_stores(self):
        report = audio_pregenerate(self.tasks, processes=2)

        self.assertEqual(report.created, 10)
        self.assertEqual(LocMemEngine.requests, [])  # each pool process has its own engine
        self.assertEqual(AudioSource.objects.count(), 10)
        self.assertTrue(all(source.audio_file for source in AudioSource.objects.all()))

    def test_valid_audio_is_skipped_before_anything_is_synthesized(self):
        audio_pregenerate(self.tasks[:4], processes=2)

        report = audio_pregenerate(self.tasks, processes=2)

        self.assertEqual((report.skipped, report.created), (4, 6))
        self.assertEqual(AudioSource.objects.count(), 10)

    @override_settings(
        PHATAM_TTS_ENGINES=engines_in_memory(
            edge={**EDGE_OFFLINE, "OPTIONS": {"transport": answers_but_not_bath}}
        ),
        PHATAM_VOICES={"en-US": ["edge:en-US-AriaNeural", "espeak:en-us"]},
    )
    def test_a_failing_voice_in_the_pool_is_counted_and_the_others_go_on(self):
        tasks = pregenerate_tasks(Phoneme.objects.all(), all_voices())

        report = audio_pregenerate(tasks, processes=2)

        # edge-tts says the 3 words only (the first one here, as its probe, the others in the
        # pool) and fails on "bath"; eSpeak says all 5.
        self.assertEqual(report.failures, {"edge:en-US-AriaNeural": 1})
        self.assertIn("hung up", report.reasons["edge:en-US-AriaNeural"])
        self.assertEqual(report.created, 7)
        self.assertEqual(report.offline, {})

    def test_every_voice_failing_in_the_pool_fails_the_command(self):
        LocMemEngine.failure = TTSError("broken", retryable=False)  # the pool inherits it

        with self.assertRaisesMessage(CommandError, "No audio could be generated"):
            call_command("generate_audio", "--jobs", "2", stdout=StringIO(), stderr=StringIO())

    def test_the_command_reports_files_per_second(self):
        out = StringIO()
        call_command("generate_audio", "--jobs", "2", stdout=out, stderr=StringIO())

        self.assertIn("10 generated, 0 already valid, 0 failed", out.getvalue())
        self.assertRegex(out.getvalue(), r"\n10 files in \d+\.\d s \(\d+\.\d files/s\)\n")

    def test_one_job_synthesizes_in_this_process_as_before(self):
        out = StringIO()
        call_command("generate_audio", "--jobs", "1", stdout=out, stderr=StringIO())

        self.assertEqual(len(LocMemEngine.requests), 10)
        self.assertRegex(out.getvalue(), r"\n10 files in \d+\.\d s \(\d+\.\d files/s\)\n")

    def test_bad_pool_and_queue_options_are_clear_errors(self):
        for args, message in [
            (["--jobs", "0"], "--jobs must be at least 1"),
            (["--queue"], "--queue needs CELERY_BROKER_URL"),
        ]:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                call_command("generate_audio", *args, stdout=StringIO(), stderr=StringIO())
        self.assertEqual(AudioSource.objects.count(), 0)

    @override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    def test_a_broker_without_workers_is_a_clear_error_not_a_wait(self):
        with (
            mock.patch.object(CeleryJobs, "workers", return_value=[]),
            self.assertRaisesMessage(CommandError, "No Celery worker answers"),
        ):
            call_command("generate_audio", stdout=StringIO(), stderr=StringIO())
        self.assertEqual(AudioSource.objects.count(), 0)


class QueuedPregenerationTests(TempMediaMixin, TransactionTestCase):
    """The queue's bookkeeping, with the jobs run in this process (test_worker.py runs them
    on a real worker)."""

    def setUp(self):
        self.tasks = pregenerate_tasks(make_phonemes(), all_voices())
        self.progress: list[str] = []

    def pregenerate(self, **kwargs):
        return audio_pregenerate_queued(
            self.tasks, jobs=InProcessJobs(), on_progress=self.progress.append, **kwargs
        )

    def test_every_task_is_a_job_and_is_counted_as_it_comes_back(self):
        report = self.pregenerate()

        self.assertEqual((report.created, report.skipped, report.failed), (10, 0, 0))
        self.assertEqual(self.progress, [str(task) for task in self.tasks])
        self.assertEqual(
            set(AudioSource.objects.values_list("language", "word")),
            {(lang, word) for lang in ("en-US", "en-GB") for word in ("", "see", "think", "bath")},
        )

    def test_valid_audio_is_not_enqueued_again(self):
        self.pregenerate()
        LocMemEngine.reset()

        report = self.pregenerate()

        self.assertEqual((report.created, report.skipped), (0, 10))
        self.assertEqual(LocMemEngine.requests, [])

    def test_a_failing_voice_is_counted_per_voice(self):
        LocMemEngine.failure = TTSError("engine broken\nsecond line", retryable=False)

        report = self.pregenerate()

        self.assertEqual(report.failures, {"espeak:en-us": 5, "espeak:en-gb-x-rp": 5})
        self.assertEqual(report.reasons["espeak:en-us"], "engine broken")

    def test_a_job_that_crashed_on_the_worker_is_a_failure_of_its_voice(self):
        class CrashingJobs(InProcessJobs):
            def submit_many(self, func, calls, *, on_result):
                for index, _ in enumerate(calls):
                    on_result(index, ConnectionError("database went away"))

        report = audio_pregenerate_queued(self.tasks, jobs=CrashingJobs())

        self.assertEqual(report.failed, 10)
        self.assertEqual(report.reasons["espeak:en-us"], "database went away")

    def test_a_voice_the_worker_does_not_have_is_a_failure(self):
        outcome = audio_pregenerate_one(self.tasks[0].phoneme.pk, "en-US", "espeak:en-gb-x-rp")

        error = "espeak:en-gb-x-rp is not a configured voice of en-US"
        self.assertEqual(outcome, {"error": error, "not_stored": False})


class EmbeddedDatabaseTests(SimpleTestCase):
    def test_the_embedded_database_keeps_a_write_ahead_log(self):
        code = (
            "import django; django.setup(); from django.db import connection; "
            "cursor = connection.cursor(); "
            "print(*(cursor.execute(f'PRAGMA {name}').fetchone()[0] "
            "for name in ('journal_mode', 'synchronous')))"
        )
        with tempfile.TemporaryDirectory() as var:
            environment = {**os.environ, "DATABASE_URL": "", "PHATAM_VAR_DIR": var}
            environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
            result = subprocess.run(
                [sys.executable, "-c", code],
                cwd=settings.BASE_DIR,
                env=environment,
                capture_output=True,
                text=True,
                timeout=60,
            )
        # WAL, and synchronous=NORMAL (1): a commit does not wait for the disk.
        self.assertEqual(result.stdout.split(), ["wal", "1"], result.stderr)
