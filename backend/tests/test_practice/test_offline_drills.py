"""Drill packs for offline practice: a pack carries its answers, so its answers are marked
offline, recorded exactly once when they are synced, and count for the learner's progress and
reviews but never for a lesson."""

from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from apps.curriculum.models import UserPhonemeProgress
from apps.practice.models import DrillAttempt, ReviewCard
from apps.practice.selectors import lesson_drill_stats
from tests.factories import TempMediaMixin, make_user
from tests.test_practice.helpers import give_audio, make_contrast, make_lesson, make_pair

PACK = "/api/drills/pack/"
SYNC = "/api/drills/offline-answers/"


class OfflineDrillTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.long_i, self.short_i = make_contrast()
        self.pairs = []
        for number in range(3):
            pair = make_pair(
                self.long_i, self.short_i, word_1=f"sheep{number}", word_2=f"ship{number}"
            )
            give_audio(pair)
            self.pairs.append(pair)
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def pack(self) -> list[dict]:
        response = self.client.get(PACK, {"accent": "en-US"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        return response.json()["items"]

    def sync(self, answers: list[dict]) -> dict:
        response = self.client.post(SYNC, {"answers": answers}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["results"]

    def test_a_pack_has_one_item_per_contrast_with_its_answer_and_audio(self):
        items = self.pack()

        self.assertEqual(len(items), 3)
        self.assertEqual(len({item["id"] for item in items}), 3)
        for item in items:
            attempt = DrillAttempt.objects.get(pk=item["id"])
            self.assertTrue(attempt.offline)
            self.assertIsNone(attempt.lesson)
            self.assertEqual(item["answer_key"], attempt.answer_key)
            self.assertEqual(item["audio_url"], attempt.audio_source.audio_file.url)
            self.assertTrue(item["right_vi"].startswith("Đúng rồi"))

    def test_synced_answers_are_recorded_once_and_count_for_progress_and_reviews(self):
        items = self.pack()
        answers = [
            {
                "id": item["id"],
                "choice": item["answer_key"],
                "client_key": f"key-{item['id']}-answer",
            }
            for item in items
        ]

        first = self.sync(answers)
        again = self.sync(answers)

        self.assertEqual(set(first.values()), {"recorded"})
        self.assertEqual(set(again.values()), {"duplicate"})
        answered = DrillAttempt.objects.filter(user=self.learner, answered_at__isnull=False)
        self.assertEqual(answered.count(), 3)
        self.assertTrue(all(a.offline and a.correct for a in answered))
        self.assertEqual(ReviewCard.objects.get(user=self.learner, pair=self.pairs[0]).reviews, 1)
        progress = UserPhonemeProgress.objects.filter(user=self.learner)
        self.assertEqual(sum(row.attempts for row in progress), 3)

    def test_the_phone_s_time_is_kept_within_the_item_s_life(self):
        items = self.pack()
        results = self.sync(
            [
                {"id": items[0]["id"], "choice": "a", "client_key": "time-in-the-past",
                 "answered_at": "2001-01-01T00:00:00+07:00"},
                {"id": items[1]["id"], "choice": "a", "client_key": "time-in-the-future",
                 "answered_at": "2999-01-01T00:00:00Z"},
            ]
        )  # fmt: skip

        self.assertEqual(set(results.values()), {"recorded"})
        for item in items[:2]:
            attempt = DrillAttempt.objects.get(pk=item["id"])
            self.assertGreaterEqual(attempt.answered_at, attempt.created_at)
            self.assertLessEqual(attempt.answered_at, timezone.now())

    def test_another_learner_cannot_answer_my_pack(self):
        item = self.pack()[0]
        other = APIClient()
        other.force_authenticate(make_user())

        response = other.post(
            SYNC,
            {"answers": [{"id": item["id"], "choice": "a", "client_key": "someone-else"}]},
            format="json",
        )

        self.assertEqual(response.json()["results"], {"someone-else": "not_found"})
        self.assertIsNone(DrillAttempt.objects.get(pk=item["id"]).answered_at)

    def test_a_bad_answer_is_a_400_with_a_message(self):
        response = self.client.post(
            SYNC, {"answers": [{"id": 1, "choice": "z", "client_key": "k"}]}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("answers", response.json())

    def test_offline_answers_never_count_for_a_lesson(self):
        lesson = make_lesson([self.long_i, self.short_i], self.pairs)
        items = self.pack()
        # Even an offline item inside a lesson (none is made so today) does not count.
        DrillAttempt.objects.filter(pk__in=[i["id"] for i in items]).update(lesson=lesson)
        self.sync(
            [
                {"id": i["id"], "choice": i["answer_key"], "client_key": f"lesson-{i['id']}-answer"}
                for i in items
            ]
        )

        stats = lesson_drill_stats(self.learner, lesson)

        self.assertEqual((stats.answered, stats.pairs_correct), (0, 0))
        self.assertFalse(stats.all_pairs_done)
