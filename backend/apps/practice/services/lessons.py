"""A learner's lessons: started by their drills, completed when the completion rule
(``practice.selectors.lesson_completion``) says so, never because a client asks."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.curriculum.models import PronunciationLesson, UserPronunciationLessonProgress
from apps.practice.selectors import LessonCompletion, lesson_completion


def lesson_progress_from_drills(
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
