from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from apps.curriculum.models import (
    PronunciationLesson,
    PronunciationLessonPhoneme,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)
from apps.curriculum.progress import phoneme_attempt_record
from tests.factories import make_phoneme, make_user


class PhonemeProgressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()
        cls.phoneme = make_phoneme("θ")

    def test_attempts_and_correct_answers_are_counted(self):
        phoneme_attempt_record(self.user, self.phoneme, correct=True)
        progress = phoneme_attempt_record(self.user, self.phoneme, correct=False)
        self.assertEqual((progress.attempts, progress.correct), (2, 1))
        self.assertIsNotNone(progress.last_practised_at)

    def test_one_lucky_answer_is_not_mastery(self):
        progress = phoneme_attempt_record(self.user, self.phoneme, correct=True)
        self.assertEqual(progress.mastery, 20)

    def test_mastery_is_the_share_of_correct_attempts(self):
        for correct in [True] * 8 + [False] * 2:
            progress = phoneme_attempt_record(self.user, self.phoneme, correct=correct)
        self.assertEqual(progress.mastery, 80)

    def test_one_row_per_user_and_phoneme(self):
        phoneme_attempt_record(self.user, self.phoneme, correct=True)
        phoneme_attempt_record(self.user, self.phoneme, correct=True)
        self.assertEqual(UserPhonemeProgress.objects.count(), 1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            UserPhonemeProgress.objects.create(user=self.user, phoneme=self.phoneme)

    def test_more_correct_than_attempts_is_rejected(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            UserPhonemeProgress.objects.create(
                user=self.user, phoneme=self.phoneme, attempts=1, correct=2
            )


class LessonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()
        cls.lesson = PronunciationLesson.objects.create(
            slug="long-short-i", title="Long and short i", title_vi="Âm /iː/ và /ɪ/"
        )

    def test_phonemes_come_in_lesson_order(self):
        second, first = make_phoneme("ɪ"), make_phoneme("iː")
        PronunciationLessonPhoneme.objects.create(lesson=self.lesson, phoneme=second, position=2)
        PronunciationLessonPhoneme.objects.create(lesson=self.lesson, phoneme=first, position=1)
        self.assertEqual(list(self.lesson.ordered_phonemes()), [first, second])

    def test_completed_needs_a_completion_date(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            UserPronunciationLessonProgress.objects.create(
                user=self.user, lesson=self.lesson, status="completed"
            )
        progress = UserPronunciationLessonProgress.objects.create(
            user=self.user, lesson=self.lesson, status="completed", completed_at=timezone.now()
        )
        self.assertEqual(progress.get_status_display(), "Completed")

    def test_score_is_at_most_100(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            UserPronunciationLessonProgress.objects.create(
                user=self.user, lesson=self.lesson, score=101
            )
