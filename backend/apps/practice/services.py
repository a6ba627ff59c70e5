"""Writes of a learner's practice: accounts, drills and their review, lessons, recordings."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import BinaryIO
from uuid import uuid4

import parselmouth
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from fsrs import Card, Rating, Scheduler
from rest_framework.authtoken.models import Token

from apps.curriculum.audio.playback import play_record
from apps.curriculum.audio.recordings import recording_inspect
from apps.curriculum.models import (
    MinimalPair,
    Phoneme,
    PronunciationLesson,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)
from apps.curriculum.progress import phoneme_attempt_record
from apps.practice.drill_audio import RenderingUnavailable, item_clips, item_rendering
from apps.practice.models import (
    DrillAttempt,
    ItemFormat,
    LearnerProfile,
    ReviewCard,
    VowelRecording,
)
from apps.practice.onboarding import PlacementState, placement_finish, placement_pair_next
from apps.practice.selectors import (
    ContrastMastery,
    LessonCompletion,
    contrast_mastery,
    drill_pair_next,
    last_voice_for_pair,
    learner_profile_get,
    lesson_completion,
)
from apps.practice.vowels import VowelFeedback, vowel_feedback, vowel_target
from speech import acoustics
from speech.formats import FORMATS

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


def learner_create(*, username: str, password: str):
    """Create a learner (with their profile) after Django's username and password checks.

    Raises ``ValidationError`` with errors by field ("username", "password").
    """
    User = get_user_model()  # noqa: N806
    user = User(username=username)
    errors: dict[str, list[str]] = {}
    # Learners read Vietnamese whatever language their client asks for: Django's own
    # messages (the password validators') are made in Vietnamese here, once.
    with translation.override("vi"):
        try:
            user.full_clean(exclude=["password"], validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[field] = [str(message) for message in messages]
        if "username" not in errors and User.objects.filter(username__iexact=username).exists():
            errors["username"] = ["Tên đăng nhập này đã có người dùng."]
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = [str(message) for message in exc.messages]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            LearnerProfile.objects.create(user=user)
    except IntegrityError:  # the same name registered a moment ago
        raise ValidationError({"username": ["Tên đăng nhập này đã có người dùng."]}) from None
    return user


def auth_token_for(user) -> str:
    """The learner's API token (created on first use)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def auth_token_issue(request, *, username: str, password: str) -> str | None:
    """The API token of the learner these credentials belong to; ``None`` when they are wrong
    (or the account is inactive)."""
    user = authenticate(request, username=username, password=password)
    return auth_token_for(user) if user is not None else None


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
            lesson_progress, completion = _lesson_progress_from_drills(
                user, attempt.lesson_id, now=now
            )
        if attempt.placement:
            placement = placement_finish(user, now=now)
    mastery = contrast_mastery(user, [attempt.pair_id])[attempt.pair_id]
    return DrillResult(
        attempt, correct, progress, card, mastery, lesson_progress, completion, placement
    )


@cache
def scheduler() -> Scheduler:
    """The FSRS scheduler with its published default parameters (one per process)."""
    return Scheduler()


def review_card_rate(user, pair: MinimalPair, *, correct: bool, now: datetime) -> ReviewCard:
    """Rate the learner's card for ``pair`` (created on the first answer): Good when right,
    Again when wrong. The row is locked while it is read and written, so two answers at once
    are both applied."""
    with transaction.atomic():
        row = ReviewCard.objects.select_for_update().filter(user=user, pair=pair).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = ReviewCard.objects.create(
                        user=user, pair=pair, card=Card(card_id=pair.pk).to_dict(), due=now
                    )
            except IntegrityError:  # a concurrent first answer created it
                row = ReviewCard.objects.select_for_update().get(user=user, pair=pair)
        card, _ = scheduler().review_card(
            Card.from_dict(row.card), Rating.Good if correct else Rating.Again, review_datetime=now
        )
        ReviewCard.objects.filter(pk=row.pk).update(
            card=card.to_dict(),
            due=card.due,
            reviews=F("reviews") + 1,
            lapses=F("lapses") + (0 if correct else 1),
            last_reviewed_at=now,
        )
    row.card, row.due, row.last_reviewed_at = card.to_dict(), card.due, now
    row.reviews += 1
    row.lapses += 0 if correct else 1
    return row


def _lesson_progress_from_drills(
    user, lesson_id: int, *, now: datetime
) -> tuple[UserPronunciationLessonProgress, LessonCompletion]:
    """A drill answered inside a lesson starts it; the completion rule met completes it."""
    lesson = PronunciationLesson.objects.get(pk=lesson_id)
    completion = lesson_completion(user, lesson)
    if completion.complete:
        return lesson_complete(user, lesson, now=now), completion
    progress, _ = UserPronunciationLessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"status": "in_progress", "started_at": now}
    )
    if progress.status == UserPronunciationLessonProgress.Status.NOT_STARTED:
        progress.status = UserPronunciationLessonProgress.Status.IN_PROGRESS
        progress.save(update_fields=["status", "updated_at"])
    return progress, completion


class LessonNotComplete(Exception):
    """The learner's answers do not meet the completion rule; ``completion`` says how far."""

    def __init__(self, completion: LessonCompletion):
        self.completion = completion
        super().__init__(completion.needed_vi)


def lesson_complete(
    user, lesson: PronunciationLesson, *, now: datetime | None = None
) -> UserPronunciationLessonProgress:
    """Mark ``lesson`` completed for the learner when their own answers meet the completion
    rule (:func:`lesson_completion`), whoever asks; the score kept is the best so far. A
    lesson completed once stays completed. Raises :class:`LessonNotComplete` otherwise."""
    now = now or timezone.now()
    completion = lesson_completion(user, lesson)
    done = UserPronunciationLessonProgress.objects.filter(
        user=user, lesson=lesson, status=UserPronunciationLessonProgress.Status.COMPLETED
    ).first()
    if not completion.complete:
        if done is not None:
            return done
        raise LessonNotComplete(completion)
    with transaction.atomic():
        progress, _ = UserPronunciationLessonProgress.objects.select_for_update().get_or_create(
            user=user, lesson=lesson, defaults={"started_at": now}
        )
        progress.status = UserPronunciationLessonProgress.Status.COMPLETED
        progress.completed_at = progress.completed_at or now
        progress.score = max(progress.score, completion.score)
        progress.full_clean()
        progress.save(update_fields=["status", "completed_at", "score", "updated_at"])
    return progress


def learner_recordings_storage() -> Storage:
    """Where learners' recordings are kept: private, never under MEDIA_ROOT."""
    return storages["learner_recordings"]


def vowel_recording_add(
    user, phoneme: Phoneme, upload: BinaryIO, *, name: str, accent: str
) -> tuple[VowelRecording, VowelFeedback]:
    """Check the learner's recording of ``phoneme`` as staff uploads are checked, measure its
    F1/F2, judge it against the target for the accent and the learner's voice, and keep it.

    Raises ``RecordingRejected`` (not acceptable audio), ``NotAMonophthong`` and
    ``acoustics.MeasurementError`` (no vowel to measure); nothing is stored then.
    """
    vowel_target(phoneme.ipa_symbol, accent=accent, voice="male")  # NotAMonophthong first
    info = recording_inspect(upload, name=name)
    measurement = acoustics.measure(parselmouth.Sound(info.samples, info.sample_rate))
    voice = learner_profile_get(user).voice
    feedback = vowel_feedback(phoneme.ipa_symbol, measurement, accent=accent, voice=voice)
    storage = learner_recordings_storage()
    file_name = storage.save(f"{timezone.now():%Y/%m}/{uuid4().hex}.{info.extension}", File(upload))
    try:
        recording = VowelRecording.objects.create(
            user=user,
            phoneme=phoneme,
            accent=accent,
            voice=voice,
            file_name=file_name,
            content_type=FORMATS[info.format][1],
            duration=round(info.duration, 3),
            f1=round(feedback.f1, 1),
            f2=round(feedback.f2, 1),
            verdict=feedback.verdict,
            heard_as=feedback.heard_as,
            distance_bark=feedback.distance_bark,
        )
    except BaseException:
        _delete_quietly(storage, file_name)  # no row references it
        raise
    return recording, feedback


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
            transaction.on_commit(lambda: _delete_quietly(storage, name))


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
        for name in _walk(storage, "")
        if name not in referenced and storage.get_modified_time(name) < older_than
    ]


def _walk(storage: Storage, directory: str) -> list[str]:
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    prefix = f"{directory}/" if directory else ""
    names = [prefix + name for name in files]
    for folder in folders:
        names += _walk(storage, prefix + folder)
    return names


def _delete_all_quietly(storage: Storage, names: list[str]) -> None:
    for name in names:
        _delete_quietly(storage, name)


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete learner recording %s", name, exc_info=True)
