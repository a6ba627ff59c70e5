from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from apps.curriculum.models import MinimalPair
from tests.factories import make_category, make_phoneme


class MinimalPairTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        category = make_category()
        cls.long_i = make_phoneme("iː", category=category)
        cls.short_i = make_phoneme("ɪ", category=category)

    def make_pair(self, **fields) -> MinimalPair:
        values = {
            "phoneme_1": self.long_i,
            "phoneme_2": self.short_i,
            "word_1": "sheep",
            "word_1_ipa": "/ʃiːp/",
            "word_2": "ship",
            "word_2_ipa": "/ʃɪp/",
            "note_vi": "Âm /iː/ dài hơn.",
        }
        return MinimalPair.objects.create(**{**values, **fields})

    def test_pair_stores_canonical_ipa(self):
        pair = self.make_pair(word_1_ipa="/ʃi:p/")
        pair.refresh_from_db()
        self.assertEqual(pair.word_1_ipa, "ʃiːp")
        self.assertEqual(str(pair), "sheep /ʃiːp/ – ship /ʃɪp/")

    def test_same_pair_twice_is_rejected(self):
        self.make_pair()
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.make_pair()

    def test_a_phoneme_cannot_contrast_with_itself(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.make_pair(phoneme_2=self.long_i, word_2="sheet", word_2_ipa="/ʃiːt/")

    def test_words_must_differ(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.make_pair(word_2="sheep")

    def test_clean_checks_each_word_contains_its_phoneme(self):
        pair = MinimalPair(
            phoneme_1=self.long_i,
            phoneme_2=self.short_i,
            word_1="ship",
            word_1_ipa="/ʃɪp/",
            word_2="sheep",
            word_2_ipa="/ʃiːp/",
        )
        with self.assertRaises(ValidationError) as caught:
            pair.full_clean()
        self.assertEqual(set(caught.exception.message_dict), {"word_1_ipa", "word_2_ipa"})

    def test_for_phoneme_finds_pairs_on_either_side(self):
        pair = self.make_pair()
        self.assertEqual(list(MinimalPair.objects.for_phoneme(self.short_i)), [pair])
        self.assertEqual(list(MinimalPair.objects.for_phoneme(self.long_i)), [pair])
