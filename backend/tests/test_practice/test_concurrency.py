"""Answers at the same moment, for real, on PostgreSQL (threads, one connection each): an item
is answered once, and no answer's progress or review is lost."""

import unittest

from django.db import connection
from django.test import TransactionTestCase

from apps.curriculum.models import UserPhonemeProgress
from apps.practice.models import DrillAttempt, ReviewCard
from apps.practice.services.drills import DrillAlreadyAnswered, drill_answer, drill_start
from tests.factories import TempMediaMixin, make_user
from tests.test_practice.helpers import give_audio, make_contrast, make_pair
from tests.threads import run_in_threads

THREADS = 8


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "row locks and concurrent writers need PostgreSQL (DATABASE_URL=postgres://…; .ci/run)",
)
class ConcurrentAnswerTests(TempMediaMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        self.long_i, self.short_i = make_contrast()
        self.pair = make_pair(self.long_i, self.short_i)
        give_audio(self.pair)
        self.learner = make_user()

    def test_an_item_answered_at_once_from_many_places_counts_once(self):
        attempt = drill_start(self.learner, accent="en-US")
        results, errors = run_in_threads(
            lambda: drill_answer(self.learner, attempt.pk, choice="a"), THREADS
        )
        self.assertEqual(len(results), 1)
        self.assertEqual(len(errors), THREADS - 1)
        self.assertTrue(all(isinstance(error, DrillAlreadyAnswered) for error in errors), errors)
        self.assertEqual(UserPhonemeProgress.objects.get().attempts, 1)
        self.assertEqual(ReviewCard.objects.get().reviews, 1)

    def test_answers_to_items_of_one_contrast_at_once_are_all_counted(self):
        attempts = [drill_start(self.learner, accent="en-US") for _ in range(THREADS)]
        for attempt in attempts:  # one phoneme heard in all of them
            DrillAttempt.objects.filter(pk=attempt.pk).update(answer_word=1, word_1_key="a")
        pending = iter(attempts)

        def answer_next():
            return drill_answer(self.learner, next(pending).pk, choice="a")

        results, errors = run_in_threads(answer_next, THREADS)
        self.assertEqual((len(results), errors), (THREADS, []))
        card = ReviewCard.objects.get()
        self.assertEqual((card.reviews, card.lapses), (THREADS, 0))
        progress = UserPhonemeProgress.objects.get(phoneme=self.long_i)
        self.assertEqual((progress.attempts, progress.correct), (THREADS, THREADS))
