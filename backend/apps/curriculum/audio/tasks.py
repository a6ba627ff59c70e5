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
from apps.curriculum.audio.locks import LockUnavailable
from apps.curriculum.audio.synthesis import audio_generate_for_accent
from config.celery import app

# As `cleanup_audio`'s default: a file younger than this may be one being stored right now.
ORPHAN_GRACE = timedelta(minutes=60)


# A lock that could not be had (its store is down, or another worker held it past the wait)
# is worth another try; the generation is single-flight, so a retry never doubles the work.
@app.task(autoretry_for=(LockUnavailable,), retry_backoff=True, max_retries=3)
def generate_audio_task(phoneme_id: int, accent: str, word: str = "") -> int:
    """On-demand audio (:func:`audio_generate_for_accent`); returns the AudioSource's id."""
    return audio_generate_for_accent(phoneme_id, accent=accent, word=word).pk


@app.task(autoretry_for=(LockUnavailable,), retry_backoff=True, max_retries=3)
def pregenerate_task(
    phoneme_id: int, accent: str, voice_key: str, word: str = "", force: bool = False
) -> PregenerateOutcome:
    """One file of ``generate_audio --queue`` (:func:`audio_pregenerate_one`)."""
    return audio_pregenerate_one(phoneme_id, accent, voice_key, word, force=force)


@app.task(soft_time_limit=3600, time_limit=3900)
def cleanup_audio_task() -> dict:
    """``manage.py cleanup_audio`` with its defaults, cleanup hooks included; returns its
    report (``hooks``: one line per hook)."""
    plan = cleanup_plan()
    orphans = orphan_files_find(older_than=timezone.now() - ORPHAN_GRACE)
    report = asdict(cleanup_apply(plan, orphans=orphans))
    # Then what the other apps keep, through the cleanup hook each registered.
    report["hooks"] = cleanup_run(now=timezone.now())
    return report
