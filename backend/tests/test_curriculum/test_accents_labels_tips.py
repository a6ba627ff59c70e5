"""The curriculum's interface to practice: pairs per accent, choice labels, tips per dialect."""

from django.db import IntegrityError, transaction
from django.test import TestCase

from apps.curriculum.models import MinimalPair, PhonemeTip, PronunciationLesson
from apps.curriculum.selectors import tips_for
from tests.factories import make_category, make_phoneme


class PairAccentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        category = make_category()
        cls.o = make_phoneme("ɒ", category=category)
        cls.aw = make_phoneme("ɔː", category=category)
        cls.both = MinimalPair.objects.create(
            phoneme_1=cls.o, phoneme_2=cls.aw, word_1="shot", word_1_ipa="ʃɒt",
            word_2="short", word_2_ipa="ʃɔːt",
        )  # fmt: skip
        cls.gb_only = MinimalPair.objects.create(
            phoneme_1=cls.o, phoneme_2=cls.aw, word_1="cot", word_1_ipa="kɒt",
            word_2="caught", word_2_ipa="kɔːt", accents=MinimalPair.Accents.GB,
        )  # fmt: skip
        cls.us_only = MinimalPair.objects.create(
            phoneme_1=cls.aw, phoneme_2=cls.o, word_1="pour", word_1_ipa="pɔː",
            word_2="pot", word_2_ipa="pɒt", accents=MinimalPair.Accents.US,
        )  # fmt: skip

    def test_a_pair_is_a_contrast_in_both_accents_unless_told(self):
        self.assertEqual(self.both.accents, "both")

    def test_for_accent_drops_the_pairs_merged_in_that_accent(self):
        us = set(MinimalPair.objects.for_accent("en-US"))
        gb = set(MinimalPair.objects.for_accent("en-GB"))
        self.assertEqual(us, {self.both, self.us_only})
        self.assertEqual(gb, {self.both, self.gb_only})
        self.assertTrue(self.gb_only.is_contrast_in("en-GB"))
        self.assertFalse(self.gb_only.is_contrast_in("en-US"))

    def test_an_unknown_accents_value_is_refused_by_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            MinimalPair.objects.filter(pk=self.both.pk).update(accents="au")

    def test_choice_label_is_the_word_unless_the_pair_has_labels(self):
        self.assertEqual(self.both.choice_label(1, accent="en-US"), "shot")
        self.assertEqual(self.both.choice_label(2, accent="en-GB"), "short")
        stress = MinimalPair(
            word_1="record (n)", word_2="record (v)",
            word_1_label="REcord (danh từ)", word_2_label="reCORD (động từ)",
        )  # fmt: skip
        self.assertEqual(stress.choice_label(1, accent="en-US"), "REcord (danh từ)")
        self.assertEqual(stress.choice_label(2, accent="en-GB"), "reCORD (động từ)")
        with self.assertRaises(ValueError):
            stress.choice_label(3, accent="en-US")


class TipsByDialectTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.r = make_phoneme("r", category=make_category("consonant"))
        cls.general = PhonemeTip.objects.create(phoneme=cls.r, text_vi="Cong lưỡi.", position=1)
        cls.north = PhonemeTip.objects.create(
            phoneme=cls.r, dialect="bac", text_vi="Đừng đọc thành 'z'.", position=2
        )
        cls.south = PhonemeTip.objects.create(
            phoneme=cls.r, dialect="nam", text_vi="Đừng rung lưỡi.", position=3
        )

    def test_the_learners_dialect_comes_first_then_the_general_tips(self):
        self.assertEqual(tips_for(self.r, dialect="bac"), [self.north, self.general, self.south])
        self.assertEqual(tips_for(self.r, dialect="nam"), [self.south, self.general, self.north])

    def test_without_a_dialect_the_general_tips_come_first(self):
        for dialect in (None, "", "trung", "klingon"):
            self.assertEqual(tips_for(self.r, dialect=dialect)[0], self.general, dialect)


class LessonStageTests(TestCase):
    def test_a_lesson_is_perception_unless_told_and_says_what_it_trains(self):
        lesson = PronunciationLesson.objects.create(
            slug="x", title="X", title_vi="X", trains_vi="Nghe âm cuối."
        )
        self.assertEqual(lesson.stage, PronunciationLesson.Stage.PERCEPTION)
        with self.assertRaises(IntegrityError), transaction.atomic():
            PronunciationLesson.objects.filter(pk=lesson.pk).update(stage="writing")
