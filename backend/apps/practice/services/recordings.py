"""Learners' recordings: measured, judged, kept privately for a while, then expired."""

import logging
from datetime import datetime, timedelta
from typing import BinaryIO
from uuid import uuid4

import parselmouth
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from apps.core.recordings import recording_inspect
from apps.core.storage import storage_delete_quietly, storage_save, storage_walk
from apps.curriculum.models import Phoneme
from apps.practice.models import VowelRecording
from apps.practice.selectors import learner_profile_get
from apps.practice.vowels import VowelFeedback, vowel_feedback, vowel_target
from speech import acoustics
from speech.formats import FORMATS
from speech.pcm import encode_compact_mp3

logger = logging.getLogger(__name__)


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

    Raises ``RecordingRejected`` (not acceptable audio), ``NotAMonophthong``,
    ``acoustics.MeasurementError`` (no vowel to measure) and ``StorageUnavailable`` (disk
    full, read-only); nothing is stored then, no file and no row.
    """
    vowel_target(phoneme.ipa_symbol, accent=accent, voice="male")  # NotAMonophthong first
    info = recording_inspect(upload, name=name)
    measurement = acoustics.measure(parselmouth.Sound(info.samples, info.sample_rate))
    voice = learner_profile_get(user).voice
    feedback = vowel_feedback(phoneme.ipa_symbol, measurement, accent=accent, voice=voice)
    audio = encode_compact_mp3(info.samples, info.sample_rate)
    storage = learner_recordings_storage()
    file_name = storage_save(
        storage, f"{timezone.now():%Y/%m}/{uuid4().hex}.mp3", ContentFile(audio)
    )
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
            learner_recordings_quota_apply(user, keep=recording.pk)
    except BaseException:
        storage_delete_quietly(storage, file_name)  # no row references it
        raise
    return recording, feedback


def learner_recordings_quota_apply(user, *, keep: int | None = None) -> int:
    """Delete the files of ``user``'s oldest recordings (their measured points stay, as on
    expiry) until the files left fit in PHATAM_LEARNER_RECORDING_QUOTA_BYTES; the recording
    ``keep`` (the one just made) always stays. The files go once the transaction commits.
    Returns how many recordings lost their file."""
    quota = settings.PHATAM_LEARNER_RECORDING_QUOTA_BYTES
    stored = (
        VowelRecording.objects.filter(user=user)
        .exclude(file_name="")
        .order_by("-created_at", "-pk")
        .values_list("pk", "file_name", "file_size")
    )
    total, over = 0, []
    for pk, name, size in stored:
        total += size
        if total > quota and pk != keep:
            over.append((pk, name))
    if over:
        VowelRecording.objects.filter(pk__in=[pk for pk, _ in over]).update(file_name="")
        storage = learner_recordings_storage()
        names = [name for _, name in over]
        transaction.on_commit(lambda: _delete_all_quietly(storage, names))
    return len(over)


def vowel_recording_bytes(recording: VowelRecording) -> bytes | None:
    """The recording's audio; ``None`` once it has expired or its file is gone."""
    if not recording.file_name:
        return None
    try:
        with learner_recordings_storage().open(recording.file_name, "rb") as file:
            return file.read()
    except OSError:
        return None


def vowel_recording_delete(recording: VowelRecording) -> None:
    """Delete the recording and, once that is committed, its file."""
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
    expired = VowelRecording.objects.filter(created_at__lt=cutoff).exclude(file_name="")
    with transaction.atomic():
        rows = list(expired.select_for_update().values_list("pk", "file_name"))
        VowelRecording.objects.filter(pk__in=[pk for pk, _ in rows]).update(file_name="")
        names = [name for _, name in rows] + _orphan_names(storage, older_than=now - ORPHAN_GRACE)
        transaction.on_commit(lambda: _delete_all_quietly(storage, names))
    return len(rows)


# An unreferenced file younger than this may belong to a recording being saved right now.
ORPHAN_GRACE = timedelta(hours=1)


def _orphan_names(storage: Storage, *, older_than: datetime) -> list[str]:
    referenced = set(
        VowelRecording.objects.exclude(file_name="").values_list("file_name", flat=True)
    )
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


def vowel_recordings_delete_for(user) -> None:
    """Delete all of ``user``'s recordings and, once that commits, their files."""
    storage = learner_recordings_storage()
    recordings = VowelRecording.objects.filter(user=user)
    names = list(recordings.exclude(file_name="").values_list("file_name", flat=True))
    recordings.delete()
    transaction.on_commit(lambda: _delete_all_quietly(storage, names))
