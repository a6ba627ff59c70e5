"""Reads of the classes app: who teaches, which classes a user sees, assignments with their
state, and the teacher's report of a class. The report is a fixed number of GROUP BY queries
whatever the number of learners and attempts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.classes.expressions import AnswerSeconds, LocalDay
from apps.classes.models import TEACHERS_GROUP, Assignment, Classroom, Membership
from apps.curriculum.models import MinimalPair, UserPronunciationLessonProgress
from apps.practice.models import DrillAttempt, VowelRecording

# "Recent" accuracy and recordings: the last this many days.
RECENT_DAYS = 14
RECORDINGS_DAYS = 30
RECORDINGS_LIMIT = 20
# Time to answer one drill counts as practice up to this (a learner who walked away
# mid-item does not add an hour).
ANSWER_TIME_CAP = 60.0  # seconds
# The weakest contrasts of a class: at most this many, each with at least this many answers.
WEAKEST_LIMIT = 8
WEAKEST_MIN_ATTEMPTS = 3

NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"
STATE_LABELS_VI = {NOT_STARTED: "Chưa bắt đầu", IN_PROGRESS: "Đang làm", DONE: "Đã xong"}


def is_teacher(user) -> bool:
    """A teacher: an active user in the ``teachers`` group, or staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.groups.filter(name=TEACHERS_GROUP).exists()


def classrooms_taught(user) -> QuerySet[Classroom]:
    """The classes ``user`` teaches, newest first, with ``member_count``."""
    return Classroom.objects.filter(teacher=user).annotate(member_count=Count("memberships"))


def classrooms_joined(user) -> QuerySet[Membership]:
    """``user``'s memberships with their classes and teachers."""
    return (
        Membership.objects.filter(user=user)
        .select_related("classroom__teacher")
        .order_by("-joined_at", "-pk")
    )


def classroom_for_teacher(user, pk: int | None) -> Classroom | None:
    """Class ``pk`` if ``user`` teaches it; ``None`` otherwise (another teacher's class is
    as unknown as a class that does not exist)."""
    if pk is None or not user.is_authenticated:
        return None
    return Classroom.objects.select_related("teacher").filter(pk=pk, teacher=user).first()


def membership_of(classroom: Classroom, user_id: int | None) -> Membership | None:
    if user_id is None:
        return None
    return (
        Membership.objects.select_related("user")
        .filter(classroom=classroom, user_id=user_id)
        .first()
    )


def _offline_excluded(attempts: QuerySet[DrillAttempt]) -> QuerySet[DrillAttempt]:
    """Answers given offline (synced later, unchecked by the server) count for neither
    assignments nor reports, where the model records them."""
    if any(f.name == "offline" for f in DrillAttempt._meta.get_fields()):
        return attempts.filter(offline=False)
    return attempts


def lesson_states(user_ids, lesson_ids) -> dict[tuple[int, int], str]:
    """The state of each (learner, lesson): the lesson completion rule the server keeps in
    ``UserPronunciationLessonProgress`` (every contrast of the lesson answered right, not one
    lucky answer) says "done"; a started lesson is "in progress"; absent pairs are not
    started. One query."""
    rows = UserPronunciationLessonProgress.objects.filter(
        user_id__in=user_ids, lesson_id__in=lesson_ids
    ).values_list("user_id", "lesson_id", "status")
    states = {}
    for user_id, lesson_id, status in rows:
        if status == UserPronunciationLessonProgress.Status.COMPLETED:
            states[(user_id, lesson_id)] = DONE
        elif status == UserPronunciationLessonProgress.Status.IN_PROGRESS:
            states[(user_id, lesson_id)] = IN_PROGRESS
    return states


@dataclass(frozen=True)
class LearnerAssignment:
    assignment: Assignment
    state: str

    @property
    def state_vi(self) -> str:
        return STATE_LABELS_VI[self.state]

    @property
    def overdue(self) -> bool:
        return self.state != DONE and self.assignment.due < timezone.now()


def assignments_for_learner(user) -> list[LearnerAssignment]:
    """The assignments of every class ``user`` is in, with their state: what is left to do
    first (soonest due first), then what is done. Two queries."""
    assignments = list(
        Assignment.objects.filter(classroom__memberships__user=user)
        .select_related("lesson", "classroom")
        .order_by("due", "pk")
    )
    states = lesson_states([user.pk], {a.lesson_id for a in assignments})
    rows = [
        LearnerAssignment(a, states.get((user.pk, a.lesson_id), NOT_STARTED)) for a in assignments
    ]
    return sorted(rows, key=lambda row: row.state == DONE)


@dataclass(frozen=True)
class Confusion:
    """``count`` times ``played`` was heard as ``chosen`` (``played`` ≠ ``chosen``)."""

    played: str
    chosen: str
    count: int


@dataclass(frozen=True)
class ContrastDirection:
    """Answers when ``played`` was played in its contrast with ``other``."""

    played: str
    other: str
    attempts: int
    correct: int

    @property
    def wrong(self) -> int:
        return self.attempts - self.correct

    @property
    def accuracy(self) -> float | None:
        return percent(self.correct, self.attempts)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class LearnerReport:
    user_id: int
    username: str
    joined_at: datetime
    share_recordings: bool
    attempts: int = 0
    correct: int = 0
    recent_attempts: int = 0
    recent_correct: int = 0
    practice_seconds: int = 0
    days_active: int = 0
    last_active: date | None = None
    directions: list[ContrastDirection] = field(default_factory=list)
    states: dict[int, str] = field(default_factory=dict)  # lesson id → state

    @property
    def accuracy(self) -> float | None:
        return percent(self.correct, self.attempts)

    @property
    def recent_accuracy(self) -> float | None:
        return percent(self.recent_correct, self.recent_attempts)

    @property
    def state_labels_vi(self) -> list[str]:
        """The state of each assignment (in the class's order), in Vietnamese."""
        return [STATE_LABELS_VI[state] for state in self.states.values()]

    @property
    def practice_minutes(self) -> int:
        return round(self.practice_seconds / 60)

    @property
    def confusions(self) -> list[Confusion]:
        """What the learner picked when wrong, most frequent first."""
        rows = [Confusion(d.played, d.other, d.wrong) for d in self.directions if d.wrong]
        return sorted(rows, key=lambda c: (-c.count, c.played, c.chosen))

    @property
    def matrix(self) -> list[dict]:
        """Per contrast practised: both directions side by side (a 2×2 confusion matrix)."""
        by_pair: dict[tuple[str, str], dict[str, ContrastDirection]] = {}
        for d in self.directions:
            by_pair.setdefault(tuple(sorted((d.played, d.other))), {})[d.played] = d
        rows = []
        for (first, second), sides in sorted(by_pair.items()):
            one, two = sides.get(first), sides.get(second)
            rows.append(
                {
                    "first": first,
                    "second": second,
                    "first_as_first": one.correct if one else 0,
                    "first_as_second": one.wrong if one else 0,
                    "second_as_first": two.wrong if two else 0,
                    "second_as_second": two.correct if two else 0,
                }
            )
        return rows


@dataclass(frozen=True)
class AssignmentReport:
    assignment: Assignment
    done: int
    in_progress: int
    not_started: int


@dataclass(frozen=True)
class WeekReport:
    week: date
    attempts: int
    correct: int
    learners: int

    @property
    def accuracy(self) -> float | None:
        return percent(self.correct, self.attempts)


@dataclass(frozen=True)
class ClassReport:
    classroom: Classroom
    learners: list[LearnerReport]
    assignments: list[AssignmentReport]
    weakest: list[ContrastDirection]
    weeks: list[WeekReport]


def _answers(classroom: Classroom, user_id: int | None = None) -> QuerySet[DrillAttempt]:
    """The class's learners' answered drills (a subquery on the members, not a list)."""
    members = Membership.objects.filter(classroom=classroom)
    if user_id is not None:
        members = members.filter(user_id=user_id)
    answers = DrillAttempt.objects.filter(
        user_id__in=members.values("user_id"), answered_at__isnull=False
    ).order_by()
    return _offline_excluded(answers)


def _directions(answers: QuerySet[DrillAttempt]) -> dict[int, list[ContrastDirection]]:
    """Per learner: answers per contrast and direction (which sound was played). One GROUP BY
    on integer columns (learner, pair, word played), then one query for the pairs' sounds."""
    rows = list(
        answers.values("user_id", "pair_id", "answer_word").annotate(
            attempts=Count("pk"), right=Count("pk", filter=Q(correct=True))
        )
    )
    sounds = {
        pk: (first, second)
        for pk, first, second in MinimalPair.objects.filter(
            pk__in={row["pair_id"] for row in rows}
        ).values_list("pk", "phoneme_1__ipa_symbol", "phoneme_2__ipa_symbol")
    }
    merged: dict[int, dict[tuple[str, str], list[int]]] = defaultdict(dict)
    for row in rows:
        played, other = sounds[row["pair_id"]]
        if row["answer_word"] == 2:
            played, other = other, played
        # Several pairs drill the same contrast: their answers add up, direction by direction.
        totals = merged[row["user_id"]].setdefault((played, other), [0, 0])
        totals[0] += row["attempts"]
        totals[1] += row["right"]
    return {
        user_id: [
            ContrastDirection(played, other, attempts, right)
            for (played, other), (attempts, right) in sorted(directions.items())
        ]
        for user_id, directions in merged.items()
    }


@dataclass
class _Totals:
    attempts: int = 0
    right: int = 0
    recent_attempts: int = 0
    recent_right: int = 0
    practice: float = 0.0
    days: int = 0
    last: int | None = None  # the ordinal of the last day active


def _days(answers: QuerySet[DrillAttempt], *, now: datetime) -> list[dict]:
    """The answers grouped by learner and local day: counts, recent counts, practice time
    One GROUP BY; totals and weeks are sums of these rows."""
    recent = Q(answered_at__gte=now - timedelta(days=RECENT_DAYS))
    return list(
        answers.values("user_id", day=LocalDay("answered_at")).annotate(
            attempts=Count("pk"),
            right=Count("pk", filter=Q(correct=True)),
            recent_attempts=Count("pk", filter=recent),
            recent_right=Count("pk", filter=recent & Q(correct=True)),
            practice=Sum(AnswerSeconds("created_at", "answered_at", cap=ANSWER_TIME_CAP)),
        )
    )


def _totals(days: list[dict]) -> dict[int, _Totals]:
    totals: dict[int, _Totals] = defaultdict(_Totals)
    for row in days:
        learner = totals[row["user_id"]]
        learner.attempts += row["attempts"]
        learner.right += row["right"]
        learner.recent_attempts += row["recent_attempts"]
        learner.recent_right += row["recent_right"]
        learner.practice += row["practice"] or 0
        learner.days += 1
        learner.last = max(learner.last or 0, row["day"])
    return totals


def _learner(membership: Membership, totals: _Totals, directions, states) -> LearnerReport:
    return LearnerReport(
        user_id=membership.user_id,
        username=membership.user.get_username(),
        joined_at=membership.joined_at,
        share_recordings=membership.share_recordings,
        attempts=totals.attempts,
        correct=totals.right,
        recent_attempts=totals.recent_attempts,
        recent_correct=totals.recent_right,
        practice_seconds=round(totals.practice),
        days_active=totals.days,
        last_active=date.fromordinal(totals.last) if totals.last else None,
        directions=directions,
        states=states,
    )


def class_report(classroom: Classroom, *, now: datetime | None = None) -> ClassReport:
    """The teacher's view of ``classroom``: each learner's results (attempts, accuracy, recent
    accuracy, practice time, days active, confusions, assignment states), each assignment's
    completion, the class's weakest contrast directions and its trend by week.

    Six queries, whatever the number of learners and attempts: the database groups the
    attempts; Python only merges the grouped rows.
    """
    now = now or timezone.now()
    members = list(
        Membership.objects.filter(classroom=classroom)
        .select_related("user")
        .order_by("user__username")
    )
    assignments = list(
        Assignment.objects.filter(classroom=classroom)
        .select_related("lesson")
        .order_by("due", "pk")
    )
    user_ids = [m.user_id for m in members]
    states = lesson_states(user_ids, [a.lesson_id for a in assignments]) if assignments else {}
    answers = _answers(classroom)
    directions = _directions(answers)
    days = _days(answers, now=now)
    totals = _totals(days)
    learners = [
        _learner(
            membership,
            totals.get(membership.user_id, _Totals()),
            directions.get(membership.user_id, []),
            {
                a.lesson_id: states.get((membership.user_id, a.lesson_id), NOT_STARTED)
                for a in assignments
            },
        )
        for membership in members
    ]
    completion = []
    for assignment in assignments:
        counts = defaultdict(int)
        for learner in learners:
            counts[learner.states[assignment.lesson_id]] += 1
        completion.append(
            AssignmentReport(assignment, counts[DONE], counts[IN_PROGRESS], counts[NOT_STARTED])
        )
    return ClassReport(
        classroom=classroom,
        learners=learners,
        assignments=completion,
        weakest=_weakest(learners),
        weeks=_weeks(days),
    )


def _weakest(learners: list[LearnerReport]) -> list[ContrastDirection]:
    """The class's contrast directions with the lowest accuracy (enough answers only)."""
    merged: dict[tuple[str, str], list[int]] = {}
    for learner in learners:
        for d in learner.directions:
            totals = merged.setdefault((d.played, d.other), [0, 0])
            totals[0] += d.attempts
            totals[1] += d.correct
    rows = [
        ContrastDirection(played, other, attempts, right)
        for (played, other), (attempts, right) in merged.items()
        if attempts >= WEAKEST_MIN_ATTEMPTS and right < attempts
    ]
    rows.sort(key=lambda d: (d.correct / d.attempts, -d.attempts, d.played, d.other))
    return rows[:WEAKEST_LIMIT]


def _weeks(days: list[dict]) -> list[WeekReport]:
    """The class's answers by week (Monday first), oldest first, from the per-day rows."""
    weeks: dict[int, list] = {}
    for row in days:
        monday = row["day"] - (row["day"] - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
        week = weeks.setdefault(monday, [0, 0, set()])
        week[0] += row["attempts"]
        week[1] += row["right"]
        week[2].add(row["user_id"])
    return [
        WeekReport(date.fromordinal(monday), attempts, right, len(learners))
        for monday, (attempts, right, learners) in sorted(weeks.items())
    ]


def learner_report(classroom: Classroom, user_id: int, *, now: datetime | None = None):
    """One learner of the class as :func:`class_report` sees them, or ``None`` when they are
    not in it."""
    membership = membership_of(classroom, user_id)
    if membership is None:
        return None
    now = now or timezone.now()
    answers = _answers(classroom, user_id)
    assignments = list(Assignment.objects.filter(classroom=classroom).select_related("lesson"))
    states = lesson_states([user_id], [a.lesson_id for a in assignments])
    return _learner(
        membership,
        _totals(_days(answers, now=now)).get(user_id, _Totals()),
        _directions(answers).get(user_id, []),
        {a.lesson_id: states.get((user_id, a.lesson_id), NOT_STARTED) for a in assignments},
    )


@dataclass(frozen=True)
class SharedRecording:
    """A recording the learner lets the teacher hear: what was said and the app's verdict."""

    kind: str  # "vowel" or "word"
    pk: int
    label: str
    verdict: str
    verdict_vi: str
    created_at: datetime
    has_audio: bool


def shared_recordings(classroom: Classroom, user_id: int, *, now: datetime | None = None):
    """The learner's recent recordings with the app's verdict, newest first, only while they
    share them with this class (empty otherwise)."""
    membership = Membership.objects.filter(
        classroom=classroom, user_id=user_id, share_recordings=True
    ).first()
    if membership is None:
        return []
    since = (now or timezone.now()) - timedelta(days=RECORDINGS_DAYS)
    rows = [
        SharedRecording(
            kind="vowel",
            pk=r.pk,
            label=f"/{r.phoneme.ipa_symbol}/",
            verdict=r.verdict,
            verdict_vi=r.get_verdict_display(),
            created_at=r.created_at,
            has_audio=bool(r.file_name),
        )
        for r in VowelRecording.objects.filter(user_id=user_id, created_at__gte=since)
        .select_related("phoneme")
        .order_by("-created_at", "-pk")[:RECORDINGS_LIMIT]
    ]
    word_model = _word_recording_model()
    if word_model is not None:
        rows += [
            SharedRecording(
                kind="word",
                pk=r.pk,
                label=str(getattr(r, "word", "") or r),
                verdict=str(getattr(r, "verdict", "")),
                verdict_vi=(
                    r.get_verdict_display()
                    if hasattr(r, "get_verdict_display")
                    else str(getattr(r, "verdict", ""))
                ),
                created_at=r.created_at,
                has_audio=bool(getattr(r, "file_name", "")),
            )
            for r in word_model.objects.filter(user_id=user_id, created_at__gte=since).order_by(
                "-created_at", "-pk"
            )[:RECORDINGS_LIMIT]
        ]
    rows.sort(key=lambda r: r.created_at, reverse=True)
    return rows[:RECORDINGS_LIMIT]


def _word_recording_model():
    """practice's WordRecording, where it exists."""
    try:
        return apps.get_model("practice", "WordRecording")
    except LookupError:
        return None


def shared_recording_get(classroom: Classroom, user_id: int, kind: str, pk: int):
    """Recording ``pk`` of learner ``user_id`` if they share it with ``classroom`` now."""
    if not Membership.objects.filter(
        classroom=classroom, user_id=user_id, share_recordings=True
    ).exists():
        return None
    model = (
        VowelRecording if kind == "vowel" else _word_recording_model() if kind == "word" else None
    )
    if model is None:
        return None
    return model.objects.filter(pk=pk, user_id=user_id).first()
