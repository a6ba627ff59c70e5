"""The learners' REST API under /api/, through HTTP: phonemes with their audio per accent,
the audio fallback chain, play counting, categories, minimal pairs and the schema."""

from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import ScopedRateThrottle

from apps.curriculum.models import AudioCache, AudioSource, MinimalPair
from speech.tts.base import TTSError
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS

SEE = [{"word": "see", "ipa": "/siː/"}, {"word": "tea", "ipa": "/tiː/"}]
SIT = [{"word": "sit", "ipa": "/sɪt/"}]
AUDIO_KEYS = {
    "url",
    "source_type",
    "quality_score",
    "voice_id",
    "language",
    "word",
    "duration",
    "audio_source_id",
    "provenance",  # who made the file, for learners (tests/test_studio)
}


def make_vowel(**fields):
    return make_phoneme("iː", example_words=SEE, **fields)


class ApiTestCase(TempMediaMixin, TestCase):
    """A private MEDIA_ROOT per class (the engine and the throttle's cache are fresh for each
    test: tests/conftest.py)."""

    def get_json(self, url: str, status: int = 200, **params):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()


class PhonemeListTests(ApiTestCase):
    def test_phonemes_are_listed_in_chart_order(self):
        consonants = make_category("consonant", order=2, name_vi="Phụ âm")
        vowels = make_category("vowel", order=1, name_vi="Nguyên âm đơn")
        make_phoneme("p", category=consonants, order=1)
        make_phoneme("ɪ", category=vowels, order=6)
        make_phoneme("iː", category=vowels, order=5)

        body = self.get_json("/api/phonemes/")

        self.assertEqual([item["ipa_symbol"] for item in body], ["iː", "ɪ", "p"])

    def test_a_phoneme_carries_its_category_and_what_a_learner_needs(self):
        category = make_category("vowel", name="Monophthongs", name_vi="Nguyên âm đơn")
        phoneme = make_vowel(category=category, tip_vi="Kéo dài", vietnamese_approx="i dài")

        [item] = self.get_json("/api/phonemes/")

        self.assertEqual(item["id"], phoneme.pk)
        self.assertEqual(
            item["category"],
            {
                "id": category.pk,
                "name": "Monophthongs",
                "name_vi": "Nguyên âm đơn",
                "category_type": "vowel",
                "order": 0,
            },
        )
        self.assertEqual(item["vietnamese_approx"], "i dài")
        self.assertEqual(item["tip_vi"], "Kéo dài")
        self.assertEqual(item["example_words"], SEE)

    def test_a_phoneme_with_stored_audio_offers_that_file(self):
        phoneme = make_vowel()
        source = make_audio(phoneme, NATIVE, language="en-US", voice_id="speaker-1")

        [item] = self.get_json("/api/phonemes/", accent="en-US")

        self.assertEqual(set(item["audio"]), AUDIO_KEYS)
        self.assertIn("/media/", item["audio"]["url"])
        self.assertEqual(item["audio"]["url"], source.audio_file.url)
        self.assertEqual(
            {key: item["audio"][key] for key in AUDIO_KEYS - {"url", "word", "provenance"}},
            {
                "source_type": "native",
                "quality_score": 100,
                "voice_id": "speaker-1",
                "language": "en-US",
                "duration": 0.0,
                "audio_source_id": source.pk,
            },
        )
        self.assertIsNone(item["web_speech"])

    def test_each_accent_lists_the_audio_of_its_own_language(self):
        phoneme = make_vowel()
        us = make_audio(phoneme, NATIVE, language="en-US")
        uk = make_audio(phoneme, NATIVE, language="en-GB")

        [us_item] = self.get_json("/api/phonemes/", accent="en-US")
        [uk_item] = self.get_json("/api/phonemes/", accent="en-GB")

        self.assertEqual(us_item["audio"]["audio_source_id"], us.pk)
        self.assertEqual(uk_item["audio"]["audio_source_id"], uk.pk)
        self.assertEqual(uk_item["audio"]["language"], "en-GB")

    def test_without_stored_audio_the_browser_is_told_to_speak_the_first_example_word(self):
        phoneme = make_vowel()
        make_audio(phoneme, NATIVE, language="en-US")  # another accent's file does not count

        [item] = self.get_json("/api/phonemes/", accent="en-GB")

        self.assertIsNone(item["audio"])
        self.assertEqual(item["web_speech"], {"text": "see", "lang": "en-GB"})
        self.assertNotEqual(item["web_speech"]["text"], phoneme.ipa_symbol)

    def test_expired_tts_audio_is_not_offered(self):
        phoneme = make_vowel()
        make_audio(phoneme, TTS, language="en-US", expires_in_days=-1)

        [item] = self.get_json("/api/phonemes/")

        self.assertIsNone(item["audio"])
        self.assertEqual(item["web_speech"]["text"], "see")

    def test_listing_never_generates_audio(self):
        make_vowel()

        self.get_json("/api/phonemes/")

        self.assertEqual(LocMemEngine.requests, [])
        self.assertFalse(AudioSource.objects.exists())

    def test_the_default_accent_is_american(self):
        phoneme = make_vowel()
        us = make_audio(phoneme, NATIVE, language="en-US")
        make_audio(phoneme, NATIVE, language="en-GB")
        silent = make_phoneme("ɪ", example_words=SIT)

        body = self.get_json("/api/phonemes/")

        by_id = {item["id"]: item for item in body}
        self.assertEqual(by_id[phoneme.pk]["audio"]["audio_source_id"], us.pk)
        self.assertEqual(by_id[silent.pk]["web_speech"], {"text": "sit", "lang": "en-US"})

    def test_an_unknown_accent_is_refused_naming_the_allowed_ones(self):
        make_vowel()

        body = self.get_json("/api/phonemes/", status=400, accent="en-AU")

        self.assertEqual(body, {"accent": ["'en-AU' is not one of en-US, en-GB."]})


class PhonemeListQueryCountTests(ApiTestCase):
    def list_queries(self, count: int) -> int:
        category = make_category()
        for _ in range(count - len(self.phonemes)):
            phoneme = make_phoneme(category=category, example_words=SEE)
            make_audio(phoneme, NATIVE, language="en-GB")
            self.phonemes.append(phoneme)
        with CaptureQueriesContext(connection) as queries:
            body = self.get_json("/api/phonemes/", accent="en-GB")
        self.assertEqual(len(body), count)
        self.assertTrue(all(item["audio"] is not None for item in body))
        return len(queries)

    def test_the_list_costs_the_same_few_queries_for_44_and_88_phonemes(self):
        self.phonemes = []

        at_44 = self.list_queries(44)
        at_88 = self.list_queries(88)

        self.assertEqual(at_44, at_88)
        self.assertLessEqual(at_44, 3)


class PhonemeDetailTests(ApiTestCase):
    def test_a_phoneme_is_fetched_by_id_with_its_audio(self):
        phoneme = make_vowel()
        source = make_audio(phoneme, NATIVE, language="en-GB")

        body = self.get_json(f"/api/phonemes/{phoneme.pk}/", accent="en-GB")

        self.assertEqual((body["id"], body["ipa_symbol"]), (phoneme.pk, "iː"))
        self.assertEqual(body["audio"]["audio_source_id"], source.pk)
        self.assertIsNone(body["web_speech"])

    def test_an_unknown_id_is_a_json_404_with_a_message(self):
        body = self.get_json("/api/phonemes/999999/", status=404)

        self.assertIn("999999", body["detail"])

    def test_a_non_numeric_id_is_404(self):
        body = self.get_json("/api/phonemes/abc/", status=404)

        self.assertIn("detail", body)

    def test_an_unknown_accent_is_refused_for_one_phoneme_too(self):
        phoneme = make_vowel()

        body = self.get_json(f"/api/phonemes/{phoneme.pk}/", status=400, accent="vi-VN")

        self.assertIn("accent", body)


class PhonemeByIpaTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_vowel()
        make_phoneme("ɪ", example_words=SIT)

    def test_an_ascii_colon_finds_the_long_vowel(self):
        body = self.get_json("/api/phonemes/ipa/i%3A/")

        self.assertEqual((body["id"], body["ipa_symbol"]), (self.phoneme.pk, "iː"))

    def test_the_ipa_length_mark_finds_the_long_vowel(self):
        body = self.get_json("/api/phonemes/ipa/i%CB%90/")

        self.assertEqual(body["id"], self.phoneme.pk)

    def test_an_unknown_symbol_is_404(self):
        body = self.get_json("/api/phonemes/ipa/%CA%92/", status=404)

        self.assertIn("ʒ", body["detail"])


class PhonemeAudioTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_vowel()
        self.url = f"/api/phonemes/{self.phoneme.pk}/audio/"

    def test_stored_native_audio_answers_without_generating(self):
        native = make_audio(self.phoneme, NATIVE, language="en-GB")

        body = self.get_json(self.url, accent="en-GB")

        self.assertEqual(body["tier"], "native")
        self.assertEqual(body["audio"]["audio_source_id"], native.pk)
        self.assertIsNone(body["web_speech"])
        self.assertTrue(body["reason"])
        self.assertEqual(LocMemEngine.requests, [])

    def test_missing_audio_is_generated_on_demand(self):
        body = self.get_json(self.url, accent="en-GB")

        self.assertEqual(body["tier"], "generated")
        source = AudioSource.objects.get()
        self.assertEqual(body["audio"]["audio_source_id"], source.pk)
        self.assertEqual(body["audio"]["language"], "en-GB")
        self.assertEqual(body["audio"]["source_type"], "generated")
        self.assertIn("/media/", body["audio"]["url"])
        self.assertIsNone(body["web_speech"])
        self.assertEqual(len(LocMemEngine.requests), 1)

    def test_when_generation_fails_the_browser_speaks_the_first_example_word(self):
        LocMemEngine.failure = TTSError("down", retryable=True)

        body = self.get_json(self.url, accent="en-GB")

        self.assertEqual(body["tier"], "web_speech")
        self.assertIsNone(body["audio"])
        self.assertEqual(body["web_speech"], {"text": "see", "lang": "en-GB"})
        self.assertFalse(AudioSource.objects.exists())

    def test_the_default_accent_is_american(self):
        body = self.get_json(self.url)

        self.assertEqual(body["audio"]["language"], "en-US")

    def test_an_example_word_gets_audio_of_that_word(self):
        body = self.get_json(self.url, accent="en-US", word="tea")

        self.assertEqual(body["tier"], "generated")
        self.assertEqual(body["audio"]["word"], "tea")
        self.assertEqual(LocMemEngine.requests[0].word, "tea")

    def test_stored_audio_of_an_example_word_answers_for_that_word(self):
        make_audio(self.phoneme, NATIVE, language="en-US")  # the phoneme alone: not this
        word_audio = make_audio(self.phoneme, NATIVE, language="en-US", word="see")

        body = self.get_json(self.url, word="see")

        self.assertEqual(body["audio"]["audio_source_id"], word_audio.pk)
        self.assertEqual(body["audio"]["word"], "see")
        self.assertEqual(LocMemEngine.requests, [])

    def test_a_word_in_other_letter_case_is_the_same_example_word(self):
        self.get_json(self.url, word="see")

        body = self.get_json(self.url, word="SEE")

        self.assertEqual(body["audio"]["word"], "see")
        self.assertEqual(AudioSource.objects.count(), 1)
        self.assertEqual(len(LocMemEngine.requests), 1)

    def test_a_word_that_is_not_an_example_is_refused_with_a_message(self):
        body = self.get_json(self.url, status=400, word="sit")

        self.assertIn("sit", str(body["word"]))
        self.assertEqual(LocMemEngine.requests, [])

    def test_a_minimal_pair_word_of_the_phoneme_is_accepted(self):
        other = make_phoneme("ɪ", example_words=SIT)
        MinimalPair.objects.create(
            phoneme_1=other, word_1="ship", word_1_ipa="ʃɪp",
            phoneme_2=self.phoneme, word_2="sheep", word_2_ipa="ʃiːp",
        )  # fmt: skip

        body = self.get_json(self.url, word="sheep")

        self.assertEqual(body["audio"]["word"], "sheep")
        self.assertEqual(LocMemEngine.requests[0].ipa, "ʃiːp")

    def test_the_other_phonemes_word_of_a_minimal_pair_is_refused(self):
        other = make_phoneme("ɪ", example_words=SIT)
        MinimalPair.objects.create(
            phoneme_1=other, word_1="ship", word_1_ipa="ʃɪp",
            phoneme_2=self.phoneme, word_2="sheep", word_2_ipa="ʃiːp",
        )  # fmt: skip

        self.get_json(self.url, status=400, word="ship")

    def test_an_unknown_accent_is_refused(self):
        body = self.get_json(self.url, status=400, accent="en-AU")

        self.assertIn("accent", body)
        self.assertEqual(LocMemEngine.requests, [])

    def test_an_unknown_phoneme_is_404(self):
        self.get_json("/api/phonemes/999999/audio/", status=404)


class PlayCountTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.source = make_audio(make_vowel(), NATIVE)
        self.url = f"/api/audio/{self.source.pk}/plays/"

    def test_each_play_counts_exactly_one(self):
        counts = []
        for _ in range(3):
            response = self.client.post(self.url)
            self.assertEqual(response.status_code, 200, response.content)
            body = response.json()
            self.assertEqual(body["audio_source_id"], self.source.pk)
            counts.append(body["usage_count"])

        self.assertEqual(counts, [1, 2, 3])
        self.assertEqual(AudioCache.objects.get(audio_source=self.source).usage_count, 3)

    def test_the_answer_is_the_source_id_and_its_count(self):
        response = self.client.post(self.url)

        self.assertEqual(response.json(), {"audio_source_id": self.source.pk, "usage_count": 1})

    def test_an_unknown_source_is_404(self):
        response = self.client.post("/api/audio/999999/plays/")

        self.assertEqual(response.status_code, 404)
        self.assertIn("999999", response.json()["detail"])
        self.assertFalse(AudioCache.objects.exists())

    def test_get_is_not_allowed(self):
        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 405)
        self.assertFalse(AudioCache.objects.exists())

    @mock.patch.object(ScopedRateThrottle, "THROTTLE_RATES", {"plays": "3/minute"})
    def test_plays_beyond_the_rate_are_refused_and_not_counted(self):
        statuses = [self.client.post(self.url).status_code for _ in range(4)]

        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertEqual(AudioCache.objects.get(audio_source=self.source).usage_count, 3)

    @mock.patch.object(ScopedRateThrottle, "THROTTLE_RATES", {"plays": "3/minute"})
    def test_another_client_has_its_own_allowance(self):
        for _ in range(3):
            self.client.post(self.url)

        response = self.client.post(self.url, REMOTE_ADDR="192.0.2.7")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["usage_count"], 4)

    @mock.patch.object(ScopedRateThrottle, "THROTTLE_RATES", {"plays": "3/minute"})
    def test_a_forged_forwarded_for_header_does_not_escape_the_rate(self):
        statuses = [
            self.client.post(self.url, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
            for n in range(4)
        ]

        self.assertEqual(statuses, [200, 200, 200, 429])


class CategoryTests(ApiTestCase):
    def test_categories_are_listed_with_their_vietnamese_names(self):
        make_category("consonant", name="Consonants", name_vi="Phụ âm", order=3)
        make_category("vowel", name="Monophthongs", name_vi="Nguyên âm đơn", order=1)
        make_category("diphthong", name="Diphthongs", name_vi="Nguyên âm đôi", order=2)

        body = self.get_json("/api/categories/")

        self.assertEqual(
            [(item["name"], item["name_vi"], item["category_type"]) for item in body],
            [
                ("Monophthongs", "Nguyên âm đơn", "vowel"),
                ("Diphthongs", "Nguyên âm đôi", "diphthong"),
                ("Consonants", "Phụ âm", "consonant"),
            ],
        )


class MinimalPairTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.long_i = make_phoneme("iː")
        self.short_i = make_phoneme("ɪ")
        self.e = make_phoneme("e")
        self.sheep_ship = MinimalPair.objects.create(
            phoneme_1=self.long_i, word_1="sheep", word_1_ipa="ʃiːp",
            phoneme_2=self.short_i, word_2="ship", word_2_ipa="ʃɪp",
        )  # fmt: skip
        self.bed_bead = MinimalPair.objects.create(
            phoneme_1=self.e, word_1="bed", word_1_ipa="bed",
            phoneme_2=self.long_i, word_2="bead", word_2_ipa="biːd",
        )  # fmt: skip
        self.bit_bet = MinimalPair.objects.create(
            phoneme_1=self.short_i, word_1="bit", word_1_ipa="bɪt",
            phoneme_2=self.e, word_2="bet", word_2_ipa="bet",
        )  # fmt: skip

    def test_filtering_by_phoneme_keeps_the_pairs_it_takes_part_in_on_either_side(self):
        body = self.get_json("/api/minimal-pairs/", phoneme=self.long_i.pk)

        self.assertEqual(
            sorted(item["id"] for item in body), sorted([self.sheep_ship.pk, self.bed_bead.pk])
        )

    def test_a_pair_names_both_phonemes_by_ipa_and_id(self):
        body = self.get_json("/api/minimal-pairs/", phoneme=self.short_i.pk)

        by_id = {item["id"]: item for item in body}
        self.assertEqual(set(by_id), {self.sheep_ship.pk, self.bit_bet.pk})
        sheep_ship = by_id[self.sheep_ship.pk]
        self.assertEqual(
            {key: sheep_ship[key] for key in ("phoneme_1", "phoneme_1_id", "word_1", "word_1_ipa")},
            {
                "phoneme_1": "iː",
                "phoneme_1_id": self.long_i.pk,
                "word_1": "sheep",
                "word_1_ipa": "ʃiːp",
            },
        )
        self.assertEqual(
            {key: sheep_ship[key] for key in ("phoneme_2", "phoneme_2_id", "word_2", "word_2_ipa")},
            {
                "phoneme_2": "ɪ",
                "phoneme_2_id": self.short_i.pk,
                "word_2": "ship",
                "word_2_ipa": "ʃɪp",
            },
        )

    def test_without_a_filter_every_pair_is_listed(self):
        body = self.get_json("/api/minimal-pairs/")

        self.assertEqual(len(body), 3)

    def test_a_non_numeric_phoneme_is_400(self):
        body = self.get_json("/api/minimal-pairs/", status=400, phoneme="abc")

        self.assertIn("phoneme", body)

    def test_an_unknown_phoneme_is_404(self):
        self.get_json("/api/minimal-pairs/", status=404, phoneme=999999)


class SchemaTests(TestCase):
    def test_the_openapi_schema_describes_the_phoneme_endpoints(self):
        response = self.client.get("/api/schema/")

        self.assertEqual(response.status_code, 200)
        self.assertIn("openapi", response["Content-Type"])
        self.assertIn(b"/api/phonemes/", response.content)
        self.assertIn(b"/api/audio/{audio_source_id}/plays/", response.content)

    def test_the_schema_is_available_as_json(self):
        response = self.client.get("/api/schema/", {"format": "json"})

        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        self.assertIn("/api/phonemes/", paths)
        self.assertIn("/api/phonemes/{id}/audio/", paths)

    def test_the_docs_page_is_html_whose_script_loads_the_schema(self):
        response = self.client.get("/api/docs/")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/html"))
        self.assertContains(response, "/api/docs/?script=")
        script = self.client.get("/api/docs/", {"script": ""})
        self.assertEqual(script.status_code, 200)
        self.assertContains(script, "/api/schema/")


class SlashedSymbolTests(TestCase):
    def test_a_symbol_written_between_slashes_is_found(self):
        phoneme = make_phoneme("iː")
        response = self.client.get("/api/phonemes/ipa/%2Fi%3A%2F/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["id"], phoneme.pk)
