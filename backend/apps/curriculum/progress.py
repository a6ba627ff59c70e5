"""Writes on a learner's progress."""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.curriculum.models import Phoneme, UserPhonemeProgress

# Mastery is the share of correct attempts, but counted over at least this many attempts,
# so that one lucky answer is not "100 % mastered".
MASTERY_MIN_ATTEMPTS = 5


@transaction.atomic
def phoneme_attempt_record(user, phoneme: Phoneme, *, correct: bool) -> UserPhonemeProgress:
    """Record one practice attempt of ``phoneme`` by ``user``; return the updated progress.

    One UPDATE computes attempts, correct answers and mastery from the row's current values,
    so concurrent attempts are all counted.
    """
    progress, _ = UserPhonemeProgress.objects.get_or_create(user=user, phoneme=phoneme)
    gained = 1 if correct else 0
    UserPhonemeProgress.objects.filter(pk=progress.pk).update(
        attempts=F("attempts") + 1,
        correct=F("correct") + gained,
        mastery=(F("correct") + gained)
        * 100
        / Greatest(F("attempts") + 1, Value(MASTERY_MIN_ATTEMPTS)),
        last_practised_at=timezone.now(),
    )
    progress.refresh_from_db()
    return progress
