"""A learner's progress, profile and lessons through the API: each learner sees only theirs."""

from datetime import timedelta

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.curriculum.models import UserPronunciationLessonProgress
from apps.curriculum.progress import phoneme_attempt_record
from apps.practice.models import DrillAttempt, LearnerProfile, ReviewCard
from tests.factories import TempMediaMixin, make_user
from tests.test_practice.helpers import give_audio, make_contrast, make_lesson, make_pair

LEARNER_ENDPOINTS = [
    ("get", "/api/progress/"),
    ("get", "/api/profile/"),
    ("patch", "/api/profile/"),
    ("get", "/api/drills/next/"),
    ("get", "/api/drills/kinds/"),
    ("get", "/api/drills/1/audio/"),
    ("post", "/api/drills/1/answer/"),
    ("get", "/api/lessons/"),
    ("get", "/api/lessons/1/"),
    ("post", "/api/lessons/1/complete/"),
    ("get", "/api/feedback/vowel/"),
    ("post", "/api/feedback/vowel/"),
    ("get", "/api/feedback/vowel/chart/"),
    ("delete", "/api/feedback/vowel/1/"),
    ("get", "/api/feedback/vowel/1/audio/"),
]


class AnonymousTests(TestCase):
    def test_every_learner_endpoint_wants_a_login(self):
        client = APIClient()
        for method, url in LEARNER_ENDPOINTS:
            with self.subTest(f"{method} {url}"):
                response = getattr(client, method)(url)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response["WWW-Authenticate"], "Token")


class ProgressApiTests(TestCase):
    def setUp(self):
        self.long_i, self.short_i = make_contrast()
        self.pair = make_pair(self.long_i, self.short_i)
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def test_progress_per_phoneme_with_totals(self):
        for correct in (True, True, False):
            phoneme_attempt_record(self.learner, self.long_i, correct=correct)
        due = timezone.now() - timedelta(minutes=5)
        ReviewCard.objects.create(user=self.learner, pair=self.pair, card={}, due=due)

        body = self.client.get("/api/progress/").json()

        rows = {row["ipa_symbol"]: row for row in body["phonemes"]}
        self.assertEqual(len(rows), 2)
        long_i = rows["iː"]
        self.assertEqual((long_i["attempts"], long_i["correct"], long_i["mastery"]), (3, 2, 40))
        self.assertEqual(long_i["due_now"], 1)
        self.assertIsNotNone(long_i["next_due"])
        self.assertEqual((rows["ɪ"]["attempts"], rows["ɪ"]["due_now"]), (0, 1))
        totals = body["totals"]
        self.assertEqual((totals["attempts"], totals["correct"]), (3, 2))
        self.assertEqual((totals["reviews_due"], totals["contrasts_seen"]), (1, 1))
        self.assertEqual(totals["phonemes_practised"], 1)

    def test_a_learner_never_sees_another_learners_progress(self):
        other = make_user()
        phoneme_attempt_record(other, self.long_i, correct=True)
        ReviewCard.objects.create(user=other, pair=self.pair, card={}, due=timezone.now())
        body = self.client.get("/api/progress/").json()
        self.assertEqual(body["totals"]["attempts"], 0)
        self.assertEqual(body["totals"]["contrasts_seen"], 0)
        self.assertTrue(
            all(row["attempts"] == 0 and row["next_due"] is None for row in body["phonemes"])
        )

    def test_progress_costs_the_same_queries_with_more_history(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get("/api/progress/").status_code, 200)
            return len(queries)

        phoneme_attempt_record(self.learner, self.long_i, correct=True)
        few = count()
        for number in range(10):
            pair = make_pair(self.long_i, self.short_i)
            ReviewCard.objects.create(user=self.learner, pair=pair, card={}, due=timezone.now())
            phoneme_attempt_record(self.learner, self.short_i, correct=bool(number % 2))
        self.assertEqual(count(), few)


class ProfileApiTests(TestCase):
    def setUp(self):
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def test_the_default_voice_is_male(self):
        self.assertEqual(self.client.get("/api/profile/").json()["voice"], "male")

    def test_the_voice_can_be_changed(self):
        response = self.client.patch("/api/profile/", {"voice": "female"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(LearnerProfile.objects.get(user=self.learner).voice, "female")
        self.assertEqual(self.client.get("/api/profile/").json()["voice"], "female")
        self.client.patch("/api/profile/", {"voice": "male"}, format="json")
        self.assertEqual(LearnerProfile.objects.get(user=self.learner).voice, "male")

    def test_an_unknown_voice_is_refused(self):
        response = self.client.patch("/api/profile/", {"voice": "child"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("voice", response.json())


class LessonApiTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.long_i, self.short_i = make_contrast()
        self.pairs = [make_pair(self.long_i, self.short_i) for _ in range(2)]
        for pair in self.pairs:
            give_audio(pair)
        self.lesson = make_lesson([self.long_i, self.short_i], self.pairs, description_vi="Bài đầu")
        self.hidden = make_lesson([self.long_i], [], is_published=False)
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def test_lessons_list_with_the_learners_progress(self):
        UserPronunciationLessonProgress.objects.create(
            user=make_user(), lesson=self.lesson, status="in_progress"
        )
        lessons = self.client.get("/api/lessons/").json()
        self.assertEqual([lesson["id"] for lesson in lessons], [self.lesson.pk])
        lesson = lessons[0]
        self.assertEqual([p["ipa_symbol"] for p in lesson["phonemes"]], ["iː", "ɪ"])
        self.assertEqual(lesson["pair_count"], 2)
        self.assertEqual(lesson["progress"]["status"], "not_started")  # someone else's progress

    def test_a_lesson_is_a_path_of_explanations_listening_and_drills(self):
        body = self.client.get(f"/api/lessons/{self.lesson.pk}/").json()
        self.assertEqual(body["lesson"]["id"], self.lesson.pk)
        self.assertEqual(
            [(step["type"], step.get("phoneme_id")) for step in body["steps"]],
            [
                ("explanation", self.long_i.pk),
                ("listen", self.long_i.pk),
                ("explanation", self.short_i.pk),
                ("listen", self.short_i.pk),
                ("drills", None),
            ],
        )
        self.assertEqual(body["phonemes"][0]["audio_url"], f"/api/phonemes/{self.long_i.pk}/audio/")
        self.assertEqual(body["drills"]["url"], f"/api/drills/next/?lesson={self.lesson.pk}")
        self.assertEqual(body["drills"]["pairs_total"], 2)
        self.assertEqual(len(body["pairs"]), 2)

    def test_unpublished_and_unknown_lessons_are_404(self):
        for pk in (self.hidden.pk, 999999, "x"):
            self.assertEqual(self.client.get(f"/api/lessons/{pk}/").status_code, 404)
            self.assertEqual(self.client.post(f"/api/lessons/{pk}/complete/").status_code, 404)

    def test_a_score_sent_by_the_client_completes_nothing(self):
        response = self.client.post(
            f"/api/lessons/{self.lesson.pk}/complete/", {"score": 100}, format="json"
        )
        self.assertEqual(response.status_code, 409)
        self.assertFalse(
            UserPronunciationLessonProgress.objects.filter(status="completed").exists()
        )

    def test_hearing_the_lessons_contrasts_right_twenty_times_completes_it(self):
        statuses = []
        for _ in range(20):
            item = self.client.get("/api/drills/next/", {"lesson": self.lesson.pk}).json()
            self.assertEqual(item["format"], "oddity")
            self.assertEqual([c["key"] for c in item["choices"]], ["a", "b", "c"])
            attempt = DrillAttempt.objects.get(pk=item["id"])
            result = self.client.post(
                f"/api/drills/{item['id']}/answer/", {"choice": attempt.answer_key}, format="json"
            ).json()
            statuses.append(result["lesson"]["status"])
        self.assertEqual(statuses[:19], ["in_progress"] * 19)
        self.assertEqual(statuses[-1], "completed")
        progress = UserPronunciationLessonProgress.objects.get(
            user=self.learner, lesson=self.lesson
        )
        self.assertEqual((progress.status, progress.score), ("completed", 100))
        listed = self.client.get("/api/lessons/").json()[0]["progress"]
        self.assertEqual(listed["status"], "completed")
