"""The syllabus of the real curriculum: ordered for Vietnamese learners, each contrast heard
before it is said, every drill kind in a lesson, pairs real in the accent drilled, and tips
for each dialect."""

import re

from django.test import TestCase

from apps.curriculum.models import MinimalPair, Phoneme, PhonemeTip, PronunciationLesson
from apps.curriculum.selectors import tips_for
from speech.tts.base import SynthesisRequest, Voice
from speech.tts.espeak import ESpeakEngine, word_input
from tests.test_curriculum_content.seeding import seed

VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]")
DRILL_KINDS = {"final_consonant", "cluster", "ending", "th", "sh_s", "length", "stress"}


class SyllabusTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed()
        cls.lessons = list(PronunciationLesson.objects.order_by("order"))

    def words_of(self, lesson: PronunciationLesson) -> set[tuple[str, str]]:
        return {(p.word_1, p.word_2) for p in lesson.ordered_minimal_pairs()}

    def test_the_learners_biggest_problems_come_first(self):
        perception = [lesson.slug for lesson in self.lessons if lesson.stage == "perception"]
        self.assertEqual(
            perception[:5],
            ["final-consonants", "final-clusters", "endings-and-linking", "word-stress",
             "long-short-i"],
        )  # fmt: skip

    def test_every_drill_kind_is_in_a_lesson_and_used_by_one(self):
        kinds = set(
            MinimalPair.objects.filter(lessons__isnull=False).values_list("kind", flat=True)
        )
        self.assertLessEqual(DRILL_KINDS, kinds)
        self.assertFalse(MinimalPair.objects.filter(kind__in=DRILL_KINDS, lessons=None).exists())

    def test_each_contrast_is_heard_before_it_is_said(self):
        by_slug = {lesson.slug: lesson for lesson in self.lessons}
        production = [lesson for lesson in self.lessons if lesson.stage == "production"]
        self.assertGreaterEqual(len(production), 5)
        for lesson in production:
            with self.subTest(lesson=lesson.slug):
                heard = by_slug[lesson.slug.removesuffix("-speaking")]
                self.assertEqual(heard.stage, "perception")
                self.assertLess(heard.order, lesson.order)
                self.assertEqual(self.words_of(heard), self.words_of(lesson))

    def test_every_lesson_has_pairs_to_drill_in_each_accent(self):
        for lesson in self.lessons:
            for accent in ("en-US", "en-GB"):
                with self.subTest(lesson=lesson.slug, accent=accent):
                    self.assertGreaterEqual(lesson.minimal_pairs.for_accent(accent).count(), 4)

    def test_every_lesson_says_in_vietnamese_what_it_trains(self):
        for lesson in self.lessons:
            with self.subTest(lesson=lesson.slug):
                self.assertRegex(lesson.trains_vi.lower(), VIETNAMESE)
                self.assertIn("Việt", lesson.trains_vi)

    def test_dropped_finals_are_drilled_as_triplets_and_endings_in_linked_phrases(self):
        finals = self.words_of(self.lessons[0])
        self.assertLessEqual(
            {("tie", "tight"), ("tie", "time"), ("tight", "time"), ("lie", "like")}, finals
        )
        endings = self.words_of(PronunciationLesson.objects.get(slug="endings-and-linking"))
        self.assertLessEqual(
            {("play", "plays"), ("play", "played"), ("plays", "played"),
             ("pick up", "picked up"), ("walk in", "walks in")},
            endings,
        )  # fmt: skip
        tie_tight = MinimalPair.objects.get(word_1="tie", word_2="tight")
        self.assertEqual(
            (tie_tight.kind, tie_tight.phoneme_1.ipa_symbol, tie_tight.phoneme_2.ipa_symbol),
            ("final_consonant", "aɪ", "t"),
        )

    def test_every_word_is_said_by_espeak_with_its_phoneme_codes_in_both_accents(self):
        for pair in MinimalPair.objects.all():
            for ipa in (pair.word_1_ipa, pair.word_2_ipa, pair.word_1_ipa_us, pair.word_2_ipa_us):
                with self.subTest(pair=str(pair), ipa=ipa):
                    said = word_input(ipa)
                    self.assertRegex(said, r"^\[\[[\x21-\x7e]+\]\]$")  # mnemonics, no IPA glyphs


class NewWordsAreSaidTests(TestCase):
    """The syllabus's new kinds of words (dropped finals, linked phrases, stress pairs) are
    said by eSpeak from their phoneme codes, as generate_audio pre-generates them."""

    @classmethod
    def setUpTestData(cls):
        seed()

    def test_phrases_triplets_and_stress_words_are_said_in_both_accents(self):
        engine = ESpeakEngine()
        voices = {
            "en-US": Voice("espeak", "en-us", "en-US"),
            "en-GB": Voice("espeak", "en-gb-x-rp", "en-GB"),
        }
        pairs = [("tie", "tight"), ("pick up", "picked up"), ("human", "humane")]
        for word_1, word_2 in pairs:
            pair = MinimalPair.objects.get(word_1=word_1, word_2=word_2)
            for accent, voice in voices.items():
                us = accent == "en-US"
                said = [
                    engine.synthesize(SynthesisRequest(voice=voice, ipa=ipa, word=word))
                    for word, ipa in (
                        (pair.word_1, pair.word_1_ipa_us if us else pair.word_1_ipa),
                        (pair.word_2, pair.word_2_ipa_us if us else pair.word_2_ipa),
                    )
                ]
                with self.subTest(pair=str(pair), accent=accent):
                    self.assertTrue(all(result.duration > 0.3 for result in said))
                    self.assertNotEqual(said[0].audio, said[1].audio)
                    self.assertNotEqual(
                        said[0].settings["espeak_input"], said[1].settings["espeak_input"]
                    )


class PairsOfEachAccentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed()

    def pair(self, word_1: str, word_2: str) -> MinimalPair:
        return MinimalPair.objects.get(word_1=word_1, word_2=word_2)

    def test_pairs_merged_in_one_accent_are_drilled_only_in_the_other(self):
        us = set(MinimalPair.objects.for_accent("en-US").values_list("word_1", "word_2"))
        gb = set(MinimalPair.objects.for_accent("en-GB").values_list("word_1", "word_2"))
        for words in (("cot", "caught"), ("leisure", "ledger")):
            self.assertIn(words, gb)
            self.assertNotIn(words, us)
        for words in (("sure", "shore"), ("poor", "pour"), ("tour", "tore")):
            self.assertIn(words, us)
            self.assertNotIn(words, gb)
        for words in (("sheep", "ship"), ("lesion", "legion"), ("human", "humane")):
            self.assertIn(words, us & gb)

    def test_leisure_says_what_its_note_says(self):
        leisure = self.pair("leisure", "ledger")
        self.assertEqual(leisure.word_1_ipa_us, "ˈliːʒər")
        self.assertIn("/ˈliːʒər/", leisure.note_vi)

    def test_no_pair_claims_an_accent_in_which_its_words_sound_the_same(self):
        for pair in MinimalPair.objects.all():
            with self.subTest(pair=str(pair)):
                if pair.is_contrast_in("en-US"):
                    self.assertNotEqual(pair.word_1_ipa_us, pair.word_2_ipa_us)
                if pair.is_contrast_in("en-GB"):
                    self.assertNotEqual(pair.word_1_ipa, pair.word_2_ipa)

    def test_weak_vowel_pairs_and_words_with_two_pronunciations_are_gone(self):
        words = set(MinimalPair.objects.values_list("word_1", flat=True))
        words |= set(MinimalPair.objects.values_list("word_2", flat=True))
        for word in ("affect", "effect", "accept", "except", "live", "desert", "a record"):
            self.assertNotIn(word, words)


class DialectTipsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed()

    def test_each_dialect_reads_its_own_tips_first(self):
        z = Phoneme.objects.get(ipa_symbol="z")
        self.assertEqual(tips_for(z, dialect="nam")[0].dialect, "nam")
        self.assertEqual(tips_for(z, dialect="bac")[0].dialect, "bac")
        self.assertIn("Giọng Nam", tips_for(z, dialect="nam")[0].text_vi)

    def test_every_dialect_has_tips_and_every_tip_is_vietnamese(self):
        self.assertEqual(
            set(PhonemeTip.objects.exclude(dialect="").values_list("dialect", flat=True)),
            {"bac", "nam"} | set(PhonemeTip.objects.filter(dialect="trung").values_list(
                "dialect", flat=True)),
        )  # fmt: skip
        for tip in PhonemeTip.objects.all():
            self.assertRegex(tip.text_vi.lower(), VIETNAMESE)

    def test_the_tip_for_everyone_names_no_dialect(self):
        for phoneme in Phoneme.objects.all():
            with self.subTest(phoneme=phoneme.ipa_symbol):
                self.assertNotRegex(phoneme.tip_vi, r"(?i)\b(bắc|miền|giọng nam|trung)\b")

    def test_loading_again_changes_no_tip(self):
        count = PhonemeTip.objects.count()
        self.assertIn(f"Tips:           0 created, 0 updated, {count} unchanged", seed())
