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
    drill_answer,
    drill_answers_offline_record,
    drill_audio_render,
    drill_pack_make,
    drill_start,
)
from apps.practice.services.lessons import (
    LessonNotComplete,
    lesson_complete,
    lesson_progress_from_drills,
)
from apps.practice.services.recordings import (
    LEARNER_RECORDING_MODELS,
    ORPHAN_GRACE,
    NotACalibrationVowel,
    learner_recording_bytes,
    learner_recording_delete,
    learner_recordings_expire,
    learner_recordings_storage,
    vowel_calibration_clear,
    vowel_calibration_record,
    vowel_recording_add,
)
from apps.practice.services.reviews import review_card_rate, scheduler

__all__ = [
    "DRILL_AUDIO_TRIES",
    "LEARNER_RECORDING_MODELS",
    "ORPHAN_GRACE",
    "NotACalibrationVowel",
    "DrillAlreadyAnswered",
    "DrillAudioUnavailable",
    "DrillNotFound",
    "DrillResult",
    "LessonNotComplete",
    "NoDrillAvailable",
    "auth_token_for",
    "auth_token_issue",
    "drill_answer",
    "drill_audio_render",
    "drill_answers_offline_record",
    "OfflineAnswer",
    "drill_pack_make",
    "drill_start",
    "learner_create",
    "learner_recordings_expire",
    "learner_recordings_storage",
    "lesson_complete",
    "lesson_progress_from_drills",
    "profile_update",
    "review_card_rate",
    "scheduler",
    "vowel_calibration_clear",
    "vowel_calibration_record",
    "vowel_recording_add",
    "learner_recording_bytes",
    "learner_recording_delete",
]
