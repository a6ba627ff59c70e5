"""Listening drills: making an item, the audio it plays, answering it."""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.curriculum.audio.playback import play_record
from apps.curriculum.models import (
    Phoneme,
    PronunciationLesson,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)
from apps.curriculum.progress import phoneme_attempt_record
from apps.practice.drill_audio import RenderingUnavailable, item_clips, item_rendering
from apps.practice.models import DrillAttempt, ItemFormat, ReviewCard
from apps.practice.onboarding import PlacementState, placement_finish, placement_pair_next
from apps.practice.selectors import (
    ContrastMastery,
    LessonCompletion,
    contrast_mastery,
    drill_pair_next,
    last_voice_for_pair,
)
from apps.practice.services.lessons import lesson_progress_from_drills
from apps.practice.services.reviews import review_card_rate

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
    placement: bool = False,
) -> DrillAttempt:
    """Make the learner's next listening item: the weakest due review first, then a new
    contrast in course order (:func:`drill_pair_next`), or the placement test's next one.

    Inside a lesson the item is three-way (three sounds in three voices, the odd one to find:
    chance is 1 in 3); elsewhere one word is played and picked of two. Each sound is said by a
    voice chosen afresh, the answer's never the one that said this contrast's last item; an
    item whose audio cannot be had is skipped. Raises :class:`NoDrillAvailable` when nothing
    matches and :class:`DrillAudioUnavailable` when no audio could be had.
    """
    tried: list[int] = []
    for _ in range(DRILL_AUDIO_TRIES):
        if placement:
            pair = placement_pair_next(user, accent=accent, exclude=tuple(tried))
        else:
            pick = drill_pair_next(
                user,
                accent=accent,
                kind=kind,
                phoneme=phoneme,
                lesson=lesson,
                exclude=tuple(tried),
            )
            pair = pick.pair if pick is not None else None
        if pair is None:
            break
        number = secrets.choice((1, 2))
        oddity = lesson is not None and not placement
        odd_position = secrets.choice((1, 2, 3)) if oddity else None
        clips = item_clips(
            pair,
            accent=accent,
            answer_word=number,
            odd_position=odd_position,
            last_voice=last_voice_for_pair(user, pair),
        )
        if clips is not None:
            answer = clips[odd_position - 1] if oddity else clips[0]
            return DrillAttempt.objects.create(
                user=user,
                pair=pair,
                answer_word=number,
                word_1_key=secrets.choice(("a", "b")),
                accent=accent,
                lesson=None if placement else lesson,
                placement=placement,
                item_format=ItemFormat.ODDITY if oddity else ItemFormat.IDENTIFY,
                odd_position=odd_position,
                audio_source=answer.source,
                clips=[clip.as_json() for clip in clips],
                voice=answer.voice,
            )
        tried.append(pair.pk)
    if not tried:
        raise NoDrillAvailable("No drill item matches.")
    raise DrillAudioUnavailable(f"No audio for pairs {tried}.")


def drill_audio_render(attempt: DrillAttempt) -> bytes:
    """The item's audio, rendered afresh for this play (never the bytes of a stored file);
    a sound whose file cleanup deleted is said again and the item remembers it. Each file
    played is counted. Raises :class:`DrillAudioUnavailable` when it cannot be had now."""
    try:
        data, played, sources = item_rendering(attempt.pair, attempt.clips, accent=attempt.accent)
    except (RenderingUnavailable, OSError) as exc:
        logger.warning("Drill item %s: no audio (%s)", attempt.pk, exc)
        raise DrillAudioUnavailable(str(exc)) from None
    if played != attempt.clips:
        answer = sources[attempt.odd_position - 1 if attempt.is_oddity else 0]
        DrillAttempt.objects.filter(pk=attempt.pk).update(clips=played, audio_source=answer)
        attempt.clips, attempt.audio_source = played, answer
    for source in sources:
        play_record(source)
    return data


@dataclass(frozen=True)
class DrillResult:
    attempt: DrillAttempt
    correct: bool
    progress: UserPhonemeProgress
    card: ReviewCard
    mastery: ContrastMastery
    lesson_progress: UserPronunciationLessonProgress | None
    completion: LessonCompletion | None
    placement: PlacementState | None


def drill_answer(user, attempt_id: int, *, choice: str) -> DrillResult:
    """Answer the learner's item ``attempt_id`` with ``choice`` ("a", "b", or "c" for a
    three-way item), once.

    The answer is claimed with a conditional UPDATE (unanswered → answered): of two answers
    racing, one wins and the other gets :class:`DrillAlreadyAnswered`. The heard phoneme's
    progress is counted, the contrast's FSRS card rated (right → Good, wrong → Again), a
    lesson's completion rule is checked (:func:`lesson_completion`) and the placement test
    may end. Raises :class:`DrillNotFound` for anyone else's item, ``ValueError`` for a
    choice the item does not offer.
    """
    attempt = (
        DrillAttempt.objects.select_related("pair__phoneme_1", "pair__phoneme_2")
        .filter(pk=attempt_id, user=user)
        .first()
    )
    if attempt is None:
        raise DrillNotFound(attempt_id)
    if choice not in attempt.choice_keys:
        raise ValueError(f"{choice!r} is not one of {', '.join(attempt.choice_keys)}")
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
        lesson_progress = completion = placement = None
        if attempt.lesson_id is not None:
            lesson_progress, completion = lesson_progress_from_drills(
                user, attempt.lesson_id, now=now
            )
        if attempt.placement:
            placement = placement_finish(user, now=now)
    mastery = contrast_mastery(user, [attempt.pair_id])[attempt.pair_id]
    return DrillResult(
        attempt, correct, progress, card, mastery, lesson_progress, completion, placement
    )


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
        pick = drill_pair_next(user, accent=accent, exclude=tuple(tried))
        if pick is None:
            break
        tried.append(pick.pair.pk)
        number = secrets.choice((1, 2))
        clips = item_clips(
            pick.pair,
            accent=accent,
            answer_word=number,
            odd_position=None,
            last_voice=last_voice_for_pair(user, pick.pair),
        )
        if clips is None or not clips[0].source.audio_file:
            continue
        answer = clips[0]
        items.append(
            DrillAttempt.objects.create(
                user=user,
                pair=pick.pair,
                answer_word=number,
                word_1_key=secrets.choice(("a", "b")),
                accent=accent,
                item_format=ItemFormat.IDENTIFY,
                audio_source=answer.source,
                clips=[clip.as_json() for clip in clips],
                voice=answer.voice,
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
