"""Writes of a learner's practice, one module per concern: ``accounts``, ``drills``,
``reviews``, ``lessons``, ``recordings``. The names are re-exported here so that
``from apps.practice.services import drill_start`` keeps working; new code imports from the
concern's module."""

from apps.practice.services.accounts import (
    auth_token_for,
    auth_token_issue,
    learner_create,
    profile_update,
)
from apps.practice.services.drills import (
    DRILL_AUDIO_TRIES,
    DrillAlreadyAnswered,
    DrillAudioUnavailable,
    DrillNotFound,
    DrillResult,
    NoDrillAvailable,
    OfflineAnswer,
    audio_bytes,
    drill_answer,
    drill_answers_offline_record,
    drill_audio_source,
    drill_pack_make,
    drill_start,
)
from apps.practice.services.lessons import lesson_complete, lesson_progress_from_drills
from apps.practice.services.recordings import (
    ORPHAN_GRACE,
    learner_recordings_expire,
    learner_recordings_storage,
    vowel_recording_add,
    vowel_recording_bytes,
    vowel_recording_delete,
)
from apps.practice.services.reviews import review_card_rate, scheduler

__all__ = [
    "DRILL_AUDIO_TRIES",
    "ORPHAN_GRACE",
    "DrillAlreadyAnswered",
    "DrillAudioUnavailable",
    "DrillNotFound",
    "DrillResult",
    "NoDrillAvailable",
    "audio_bytes",
    "auth_token_for",
    "auth_token_issue",
    "drill_answer",
    "drill_answers_offline_record",
    "OfflineAnswer",
    "drill_pack_make",
    "drill_audio_source",
    "drill_start",
    "learner_create",
    "learner_recordings_expire",
    "learner_recordings_storage",
    "lesson_complete",
    "lesson_progress_from_drills",
    "profile_update",
    "review_card_rate",
    "scheduler",
    "vowel_recording_add",
    "vowel_recording_bytes",
    "vowel_recording_delete",
]
