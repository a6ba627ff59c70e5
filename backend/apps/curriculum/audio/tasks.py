"""Celery tasks: thin wrappers that run the audio services on a worker (``make worker``).

Arguments and results are plain values, as JSON carries them. :class:`~.jobs.CeleryJobs` sends
the first two by name for the job functions they wrap (``jobs.TASKS``); beat runs the third
daily (``CELERY_BEAT_SCHEDULE``).
"""

from dataclasses import asdict
from datetime import timedelta

from django.utils import timezone

from apps.core.hooks import cleanup_run
from apps.curriculum.audio.lifecycle import (
    PregenerateOutcome,
    audio_pregenerate_one,
    cleanup_apply,
    cleanup_plan,
    orphan_files_find,
)
from apps.curriculum.audio.locks import LockUnavailable, lock_wait_limit
from apps.curriculum.audio.synthesis import audio_generate_for_accent
from config.celery import app

# As `cleanup_audio`'s default: a file younger than this may be one being stored right now.
ORPHAN_GRACE = timedelta(minutes=60)
# A task waits this long for another holder of its generation lock, then gives its worker slot
# back and runs again later (the retry's countdown): a slow holder finishes meanwhile, and a
# dead one's lock is taken over or has expired (locks.py).
LOCK_WAIT_SECONDS = 2
# Retries 2, 4, 8, 16, 30, 30... seconds later (at most; Celery's jitter draws below), about
# two minutes in all: past any live generation (the task time limit) and any dead lock.
GENERATION_RETRIES = {
    "autoretry_for": (LockUnavailable,),
    "retry_backoff": LOCK_WAIT_SECONDS,
    "retry_backoff_max": 30,
    "max_retries": 8,
}


# A lock that could not be had (its store is down, or another worker holds it) is worth
# another try; the generation is single-flight, so a retry never doubles the work.
@app.task(**GENERATION_RETRIES)
def generate_audio_task(phoneme_id: int, accent: str, word: str = "") -> int:
    """On-demand audio (:func:`audio_generate_for_accent`); returns the AudioSource's id."""
    with lock_wait_limit(LOCK_WAIT_SECONDS):
        return audio_generate_for_accent(phoneme_id, accent=accent, word=word).pk


@app.task(**GENERATION_RETRIES)
def pregenerate_task(
    phoneme_id: int, accent: str, voice_key: str, word: str = "", force: bool = False
) -> PregenerateOutcome:
    """One file of ``generate_audio --queue`` (:func:`audio_pregenerate_one`)."""
    with lock_wait_limit(LOCK_WAIT_SECONDS):
        return audio_pregenerate_one(phoneme_id, accent, voice_key, word, force=force)


# Acknowledged on receipt, unlike the generation tasks: it runs longer than the broker's
# visibility timeout (which would hand it to a second worker meanwhile), and a nightly chore
# that dies with its worker is simply done the next night.
@app.task(soft_time_limit=3600, time_limit=3900, acks_late=False)
def cleanup_audio_task() -> dict:
    """``manage.py cleanup_audio`` with its defaults, cleanup hooks included; returns its
    report (``hooks``: one line per hook)."""
    plan = cleanup_plan()
    orphans = orphan_files_find(older_than=timezone.now() - ORPHAN_GRACE)
    report = asdict(cleanup_apply(plan, orphans=orphans))
    # Then what the other apps keep, through the cleanup hook each registered.
    report["hooks"] = cleanup_run(now=timezone.now())
    return report
