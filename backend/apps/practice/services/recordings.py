"""Learners' recordings: measured, judged, kept privately for a while, then expired."""

import logging
from datetime import datetime, timedelta
from typing import BinaryIO
from uuid import uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from apps.core.recordings import recording_inspect
from apps.core.storage import storage_delete_quietly, storage_save, storage_walk
from apps.curriculum.models import Phoneme
from apps.practice.models import VowelCalibration, VowelRecording, WordRecording
from apps.practice.selectors import (
    learner_profile_get,
    vowel_calibration_get,
    vowel_calibration_state,
)
from apps.practice.vowels import (
    CALIBRATION_VOWELS,
    VowelFeedback,
    vowel_feedback,
    vowel_measure,
    vowel_target,
)
from speech.formats import FORMATS
from speech.pcm import encode_compact_mp3

logger = logging.getLogger(__name__)

# Every model whose rows own a file in the learner_recordings storage: expiry, the orphan
# sweep, the quota and account deletion all go through this list.
LEARNER_RECORDING_MODELS = (VowelRecording, WordRecording)


class NotACalibrationVowel(ValueError):
    """Calibration takes the three corner vowels /iː ɑː uː/ only."""


def learner_recordings_storage() -> Storage:
    """Where learners' recordings are kept: private, never under MEDIA_ROOT."""
    return storages["learner_recordings"]


def vowel_recording_add(
    user, phoneme: Phoneme, upload: BinaryIO, *, name: str, accent: str
) -> tuple[VowelRecording, VowelFeedback]:
    """Check the learner's recording of ``phoneme`` as staff uploads are checked, measure its
    F1/F2, judge it against the target for the accent and the learner's voice, and keep it.

    What is kept is not the upload but the decoded sound, encoded anew as 16 kHz mono MP3
    (``speech.pcm.encode_compact_mp3``): whatever else the file carried (bytes after the
    audio, a header that lies about the length, tags) is not stored. The learner's oldest
    files then go while their recordings together pass PHATAM_LEARNER_RECORDING_QUOTA_BYTES
    (:func:`learner_recordings_quota_apply`).

    A learner who never chose a voice is judged by their pitch (men's or women's formants),
    and against their own corner vowels once they have calibrated.

    Raises ``RecordingRejected`` (not acceptable audio), ``NotAMonophthong``,
    ``vowelfeedback.Refused`` (clipped, noise), ``acoustics.MeasurementError`` (no vowel)
    and ``StorageUnavailable`` (disk full, read-only); nothing is stored then, no file and no row.
    """
    vowel_target(phoneme.ipa_symbol, accent=accent, voice="male")  # NotAMonophthong first
    info = recording_inspect(upload, name=name)
    measurement = vowel_measure(info.samples, info.sample_rate)  # Refused: clipped, noise...
    profile = learner_profile_get(user)
    feedback = vowel_feedback(
        phoneme.ipa_symbol,
        measurement,
        accent=accent,
        voice=profile.voice if profile.pk else "",  # never chosen: go by the voice's pitch
        calibration=vowel_calibration_get(user),
    )
    voice = feedback.voice
    audio, file_name = learner_recording_store(info)
    storage = learner_recordings_storage()
    try:
        with transaction.atomic():
            recording = VowelRecording.objects.create(
                user=user,
                phoneme=phoneme,
                accent=accent,
                voice=voice,
                file_name=file_name,
                file_size=len(audio),
                content_type=FORMATS["mp3"][1],
                duration=round(info.duration, 3),
                f1=round(feedback.f1, 1),
                f2=round(feedback.f2, 1),
                verdict=feedback.verdict,
                heard_as=feedback.heard_as,
                distance_bark=feedback.distance_bark,
            )
            learner_recordings_quota_apply(user, keep=recording)
    except BaseException:
        storage_delete_quietly(storage, file_name)  # no row references it
        raise
    return recording, feedback


def learner_recording_store(info) -> tuple[bytes, str]:
    """Encode the decoded sound of an inspected upload (``info``) anew as 16 kHz mono MP3 and
    save it in the learner_recordings storage; return (the MP3, its file name). The upload's
    own bytes are never stored. Raises ``StorageUnavailable`` with nothing left on disk."""
    audio = encode_compact_mp3(info.samples, info.sample_rate)
    file_name = storage_save(
        learner_recordings_storage(),
        f"{timezone.now():%Y/%m}/{uuid4().hex}.mp3",
        ContentFile(audio),
    )
    return audio, file_name


def learner_recordings_quota_apply(user, *, keep=None) -> int:
    """Delete the files of ``user``'s oldest recordings, vowel and word recordings together
    (their measured points and verdicts stay, as on expiry), until the files left fit in
    PHATAM_LEARNER_RECORDING_QUOTA_BYTES; the recording ``keep`` (the one just made) always
    stays. The files go once the transaction commits. Returns how many recordings lost
    their file."""
    quota = settings.PHATAM_LEARNER_RECORDING_QUOTA_BYTES
    stored = sorted(
        (
            (created_at, pk, model, name, size)
            for model in LEARNER_RECORDING_MODELS
            for pk, name, size, created_at in model.objects.filter(user=user)
            .exclude(file_name="")
            .values_list("pk", "file_name", "file_size", "created_at")
        ),
        key=lambda row: (row[0], row[1]),
        reverse=True,
    )
    kept = (type(keep), keep.pk) if keep is not None else None
    total, over = 0, []
    for _, pk, model, name, size in stored:
        total += size
        if total > quota and (model, pk) != kept:
            over.append((model, pk, name))
    for model in LEARNER_RECORDING_MODELS:
        pks = [pk for m, pk, _ in over if m is model]
        if pks:
            model.objects.filter(pk__in=pks).update(file_name="")
    if over:
        storage = learner_recordings_storage()
        names = [name for _, _, name in over]
        transaction.on_commit(lambda: _delete_all_quietly(storage, names))
    return len(over)


def vowel_calibration_record(user, vowel: str, upload: BinaryIO, *, name: str) -> dict:
    """Measure the learner's recording of a corner vowel (/iː ɑː uː/) and keep its F1/F2 as
    their calibration (a new one replaces the old); return the calibration's state.

    Raises ``NotACalibrationVowel``, ``RecordingRejected``, ``vowelfeedback.Refused`` and
    ``acoustics.MeasurementError``; the audio is not kept.
    """
    if vowel not in CALIBRATION_VOWELS:
        raise NotACalibrationVowel(f"/{vowel}/ is not one of /iː ɑː uː/.")
    info = recording_inspect(upload, name=name)
    measurement = vowel_measure(info.samples, info.sample_rate)
    VowelCalibration.objects.update_or_create(
        user=user,
        vowel=vowel,
        defaults={"f1": measurement.f1, "f2": measurement.f2, "created_at": timezone.now()},
    )
    return vowel_calibration_state(user)


def vowel_calibration_clear(user) -> None:
    VowelCalibration.objects.filter(user=user).delete()


def learner_recording_bytes(recording: VowelRecording | WordRecording) -> bytes | None:
    """A learner's recording's audio (a vowel or a word); ``None`` once it has expired or
    its file is gone."""
    if not recording.file_name:
        return None
    try:
        with learner_recordings_storage().open(recording.file_name, "rb") as file:
            return file.read()
    except OSError:
        return None


def learner_recording_delete(recording: VowelRecording | WordRecording) -> None:
    """Delete a learner's recording (a vowel or a word) and, once that is committed, its
    file."""
    storage, name = learner_recordings_storage(), recording.file_name
    with transaction.atomic():
        recording.delete()
        if name:
            transaction.on_commit(lambda: storage_delete_quietly(storage, name))


def learner_recordings_expire(*, now: datetime | None = None) -> int:
    """Delete the files of learners' recordings older than PHATAM_LEARNER_RECORDING_DAYS
    (their measured points stay in the learner's history), and files no recording references
    (left by deleted accounts) older than an hour; return how many recordings expired.
    ``cleanup_audio`` calls it."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PHATAM_LEARNER_RECORDING_DAYS)
    storage = learner_recordings_storage()
    names: list[str] = []
    with transaction.atomic():
        for model in LEARNER_RECORDING_MODELS:
            expired = model.objects.filter(created_at__lt=cutoff).exclude(file_name="")
            rows = list(expired.select_for_update().values_list("pk", "file_name"))
            model.objects.filter(pk__in=[pk for pk, _ in rows]).update(file_name="")
            names += [name for _, name in rows]
        count = len(names)
        names += _orphan_names(storage, older_than=now - ORPHAN_GRACE)
        transaction.on_commit(lambda: _delete_all_quietly(storage, names))
    return count


# An unreferenced file younger than this may belong to a recording being saved right now.
ORPHAN_GRACE = timedelta(hours=1)


def _orphan_names(storage: Storage, *, older_than: datetime) -> list[str]:
    referenced = {
        name
        for model in LEARNER_RECORDING_MODELS
        for name in model.objects.exclude(file_name="").values_list("file_name", flat=True)
    }
    return [
        name
        for name in storage_walk(storage)
        if name not in referenced and storage.get_modified_time(name) < older_than
    ]


def _delete_all_quietly(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage_delete_quietly(storage, name)


def learner_recordings_cleanup(*, now: datetime) -> str:
    """Cleanup hook (``cleanup_audio``): expire learners' recordings; one report line."""
    return f"Expired {learner_recordings_expire(now=now)} learner recording(s)."


def learner_recordings_delete_for(user) -> None:
    """Delete all of ``user``'s recordings (vowel and word) and, once that commits, their
    files."""
    storage = learner_recordings_storage()
    names: list[str] = []
    for model in LEARNER_RECORDING_MODELS:
        recordings = model.objects.filter(user=user)
        names += recordings.exclude(file_name="").values_list("file_name", flat=True)
        recordings.delete()
    transaction.on_commit(lambda: _delete_all_quietly(storage, names))
