"""A new learner's start: their dialect and target accent, then a placement listening test.

The placement test is PLACEMENT_ITEMS listening items over the course's main contrasts (the
first contrast of each lesson, in course order, then the next ones). Its answers are rated
like any drill (a contrast heard wrong is due again soon: the weak-contrast queue of free
practice), and when the last is answered the learner's first lesson is the first lesson of
the course with a contrast they got wrong.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.curriculum.models import MinimalPair, PronunciationLesson, PronunciationLessonPair
from apps.practice.models import DrillAttempt, LearnerProfile
from apps.practice.services.accounts import profile_update

PLACEMENT_ITEMS = 20


def learner_accent(user) -> str:
    """The accent the learner chose (remembered in their profile), else the default one."""
    profile = LearnerProfile.objects.filter(user=user).only("accent").first()
    accent = profile.accent if profile is not None else ""
    return accent if accent in settings.PHATAM_VOICES else settings.PHATAM_DEFAULT_ACCENT


def learner_dialect(user) -> str:
    """ "bac", "trung", "nam", or "" while the learner has not said."""
    profile = LearnerProfile.objects.filter(user=user).only("dialect").first()
    return profile.dialect if profile is not None else ""


def placement_pairs(accent: str) -> list[MinimalPair]:
    """The contrasts the placement test asks about, in order: the first contrast of each
    published lesson (course order), then each lesson's second, and so on, each once, only
    those that are real in ``accent``; at most PLACEMENT_ITEMS."""
    real = set(MinimalPair.objects.for_accent(accent).values_list("pk", flat=True))
    links = (
        PronunciationLessonPair.objects.filter(lesson__is_published=True, minimal_pair__in=real)
        .select_related("minimal_pair__phoneme_1", "minimal_pair__phoneme_2")
        .order_by("lesson__order", "lesson__pk", "position", "pk")
    )
    by_lesson: dict[int, list[MinimalPair]] = {}
    for link in links:
        by_lesson.setdefault(link.lesson_id, []).append(link.minimal_pair)
    chosen: dict[int, MinimalPair] = {}
    rank = 0
    while len(chosen) < PLACEMENT_ITEMS and any(rank < len(p) for p in by_lesson.values()):
        for pairs in by_lesson.values():
            if rank < len(pairs) and len(chosen) < PLACEMENT_ITEMS:
                chosen.setdefault(pairs[rank].pk, pairs[rank])
        rank += 1
    return list(chosen.values())


@dataclass(frozen=True)
class PlacementState:
    answered: int
    total: int
    done: bool
    first_lesson: PronunciationLesson | None


def placement_state(user) -> PlacementState:
    """How far the learner is in the placement test, and the lesson it chose once done."""
    profile = LearnerProfile.objects.filter(user=user).select_related("first_lesson").first()
    answered = DrillAttempt.objects.filter(
        user=user, placement=True, answered_at__isnull=False
    ).count()
    done = profile is not None and profile.placement_done_at is not None
    return PlacementState(
        answered=answered,
        total=PLACEMENT_ITEMS,
        done=done,
        first_lesson=profile.first_lesson if done else None,
    )


def placement_pair_next(user, *, accent: str, exclude: tuple[int, ...] = ()) -> MinimalPair | None:
    """The placement test's next contrast, ``None`` once it has been asked PLACEMENT_ITEMS
    times (or the course has no contrast)."""
    pairs = [pair for pair in placement_pairs(accent) if pair.pk not in exclude]
    answered = DrillAttempt.objects.filter(
        user=user, placement=True, answered_at__isnull=False
    ).count()
    if not pairs or answered >= PLACEMENT_ITEMS:
        return None
    return pairs[answered % len(pairs)]


def placement_finish(user, *, now: datetime | None = None) -> PlacementState:
    """Once PLACEMENT_ITEMS placement answers exist: the learner's first lesson is the first
    published lesson with a contrast they got wrong (else the first lesson with a contrast
    the test did not ask, else the first lesson). Done once; later calls change nothing."""
    state = placement_state(user)
    if state.done or state.answered < PLACEMENT_ITEMS:
        return state
    outcomes = DrillAttempt.objects.filter(user=user, placement=True, answered_at__isnull=False)
    wrong = set(outcomes.filter(correct=False).values_list("pair_id", flat=True))
    asked = set(outcomes.values_list("pair_id", flat=True))
    lessons = list(
        PronunciationLesson.objects.filter(is_published=True).prefetch_related("minimal_pairs")
    )
    pairs_of = {lesson.pk: {pair.pk for pair in lesson.minimal_pairs.all()} for lesson in lessons}
    first = (
        next((lesson for lesson in lessons if pairs_of[lesson.pk] & wrong), None)
        or next((lesson for lesson in lessons if pairs_of[lesson.pk] - asked), None)
        or (lessons[0] if lessons else None)
    )
    with transaction.atomic():
        profile = profile_update(user)
        LearnerProfile.objects.filter(pk=profile.pk, placement_done_at__isnull=True).update(
            placement_done_at=now or timezone.now(), first_lesson=first
        )
    return placement_state(user)
