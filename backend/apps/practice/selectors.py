"""Reads of a learner's practice: the next drill, their progress, lessons, recordings.

Every function takes the learner and reads only their rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from apps.curriculum.models import (
    MinimalPair,
    Phoneme,
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)
from apps.curriculum.selectors import minimal_pairs_list, phonemes_for_chart
from apps.practice.models import DrillAttempt, LearnerProfile, ReviewCard, VowelRecording

# A phoneme counts as mastered from this mastery (0–100) on.
MASTERED_FROM = 80
# Most points a vowel history returns (newest first).
HISTORY_LIMIT = 100


def drill_kinds() -> list[tuple[str, str]]:
    """The drill sets a learner can choose: plain minimal pairs, and the Vietnamese learner's
    problems (final consonants, clusters, -s/-ed endings, stress...), as (value, label)."""
    return list(MinimalPair.Kind.choices)


def pair_ipa(pair: MinimalPair, number: int, *, accent: str) -> str:
    """Word ``number``'s transcription in the accent: the US one when the pair has it."""
    if accent == "en-US":
        us = getattr(pair, f"word_{number}_ipa_us")
        if us:
            return us
    return getattr(pair, f"word_{number}_ipa")


def _drill_pairs(
    *, kind: str | None, phoneme: Phoneme | None, lesson: PronunciationLesson | None
) -> QuerySet[MinimalPair]:
    pairs = minimal_pairs_list(phoneme=phoneme, kind=kind or None)
    if lesson is not None:
        pairs = pairs.filter(lessons=lesson)
    return pairs


@dataclass(frozen=True)
class DrillPick:
    pair: MinimalPair
    reason: str  # "review" (due), "new", or "ahead" (nothing due: the soonest review)


def drill_pair_next(
    user,
    *,
    kind: str | None = None,
    phoneme: Phoneme | None = None,
    lesson: PronunciationLesson | None = None,
    exclude: tuple[int, ...] = (),
) -> DrillPick | None:
    """The contrast the learner should drill next: the review that has been due longest,
    else a contrast they have never drilled (at random), else the review due soonest.
    ``None`` when no contrast matches. At most three queries, whatever the history."""
    pairs = _drill_pairs(kind=kind, phoneme=phoneme, lesson=lesson).exclude(pk__in=exclude)
    cards = ReviewCard.objects.filter(user=user, pair__in=pairs.values("pk")).select_related(
        "pair__phoneme_1", "pair__phoneme_2"
    )
    due = cards.filter(due__lte=timezone.now()).order_by("due", "pk").first()
    if due is not None:
        return DrillPick(due.pair, "review")
    new = (
        pairs.filter(~Exists(ReviewCard.objects.filter(user=user, pair=OuterRef("pk"))))
        .order_by("?")
        .first()
    )
    if new is not None:
        return DrillPick(new, "new")
    ahead = cards.order_by("due", "pk").first()
    return DrillPick(ahead.pair, "ahead") if ahead is not None else None


def drill_attempt_get(user, pk: int) -> DrillAttempt | None:
    """The learner's own attempt ``pk`` with its pair, phonemes and audio; ``None`` for
    anyone else's."""
    return (
        DrillAttempt.objects.select_related("pair__phoneme_1", "pair__phoneme_2", "audio_source")
        .filter(pk=pk, user=user)
        .first()
    )


def learner_profile_get(user) -> LearnerProfile:
    """The learner's profile; an unsaved default one (men's voice) when they have none."""
    return LearnerProfile.objects.filter(user=user).first() or LearnerProfile(user=user)


@dataclass(frozen=True)
class PhonemeProgressRow:
    phoneme: Phoneme
    attempts: int
    correct: int
    mastery: int
    last_practised_at: datetime | None
    next_due: datetime | None  # the soonest review of a contrast with this phoneme
    due_now: int  # how many such reviews are due


@dataclass(frozen=True)
class ProgressTotals:
    attempts: int
    correct: int
    phonemes_practised: int
    phonemes_mastered: int
    reviews_due: int
    contrasts_seen: int
    next_due: datetime | None


@dataclass(frozen=True)
class LearnerProgress:
    phonemes: list[PhonemeProgressRow]
    totals: ProgressTotals


def learner_progress(user) -> LearnerProgress:
    """Per phoneme (chart order): attempts, correct answers, mastery and the next review;
    plus totals. Three queries."""
    now = timezone.now()
    rows = {row.phoneme_id: row for row in UserPhonemeProgress.objects.filter(user=user)}
    next_due: dict[int, datetime] = {}
    due_now: dict[int, int] = {}
    cards = list(
        ReviewCard.objects.filter(user=user).values_list(
            "pair__phoneme_1_id", "pair__phoneme_2_id", "due"
        )
    )
    for first, second, due in cards:
        for phoneme_id in (first, second):
            if phoneme_id not in next_due or due < next_due[phoneme_id]:
                next_due[phoneme_id] = due
            if due <= now:
                due_now[phoneme_id] = due_now.get(phoneme_id, 0) + 1
    phonemes = []
    for phoneme in phonemes_for_chart():
        row = rows.get(phoneme.pk)
        phonemes.append(
            PhonemeProgressRow(
                phoneme=phoneme,
                attempts=row.attempts if row else 0,
                correct=row.correct if row else 0,
                mastery=row.mastery if row else 0,
                last_practised_at=row.last_practised_at if row else None,
                next_due=next_due.get(phoneme.pk),
                due_now=due_now.get(phoneme.pk, 0),
            )
        )
    totals = ProgressTotals(
        attempts=sum(row.attempts for row in rows.values()),
        correct=sum(row.correct for row in rows.values()),
        phonemes_practised=sum(1 for row in rows.values() if row.attempts),
        phonemes_mastered=sum(1 for row in rows.values() if row.mastery >= MASTERED_FROM),
        reviews_due=sum(1 for _, _, due in cards if due <= now),
        contrasts_seen=len(cards),
        next_due=min((due for _, _, due in cards), default=None),
    )
    return LearnerProgress(phonemes=phonemes, totals=totals)


def _lessons(user) -> QuerySet[PronunciationLesson]:
    return PronunciationLesson.objects.filter(is_published=True).prefetch_related(
        Prefetch(
            "pronunciationlessonphoneme_set",
            queryset=PronunciationLessonPhoneme.objects.select_related("phoneme").order_by(
                "position", "pk"
            ),
            to_attr="phoneme_links",
        ),
        Prefetch(
            "pronunciationlessonpair_set",
            queryset=PronunciationLessonPair.objects.select_related(
                "minimal_pair__phoneme_1", "minimal_pair__phoneme_2"
            ).order_by("position", "pk"),
            to_attr="pair_links",
        ),
        Prefetch(
            "user_progress",
            queryset=UserPronunciationLessonProgress.objects.filter(user=user),
            to_attr="learner_progress",
        ),
    )


def lessons_list(user) -> list[PronunciationLesson]:
    """Published lessons in course order, each with ``phoneme_links``, ``pair_links`` and
    the learner's ``learner_progress`` (a list of 0 or 1 rows). Four queries."""
    return list(_lessons(user))


def lesson_get(user, pk: int) -> PronunciationLesson | None:
    """One published lesson as :func:`lessons_list` gives them, or ``None``."""
    return _lessons(user).filter(pk=pk).first()


@dataclass(frozen=True)
class LessonDrillStats:
    answered: int
    correct: int
    pairs_correct: int  # distinct contrasts of the lesson answered right at least once
    pairs_total: int

    @property
    def score(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0

    @property
    def all_pairs_done(self) -> bool:
        return self.pairs_total > 0 and self.pairs_correct >= self.pairs_total


def lesson_drill_stats(user, lesson: PronunciationLesson) -> LessonDrillStats:
    """How the learner did on the drills they took inside ``lesson``. Offline answers (a
    downloaded pack carries its answers) never count towards a lesson."""
    answered = DrillAttempt.objects.filter(
        user=user, lesson=lesson, answered_at__isnull=False, offline=False
    )
    outcomes = list(answered.values_list("pair_id", "correct"))
    lesson_pairs = set(
        PronunciationLessonPair.objects.filter(lesson=lesson).values_list(
            "minimal_pair_id", flat=True
        )
    )
    return LessonDrillStats(
        answered=len(outcomes),
        correct=sum(1 for _, correct in outcomes if correct),
        pairs_correct=len({pair for pair, correct in outcomes if correct} & lesson_pairs),
        pairs_total=len(lesson_pairs),
    )


def vowel_recordings_list(user, *, phoneme: Phoneme | None = None) -> QuerySet[VowelRecording]:
    """The learner's vowel recordings, newest first (at most HISTORY_LIMIT)."""
    recordings = VowelRecording.objects.filter(user=user).select_related("phoneme")
    if phoneme is not None:
        recordings = recordings.filter(phoneme=phoneme)
    return recordings.order_by("-created_at", "-pk")[:HISTORY_LIMIT]


def vowel_recording_get(user, pk: int, *, staff_too: bool = False) -> VowelRecording | None:
    """Recording ``pk`` if it is ``user``'s (or, with ``staff_too``, if ``user`` is staff)."""
    recordings = VowelRecording.objects.select_related("phoneme")
    if not (staff_too and user.is_staff):
        recordings = recordings.filter(user=user)
    return recordings.filter(pk=pk).first()


@dataclass(frozen=True)
class DrillWord:
    key: str
    word: str
    ipa: str
    phoneme: Phoneme


def drill_words(attempt: DrillAttempt) -> tuple[DrillWord, DrillWord]:
    """The item's two words under their keys, ``a`` first (which word is "a" is random)."""
    pair = attempt.pair
    words = [
        DrillWord(
            key=attempt.key_of(number),
            word=getattr(pair, f"word_{number}"),
            ipa=pair_ipa(pair, number, accent=attempt.accent),
            phoneme=pair.phoneme_1 if number == 1 else pair.phoneme_2,
        )
        for number in (1, 2)
    ]
    first, second = sorted(words, key=lambda word: word.key)
    return first, second


def drill_answer_words(attempt: DrillAttempt) -> tuple[DrillWord, DrillWord]:
    """(the word that was played, the other word)."""
    first, second = drill_words(attempt)
    return (first, second) if first.key == attempt.answer_key else (second, first)


def drill_explanation_vi(attempt: DrillAttempt, *, correct: bool) -> str:
    """Why the answer is what it is, in Vietnamese: the two words and their sounds."""
    heard, other = drill_answer_words(attempt)
    said = (
        f"“{heard.word}” /{heard.ipa}/ có âm /{heard.phoneme.ipa_symbol}/ "
        f"({heard.phoneme.vietnamese_approx})"
    )
    versus = (
        f"“{other.word}” /{other.ipa}/ có âm /{other.phoneme.ipa_symbol}/ "
        f"({other.phoneme.vietnamese_approx})"
    )
    opening = "Đúng rồi! " if correct else "Chưa đúng. Từ bạn nghe là: "
    text = f"{opening}{said}; còn {versus}."
    note = attempt.pair.note_vi.strip()
    return f"{text} {note}" if note else text


@dataclass(frozen=True)
class LessonPhonemeRow:
    phoneme: Phoneme
    attempts: int
    correct: int
    mastery: int


@dataclass(frozen=True)
class LessonPath:
    """A lesson as the learner walks it: its phonemes (with their progress), its contrasts
    and how their drills went."""

    lesson: PronunciationLesson
    phonemes: list[LessonPhonemeRow]
    pairs: list[MinimalPair]
    drills: LessonDrillStats


def lesson_path(user, pk: int) -> LessonPath | None:
    """Published lesson ``pk`` as a path for the learner, or ``None``. Seven queries."""
    lesson = lesson_get(user, pk)
    if lesson is None:
        return None
    ids = [link.phoneme_id for link in lesson.phoneme_links]
    progress = {
        row.phoneme_id: row
        for row in UserPhonemeProgress.objects.filter(user=user, phoneme_id__in=ids)
    }
    rows = []
    for link in lesson.phoneme_links:
        row = progress.get(link.phoneme_id)
        rows.append(
            LessonPhonemeRow(
                phoneme=link.phoneme,
                attempts=row.attempts if row else 0,
                correct=row.correct if row else 0,
                mastery=row.mastery if row else 0,
            )
        )
    return LessonPath(
        lesson=lesson,
        phonemes=rows,
        pairs=[link.minimal_pair for link in lesson.pair_links],
        drills=lesson_drill_stats(user, lesson),
    )
