"""Small factories for the classes tests: teachers, classes, members and answered drills."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from apps.classes.models import Classroom, Membership
from apps.classes.services import classroom_create, teacher_add
from apps.curriculum.models import UserPronunciationLessonProgress
from apps.practice.models import DrillAttempt
from tests.factories import make_user


def make_teacher(username: str | None = None):
    user = make_user(username)
    teacher_add(user.get_username())
    return user


def make_classroom(teacher=None, *, name: str = "Lớp 10A1", learners=()) -> Classroom:
    classroom = classroom_create(teacher or make_teacher(), name=name)
    for learner in learners:
        Membership.objects.create(classroom=classroom, user=learner)
    return classroom


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def answer(user, pair, *, played: int, chosen: int, ago: timedelta = timedelta(hours=1), **fields):
    """An answered drill: word ``played`` (1 or 2) of ``pair`` was played, the learner picked
    word ``chosen``."""
    answered = timezone.now() - ago
    return DrillAttempt.objects.create(
        user=user,
        pair=pair,
        answer_word=played,
        word_1_key="a",
        accent="en-US",
        created_at=answered - timedelta(seconds=5),
        answered_at=answered,
        choice="a" if chosen == 1 else "b",
        correct=played == chosen,
        **fields,
    )


def answers_bulk(users, pairs, per_user: int, *, now=None) -> None:
    """``per_user`` answers for each user over ``pairs`` and a few weeks, one in four wrong."""
    now = now or timezone.now()
    rows = []
    for user in users:
        for index in range(per_user):
            played = 1 + index % 2
            chosen = played if index % 4 else 3 - played
            answered = now - timedelta(days=index % 30, minutes=index)
            rows.append(
                DrillAttempt(
                    user=user,
                    pair=pairs[index % len(pairs)],
                    answer_word=played,
                    word_1_key="a",
                    accent="en-US",
                    created_at=answered - timedelta(seconds=4),
                    answered_at=answered,
                    choice="a" if chosen == 1 else "b",
                    correct=played == chosen,
                )
            )
    DrillAttempt.objects.bulk_create(rows, batch_size=2000)


def lesson_done(user, lesson) -> None:
    """The learner's lesson as the server records it once its completion rule is met (the
    rule itself is practice's, and tested there)."""
    UserPronunciationLessonProgress.objects.update_or_create(
        user=user,
        lesson=lesson,
        defaults={"status": "completed", "completed_at": timezone.now(), "score": 90},
    )


def lesson_started(user, lesson) -> None:
    UserPronunciationLessonProgress.objects.update_or_create(
        user=user, lesson=lesson, defaults={"status": "in_progress", "completed_at": None}
    )
