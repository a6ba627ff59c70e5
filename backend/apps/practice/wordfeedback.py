"""Word feedback: a learner records one word of a minimal pair and hears whether they made the
contrast the pair trains (the final consonant, the -s or -ed, /θ/, /ʃ/, the vowel's length,
the stress).

The rules are pure functions in :mod:`speech.wordchecks`; this module picks the check for the
word (:func:`speech.wordchecks.word_task`), stores the recording exactly as vowel recordings
are stored (re-encoded, never the uploaded bytes; private ``learner_recordings`` storage;
counted in the learner's quota; deletable; expiring and deleted with the account: see
:mod:`apps.practice.services.recordings`) and reads the learner's history.
"""

from dataclasses import dataclass
from typing import BinaryIO

from django.db import transaction
from django.db.models import QuerySet

from apps.core.recordings import recording_inspect
from apps.core.storage import storage_delete_quietly
from apps.curriculum.models import MinimalPair
from apps.practice.models import DrillAttempt, WordRecording
from apps.practice.services.recordings import (
    learner_recording_store,
    learner_recordings_quota_apply,
    learner_recordings_storage,
)
from speech.formats import FORMATS
from speech.pcm import encode_mp3
from speech.wordchecks import WordTask, WordVerdict, hint_vi, judge_word, model_word, word_task

HISTORY_LIMIT = 200


class NoWordCheck(ValueError):
    """No check judges this word's contrast (a plain pair, a /ð/, a final /l/)."""


@dataclass(frozen=True)
class WordFeedback:
    recording: WordRecording
    task: WordTask
    verdict: WordVerdict
    ipa: str
    hint_vi: str


def pair_word(pair: MinimalPair, number: int, *, accent: str) -> tuple[str, str, str]:
    """(word, its IPA, the other word's IPA) of word ``number`` (1 or 2) for the accent."""
    us = accent == "en-US"
    ipa_1 = (us and pair.word_1_ipa_us) or pair.word_1_ipa
    ipa_2 = (us and pair.word_2_ipa_us) or pair.word_2_ipa
    if number == 1:
        return pair.word_1, ipa_1, ipa_2
    return pair.word_2, ipa_2, ipa_1


def word_task_for(pair: MinimalPair, number: int, *, accent: str) -> WordTask:
    """The check for word ``number`` of ``pair``; :class:`NoWordCheck` when there is none."""
    _, ipa, other = pair_word(pair, number, accent=accent)
    task = word_task(pair.kind, ipa, other)
    if task is None:
        raise NoWordCheck(f"No word check for {pair.kind!r} pair {pair.pk}, word {number}.")
    return task


def drill_item_word(user, attempt_id: int) -> tuple[MinimalPair, int] | None:
    """The pair and the word played of the learner's answered drill item (an item not yet
    answered does not tell its word)."""
    attempt = (
        DrillAttempt.objects.select_related("pair")
        .filter(user=user, pk=attempt_id, answered_at__isnull=False)
        .first()
    )
    return (attempt.pair, attempt.answer_word) if attempt else None


def word_recording_add(
    user, pair: MinimalPair, number: int, upload: BinaryIO, *, name: str, accent: str
) -> WordFeedback:
    """Check the learner's recording of word ``number`` of ``pair`` (decoded and checked as
    every upload is), judge the pair's contrast on it and keep it: its decoded sound encoded
    anew as 16 kHz mono MP3, within the learner's quota (PHATAM_LEARNER_RECORDING_QUOTA_BYTES,
    shared with vowel recordings).

    Raises ``NoWordCheck``, ``RecordingRejected`` and ``StorageUnavailable`` (disk full,
    read-only); nothing is stored then, no file and no row. A recording that cannot be
    judged (noise, clipping) is kept with the verdict ``cannot_judge``.
    """
    task = word_task_for(pair, number, accent=accent)
    word, ipa, _ = pair_word(pair, number, accent=accent)
    info = recording_inspect(upload, name=name)
    verdict = judge_word(task, info.samples, info.sample_rate, ipa=ipa, accent=accent)
    audio, file_name = learner_recording_store(info)
    try:
        with transaction.atomic():
            recording = WordRecording.objects.create(
                user=user,
                pair=pair,
                word_number=number,
                word=word,
                accent=accent,
                check_name=task.check,
                verdict=verdict.verdict,
                heard=verdict.heard,
                measurement={
                    **verdict.measurement,
                    "marks": verdict.marks,
                    "reason": verdict.reason,
                },
                file_name=file_name,
                file_size=len(audio),
                content_type=FORMATS["mp3"][1],
                duration=round(info.duration, 3),
            )
            learner_recordings_quota_apply(user, keep=recording)
    except BaseException:
        storage_delete_quietly(learner_recordings_storage(), file_name)  # no row references it
        raise
    return WordFeedback(recording, task, verdict, ipa, hint_vi(task, verdict))


def word_recordings_list(user) -> QuerySet[WordRecording]:
    """The learner's word recordings, newest first (at most HISTORY_LIMIT)."""
    recordings = WordRecording.objects.filter(user=user).select_related("pair")
    return recordings.order_by("-created_at", "-pk")[:HISTORY_LIMIT]


def word_recording_get(user, pk: int, *, staff_too: bool = False) -> WordRecording | None:
    """Recording ``pk`` if it is ``user``'s (or, with ``staff_too``, if ``user`` is staff)."""
    recordings = WordRecording.objects.all()
    if not (staff_too and user.is_staff):
        recordings = recordings.filter(user=user)
    return recordings.filter(pk=pk).first()


def model_word_mp3(pair: MinimalPair, number: int, *, accent: str) -> bytes:
    """The model word (eSpeak NG, the offline engine) as MP3, to play beside the take;
    raises ``speech.tts.base.TTSError``."""
    _, ipa, _ = pair_word(pair, number, accent=accent)
    samples, rate = model_word(ipa, accent)
    return encode_mp3((samples * 32767).astype("<i2"), rate)
