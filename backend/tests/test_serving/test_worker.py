"""A real Celery worker (two processes) generating audio from a real queue.

The worker is ``celery -A config worker`` started as a subprocess on the Redis of
PHATAM_TEST_CELERY_BROKER and on this test run's PostgreSQL database, with the real eSpeak NG
counted in a file (``worker_settings.py``). Skipped on the embedded setup; `.ci/run` runs it.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from io import StringIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from apps.curriculum.audio.jobs import CeleryJobs
from apps.curriculum.audio.playback import audio_for_phoneme
from apps.curriculum.audio.synthesis import audio_generate_for_accent
from apps.curriculum.models import AudioCache, AudioSource
from config.celery import app
from tests.factories import TempMediaMixin, make_phoneme
from tests.threads import run_in_threads

BROKER = os.environ.get("PHATAM_TEST_CELERY_BROKER", "")
SYNTHESIS_DELAY = 0.5  # seconds: the first synthesis is still running when the others ask
READY_SECONDS = 90
CELERY_WORKER = [
    *(sys.executable, "-m", "celery", "-A", "config", "worker"),
    *("--pool=prefork", "--concurrency=2", "--loglevel=INFO", "--hostname=phatam-test@%h"),
    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
]


def database_url() -> str:
    """This run's test database (pytest-django's ``test_<name>``), for the worker."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@unittest.skipUnless(
    BROKER and connection.vendor == "postgresql",
    "a real worker needs PostgreSQL and Redis (PHATAM_TEST_CELERY_BROKER): .ci/run",
)
@override_settings(CELERY_BROKER_URL=BROKER)
class CeleryWorkerTests(TempMediaMixin, TransactionTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._start_worker()
        except BaseException:
            cls.tearDownClass()  # the media and settings overrides of setUpClass
            raise

    @classmethod
    def _start_worker(cls):
        import redis

        redis.Redis.from_url(BROKER).flushdb()  # the test's own database: no stale jobs
        cls._saved_conf = {name: app.conf[name] for name in ("broker_url", "result_backend")}
        app.conf.update(broker_url=BROKER, result_backend=BROKER)
        cls.workdir = Path(tempfile.mkdtemp(prefix="phatam-worker-"))
        cls.synthesis_log = cls.workdir / "syntheses.log"
        cls.worker_log = cls.workdir / "worker.log"
        cls.hang_flag = cls.workdir / "hang"
        cls.synthesis_log.touch()
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("PHATAM_", "CELERY_", "REDIS_", "DJANGO_"))
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="tests.test_serving.worker_settings",
            CELERY_BROKER_URL=BROKER,  # REDIS_URL (the generation lock) follows it
            DATABASE_URL=database_url(),
            MEDIA_ROOT=cls._media_root,
            PHATAM_ONLINE_TTS="0",
            PHATAM_TEST_SYNTHESIS_LOG=str(cls.synthesis_log),
            PHATAM_TEST_SYNTHESIS_DELAY=str(SYNTHESIS_DELAY),
            PHATAM_TEST_SYNTHESIS_HANG_FLAG=str(cls.hang_flag),
        )
        started = time.monotonic()
        with open(cls.worker_log, "wb") as log:
            cls.worker = subprocess.Popen(
                CELERY_WORKER,
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own, for killpg
            )
        cls.addClassCleanup(cls._stop_worker)
        while " ready." not in cls.worker_log.read_text(errors="replace"):
            if cls.worker.poll() is not None or time.monotonic() - started > READY_SECONDS:
                raise RuntimeError(f"the worker did not start:\n{cls.worker_log.read_text()}")
            time.sleep(0.2)

    @classmethod
    def _stop_worker(cls):
        cls.worker.send_signal(signal.SIGTERM)  # warm shutdown: finishes its jobs
        try:
            cls.worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cls.worker.pid, signal.SIGKILL)
            cls.worker.wait()
        app.conf.update(cls._saved_conf)
        app.close()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def setUp(self):
        self.synthesis_log.write_text("")
        self.worker_log_start = self.worker_log.stat().st_size
        self.phoneme = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

    def syntheses(self) -> list[str]:
        return self.synthesis_log.read_text().splitlines()

    def worker_log_of_this_test(self) -> str:
        with open(self.worker_log, "rb") as log:
            log.seek(self.worker_log_start)
            return log.read().decode(errors="replace")

    def wait_for(self, condition, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"timed out; worker log:\n{self.worker_log_of_this_test()[-3000:]}")
            time.sleep(0.1)

    @override_settings(PHATAM_JOBS_WAIT_MS=0)
    def test_a_queued_job_is_generated_by_the_worker(self):
        source = CeleryJobs().submit(audio_generate_for_accent, self.phoneme.pk, accent="en-US")

        self.assertIsNone(source)  # never waits: "generation queued"
        self.wait_for(lambda: AudioSource.objects.filter(phoneme=self.phoneme).exists())
        source = AudioSource.objects.get(phoneme=self.phoneme)
        self.assertEqual((source.source_type, source.voice_id), ("generated", "en-us"))
        self.assertEqual(source.metadata["espeak_input"], "[['i:]]")  # eSpeak's own input
        with source.audio_file.open("rb") as audio:
            self.assertGreater(len(audio.read()), 1000)
        self.assertEqual(len(self.syntheses()), 1)

    @override_settings(
        PHATAM_JOBS_BACKEND="apps.curriculum.audio.jobs.CeleryJobs", PHATAM_JOBS_WAIT_MS=30_000
    )
    def test_concurrent_requests_across_two_worker_processes_store_one_file(self):
        answers, errors = run_in_threads(lambda: audio_for_phoneme(self.phoneme, accent="en-US"), 8)

        self.assertEqual(errors, [])
        self.assertEqual({answer.tier for answer in answers}, {"generated"})
        self.assertEqual(AudioSource.objects.count(), 1)
        self.assertEqual({answer.source.pk for answer in answers}, {AudioSource.objects.get().pk})
        self.assertEqual(AudioCache.objects.count(), 1)
        self.assertEqual(len(self.syntheses()), 1, self.syntheses())
        # Both pool processes ran some (their numbers grow when one is replaced).
        processes = re.findall(
            r"INFO/(ForkPoolWorker-\d+)\] Task apps\.curriculum\.audio\.tasks\.generate",
            self.worker_log_of_this_test(),
        )
        self.assertGreaterEqual(len(set(processes)), 2, processes)

    @override_settings(PHATAM_JOBS_WAIT_MS=0)
    def test_a_job_whose_process_is_killed_runs_again_at_once_and_takes_over_its_lock(self):
        self.hang_flag.touch()  # the first synthesis hangs, holding the generation lock
        CeleryJobs().submit(audio_generate_for_accent, self.phoneme.pk, accent="en-US")
        self.wait_for(lambda: any(line.startswith("hang ") for line in self.syntheses()))
        killed = int(self.syntheses()[0].split()[1])

        os.kill(killed, signal.SIGKILL)

        # Back in the queue at once (not after the visibility timeout), and the next run does
        # not wait for the dead process's lock to expire: well within the 60 s it once waited.
        self.wait_for(lambda: AudioSource.objects.filter(phoneme=self.phoneme).exists(), 30)
        log = self.worker_log_of_this_test()
        self.assertIn("WorkerLostError", log)
        self.assertIn("Took over the lock phatam:lock:", log)
        self.assertIn(f"of a dead process ({socket.gethostname()}:{killed}:", log)
        rerun = self.syntheses()[1]
        self.assertNotEqual(rerun.split()[0], str(killed))
        self.assertEqual(AudioSource.objects.filter(phoneme=self.phoneme).count(), 1)

    def test_generate_audio_queue_hands_every_file_to_the_workers(self):
        out = StringIO()
        call_command("generate_audio", "--queue", stdout=out, stderr=StringIO())

        # iː and "see", in the two eSpeak voices: the test's and the worker's are the same.
        self.assertIn("4 generated, 0 already valid, 0 failed", out.getvalue())
        self.assertEqual(AudioSource.objects.filter(source_type="tts").count(), 4)
        self.assertEqual(len(self.syntheses()), 4)
        self.assertEqual(len({line.split()[0] for line in self.syntheses()}), 2)  # both processes
