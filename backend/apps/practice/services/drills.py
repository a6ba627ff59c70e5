"""Listening drills: making an item, the audio it plays, answering it."""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.curriculum.audio.playback import audio_for_phoneme
from apps.curriculum.models import (
    AudioSource,
    MinimalPair,
    Phoneme,
    PronunciationLesson,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)
from apps.curriculum.progress import phoneme_attempt_record
from apps.curriculum.selectors import UnknownWord
from apps.practice.models import DrillAttempt, ReviewCard
from apps.practice.selectors import drill_pair_next
from apps.practice.services.lessons import lesson_progress_from_drills
from apps.practice.services.reviews import review_card_rate
from speech.formats import FORMATS, detect_format

logger = logging.getLogger(__name__)

# Items whose audio cannot be had are skipped; after this many the learner is told to retry.
DRILL_AUDIO_TRIES = 3


class NoDrillAvailable(Exception):
    """No drill item matches what was asked (kind, phoneme, lesson)."""


class DrillAudioUnavailable(Exception):
    """No audio could be had for the items tried; trying again later may work."""


class DrillNotFound(Exception):
    """No such attempt, or it is someone else's."""


class DrillAlreadyAnswered(Exception):
    """The attempt has been answered already; an item is answered once."""


def drill_start(
    user,
    *,
    accent: str,
    kind: str | None = None,
    phoneme: Phoneme | None = None,
    lesson: PronunciationLesson | None = None,
) -> DrillAttempt:
    """Make the learner's next listening item: a due review first, then a new contrast.

    One word of the pair, chosen at random, is played; its audio is found (or generated) now,
    and an item without audio is skipped. Raises :class:`NoDrillAvailable` when nothing
    matches and :class:`DrillAudioUnavailable` when no audio could be had.
    """
    tried: list[int] = []
    for _ in range(DRILL_AUDIO_TRIES):
        pick = drill_pair_next(
            user, kind=kind, phoneme=phoneme, lesson=lesson, exclude=tuple(tried)
        )
        if pick is None:
            break
        number = secrets.choice((1, 2))
        source = _word_audio(pick.pair, number, accent=accent)
        if source is not None:
            return DrillAttempt.objects.create(
                user=user,
                pair=pick.pair,
                answer_word=number,
                word_1_key=secrets.choice(("a", "b")),
                accent=accent,
                lesson=lesson,
                audio_source=source,
            )
        tried.append(pick.pair.pk)
    if not tried:
        raise NoDrillAvailable("No drill item matches.")
    raise DrillAudioUnavailable(f"No audio for pairs {tried}.")


def _word_audio(pair: MinimalPair, number: int, *, accent: str) -> AudioSource | None:
    """A stored or newly generated file of word ``number`` of ``pair``; ``None`` when only
    the browser's speech synthesis is left (that would have to be given the word)."""
    phoneme = pair.phoneme_1 if number == 1 else pair.phoneme_2
    word = pair.word_1 if number == 1 else pair.word_2
    try:
        answer = audio_for_phoneme(phoneme, accent=accent, word=word)
    except UnknownWord:
        logger.warning("Pair %s: '%s' is not a word of %s", pair.pk, word, phoneme)
        return None
    return answer.source


def drill_audio_source(attempt: DrillAttempt) -> AudioSource | None:
    """The file to play for ``attempt``: the one chosen when it was made, or, when cleanup
    has deleted that one since, the word's audio found again (and kept on the attempt)."""
    source = attempt.audio_source
    if source is not None and source.audio_file:
        return source
    source = _word_audio(attempt.pair, attempt.answer_word, accent=attempt.accent)
    if source is not None:
        attempt.audio_source = source
        attempt.save(update_fields=["audio_source"])
    return source


def audio_bytes(source: AudioSource) -> tuple[bytes, str]:
    """The file's bytes and MIME type; ``OSError`` when storage cannot give them."""
    with source.audio_file.open("rb") as file:
        data = file.read()
    audio_format = detect_format(data[:16])
    return data, FORMATS[audio_format][1] if audio_format else "application/octet-stream"


@dataclass(frozen=True)
class DrillResult:
    attempt: DrillAttempt
    correct: bool
    progress: UserPhonemeProgress
    card: ReviewCard
    lesson_progress: UserPronunciationLessonProgress | None


def drill_answer(user, attempt_id: int, *, choice: str) -> DrillResult:
    """Answer the learner's item ``attempt_id`` with ``choice`` ("a" or "b"), once.

    The answer is claimed with a conditional UPDATE (unanswered → answered): of two answers
    racing, one wins and the other gets :class:`DrillAlreadyAnswered`. The heard phoneme's
    progress is counted, the contrast's FSRS card rated (right → Good, wrong → Again), and a
    lesson's drills may complete it. Raises :class:`DrillNotFound` for anyone else's item.
    """
    attempt = (
        DrillAttempt.objects.select_related("pair__phoneme_1", "pair__phoneme_2")
        .filter(pk=attempt_id, user=user)
        .first()
    )
    if attempt is None:
        raise DrillNotFound(attempt_id)
    correct = choice == attempt.answer_key
    now = timezone.now()
    with transaction.atomic():
        claimed = DrillAttempt.objects.filter(pk=attempt.pk, answered_at__isnull=True).update(
            answered_at=now, choice=choice, correct=correct
        )
        if claimed != 1:
            raise DrillAlreadyAnswered(attempt_id)
        attempt.answered_at, attempt.choice, attempt.correct = now, choice, correct
        heard = attempt.pair.phoneme_1 if attempt.answer_word == 1 else attempt.pair.phoneme_2
        progress = phoneme_attempt_record(user, heard, correct=correct)
        card = review_card_rate(user, attempt.pair, correct=correct, now=now)
        lesson_progress = None
        if attempt.lesson_id is not None:
            lesson_progress = lesson_progress_from_drills(user, attempt.lesson_id, now=now)
    return DrillResult(attempt, correct, progress, card, lesson_progress)


PACK_SIZE = 10


def drill_pack_make(user, *, accent: str, size: int = PACK_SIZE) -> list[DrillAttempt]:
    """Up to ``size`` items for the learner to take offline, each a different contrast, each
    with a stored audio file (a pack cannot generate audio on the phone).

    The items are marked ``offline``: the pack carries their answers, so they count for the
    learner's progress and review schedule only (see :func:`drill_answers_offline_record`),
    never inside a lesson.
    """
    items: list[DrillAttempt] = []
    tried: list[int] = []
    while len(items) < size and len(tried) < size + DRILL_AUDIO_TRIES:
        pick = drill_pair_next(user, exclude=tuple(tried))
        if pick is None:
            break
        tried.append(pick.pair.pk)
        number = secrets.choice((1, 2))
        source = _word_audio(pick.pair, number, accent=accent)
        if source is None or not source.audio_file:
            continue
        items.append(
            DrillAttempt.objects.create(
                user=user,
                pair=pick.pair,
                answer_word=number,
                word_1_key=secrets.choice(("a", "b")),
                accent=accent,
                audio_source=source,
                offline=True,
            )
        )
    return items


@dataclass(frozen=True)
class OfflineAnswer:
    attempt_id: int
    choice: str
    client_key: str
    answered_at: datetime | None = None


def drill_answers_offline_record(user, answers: list[OfflineAnswer]) -> dict[str, str]:
    """Record answers made offline to the learner's pack items, each exactly once.

    Returns ``{client_key: outcome}``: ``"recorded"``, ``"duplicate"`` (that key, or that
    item, was already answered: a repeated sync adds nothing) or ``"not_found"`` (not one
    of the learner's offline items). A recorded answer updates the heard phoneme's progress
    and the contrast's review card like an online one, and no lesson. Its time is the phone's
    clamped between the item's creation and now.
    """
    outcomes: dict[str, str] = {}
    for answer in answers:
        attempt = (
            DrillAttempt.objects.select_related("pair__phoneme_1", "pair__phoneme_2")
            .filter(pk=answer.attempt_id, user=user, offline=True)
            .first()
        )
        if attempt is None:
            outcomes[answer.client_key] = "not_found"
            continue
        now = timezone.now()
        # FSRS wants UTC; the phone's clock is trusted only between the item's making and now.
        when = min(max(answer.answered_at or now, attempt.created_at), now).astimezone(UTC)
        correct = answer.choice == attempt.answer_key
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claimed = DrillAttempt.objects.filter(
                        pk=attempt.pk, answered_at__isnull=True
                    ).update(
                        answered_at=when,
                        choice=answer.choice,
                        correct=correct,
                        client_key=answer.client_key,
                    )
            except IntegrityError:  # the key already answered another item
                claimed = 0
            if claimed != 1:
                outcomes[answer.client_key] = "duplicate"
                continue
            heard = attempt.pair.phoneme_1 if attempt.answer_word == 1 else attempt.pair.phoneme_2
            phoneme_attempt_record(user, heard, correct=correct)
            review_card_rate(user, attempt.pair, correct=correct, now=when)
        outcomes[answer.client_key] = "recorded"
    return outcomes
