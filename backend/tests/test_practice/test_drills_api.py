"""Listening drills through the API: the next item, its audio, the answer, spaced review."""

import hashlib
import json
from datetime import timedelta

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fsrs import Card
from rest_framework.test import APIClient

from apps.curriculum.models import AudioSource, UserPhonemeProgress
from apps.practice.models import DrillAttempt, ReviewCard
from speech.decoding import decode_bytes
from speech.tts.base import TTSError
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_user
from tests.test_practice.helpers import (
    give_audio,
    make_answered_attempts,
    make_contrast,
    make_lesson,
    make_pair,
    token_header,
)

NEXT = "/api/drills/next/"


def answer_url(item: dict) -> str:
    return f"/api/drills/{item['id']}/answer/"


class DrillTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.long_i, self.short_i = make_contrast()
        self.pair = make_pair(
            self.long_i,
            self.short_i,
            word_1="sheep",
            word_2="ship",
            word_1_ipa="ʃiːp",
            word_2_ipa="ʃɪp",
        )
        self.sheep_audio, self.ship_audio = give_audio(self.pair)
        self.learner = make_user()
        self.client = APIClient()
        self.client.force_authenticate(self.learner)

    def next_item(self, **params) -> dict:
        response = self.client.get(NEXT, params)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def attempt(self, item: dict) -> DrillAttempt:
        return DrillAttempt.objects.get(pk=item["id"])

    def right_key(self, item: dict) -> str:
        return self.attempt(item).answer_key

    def wrong_key(self, item: dict) -> str:
        return "b" if self.right_key(item) == "a" else "a"


class NextItemTests(DrillTestCase):
    def test_an_item_offers_both_words_under_opaque_keys(self):
        item = self.next_item()

        self.assertEqual(item["kind"], "pair")
        self.assertEqual([choice["key"] for choice in item["choices"]], ["a", "b"])
        self.assertEqual(
            {(c["word"], c["ipa"]) for c in item["choices"]}, {("sheep", "ʃiːp"), ("ship", "ʃɪp")}
        )
        self.assertEqual(item["audio_url"], f"/api/drills/{item['id']}/audio/")
        self.assertTrue(item["prompt_vi"])
        attempt = self.attempt(item)
        self.assertEqual(
            (attempt.user, attempt.pair, attempt.accent), (self.learner, self.pair, "en-US")
        )
        self.assertIsNone(attempt.answered_at)

    def test_the_payload_never_says_which_word_is_played(self):
        for _ in range(12):
            item = self.next_item()
            attempt = self.attempt(item)
            word = attempt.pair.word_1 if attempt.answer_word == 1 else attempt.pair.word_2
            ipa = attempt.pair.word_1_ipa if attempt.answer_word == 1 else attempt.pair.word_2_ipa
            outside_choices = json.dumps(
                {k: v for k, v in item.items() if k not in {"choices", "words"}},
                ensure_ascii=False,
            )
            self.assertNotIn(word, outside_choices)
            self.assertNotIn(ipa, outside_choices)
            self.assertNotIn(word, item["audio_url"])
            self.assertNotIn(
                str(attempt.audio_source_id), item["audio_url"].replace(str(attempt.pk), "")
            )
            self.assertNotIn(attempt.voice, outside_choices)
            # Both choices have the same shape, and "words" lists both: nothing marks the answer.
            self.assertEqual(
                [set(choice) for choice in item["choices"]],
                [{"key", "label", "word", "ipa"}] * 2,
            )
            self.assertEqual(
                sorted(w["word"] for w in item["words"]), sorted(c["word"] for c in item["choices"])
            )

    def test_keys_and_played_words_are_shuffled_per_item(self):
        seen = set()
        for _ in range(40):
            attempt = self.attempt(self.next_item())
            seen.add((attempt.word_1_key, attempt.answer_word))
        self.assertEqual(seen, {("a", 1), ("a", 2), ("b", 1), ("b", 2)})

    def test_the_accent_is_the_one_asked_for(self):
        give_audio(self.pair, accent="en-GB")
        item = self.next_item(accent="en-GB")
        self.assertEqual(item["accent"], "en-GB")
        self.assertEqual(self.attempt(item).audio_source.language, "en-GB")

    def test_us_transcriptions_are_shown_for_the_us_accent(self):
        self.pair.word_1_ipa_us = "ʃip"
        self.pair.save()
        us = self.next_item(accent="en-US")
        uk = self.next_item(accent="en-GB")
        self.assertIn("ʃip", {choice["ipa"] for choice in us["choices"]})
        self.assertIn("ʃiːp", {choice["ipa"] for choice in uk["choices"]})

    def test_a_bad_accent_kind_phoneme_or_lesson_is_a_400(self):
        for params in (
            {"accent": "fr-FR"},
            {"kind": "nonsense"},
            {"phoneme": "999999"},
            {"phoneme": "x"},
            {"lesson": "999999"},
        ):
            with self.subTest(params):
                self.assertEqual(self.client.get(NEXT, params).status_code, 400)

    def test_nothing_to_drill_is_a_404(self):
        other = make_contrast("uː", "ʊ")[0]
        response = self.client.get(NEXT, {"phoneme": other.pk})
        self.assertEqual(response.status_code, 404)

    def test_phoneme_keeps_the_contrasts_with_that_phoneme(self):
        u_long, u_short = make_contrast("uː", "ʊ")
        other = make_pair(u_long, u_short)
        give_audio(other)
        for _ in range(5):
            self.assertEqual(self.attempt(self.next_item(phoneme=u_short.pk)).pair, other)

    def test_lesson_keeps_the_lessons_contrasts(self):
        u_long, u_short = make_contrast("uː", "ʊ")
        other = make_pair(u_long, u_short)
        give_audio(other)
        lesson = make_lesson([u_long, u_short], [other])
        for _ in range(5):
            attempt = self.attempt(self.next_item(lesson=lesson.pk))
            self.assertEqual((attempt.pair, attempt.lesson), (other, lesson))

    def test_missing_audio_is_generated_for_the_word(self):
        AudioSource.objects.all().delete()
        item = self.next_item()
        source = self.attempt(item).audio_source
        self.assertEqual(source.source_type, AudioSource.SourceType.GENERATED)
        self.assertIn(source.word, {"sheep", "ship"})

    def test_when_no_audio_can_be_had_the_answer_is_503(self):
        AudioSource.objects.all().delete()
        LocMemEngine.failure = TTSError("down", retryable=True)
        response = self.client.get(NEXT)
        self.assertEqual(response.status_code, 503)
        self.assertIn("audio unavailable", response.json()["detail"])
        self.assertFalse(DrillAttempt.objects.exists())

    def test_an_item_without_audio_is_skipped_for_one_with_audio(self):
        u_long, u_short = make_contrast("uː", "ʊ")
        silent = make_pair(u_long, u_short)  # no audio, and the engine fails
        LocMemEngine.failure = TTSError("down", retryable=True)
        for _ in range(6):
            self.assertEqual(self.attempt(self.next_item()).pair, self.pair)
        self.assertFalse(DrillAttempt.objects.filter(pair=silent).exists())


class AudioTests(DrillTestCase):
    def test_the_audio_is_streamed_without_naming_the_file(self):
        item = self.next_item()
        response = self.client.get(item["audio_url"])

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "audio/mpeg")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertNotIn("Location", response)
        self.assertNotIn("Content-Disposition", response)
        attempt = self.attempt(item)
        self.assertEqual(attempt.voice, attempt.clips[0][2])
        heard = decode_bytes(response.content)
        self.assertGreater(heard.duration, 0.3)

    def test_no_public_audio_file_of_either_word_matches_what_an_item_streams(self):
        """Hashing every public file of both words (every voice) answers no item."""
        for _ in range(3):  # every voice's file of both words exists after a few items
            self.client.get(self.next_item()["audio_url"])
        public = set()
        for source in AudioSource.objects.filter(word__in=["sheep", "ship"]):
            with source.audio_file.open("rb") as file:
                public.add(hashlib.sha256(file.read()).hexdigest())
        self.assertGreaterEqual(len(public), 2)
        for _ in range(15):
            item = self.next_item()
            streamed = self.client.get(item["audio_url"]).content
            self.assertNotIn(hashlib.sha256(streamed).hexdigest(), public)
            # Played twice, an item is two different renderings.
            self.assertNotEqual(streamed, self.client.get(item["audio_url"]).content)

    def test_an_audio_element_accept_header_gets_the_audio(self):
        item = self.next_item()
        response = self.client.get(item["audio_url"], HTTP_ACCEPT="audio/webm,audio/ogg;q=0.9")
        self.assertEqual(response.status_code, 200)

    def test_only_the_owner_gets_the_audio(self):
        item = self.next_item()
        intruder = APIClient()
        intruder.force_authenticate(make_user())
        self.assertEqual(intruder.get(item["audio_url"]).status_code, 404)
        self.assertIn(APIClient().get(item["audio_url"]).status_code, (401, 403))

    def test_audio_deleted_by_cleanup_is_found_again(self):
        item = self.next_item()
        AudioSource.objects.all().delete()
        response = self.client.get(item["audio_url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.attempt(item).audio_source.source_type, "generated")

    def test_audio_that_cannot_be_had_again_is_a_503(self):
        item = self.next_item()
        AudioSource.objects.all().delete()
        LocMemEngine.failure = TTSError("down", retryable=True)
        response = self.client.get(item["audio_url"])
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Content-Type"], "application/json")


class AnswerTests(DrillTestCase):
    def test_the_right_key_is_correct_and_says_why(self):
        item = self.next_item()
        attempt = self.attempt(item)
        response = self.client.post(answer_url(item), {"choice": attempt.answer_key}, format="json")

        self.assertEqual(response.status_code, 200)
        result = response.json()
        self.assertTrue(result["correct"])
        played = "sheep" if attempt.answer_word == 1 else "ship"
        self.assertEqual(result["answer"]["word"], played)
        self.assertEqual(result["answer"]["key"], attempt.answer_key)
        self.assertIn(played, result["explanation_vi"])
        self.assertTrue(result["explanation_vi"].startswith("Đúng"))
        heard = self.long_i if attempt.answer_word == 1 else self.short_i
        self.assertEqual(
            result["progress"], {"phoneme_id": heard.pk, "attempts": 1, "correct": 1, "mastery": 20}
        )
        attempt.refresh_from_db()
        self.assertEqual((attempt.choice, attempt.correct), (attempt.answer_key, True))
        self.assertIsNotNone(attempt.answered_at)

    def test_a_wrong_key_counts_against_the_heard_phoneme(self):
        item = self.next_item()
        attempt = self.attempt(item)
        result = self.client.post(
            answer_url(item), {"choice": self.wrong_key(item)}, format="json"
        ).json()
        self.assertFalse(result["correct"])
        heard = self.long_i if attempt.answer_word == 1 else self.short_i
        progress = UserPhonemeProgress.objects.get(user=self.learner, phoneme=heard)
        self.assertEqual((progress.attempts, progress.correct), (1, 0))

    def test_an_item_is_answered_once(self):
        item = self.next_item()
        first = self.client.post(answer_url(item), {"choice": "a"}, format="json")
        second = self.client.post(answer_url(item), {"choice": "b"}, format="json")
        self.assertEqual(first.status_code, 200)
        self.assertEqual(second.status_code, 409)
        self.assertEqual(UserPhonemeProgress.objects.get(user=self.learner).attempts, 1)
        self.assertEqual(ReviewCard.objects.get().reviews, 1)

    def test_another_learners_item_cannot_be_answered(self):
        item = self.next_item()
        intruder = APIClient()
        intruder.force_authenticate(make_user())
        self.assertEqual(
            intruder.post(answer_url(item), {"choice": "a"}, format="json").status_code, 404
        )
        self.assertIsNone(self.attempt(item).answered_at)

    def test_a_choice_other_than_a_or_b_is_a_400(self):
        item = self.next_item()
        for choice in ("c", "", "sheep"):
            response = self.client.post(answer_url(item), {"choice": choice}, format="json")
            self.assertEqual(response.status_code, 400)
            self.assertIn("choice", response.json())

    def test_unknown_items_are_404(self):
        for pk in ("999999", "x", "99999999999999999999"):
            self.assertEqual(
                self.client.post(
                    f"/api/drills/{pk}/answer/", {"choice": "a"}, format="json"
                ).status_code,
                404,
            )

    def test_the_session_needs_the_csrf_token(self):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(self.learner)
        item = client.get(NEXT).json()
        self.assertEqual(
            client.post(answer_url(item), {"choice": "a"}, format="json").status_code, 403
        )

    def test_a_token_needs_no_csrf_token(self):
        client = APIClient(enforce_csrf_checks=True)
        item = client.get(NEXT, **token_header(self.learner)).json()
        response = client.post(
            answer_url(item), {"choice": "a"}, format="json", **token_header(self.learner)
        )
        self.assertEqual(response.status_code, 200)


class SpacedReviewTests(DrillTestCase):
    def answer(self, item: dict, *, right: bool) -> dict:
        key = self.right_key(item) if right else self.wrong_key(item)
        return self.client.post(answer_url(item), {"choice": key}, format="json").json()

    def test_a_right_answer_schedules_the_contrast_later_than_a_wrong_one(self):
        u_long, u_short = make_contrast("uː", "ʊ")
        other = make_pair(u_long, u_short)
        give_audio(other)
        right = self.answer(self.next_item(phoneme=self.long_i.pk), right=True)
        wrong = self.answer(self.next_item(phoneme=u_long.pk), right=False)
        card_right = ReviewCard.objects.get(pair=self.pair)
        card_wrong = ReviewCard.objects.get(pair=other)
        self.assertGreater(card_right.due, card_wrong.due)
        self.assertEqual((card_right.reviews, card_right.lapses), (1, 0))
        self.assertEqual((card_wrong.reviews, card_wrong.lapses), (1, 1))
        self.assertEqual(card_right.card["due"], card_right.due.isoformat())
        self.assertGreater(card_wrong.due, timezone.now())
        self.assertEqual(right["review"]["reviews"], 1)
        self.assertTrue(wrong["review"]["due"])

    def test_due_reviews_come_before_new_contrasts(self):
        u_long, u_short = make_contrast("uː", "ʊ")
        other = make_pair(u_long, u_short)
        give_audio(other)
        self.answer(self.next_item(phoneme=u_long.pk), right=True)
        ReviewCard.objects.filter(pair=other).update(due=timezone.now() - timedelta(minutes=1))
        for _ in range(3):
            item = self.next_item()
            self.assertEqual(self.attempt(item).pair, other)

    def test_new_contrasts_come_before_reviews_not_yet_due(self):
        u_long, u_short = make_contrast("uː", "ʊ")
        other = make_pair(u_long, u_short)
        give_audio(other)
        self.answer(self.next_item(phoneme=u_long.pk), right=True)
        self.assertEqual(self.attempt(self.next_item()).pair, self.pair)

    def test_when_nothing_is_due_or_new_the_soonest_review_comes(self):
        self.answer(self.next_item(), right=True)
        self.assertEqual(self.attempt(self.next_item()).pair, self.pair)

    def test_the_card_is_rated_with_fsrs(self):
        for right in (True, True, False):
            self.answer(self.next_item(), right=right)
        card = ReviewCard.objects.get()
        self.assertEqual((card.reviews, card.lapses), (3, 1))
        self.assertIn("stability", card.card)
        self.assertIsNotNone(card.card["last_review"])


@override_settings(PHATAM_DRILL_VOICES={"en-US": []})
class QueryCountTests(DrillTestCase):
    """The next item and the answer cost the same queries whatever the learner's history
    (only the native recordings: nothing is generated)."""

    def setUp(self):
        super().setUp()
        self.client = APIClient()  # with a token, as an API client calls: auth is counted too
        self.client.credentials(**token_header(self.learner))
        self.pairs = [self.pair]
        for _ in range(3):
            pair = make_pair(self.long_i, self.short_i)
            give_audio(pair)
            self.pairs.append(pair)

    def queries_with_history(self, size: int) -> tuple[int, int]:
        DrillAttempt.objects.all().delete()
        ReviewCard.objects.all().delete()
        make_answered_attempts(self.learner, self.pairs[1:], size)
        for pair in self.pairs[1:]:  # reviewed, not due: the new contrast comes next
            ReviewCard.objects.create(
                user=self.learner,
                pair=pair,
                card={},
                due=timezone.now() + timedelta(days=3),
                reviews=size,
            )
        UserPhonemeProgress.objects.get_or_create(user=self.learner, phoneme=self.long_i)
        UserPhonemeProgress.objects.get_or_create(user=self.learner, phoneme=self.short_i)
        ReviewCard.objects.create(  # due: the next item reviews it
            user=self.learner,
            pair=self.pair,
            card=Card(card_id=1).to_dict(),
            due=timezone.now() - timedelta(seconds=1),
        )
        with CaptureQueriesContext(connection) as next_queries:
            item = self.next_item()
        self.assertEqual(self.attempt(item).pair, self.pair)
        with CaptureQueriesContext(connection) as answer_queries:
            response = self.client.post(answer_url(item), {"choice": "a"}, format="json")
        self.assertEqual(response.status_code, 200)
        return len(next_queries), len(answer_queries)

    def test_next_and_answer_cost_the_same_at_5_and_50_attempts(self):
        small = self.queries_with_history(5)
        large = self.queries_with_history(50)
        self.assertEqual(small, large)
        self.assertLessEqual(small[0], 8, "the next item")
        self.assertLessEqual(small[1], 17, "the answer")
