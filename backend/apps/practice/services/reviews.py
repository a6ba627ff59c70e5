"""Spaced review of the contrasts a learner has drilled (FSRS)."""

from datetime import datetime
from functools import cache

from django.db import IntegrityError, transaction
from django.db.models import F
from fsrs import Card, Rating, Scheduler

from apps.curriculum.models import MinimalPair
from apps.practice.models import ReviewCard


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
