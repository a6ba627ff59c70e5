"""Writes of a learner's practice: accounts, drills and their review, lessons, recordings."""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from django.utils import timezone
from fsrs import Card, Rating, Scheduler
from rest_framework.authtoken.models import Token

from apps.curriculum.audio.playback import audio_for_phoneme
from apps.curriculum.audio.recordings import recording_inspect
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
from apps.practice.models import DrillAttempt, LearnerProfile, ReviewCard, VowelRecording
from apps.practice.selectors import drill_pair_next, learner_profile_get, lesson_drill_stats
from apps.practice.vowels import VowelFeedback, vowel_feedback, vowel_target
from speech import acoustics
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


def learner_create(*, username: str, password: str):
    """Create a learner (with their profile) after Django's username and password checks.

    Raises ``ValidationError`` with errors by field ("username", "password").
    """
    User = get_user_model()  # noqa: N806
    user = User(username=username)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["Tên đăng nhập này đã có người dùng."]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
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


def profile_update(user, *, voice: str) -> LearnerProfile:
    """Set whose formants the learner's vowels are compared with ("male" or "female")."""
    profile = learner_profile_get(user)
    profile.voice = voice
    profile.full_clean(exclude=["user"])
    if profile.pk is None:
        try:
            with transaction.atomic():
                profile.save()
                return profile
        except IntegrityError:  # created by a concurrent request: update that one
            profile = LearnerProfile.objects.get(user=user)
            profile.voice = voice
    profile.save(update_fields=["voice", "updated_at"])
    return profile


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
            lesson_progress = _lesson_progress_from_drills(user, attempt.lesson_id, now=now)
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
) -> UserPronunciationLessonProgress:
    """A drill answered inside a lesson starts it; every contrast of the lesson answered right
    at least once completes it, with the share of right answers as its score."""
    lesson = PronunciationLesson.objects.get(pk=lesson_id)
    stats = lesson_drill_stats(user, lesson)
    if stats.all_pairs_done:
        return lesson_complete(user, lesson, score=stats.score, now=now)
    progress, _ = UserPronunciationLessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"status": "in_progress", "started_at": now}
    )
    if progress.status == UserPronunciationLessonProgress.Status.NOT_STARTED:
        progress.status = UserPronunciationLessonProgress.Status.IN_PROGRESS
        progress.save(update_fields=["status", "updated_at"])
    return progress


def lesson_complete(
    user, lesson: PronunciationLesson, *, score: int | None = None, now: datetime | None = None
) -> UserPronunciationLessonProgress:
    """Mark ``lesson`` completed for the learner. The score kept is the best so far; without
    one, it is the share of right answers in the lesson's drills."""
    now = now or timezone.now()
    if score is None:
        score = lesson_drill_stats(user, lesson).score
    with transaction.atomic():
        progress, _ = UserPronunciationLessonProgress.objects.select_for_update().get_or_create(
            user=user, lesson=lesson, defaults={"started_at": now}
        )
        progress.status = UserPronunciationLessonProgress.Status.COMPLETED
        progress.completed_at = progress.completed_at or now
        progress.score = max(progress.score, score)
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
