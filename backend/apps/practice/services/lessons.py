"""A learner's lessons: started by their drills, completed with a score."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.curriculum.models import PronunciationLesson, UserPronunciationLessonProgress
from apps.practice.selectors import lesson_drill_stats


def lesson_progress_from_drills(
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
