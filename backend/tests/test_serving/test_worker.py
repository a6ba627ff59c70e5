"""A real Celery worker (two processes) generating audio from a real queue, and a worker
killed whole (main process and pool) whose job the next worker runs.

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
    *("--pool=prefork", "--loglevel=INFO", "--hostname=phatam-test@%h"),
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
class WorkerTestCase(TempMediaMixin, TransactionTestCase):
    """Each class: the test's Redis database emptied, Celery's broker pointed at it, and a
    work folder with the synthesis log; :meth:`worker_start` starts a worker there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._prepare()
        except BaseException:
            cls.tearDownClass()  # the media and settings overrides of setUpClass
            raise

    @classmethod
    def _prepare(cls):
        import redis

        redis.Redis.from_url(BROKER).flushdb()  # the test's own database: no stale jobs
        cls.workdir = Path(tempfile.mkdtemp(prefix="phatam-worker-"))
        cls.synthesis_log = cls.workdir / "syntheses.log"
        cls.hang_flag = cls.workdir / "hang"
        cls.synthesis_log.touch()
        cls._saved_conf = {name: app.conf[name] for name in ("broker_url", "result_backend")}
        app.conf.update(broker_url=BROKER, result_backend=BROKER)
        cls.addClassCleanup(cls._restore)

    @classmethod
    def _restore(cls):
        app.conf.update(cls._saved_conf)
        app.close()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def worker_start(
        cls, log_path: Path, *, concurrency: int = 2, **environment: str
    ) -> subprocess.Popen:
        """``celery worker`` in a process group of its own (for ``killpg``), once it says it
        is ready; stopped at the class's end if the test has not stopped it."""
        environment = {
            **{
                name: value
                for name, value in os.environ.items()
                if not name.startswith(("PHATAM_", "CELERY_", "REDIS_", "DJANGO_"))
            },
            "DJANGO_SETTINGS_MODULE": "tests.test_serving.worker_settings",
            "CELERY_BROKER_URL": BROKER,  # REDIS_URL (the generation lock) follows it
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": cls._media_root,
            "PHATAM_ONLINE_TTS": "0",
            "PHATAM_TEST_SYNTHESIS_LOG": str(cls.synthesis_log),
            "PHATAM_TEST_SYNTHESIS_DELAY": str(SYNTHESIS_DELAY),
            "PHATAM_TEST_SYNTHESIS_HANG_FLAG": str(cls.hang_flag),
            **environment,
        }
        started = time.monotonic()
        with open(log_path, "wb") as log:
            worker = subprocess.Popen(
                [*CELERY_WORKER, f"--concurrency={concurrency}"],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own, for killpg
            )
        cls.addClassCleanup(worker_stop, worker)
        while " ready." not in log_path.read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() - started > READY_SECONDS:
                raise RuntimeError(f"the worker did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        return worker

    def syntheses(self) -> list[str]:
        return self.synthesis_log.read_text().splitlines()


def worker_stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)  # warm shutdown: finishes its jobs
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


class CeleryWorkerTests(WorkerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worker_log = cls.workdir / "worker.log"
        try:
            cls.worker = cls.worker_start(cls.worker_log)
        except BaseException:
            cls.tearDownClass()  # the media and settings overrides of setUpClass
            raise

    def setUp(self):
        self.synthesis_log.write_text("")
        self.worker_log_start = self.worker_log.stat().st_size
        self.phoneme = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

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


@override_settings(PHATAM_JOBS_WAIT_MS=0)
class WholeWorkerKilledTests(WorkerTestCase):
    """A worker machine that dies (main process and pool at once, the process group): no pool
    process is left to report the job lost, so it waits in Redis, unacknowledged
    (``acks_late``), until the visibility timeout hands it to the next worker."""

    VISIBILITY_TIMEOUT = 2  # seconds, for the second worker only (worker_settings.py)

    def test_a_job_of_a_killed_worker_runs_on_the_next_worker_despite_the_dead_lock(self):
        import redis

        broker = redis.Redis.from_url(BROKER)
        first = self.worker_start(self.workdir / "first.log", concurrency=1)
        self.hang_flag.touch()  # its synthesis hangs, holding the generation lock
        CeleryJobs().submit(audio_generate_for_accent, self.phoneme_make().pk, accent="en-US")
        self.wait_for(lambda: any(line.startswith("hang ") for line in self.syntheses()))
        holder = int(self.syntheses()[0].split()[1])

        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        self.wait_for(lambda: process_gone(holder))
        killed_at = time.monotonic()
        # Nothing acknowledged the job, and the dead process's lock is still there (its TTL
        # would free it within 15 s; the next holder on this machine need not wait for that).
        self.assertEqual(broker.hlen("unacked"), 1)
        [lock] = broker.keys("phatam:lock:*")
        self.assertIn(f":{holder}:", broker.get(lock).decode())

        second_log = self.workdir / "second.log"
        self.worker_start(
            second_log, concurrency=1, PHATAM_TEST_VISIBILITY_TIMEOUT=str(self.VISIBILITY_TIMEOUT)
        )
        self.wait_for(lambda: AudioSource.objects.exists(), log=second_log)

        self.assertLess(time.monotonic() - killed_at, 30)
        self.assertEqual(AudioSource.objects.count(), 1)
        rerun = self.syntheses()[1].split()[0]
        self.assertNotEqual(rerun, str(holder))
        log = second_log.read_text(errors="replace")
        self.assertIn(f"Took over the lock {lock.decode()} of a dead process", log)
        self.assertIn(f"({socket.gethostname()}:{holder}:", log)
        self.wait_for(lambda: broker.hlen("unacked") == 0, log=second_log)  # acknowledged

    def phoneme_make(self):
        return make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

    def wait_for(self, condition, seconds: float = 30, *, log: Path | None = None):
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:] if log else ""
                self.fail(f"timed out; worker log:\n{tail}")
            time.sleep(0.1)


def process_gone(pid: int) -> bool:
    """The process is gone, or a zombie nobody reaps (its parent, the worker, is dead)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True
