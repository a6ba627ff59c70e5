"""Reads of a learner's practice: the next drill, their progress, lessons, recordings.

Every function takes the learner and reads only their rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, Min, OuterRef, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
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
from apps.curriculum.selectors import (
    minimal_pairs_list,
    phoneme_symbol_for_accent,
    phonemes_for_chart,
)
from apps.practice.models import (
    DrillAttempt,
    LearnerProfile,
    ReviewCard,
    VowelCalibration,
    VowelRecording,
)
from apps.practice.vowels import CALIBRATION_VOWELS, Calibration
from speech.ipa import primary_stress_syllable

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
    *,
    accent: str,
    kind: str | None,
    phoneme: Phoneme | None,
    lesson: PronunciationLesson | None,
) -> QuerySet[MinimalPair]:
    # Only pairs that are a real contrast in the learner's accent (cot/caught is not in most
    # of the US).
    pairs = minimal_pairs_list(phoneme=phoneme, kind=kind or None).for_accent(accent)
    if lesson is not None:
        pairs = pairs.filter(lessons=lesson)
    return pairs


@dataclass(frozen=True)
class DrillPick:
    pair: MinimalPair
    # "review" (due), "new", or "ahead" (nothing due: the soonest review)
    reason: str


# How many due reviews are weighed against each other to find the weakest (the most overdue
# first): enough for any learner's backlog of one session.
DUE_CONSIDERED = 50


def drill_pair_next(
    user,
    *,
    accent: str,
    kind: str | None = None,
    phoneme: Phoneme | None = None,
    lesson: PronunciationLesson | None = None,
    exclude: tuple[int, ...] = (),
) -> DrillPick | None:
    """The contrast the learner should drill next, by the FSRS schedule and their weakness:
    of the reviews that are due, the one they have lately got wrong most often (then the one
    due longest); else a contrast never drilled, in course order (the first lesson that
    teaches it, then the pair's order); else the review due soonest. Only contrasts that are
    real in ``accent``. ``None`` when no contrast matches. At most four queries."""
    pairs = _drill_pairs(accent=accent, kind=kind, phoneme=phoneme, lesson=lesson).exclude(
        pk__in=exclude
    )
    cards = ReviewCard.objects.filter(user=user, pair__in=pairs.values("pk")).select_related(
        "pair__phoneme_1", "pair__phoneme_2"
    )
    due = list(cards.filter(due__lte=timezone.now()).order_by("due", "pk")[:DUE_CONSIDERED])
    if due:
        mastery = contrast_mastery(user, [card.pair_id for card in due])
        weakest = min(enumerate(due), key=lambda item: (mastery[item[1].pair_id].share, item[0]))[1]
        return DrillPick(weakest.pair, "review")
    new = (
        pairs.filter(~Exists(ReviewCard.objects.filter(user=user, pair=OuterRef("pk"))))
        .annotate(course_order=Min("lessons__order"))
        .order_by(F("course_order").asc(nulls_last=True), "pk")
        .first()
    )
    if new is not None:
        return DrillPick(new, "new")
    ahead = cards.order_by("due", "pk").first()
    return DrillPick(ahead.pair, "ahead") if ahead is not None else None


# Mastery of a contrast is how the learner did lately, not since they started: the last
# MASTERY_WINDOW answers, shown only from MASTERY_SHOWN_FROM answers on (one right answer is
# not "20 % mastered").
MASTERY_WINDOW = 10
MASTERY_SHOWN_FROM = 5


@dataclass(frozen=True)
class ContrastMastery:
    answered: int  # in the window (at most MASTERY_WINDOW)
    correct: int

    @property
    def share(self) -> float:
        """Right answers in the window (0–1); 0.5 when there are none yet."""
        return self.correct / self.answered if self.answered else 0.5

    @property
    def percent(self) -> int | None:
        """0–100, or ``None`` while too few answers say anything."""
        if self.answered < MASTERY_SHOWN_FROM:
            return None
        return round(100 * self.correct / self.answered)


def _online(attempts: QuerySet[DrillAttempt]) -> QuerySet[DrillAttempt]:
    """Answers given online: an answer recorded offline (replayed by a client later) cannot
    be checked against what was played, so it neither completes a lesson nor moves mastery."""
    if any(field.name == "offline" for field in DrillAttempt._meta.get_fields()):
        return attempts.exclude(offline=True)
    return attempts


def contrast_mastery(user, pair_ids: list[int]) -> dict[int, ContrastMastery]:
    """Each contrast's mastery over the learner's last MASTERY_WINDOW answers on it (one
    query; the window is cut per pair in Python, the rows read are bounded by a window
    function where the database has one)."""
    rows: dict[int, list[bool]] = {pk: [] for pk in pair_ids}
    answered = _online(
        DrillAttempt.objects.filter(user=user, pair_id__in=pair_ids, answered_at__isnull=False)
    )
    ranked = answered.annotate(
        rank=Window(RowNumber(), partition_by=[F("pair_id")], order_by=F("answered_at").desc())
    )
    for pair_id, correct in ranked.filter(rank__lte=MASTERY_WINDOW).values_list(
        "pair_id", "correct"
    ):
        rows[pair_id].append(bool(correct))
    return {pk: ContrastMastery(len(found), sum(found)) for pk, found in rows.items()}


# A lesson is complete when the learner's last answers in it are right often enough that
# guessing cannot explain them: at least COMPLETION_SHARE of the last COMPLETION_WINDOW and of
# the last COMPLETION_CONFIRM answers, heard in at least COMPLETION_VOICES voices. Lesson
# items are three-way (chance 1 in 3); a learner answering at random completes a lesson within
# 200 answers about once in 500 tries (bench/completion_guessing.py), a learner right 8 times
# in 10 after 20 items.
COMPLETION_WINDOW = 10
COMPLETION_CONFIRM = 20
COMPLETION_SHARE = 0.8
COMPLETION_VOICES = 3


@dataclass(frozen=True)
class LessonCompletion:
    answered: int  # the learner's online answers in the lesson, all told
    window_correct: int  # right among the last COMPLETION_WINDOW
    confirm_correct: int  # right among the last COMPLETION_CONFIRM
    voices: int  # different voices among the last COMPLETION_WINDOW
    complete: bool

    @property
    def score(self) -> int:
        """0–100: right answers among the last COMPLETION_CONFIRM (fewer at first)."""
        seen = min(self.answered, COMPLETION_CONFIRM)
        return round(100 * self.confirm_correct / seen) if seen else 0

    @property
    def needed_vi(self) -> str:
        """What the learner still needs, in Vietnamese (empty once complete)."""
        if self.complete:
            return ""
        return (
            f"Để hoàn thành bài: đúng ít nhất {round(COMPLETION_SHARE * COMPLETION_WINDOW)}/"
            f"{COMPLETION_WINDOW} câu gần nhất và {round(COMPLETION_SHARE * COMPLETION_CONFIRM)}/"
            f"{COMPLETION_CONFIRM} câu gần nhất, nghe ít nhất {COMPLETION_VOICES} giọng khác nhau."
        )


def lesson_completion(user, lesson: PronunciationLesson) -> LessonCompletion:
    """Whether the learner has completed ``lesson``: THE rule (lessons, assignments and the
    API all ask it), decided from the learner's own online answers to the lesson's items,
    never from anything a client claims. Two queries."""
    answered = _online(
        DrillAttempt.objects.filter(
            user=user, lesson=lesson, answered_at__isnull=False, placement=False
        )
    )
    rows = answered.order_by("-answered_at", "-pk").values_list("correct", "voice", "clips")
    # Every voice the learner heard in an item counts (a three-way item has three).
    recent = [
        (correct, {voice, *(clip[2] for clip in clips or ())})
        for correct, voice, clips in rows[:COMPLETION_CONFIRM]
    ]
    total = answered.count() if len(recent) == COMPLETION_CONFIRM else len(recent)
    return completion_from(recent, answered=total)


def completion_from(recent: list[tuple[bool, set[str]]], *, answered: int) -> LessonCompletion:
    """The completion rule itself, on the learner's last answers in a lesson, newest first, as
    (right, the voices heard in that item) (at most COMPLETION_CONFIRM are looked at): a pure
    function, so that ``bench/completion_guessing.py`` can measure how often guessing would
    pass it."""
    recent = recent[:COMPLETION_CONFIRM]
    window = recent[:COMPLETION_WINDOW]
    window_correct = sum(1 for correct, _ in window if correct)
    confirm_correct = sum(1 for correct, _ in recent if correct)
    voices = len({voice for _, heard in window for voice in heard if voice})
    complete = (
        len(recent) >= COMPLETION_CONFIRM
        and window_correct >= COMPLETION_SHARE * COMPLETION_WINDOW
        and confirm_correct >= COMPLETION_SHARE * COMPLETION_CONFIRM
        and voices >= COMPLETION_VOICES
    )
    return LessonCompletion(answered, window_correct, confirm_correct, voices, complete)


def last_voice_for_pair(user, pair: MinimalPair) -> str:
    """The voice that said the answer of the learner's last item on ``pair`` ("" if none):
    the next item on it is said by another."""
    return (
        DrillAttempt.objects.filter(user=user, pair=pair)
        .order_by("-created_at", "-pk")
        .values_list("voice", flat=True)
        .first()
        or ""
    )


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


def vowel_calibration_get(user) -> Calibration | None:
    """The learner's calibration when all three corner vowels are recorded, else ``None``."""
    rows = {
        vowel: (f1, f2)
        for vowel, f1, f2 in VowelCalibration.objects.filter(user=user).values_list(
            "vowel", "f1", "f2"
        )
    }
    if set(rows) != set(CALIBRATION_VOWELS):
        return None
    return Calibration(rows)


def vowel_calibration_state(user) -> dict:
    """``{vowels: {symbol: {f1, f2} or None}, complete}`` for the learner."""
    rows = {
        vowel: {"f1": round(f1), "f2": round(f2)}
        for vowel, f1, f2 in VowelCalibration.objects.filter(user=user).values_list(
            "vowel", "f1", "f2"
        )
    }
    vowels = {vowel: rows.get(vowel) for vowel in CALIBRATION_VOWELS}
    return {"vowels": vowels, "complete": all(vowels.values())}


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
    label: str  # what its button says: the word, or its stress ("REcord (danh từ)")
    sound: str  # the phoneme's symbol in the item's accent (/oʊ/ in en-US, /əʊ/ in en-GB)
    number: int = 1  # 1 or 2: which word of the pair


def _drill_word(attempt: DrillAttempt, number: int, *, key: str) -> DrillWord:
    pair = attempt.pair
    phoneme = pair.phoneme_1 if number == 1 else pair.phoneme_2
    return DrillWord(
        key=key,
        word=getattr(pair, f"word_{number}"),
        ipa=pair_ipa(pair, number, accent=attempt.accent),
        phoneme=phoneme,
        label=pair.choice_label(number, accent=attempt.accent),
        sound=phoneme_symbol_for_accent(phoneme, accent=attempt.accent),
        number=number,
    )


def drill_words(attempt: DrillAttempt) -> tuple[DrillWord, DrillWord]:
    """The pair's two words under their keys, ``a`` first (which word is "a" is random). In a
    three-way item the keys stand for positions, not words: the words are only shown."""
    words = [_drill_word(attempt, number, key=attempt.key_of(number)) for number in (1, 2)]
    first, second = sorted(words, key=lambda word: word.key)
    return first, second


def drill_answer_words(attempt: DrillAttempt) -> tuple[DrillWord, DrillWord]:
    """(the word that was played — the odd one of a three-way item —, the other word); the
    first's key is the right answer's."""
    other_number = 3 - attempt.answer_word
    if attempt.is_oddity:
        return (
            _drill_word(attempt, attempt.answer_word, key=attempt.answer_key),
            _drill_word(attempt, other_number, key=""),
        )
    return (
        _drill_word(attempt, attempt.answer_word, key=attempt.answer_key),
        _drill_word(attempt, other_number, key=attempt.key_of(other_number)),
    )


_ORDINALS_VI = ("nhất", "hai", "ba", "tư", "năm")


def _ordinal_vi(index: int | None) -> str:
    """The Vietnamese ordinal of syllable ``index`` (0: "nhất", 1: "hai"...)."""
    if index is None or not 0 <= index < len(_ORDINALS_VI):
        return "?"
    return _ORDINALS_VI[index]


def drill_explanation_vi(attempt: DrillAttempt, *, correct: bool) -> str:
    """Why the answer is what it is, in Vietnamese: the two words and their sounds."""
    heard, other = drill_answer_words(attempt)
    # The sounds in the same accent as the words: "tone /toʊn/ – âm /oʊ/" in en-US.
    if attempt.pair.kind == MinimalPair.Kind.STRESS:
        # A stress pair differs by the stressed syllable: say that, with the choice labels.
        said, versus = (
            f"“{word.label}” /{word.ipa}/ "
            f"nhấn âm tiết thứ {_ordinal_vi(primary_stress_syllable(word.ipa))}"
            for word in (heard, other)
        )
    else:
        said = (
            f"“{heard.label}” /{heard.ipa}/ có âm /{heard.sound}/ "
            f"({heard.phoneme.vietnamese_approx})"
        )
        versus = (
            f"“{other.label}” /{other.ipa}/ có âm /{other.sound}/ "
            f"({other.phoneme.vietnamese_approx})"
        )
    if attempt.is_oddity:
        opening = "Đúng rồi! " if correct else "Chưa đúng. "
        opening += f"Tiếng thứ {attempt.odd_position} là "
    else:
        opening = "Đúng rồi! Từ được phát là " if correct else "Chưa đúng. Từ được phát là "
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
