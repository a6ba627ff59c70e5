"""Background work (audio generation), behind one small interface.

The embedded default, :class:`InProcessJobs`, runs a job at once in the calling process and
returns its result, so a learner who asks for missing audio gets it in the same request.
:class:`CeleryJobs` sends the job to a worker after the transaction commits and waits a moment
for a fast engine's answer; when there is none yet, :meth:`submit` returns ``None`` and the
caller answers with its next fallback meanwhile. Job functions take only plain values (ids,
strings), so they can be sent to a worker; :data:`TASKS` names the Celery task that runs each.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils.module_loading import import_string

from apps.curriculum.models import AudioSource

logger = logging.getLogger(__name__)

Call = tuple[tuple, dict]  # a job's positional and keyword arguments
OnResult = Callable[[int, Any], None]  # (index of the call, its result or its exception)


class Jobs(Protocol):
    def submit(self, func: Callable[..., Any], *args, **kwargs) -> Any:
        """Run ``func(*args, **kwargs)``: its result, or ``None`` when it runs later."""

    def submit_many(
        self, func: Callable[..., Any], calls: Iterable[Call], *, on_result: OnResult
    ) -> None:
        """Run every call, passing each one's result (or the exception it raised) to
        ``on_result`` as it finishes; return when all have."""


class InProcessJobs:
    def submit(self, func: Callable[..., Any], *args, **kwargs) -> Any:
        """Run ``func`` now and return its result (exceptions propagate)."""
        return func(*args, **kwargs)

    def submit_many(
        self, func: Callable[..., Any], calls: Iterable[Call], *, on_result: OnResult
    ) -> None:
        """Run the calls one after another in this process."""
        for index, (args, kwargs) in enumerate(calls):
            try:
                outcome = func(*args, **kwargs)
            except Exception as exc:  # handed over like a worker's failure
                outcome = exc
            on_result(index, outcome)


def _as_is(value: Any) -> Any:
    return value


def _audio_source(pk: int | None) -> AudioSource | None:
    return AudioSource.objects.filter(pk=pk).first() if pk is not None else None


@dataclass(frozen=True)
class Task:
    """The Celery task (in ``tasks.py``) that runs a job function on a worker."""

    name: str
    result: Callable[[Any], Any] = _as_is  # its return value (JSON) to the job function's


# Job function (by dotted path) -> its task. By name, so this module needs neither the tasks
# module (which imports the services that submit jobs) nor Celery until a job is sent.
TASKS = {
    "apps.curriculum.audio.synthesis.audio_generate_for_accent": Task(
        "apps.curriculum.audio.tasks.generate_audio_task", result=_audio_source
    ),
    "apps.curriculum.audio.lifecycle.audio_pregenerate_one": Task(
        "apps.curriculum.audio.tasks.pregenerate_task"
    ),
}


def task_for(func: Callable[..., Any]) -> Task:
    try:
        return TASKS[f"{func.__module__}.{func.__qualname__}"]
    except KeyError:
        raise ValueError(f"{func.__qualname__} has no Celery task (jobs.TASKS)") from None


class CeleryJobs:
    """Jobs on Celery workers (``make worker``), the default when CELERY_BROKER_URL is set."""

    def __init__(self, app=None):
        if app is None:
            from config.celery import app
        self.app = app

    def submit(self, func: Callable[..., Any], *args, **kwargs) -> Any:
        """Enqueue ``func`` once the current transaction commits (at once outside one).

        Outside a transaction, wait up to PHATAM_JOBS_WAIT_MS for the worker: a fast engine's
        result comes back as the job function's (an AudioSource is read again by id), and its
        error is raised. Return ``None`` when the job is still running, was deferred to the
        commit, or could not be sent (the broker is down: logged).
        """
        task = task_for(func)
        sent = []

        def send() -> None:
            try:
                sent.append(self.app.send_task(task.name, args=args, kwargs=kwargs))
            except Exception as exc:  # kombu's OperationalError, or the result store's
                # Redis is down: this job is lost (logged), not the caller's request.
                logger.error("Could not enqueue %s%r: %s", task.name, args, exc)

        transaction.on_commit(send)
        wait = settings.PHATAM_JOBS_WAIT_MS / 1000
        if not sent or wait <= 0:
            return None
        return self._wait(task, sent[0], wait)

    def _wait(self, task: Task, result, seconds: float) -> Any:
        from celery.exceptions import TimeoutError as ResultTimeout

        try:
            # disable_sync_subtasks=False: the wait is bounded, so a caller that is itself a
            # task cannot deadlock on it.
            value = result.get(timeout=seconds, interval=0.05, disable_sync_subtasks=False)
        except ResultTimeout:
            # Stop listening for it: the worker stores the result whoever waits.
            result.backend.remove_pending_result(result)
            return None
        return task.result(value)

    def workers(self, *, timeout: float = 1.0) -> list[str]:
        """The names of the workers that answer a ping within ``timeout`` seconds (none when
        the broker cannot be reached)."""
        from kombu.exceptions import OperationalError

        try:
            # A connection of its own, closed after: a pooled one would be left waiting for
            # replies, and a process forked later (pre-generation's pool) would hang closing it.
            with self.app.connection_for_write() as connection:
                replies = self.app.control.ping(timeout=timeout, connection=connection) or []
        except OperationalError:
            return []
        return sorted(name for reply in replies for name in reply)

    def submit_many(
        self, func: Callable[..., Any], calls: Iterable[Call], *, on_result: OnResult
    ) -> None:
        """Enqueue every call at once (workers take them in parallel) and hand each result to
        ``on_result`` as it comes back, in the order they finish. Call it outside a
        transaction: it waits for jobs that would otherwise only be sent at the commit."""
        from celery.result import ResultSet

        if transaction.get_connection().in_atomic_block:
            raise RuntimeError("submit_many waits for its jobs: call it outside a transaction")
        task = task_for(func)
        results = [self.app.send_task(task.name, args=a, kwargs=k) for a, k in calls]
        index = {result.id: n for n, result in enumerate(results)}

        def collect(task_id: str, value: Any) -> None:
            on_result(index[task_id], value if isinstance(value, Exception) else task.result(value))

        ResultSet(results, app=self.app).join_native(
            callback=collect, propagate=False, disable_sync_subtasks=False
        )


@cache
def job_backend() -> Jobs:
    return import_string(settings.PHATAM_JOBS_BACKEND)()


@receiver(setting_changed, dispatch_uid="jobs_backend_changed")
def _forget_job_backend(*, setting: str, **kwargs) -> None:
    # Cache invalidation only: the backend is built again from the new setting.
    if setting == "PHATAM_JOBS_BACKEND":
        job_backend.cache_clear()
