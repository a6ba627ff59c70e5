"""CeleryJobs without a broker: when it sends, how long it waits, what it answers.

A fake Celery app stands in for the broker here; ``test_worker.py`` runs the real worker.
"""

import os
import subprocess
import sys
from typing import Any

from celery.exceptions import TimeoutError as ResultTimeout
from django.conf import settings
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings
from kombu.exceptions import OperationalError

from apps.curriculum.audio.jobs import CeleryJobs, InProcessJobs, job_backend, task_for
from apps.curriculum.audio.playback import audio_for_phoneme
from apps.curriculum.audio.synthesis import AudioUnavailable, audio_generate_for_accent
from apps.curriculum.audio.tasks import cleanup_audio_task
from apps.curriculum.models import AudioSource
from tests.factories import TempMediaMixin, make_audio, make_phoneme

GENERATE_TASK = "apps.curriculum.audio.tasks.generate_audio_task"


class FakeBackend:
    def __init__(self):
        self.forgotten = []

    def remove_pending_result(self, result):
        self.forgotten.append(result)


class FakeResult:
    """An AsyncResult whose worker answers ``outcome`` (a value, or an exception to raise)."""

    def __init__(self, outcome: Any):
        self.outcome = outcome
        self.waits: list[float] = []
        self.backend = FakeBackend()

    def get(self, *, timeout: float, interval: float, disable_sync_subtasks: bool):
        self.waits.append(timeout)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


class FakeApp:
    def __init__(self, outcome: Any = None, *, broker_error: Exception | None = None):
        self.outcome = outcome
        self.broker_error = broker_error
        self.sent: list[tuple[str, tuple, dict]] = []
        self.results: list[FakeResult] = []

    def send_task(self, name: str, *, args: tuple, kwargs: dict) -> FakeResult:
        if self.broker_error is not None:
            raise self.broker_error
        self.sent.append((name, args, kwargs))
        self.results.append(FakeResult(self.outcome))
        return self.results[-1]


class SlowWorkerJobs(CeleryJobs):
    """A worker that never answers within the wait (for PHATAM_JOBS_BACKEND)."""

    def __init__(self):
        super().__init__(app=FakeApp(ResultTimeout("still running")))


class CeleryJobsWaitTests(TempMediaMixin, TransactionTestCase):
    """Outside a transaction, as in a request: sent at once, then a bounded wait."""

    def setUp(self):
        self.phoneme = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

    def submit(self, app: FakeApp):
        return CeleryJobs(app=app).submit(
            audio_generate_for_accent, self.phoneme.pk, accent="en-US", word="see"
        )

    def test_a_fast_workers_audio_is_returned_read_again_by_id(self):
        source = make_audio(self.phoneme, AudioSource.SourceType.GENERATED, word="see")
        app = FakeApp(source.pk)

        self.assertEqual(self.submit(app), source)
        sent = (GENERATE_TASK, (self.phoneme.pk,), {"accent": "en-US", "word": "see"})
        self.assertEqual(app.sent, [sent])
        self.assertEqual(app.results[0].waits, [0.3])  # PHATAM_JOBS_WAIT_MS defaults to 300

    @override_settings(PHATAM_JOBS_WAIT_MS=50)
    def test_a_slow_worker_is_not_waited_for_past_the_wait(self):
        app = FakeApp(ResultTimeout("still running"))

        self.assertIsNone(self.submit(app))
        self.assertEqual(app.results[0].waits, [0.05])
        self.assertEqual(app.results[0].backend.forgotten, app.results)  # stops listening

    @override_settings(PHATAM_JOBS_WAIT_MS=0)
    def test_a_zero_wait_sends_without_waiting(self):
        app = FakeApp(123)

        self.assertIsNone(self.submit(app))
        self.assertEqual(len(app.sent), 1)
        self.assertEqual(app.results[0].waits, [])

    def test_the_workers_error_within_the_wait_is_raised(self):
        app = FakeApp(AudioUnavailable(["espeak:en-us: broken"]))

        with self.assertRaisesMessage(AudioUnavailable, "espeak:en-us: broken"):
            self.submit(app)

    def test_a_broker_that_is_down_loses_the_job_not_the_request(self):
        app = FakeApp(broker_error=OperationalError("Error 111 connecting to 127.0.0.1:6379"))

        with self.assertLogs("apps.curriculum.audio.jobs", "ERROR") as logs:
            self.assertIsNone(self.submit(app))
        self.assertIn("Could not enqueue " + GENERATE_TASK, logs.output[0])
        self.assertIn("Error 111", logs.output[0])

    @override_settings(PHATAM_JOBS_BACKEND="tests.test_serving.test_worker_jobs.SlowWorkerJobs")
    def test_a_learner_hears_the_browser_while_the_worker_generates(self):
        answer = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual(answer.tier, "web_speech")
        self.assertIn("generation queued", answer.reason)
        self.assertEqual(answer.web_speech.text, "see")
        self.assertEqual(len(job_backend().app.sent), 1)


class CeleryJobsInTransactionTests(TestCase):
    def test_a_job_is_sent_only_when_the_transaction_commits(self):
        app = FakeApp(1)
        phoneme = make_phoneme("iː")

        with self.captureOnCommitCallbacks(execute=True):
            self.assertIsNone(
                CeleryJobs(app=app).submit(audio_generate_for_accent, phoneme.pk, accent="en-US")
            )
            self.assertEqual(app.sent, [])
        self.assertEqual(len(app.sent), 1)
        self.assertEqual(app.results[0].waits, [])  # nobody waits at the commit

    def test_a_rolled_back_transaction_sends_nothing(self):
        app = FakeApp(1)
        with self.captureOnCommitCallbacks() as callbacks:
            CeleryJobs(app=app).submit(audio_generate_for_accent, 1, accent="en-US")
        self.assertEqual(len(callbacks), 1)  # never run: this test's transaction rolls back
        self.assertEqual(app.sent, [])

    def test_submit_many_refuses_to_wait_inside_a_transaction(self):
        with self.assertRaisesMessage(RuntimeError, "outside a transaction"):
            CeleryJobs(app=FakeApp()).submit_many(audio_generate_for_accent, [], on_result=print)


class JobTasksTests(SimpleTestCase):
    def test_every_job_function_names_a_registered_task(self):
        from apps.curriculum.audio.lifecycle import audio_pregenerate_one
        from config.celery import app

        for func in (audio_generate_for_accent, audio_pregenerate_one):
            with self.subTest(func=func.__name__):
                self.assertIn(task_for(func).name, app.tasks)

    def test_a_function_without_a_task_is_refused(self):
        with self.assertRaisesMessage(ValueError, "has no Celery task"):
            task_for(print)

    def test_in_process_submit_many_hands_over_results_and_errors(self):
        def job(n: int) -> int:
            if n == 2:
                raise ValueError("two")
            return n * 10

        outcomes = []
        InProcessJobs().submit_many(
            job, [((1,), {}), ((2,), {}), ((3,), {})], on_result=lambda *o: outcomes.append(o)
        )

        self.assertEqual([(i, v) for i, v in outcomes if i != 1], [(0, 10), (2, 30)])
        self.assertIsInstance(outcomes[1][1], ValueError)


class CleanupTaskTests(TempMediaMixin, TestCase):
    def test_the_daily_cleanup_deletes_expired_audio_and_reports(self):
        phoneme = make_phoneme("iː")
        make_audio(phoneme, AudioSource.SourceType.TTS, expires_in_days=-1)
        native = make_audio(phoneme, AudioSource.SourceType.NATIVE)

        with self.captureOnCommitCallbacks(execute=True):
            report = cleanup_audio_task()

        self.assertEqual(report["deleted_sources"], 1)
        self.assertEqual(list(AudioSource.objects.all()), [native])
        self.assertIn("Expired 0 learner recording(s).", report["hooks"])


def django_settings(code: str, **env: str) -> str:
    """Run ``code`` in a fresh Django process with ``env`` (its stdout)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CELERY_", "REDIS_", "PHATAM_JOBS"))
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return result.stdout


SHOW = (
    "import sys; from django.conf import settings as s; "
    "print(s.PHATAM_JOBS_BACKEND.rsplit('.', 1)[1], s.REDIS_URL or '-', "
    "s.CELERY_RESULT_BACKEND or '-', 'celery' in sys.modules)"
)


class WorkerSettingsTests(SimpleTestCase):
    def test_without_a_broker_jobs_run_in_process_and_celery_is_not_loaded(self):
        self.assertEqual(django_settings(SHOW).split(), ["InProcessJobs", "-", "-", "False"])

    def test_a_redis_broker_makes_celery_the_default_and_workers_share_its_lock(self):
        broker = "redis://127.0.0.1:6379/3"
        output = django_settings(
            SHOW + "; print(s.CELERY_BEAT_SCHEDULE['cleanup-audio']['task'])",
            CELERY_BROKER_URL=broker,
        )
        cleanup = "apps.curriculum.audio.tasks.cleanup_audio_task"
        self.assertEqual(output.split(), ["CeleryJobs", broker, broker, "True", cleanup])

    def test_explicit_settings_win_over_the_brokers_defaults(self):
        output = django_settings(
            SHOW,
            CELERY_BROKER_URL="amqp://guest@127.0.0.1//",
            CELERY_RESULT_BACKEND="redis://127.0.0.1:6379/4",
            PHATAM_JOBS_BACKEND="apps.curriculum.audio.jobs.InProcessJobs",
        )
        # An AMQP broker is no lock store: the lock stays on the database.
        self.assertEqual(output.split(), ["InProcessJobs", "-", "redis://127.0.0.1:6379/4", "True"])
