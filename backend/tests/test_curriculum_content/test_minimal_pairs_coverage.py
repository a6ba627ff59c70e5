"""Every one of the 44 phonemes has minimal pairs in the real curriculum, served by the API with
both accents' transcriptions and a Vietnamese note."""

import re

from django.test import TestCase

from apps.curriculum.models import MinimalPair, Phoneme
from speech.ipa import PHONEMES
from tests.test_curriculum_content.seeding import seed

VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]")
# The phonemes that had no minimal pair before the curriculum covered all 44.
ONCE_WITHOUT = ("ə", "ʊə", "ɔɪ", "əʊ", "aɪ", "aʊ", "ʒ", "m", "h", "r", "j")


class MinimalPairCoverageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = seed()

    def pairs_of(self, phoneme: Phoneme) -> list[dict]:
        response = self.client.get("/api/minimal-pairs/", {"phoneme": phoneme.pk})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_the_api_has_minimal_pairs_for_each_of_the_44_phonemes(self):
        phonemes = list(Phoneme.objects.chart_order())
        self.assertEqual({p.ipa_symbol for p in phonemes}, set(PHONEMES))
        for phoneme in phonemes:
            with self.subTest(phoneme=phoneme.ipa_symbol):
                self.assertTrue(self.pairs_of(phoneme))

    def test_the_phonemes_once_without_pairs_have_at_least_two_plain_contrasts(self):
        for symbol in ONCE_WITHOUT:
            phoneme = Phoneme.objects.get(ipa_symbol=symbol)
            plain = MinimalPair.objects.for_phoneme(phoneme).exclude(kind="stress")
            with self.subTest(phoneme=symbol):
                self.assertGreaterEqual(plain.count(), 2)

    def test_a_pair_carries_both_accents_its_kind_and_a_vietnamese_note(self):
        [tour_tore] = [
            pair
            for pair in self.pairs_of(Phoneme.objects.get(ipa_symbol="ʊə"))
            if pair["word_1"] == "tour" and pair["word_2"] == "tore"
        ]
        self.assertEqual(
            {key: tour_tore[key] for key in ("phoneme_1", "phoneme_2", "kind")},
            {"phoneme_1": "ʊə", "phoneme_2": "ɔː", "kind": "pair"},
        )
        self.assertEqual((tour_tore["word_1_ipa"], tour_tore["word_2_ipa"]), ("tʊə", "tɔː"))
        self.assertEqual((tour_tore["word_1_ipa_us"], tour_tore["word_2_ipa_us"]), ("tʊr", "tɔːr"))
        self.assertRegex(tour_tore["note_vi"].lower(), VIETNAMESE)

    def test_every_pair_has_both_us_forms_and_a_vietnamese_note(self):
        for pair in MinimalPair.objects.all():
            with self.subTest(pair=str(pair)):
                self.assertTrue(pair.word_1_ipa_us and pair.word_2_ipa_us)
                self.assertRegex(pair.note_vi.lower(), VIETNAMESE)

    def test_loading_again_changes_no_pair(self):
        count = MinimalPair.objects.count()
        self.assertIn(f"Minimal pairs:  {count} created, 0 updated, 0 unchanged", self.output)
        self.assertIn(f"Minimal pairs:  0 created, 0 updated, {count} unchanged", seed())

    def test_the_api_filters_by_kind(self):
        response = self.client.get("/api/minimal-pairs/", {"kind": MinimalPair.Kind.ENDING})

        self.assertEqual(response.status_code, 200)
        kinds = {pair["kind"] for pair in response.json()}
        self.assertEqual(kinds, {MinimalPair.Kind.ENDING})

    def test_an_unknown_kind_is_a_field_error(self):
        response = self.client.get("/api/minimal-pairs/", {"kind": "rhyme"})

        self.assertEqual(response.status_code, 400)
        self.assertIn("kind", response.json())
