"""A new learner's start: dialect and accent (remembered), then the placement test."""

from django.test import TestCase, override_settings
from rest_framework.test import APIClient

from apps.curriculum.models import PhonemeTip
from apps.practice.models import DrillAttempt, LearnerProfile, ReviewCard
from apps.practice.onboarding import PLACEMENT_ITEMS, learner_accent, placement_pairs
from tests.factories import TempMediaMixin, make_user
from tests.hermetic import EDGE_OFFLINE, LOCMEM
from tests.test_practice.helpers import make_contrast, make_lesson, make_pair

OFFLINE = {"espeak": LOCMEM, "edge": EDGE_OFFLINE}
POOL = {
    "en-US": [("espeak:en-us", "male"), ("espeak:en-us+f3", "female")],
    "en-GB": [("espeak:en-gb-x-rp", "male"), ("espeak:en-gb-x-rp+f3", "female")],
}


class OnboardingPageTests(TestCase):
    def setUp(self):
        self.learner = make_user()
        self.client.force_login(self.learner)

    def test_dialect_and_accent_are_saved_and_the_placement_test_comes_next(self):
        response = self.client.post("/hoc/bat-dau/", {"dialect": "nam", "accent": "en-GB"})
        self.assertRedirects(response, "/hoc/kiem-tra/")
        profile = LearnerProfile.objects.get(user=self.learner)
        self.assertEqual((profile.dialect, profile.accent), ("nam", "en-GB"))

    def test_the_choice_is_required_and_the_errors_are_vietnamese(self):
        response = self.client.post("/hoc/bat-dau/", {}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Hãy chọn giọng miền của bạn.")
        self.assertContains(response, "Hãy chọn giọng tiếng Anh bạn muốn luyện.")
        self.assertFalse(
            LearnerProfile.objects.filter(user=self.learner).exclude(dialect="").exists()
        )

    def test_the_accent_is_remembered_on_every_page(self):
        self.client.post("/hoc/bat-dau/", {"dialect": "bac", "accent": "en-GB"})
        for page in ("/hoc/", f"/hoc/bai-hoc/{make_lesson([], []).pk}/"):
            with self.subTest(page):
                body = self.client.get(page).content.decode()
                self.assertRegex(body, r'value="en-GB"\s+checked')
                self.assertNotRegex(body, r'value="en-US"\s+checked')

    def test_the_accent_switch_updates_the_profile_through_the_api(self):
        client = APIClient()
        client.force_authenticate(self.learner)
        response = client.patch("/api/profile/", {"accent": "en-GB"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["accent"], "en-GB")
        self.assertEqual(response.json()["voice"], "male")  # untouched
        self.assertEqual(learner_accent(self.learner), "en-GB")
        bad = client.patch("/api/profile/", {"dialect": "hue"}, format="json")
        self.assertEqual(bad.status_code, 400)


@override_settings(PHATAM_DRILL_VOICES=POOL, PHATAM_TTS_ENGINES=OFFLINE)
class PlacementTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.lessons, self.pairs = [], []
        for index, (first, second) in enumerate([("iː", "ɪ"), ("uː", "ʊ"), ("æ", "e")]):
            phonemes = make_contrast(first, second)
            pairs = [make_pair(*phonemes) for _ in range(3)]
            self.pairs.append(pairs)
            self.lessons.append(make_lesson(list(phonemes), pairs, order=index + 1))
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def test_the_test_asks_each_lessons_first_contrast_first(self):
        asked = placement_pairs("en-US")
        self.assertEqual(asked[:3], [pairs[0] for pairs in self.pairs])
        self.assertEqual(len(asked), 9)  # every contrast once: fewer than PLACEMENT_ITEMS exist

    def test_twenty_answers_set_the_first_lesson_and_the_weak_contrasts(self):
        weak = self.pairs[1][0]  # the learner mishears the second lesson's first contrast
        results = []
        for _ in range(PLACEMENT_ITEMS):
            item = self.client.get("/api/drills/next/", {"placement": "1"}).json()
            self.assertEqual(item["format"], "identify")
            attempt = DrillAttempt.objects.get(pk=item["id"])
            self.assertTrue(attempt.placement)
            right = (
                attempt.answer_key
                if attempt.pair != weak
                else ("ab".replace(attempt.answer_key, ""))
            )
            results.append(
                self.client.post(
                    f"/api/drills/{item['id']}/answer/", {"choice": right}, format="json"
                ).json()
            )
        self.assertEqual([r["placement"]["answered"] for r in results], list(range(1, 21)))
        self.assertFalse(any(r["placement"]["done"] for r in results[:-1]))
        last = results[-1]["placement"]
        self.assertTrue(last["done"])
        self.assertEqual(last["first_lesson_id"], self.lessons[1].pk)
        self.assertEqual(last["first_lesson_url"], f"/hoc/bai-hoc/{self.lessons[1].pk}/")
        # The contrast heard wrong is the first review of free practice.
        asked = DrillAttempt.objects.filter(pair=weak).count()
        self.assertEqual(ReviewCard.objects.get(user=self.learner, pair=weak).lapses, asked)
        item = self.client.get("/api/drills/next/").json()
        self.assertEqual(self.client.get("/api/drills/next/", {"placement": "1"}).status_code, 404)
        self.assertIn(DrillAttempt.objects.get(pk=item["id"]).pair, [weak])

    def test_the_placement_page_shows_where_the_learner_starts_once_done(self):
        page = self.client_page()
        self.assertContains(page.get("/hoc/kiem-tra/"), "?placement=1")
        profile = LearnerProfile.objects.create(user=self.learner, first_lesson=self.lessons[2])
        LearnerProfile.objects.filter(pk=profile.pk).update(placement_done_at="2026-01-01T00:00Z")
        self.assertContains(page.get("/hoc/kiem-tra/"), f"/hoc/bai-hoc/{self.lessons[2].pk}/")

    def client_page(self):
        from django.test import Client

        client = Client()
        client.force_login(self.learner)
        return client


class VietnameseAccountErrorsTests(TestCase):
    def register(self, password: str) -> str:
        response = APIClient().post(
            "/api/auth/register/",
            {"username": "lan", "password": password},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.status_code, 400)
        return " ".join(response.json()["password"])

    def test_weak_password_errors_are_vietnamese_whatever_the_client_asks(self):
        self.assertIn("ít nhất 8 ký tự", self.register("123"))
        messages = self.register("12345678")  # long enough: Django's validators answer
        self.assertIn("hoàn toàn là số", messages)
        self.assertNotIn("This password", messages)

    def test_the_sign_up_page_shows_them_in_vietnamese_too(self):
        response = self.client.post(
            "/hoc/dang-ky/",
            {"username": "lan", "password1": "12345", "password2": "12345"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertContains(response, "Mật khẩu quá ngắn")
        self.assertNotContains(response, "This password")


@override_settings(PHATAM_DRILL_VOICES=POOL, PHATAM_TTS_ENGINES=OFFLINE)
class DialectTipsTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.long_i, self.short_i = make_contrast()
        self.pair = make_pair(self.long_i, self.short_i)
        for phoneme in (self.long_i, self.short_i):
            PhonemeTip.objects.create(phoneme=phoneme, text_vi="Cho mọi người.", position=0)
            PhonemeTip.objects.create(
                phoneme=phoneme, dialect="bac", text_vi="Cho người miền Bắc.", position=1
            )
            PhonemeTip.objects.create(
                phoneme=phoneme, dialect="nam", text_vi="Cho người miền Nam.", position=2
            )

    def tips_after_an_answer(self, dialect: str) -> list[str]:
        learner = make_user()
        LearnerProfile.objects.create(user=learner, dialect=dialect)
        client = APIClient()
        client.force_authenticate(learner)
        item = client.get("/api/drills/next/").json()
        key = DrillAttempt.objects.get(pk=item["id"]).answer_key
        answer = client.post(f"/api/drills/{item['id']}/answer/", {"choice": key}, format="json")
        return answer.json()["tips_vi"]

    def test_each_dialects_speakers_read_their_tip_first(self):
        self.assertEqual(self.tips_after_an_answer("nam")[0], "Cho người miền Nam.")
        self.assertEqual(self.tips_after_an_answer("bac")[0], "Cho người miền Bắc.")
        self.assertEqual(self.tips_after_an_answer("")[0], "Cho mọi người.")

    def test_the_lesson_page_shows_the_learners_dialect_tip_first(self):
        learner = make_user()
        LearnerProfile.objects.create(user=learner, dialect="nam")
        lesson = make_lesson([self.long_i], [self.pair])
        self.client.force_login(learner)
        body = self.client.get(f"/hoc/bai-hoc/{lesson.pk}/").content.decode()
        self.assertLess(body.index("Cho người miền Nam."), body.index("Cho mọi người."))
        self.assertLess(body.index("Cho mọi người."), body.index("Cho người miền Bắc."))
